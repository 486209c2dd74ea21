package popek.devices;

/**
 * The Intel 8254 programmable interval timer at ports 0x40-0x43, clocked at 1.193182 MHz of virtual time. Channel 0
 * drives IRQ0; channel 1 (DRAM refresh on old PCs) only counts; channel 2's gate and output belong to port 0x61
 * ({@link SystemControlPortB}), which is how kernels calibrate their clocks and sound the speaker.
 *
 * <p>What is modelled: modes 0-5 on every channel, lobyte/hibyte/lohi access, the counter-latch and read-back
 * commands, live count reads, BCD counting. IRQ0 follows OUT0 (high/low halves in mode 3, high at terminal count in
 * mode 0, the one-tick dip of mode 4 delivered as a low-high pair when it ends), except in mode 2: there the line
 * idles low and pulses once at the end of each period, as QEMU models it, so that programming the rate generator
 * is not itself an IRQ0 edge (an 8254's OUT idles high and dips for one tick; the read-back status reports that).
 *
 * <p>Simplifications: a count written while a channel runs takes effect at once (in modes 2 and 3 a real 8254
 * finishes the current period first; QEMU does the same as here), and a count of 1 in modes 2 and 3 behaves as 2.
 * Unlike a PC after its BIOS, channel 0 does not run at power-on: with no BIOS to program the PIC, an 18.2 Hz tick
 * would arrive on vector 0. The guest programs it (as KVM's in-kernel PIT also expects).
 *
 * <p>Falling behind: if the host runs {@link #advance} late by several periods, or an IRQ0 request is still waiting
 * for the CPU when the next period ends, the edges are owed ({@link OwedTicks}) and raised one at a time, each once
 * the one before has been taken ({@link IrqLine#requestWaiting()}), as KVM's PIT does by default. Raised together
 * they would merge in the controller's one request bit: a guest that counts jiffies would lose time, and Linux,
 * which calibrates its local APIC timer against 25 PIT ticks, would measure the APIC too fast under host load.
 */
public final class Pit8254 implements BytePortDevice, Timed {
    public static final int CHANNEL_0 = 0x40, CHANNEL_1 = 0x41, CHANNEL_2 = 0x42, CONTROL = 0x43, PORT_COUNT = 4;
    public static final long INPUT_HZ = 1_193_182;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final Clock clock;
    private final IrqLine irq0;
    // Channels 0 and 1 have their gates tied high on a PC; channel 2's comes from port 0x61, low at power-on.
    private final PitChannel[] channels = {new PitChannel(true), new PitChannel(true), new PitChannel(false)};
    private long irq0DeliveredTo;   // the tick up to which channel 0's output has been put on the IRQ0 line
    private boolean irq0High;
    private long firedTicks;
    private final OwedTicks owed = new OwedTicks();

    public Pit8254(Clock clock, IrqLine irq0) {
        this.clock = clock;
        this.irq0 = irq0;
    }

    /** Claims 0x40-0x43. */
    public void register(PortBus bus) { bus.register(CHANNEL_0, PORT_COUNT, this); }

    // ---------------------------------------------------------------- time

    /** Input-clock ticks elapsed at virtual time {@code nanos}, rounded down. */
    static long ticksAt(long nanos) {
        return Math.floorDiv(nanos, NANOS_PER_SECOND) * INPUT_HZ
                + Math.floorMod(nanos, NANOS_PER_SECOND) * INPUT_HZ / NANOS_PER_SECOND;
    }

    /** The first virtual nanosecond at which {@code tick} has elapsed (the inverse of {@link #ticksAt}). */
    static long nanosAt(long tick) {
        return Math.floorDiv(tick, INPUT_HZ) * NANOS_PER_SECOND
                + Math.ceilDiv(Math.floorMod(tick, INPUT_HZ) * NANOS_PER_SECOND, INPUT_HZ);
    }

    private long now() { return ticksAt(clock.nanos()); }

    // ---------------------------------------------------------------- ports

    @Override
    public int readByte(int port) {
        return switch (port) {
            case CHANNEL_0, CHANNEL_1, CHANNEL_2 -> channels[port - CHANNEL_0].readByte(now());
            case CONTROL -> 0;   // the control word is write-only; QEMU reads 0
            default -> 0xFF;
        };
    }

    @Override
    public void writeByte(int port, int value) {
        long tick = now();
        switch (port) {
            case CHANNEL_0, CHANNEL_1, CHANNEL_2 -> {
                channels[port - CHANNEL_0].writeCount(value, tick);
                if (port == CHANNEL_0) restartIrq0(tick);
            }
            case CONTROL -> control(value, tick);
            default -> { }
        }
    }

    private void control(int value, long tick) {
        int select = value >>> 6;
        if (select == 3) {
            // Read-back: bits 3..1 select channels 2..0; bit 5 clear latches counts, bit 4 clear latches statuses.
            for (int c = 0; c < 3; c++) {
                if ((value & (2 << c)) == 0) continue;
                if ((value & 0x20) == 0) channels[c].latchCount(tick);
                if ((value & 0x10) == 0) channels[c].latchStatus(tick);
            }
            return;
        }
        int access = (value >>> 4) & 3;
        if (access == 0) {
            channels[select].latchCount(tick);
        } else {
            channels[select].program((value >>> 1) & 7, (value & 1) != 0, access, tick);
            if (select == 0) restartIrq0(tick);
        }
    }

    /** After channel 0 is reprogrammed, IRQ0 takes its new OUT level from now on. */
    private void restartIrq0(long tick) {
        irq0DeliveredTo = tick;
        owed.clear();
        setIrq0(channels[0].lineLevel(tick));
    }

    private void setIrq0(boolean high) {
        if (high != irq0High) {
            irq0High = high;
            irq0.set(high);
        }
    }

    // ---------------------------------------------------------------- Timed: IRQ0

    @Override
    public long nextDeadline() {
        if (owed.any() && !irq0.requestWaiting()) return 0;   // the last one was taken: the next owed one is due
        long tick = channels[0].nextEventTick(irq0DeliveredTo);
        return tick == PitChannel.NO_EVENT ? NEVER : nanosAt(tick);
    }

    @Override
    public void advance(long now) {
        long tick = ticksAt(now);
        PitChannel c0 = channels[0];
        if (tick > irq0DeliveredTo && c0.running()) {
            long edges = c0.risingEdges(irq0DeliveredTo, tick);
            if (edges > 0) owed.add(edges, nanosAt(c0.periodTicks()));
        }
        irq0DeliveredTo = Math.max(irq0DeliveredTo, tick);
        // One edge per request the controllers can hold apart: a line no unmasked input listens to takes them all.
        while (owed.any() && !irq0.requestWaiting()) {
            owed.take();
            irq0.set(false);
            irq0.set(true);
            irq0High = true;
            firedTicks++;
        }
        setIrq0(c0.lineLevel(tick));
    }

    // ---------------------------------------------------------------- gates and outputs (port 0x61, tests)

    /** Drives a channel's GATE input; on a PC only channel 2's is not tied high. */
    public void setGate(int channel, boolean high) { channels[channel].setGate(high, now()); }

    public boolean gate(int channel) { return channels[channel].gate(); }

    /** A channel's OUT pin now. */
    public boolean output(int channel) { return channels[channel].output(now()); }

    /** IRQ0 edges delivered. */
    public long firedTicks() { return firedTicks; }

    /** IRQ0 edges owed now: due, but waiting for an earlier request to be taken (see the class comment). */
    public long owedTicks() { return owed.owed(); }

    /** IRQ0 edges given up because more than a second's worth was owed. */
    public long droppedTicks() { return owed.dropped(); }
}
