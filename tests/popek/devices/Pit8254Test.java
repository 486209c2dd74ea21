package popek.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Pit8254Test {
    private static final int CH0 = 0x40, CH2 = 0x42, CONTROL = 0x43, PORT_B = 0x61;
    private static final int DIVISOR = 1193;   // ~1 kHz

    private final FakeClock clock = new FakeClock();
    private final RecordingLine irq0 = new RecordingLine(clock);
    private final PortBus bus = new PortBus();
    private Pit8254 pit;

    @BeforeEach
    void setUp() {
        pit = new Pit8254(clock, irq0);
        pit.register(bus);
        new SystemControlPortB(pit).register(bus);
    }

    private int in(int port) { return bus.read(port, 1); }

    private void out(int port, int value) { bus.write(port, 1, value); }

    private void program(int controlWord, int channelPort, int count) {
        out(CONTROL, controlWord);
        out(channelPort, count & 0xFF);
        out(channelPort, count >>> 8);
    }

    /** Runs the device as the run loop does, up to virtual time {@code until}. */
    private void runUntil(long until) {
        for (long d = pit.nextDeadline(); d <= until; d = pit.nextDeadline()) {
            clock.set(d);
            pit.advance(d);
        }
        clock.set(until);
    }

    private static long at(long tick) { return Pit8254.nanosAt(tick); }

    private int readCount0() {
        int lo = in(CH0);
        return lo | in(CH0) << 8;
    }

    @Test
    void ticksAndNanosecondsConvertConsistently() {
        assertEquals(1_193_182, Pit8254.ticksAt(1_000_000_000L));
        assertEquals(1_000_000_000L, Pit8254.nanosAt(1_193_182));
        for (long t : new long[] {1, 1193, 65_536, 123_456_789, 1L << 40}) {
            assertEquals(t, Pit8254.ticksAt(Pit8254.nanosAt(t)));
            assertEquals(t - 1, Pit8254.ticksAt(Pit8254.nanosAt(t) - 1));
        }
    }

    @Test
    void nothingTicksBeforeTheGuestProgramsTheTimer() {
        assertEquals(Timed.NEVER, pit.nextDeadline());
        assertFalse(irq0.high());
    }

    @Test
    void rateGeneratorRaisesIrq0AtTheEndOfEveryPeriod() {
        clock.set(5_000);
        long start = Pit8254.ticksAt(5_000);
        program(0x34, CH0, DIVISOR);   // channel 0, lohi, mode 2
        assertEquals(0, irq0.risingEdges(), "programming mode 2 is not an edge");
        assertEquals(at(start + DIVISOR), pit.nextDeadline());
        runUntil(at(start + 3 * DIVISOR));
        assertEquals(List.of(at(start + DIVISOR), at(start + 2 * DIVISOR), at(start + 3 * DIVISOR)), irq0.edgeTimes);
        assertFalse(irq0.high(), "mode 2 delivers a pulse");
        assertEquals(3, pit.firedTicks());
        assertEquals(0, pit.owedTicks());
        assertEquals(at(start + 4 * DIVISOR), pit.nextDeadline());
    }

    @Test
    void countReadsDownAcrossThePeriodAndLatchHoldsIt() {
        program(0x34, CH0, DIVISOR);
        clock.set(at(500));
        assertEquals(DIVISOR - 500, readCount0());
        out(CONTROL, 0x00);   // latch channel 0
        clock.set(at(900));
        assertEquals(DIVISOR - 500, readCount0(), "latched");
        assertEquals(DIVISOR - 900, readCount0(), "live again after the latched pair was read");
        out(CONTROL, 0x00);
        clock.set(at(1000));
        out(CONTROL, 0x00);   // ignored: the first latch is unread
        assertEquals(DIVISOR - 1000 + 100, readCount0());
        clock.set(at(DIVISOR + 10));
        assertEquals(DIVISOR - 10, readCount0(), "reloaded at the period's end");
    }

    @Test
    void readBackLatchesStatusThenCount() {
        program(0x34, CH0, DIVISOR);
        clock.set(at(100));
        out(CONTROL, 0xC2);   // read-back: count and status of channel 0
        clock.set(at(200));
        assertEquals(0x80 | 0x34, in(CH0), "OUT high, lohi, mode 2, binary, count loaded");
        assertEquals(DIVISOR - 100, readCount0());
        out(CONTROL, 0xE2);   // status only
        assertEquals(0x80 | 0x34, in(CH0));
        out(CONTROL, 0x30);   // channel 0, mode 0: until a count is written OUT is low and null count set
        out(CONTROL, 0xE2);
        assertEquals(0x40 | 0x30, in(CH0));
    }

    @Test
    void squareWaveDrivesIrq0HighThenLowEachPeriod() {
        program(0x36, CH0, 1000);   // mode 3
        assertTrue(irq0.high(), "OUT goes high when mode 3 starts");
        assertEquals(at(500), pit.nextDeadline());
        runUntil(at(500) - 1);
        assertTrue(irq0.high());
        runUntil(at(500));
        assertFalse(irq0.high(), "second half of the period");
        runUntil(at(1000));
        assertTrue(irq0.high());
        runUntil(at(2999));
        assertEquals(3, irq0.risingEdges());
        assertEquals(List.of(0L, at(1000), at(2000)), irq0.edgeTimes);
    }

    @Test
    void interruptOnTerminalCountFiresOnce() {
        program(0x30, CH0, 5000);   // mode 0
        assertFalse(irq0.high());
        assertEquals(at(5000), pit.nextDeadline());
        runUntil(at(5000));
        assertTrue(irq0.high());
        assertEquals(Timed.NEVER, pit.nextDeadline());
        clock.set(at(5010));
        assertEquals(0xFFFF - 9, readCount0(), "the counter wraps on after terminal count");
        program(0x30, CH0, 100);
        assertFalse(irq0.high(), "a new mode 0 count sets OUT low");
    }

    @Test
    void aLateHostOwesTheMissedTicksAndRaisesEachOnceTheLastWasTaken() {
        irq0.latching();
        program(0x34, CH0, 1000);
        clock.set(at(10_500));
        pit.advance(clock.nanos());
        assertEquals(1, irq0.risingEdges(), "one edge: the controller's request bit holds one");
        assertEquals(9, pit.owedTicks());
        assertEquals(at(11_000), pit.nextDeadline(), "nothing is due while the request waits");
        pit.advance(clock.nanos());
        assertEquals(1, irq0.risingEdges(), "still one while it waits");
        for (int taken = 1; taken < 10; taken++) {
            irq0.take();
            assertEquals(0, pit.nextDeadline(), "taken: the next owed tick is due at once");
            pit.advance(clock.nanos());
            assertEquals(taken + 1, irq0.risingEdges());
        }
        assertEquals(0, pit.owedTicks());
        assertEquals(10, pit.firedTicks());
        assertEquals(at(11_000), pit.nextDeadline());
        irq0.take();
        runUntil(at(11_000));
        irq0.take();
        runUntil(at(12_000));
        assertEquals(12, irq0.risingEdges(), "then on time again: 12 periods, 12 interrupts");
    }

    @Test
    void ticksOwedToALineNobodyHoldsAreRaisedTogether() {
        program(0x34, CH0, 1000);   // the recording line latches nothing, as a masked controller input
        clock.set(at(10_500));
        pit.advance(clock.nanos());
        assertEquals(10, irq0.risingEdges());
        assertEquals(0, pit.owedTicks());
    }

    @Test
    void reprogrammingForgivesTheDebtAndOverASecondOfItIsDropped() {
        irq0.latching();
        program(0x34, CH0, DIVISOR);   // ~1 kHz: a second's worth is 1000 ticks
        clock.set(at(3L * Pit8254.INPUT_HZ));
        pit.advance(clock.nanos());
        assertEquals(1, irq0.risingEdges());
        assertEquals(3 * Pit8254.INPUT_HZ / DIVISOR - 1000, pit.droppedTicks(), "a second's worth is kept, the rest dropped");
        assertEquals(999, pit.owedTicks(), "one of the thousand raised");
        program(0x34, CH0, DIVISOR);
        assertEquals(0, pit.owedTicks(), "a new count starts afresh");
        irq0.take();
        assertTrue(pit.nextDeadline() > clock.nanos(), "nothing owed is due");
    }

    /** With the real 8259: the owed tick waits in IRR behind the one in service and is the next one acknowledged. */
    @Test
    void throughThe8259EachOwedTickIsItsOwnInterrupt() {
        Pic8259 pic = new Pic8259();
        pic.initialise(0x20, 0x28);
        pic.writeByte(Pic8259.MASTER_DATA, 0xFA);   // IRQ0 (and the cascade) unmasked
        pit = new Pit8254(clock, pic.irq(0));
        pit.writeByte(CONTROL, 0x34);
        pit.writeByte(CH0, 1000 & 0xFF);
        pit.writeByte(CH0, 1000 >>> 8);
        clock.set(at(3_500));
        pit.advance(clock.nanos());
        int taken = 0;
        while (pic.hasPendingInterrupt()) {
            assertEquals(0x20, pic.acknowledge());
            taken++;
            pit.advance(clock.nanos());            // the run loop looks again after every acknowledge
            assertFalse(pic.hasPendingInterrupt(), "the next waits for the EOI");
            pic.writeByte(Pic8259.MASTER_COMMAND, 0x20);
        }
        assertEquals(3, taken);
        assertEquals(0, pit.owedTicks());
    }

    @Test
    void singleByteAccessModesLoadTheLowOrHighByte() {
        out(CONTROL, 0x14);   // channel 0, LSB only, mode 2
        out(CH0, 200);
        assertEquals(at(200), pit.nextDeadline());
        clock.set(at(50));
        assertEquals(150, in(CH0));
        out(CONTROL, 0x24);   // MSB only
        out(CH0, 0x02);
        assertEquals(at(50 + 0x200), pit.nextDeadline());
        assertEquals(0x02, in(CH0));
    }

    @Test
    void zeroCountMeans65536() {
        program(0x34, CH0, 0);
        assertEquals(at(65_536), pit.nextDeadline());
        assertEquals(0, readCount0());
    }

    @Test
    void bcdCountsInDecimal() {
        program(0x35, CH0, 0x1000);   // mode 2, BCD 1000
        assertEquals(at(1000), pit.nextDeadline());
        clock.set(at(1));
        assertEquals(0x0999, readCount0());
    }

    @Test
    void channel2GateAndOutputThroughPortBForLinuxStyleCalibration() {
        out(PORT_B, (in(PORT_B) & ~0x02) | 0x01);   // gate high, speaker off
        program(0xB0, CH2, 0xFFFF);                  // channel 2, lohi, mode 0
        assertEquals(0, in(PORT_B) & 0x20, "OUT2 low while counting");
        clock.set(at(0xFFFF) - 1);
        assertEquals(0, in(PORT_B) & 0x20);
        clock.set(at(0xFFFF));
        assertEquals(0x20, in(PORT_B) & 0x20, "terminal count");
        assertEquals(Timed.NEVER, pit.nextDeadline(), "channel 2 raises no IRQ");
        assertEquals(0, irq0.risingEdges());
    }

    @Test
    void channel2GateLowPausesMode0() {
        program(0xB0, CH2, 1000);   // gate still low: loaded but not counting
        clock.set(at(300));
        assertEquals(1000, in(CH2) | in(CH2) << 8);
        out(PORT_B, 0x01);
        clock.set(at(700));
        assertEquals(600, in(CH2) | in(CH2) << 8);
        out(PORT_B, 0x00);
        clock.set(at(5000));
        assertEquals(600, in(CH2) | in(CH2) << 8, "held while the gate is low");
        assertFalse(pit.output(2));
        out(PORT_B, 0x01);
        clock.set(at(5600));
        assertTrue(pit.output(2));
    }

    @Test
    void portBReadsBackItsControlBitsAndTogglesTheRefreshBit() {
        out(PORT_B, 0x03);
        int first = in(PORT_B);
        int second = in(PORT_B);
        assertEquals(0x03, first & 0x0F);
        assertNotEquals(first & 0x10, second & 0x10, "bit 4 flips on every read");
        assertTrue(pit.gate(2));
        out(PORT_B, 0x00);
        assertFalse(pit.gate(2));
    }

    @Test
    void controlPortReadsZero() {
        assertEquals(0, in(CONTROL));
    }
}
