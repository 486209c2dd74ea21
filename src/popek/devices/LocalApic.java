package popek.devices;

import java.util.function.IntConsumer;

/**
 * The one CPU's local APIC in xAPIC mode, its registers in the 4 KiB page at 0xFEE00000: interrupt priority (IRR,
 * ISR, TPR, PPR), end of interrupt, the error status register, self-IPIs through the ICR, the local vector table and
 * the APIC timer. It is also what the vCPU asks for interrupts: its own, or the 8259's when LINT0 lets them through.
 *
 * <p>State after reset is what a BIOS leaves behind (Popek is the firmware): software-disabled (SVR 0xFF), LINT0
 * programmed as ExtINT and unmasked (virtual wire: the 8259 reaches the CPU through the APIC), LINT1 as NMI, the
 * other LVT entries masked. While the APIC is software-disabled the 8259 passes through whatever LINT0 says, as in
 * QEMU, so a guest that never touches the APIC sees a plain PC/AT. A fixed interrupt that arrives while disabled is
 * kept in IRR and delivered once the guest enables the APIC (QEMU does the same; nothing is lost).
 *
 * <p>Registers are 32 bits wide at 16-byte aligned offsets, and the SDM asks for aligned 32-bit accesses only. Any
 * other access (a byte, a word, or a dword not at the start of a register) reads 0 and is ignored when written;
 * reserved and unknown offsets read 0 too (ESR's "illegal register address" bit is not set).
 *
 * <p>Single CPU: INIT and STARTUP IPIs are accepted and do nothing (there is no other processor to start, and an
 * INIT to itself is not something a guest kernel does to its boot CPU), SMI and NMI IPIs are dropped, and a fixed
 * or lowest-priority IPI is delivered only if it names this APIC (self shorthand, all-including-self, a physical
 * destination equal to the ID or 0xFF, or a matching logical destination). Delivery status (ICR bit 12) always
 * reads 0: an IPI is sent at once.
 *
 * <p>The timer counts at 1 GHz of virtual time before the divider (one count per virtual ns, as QEMU's APIC), so
 * TCCR drops by one every {@code divide} ns. Like the 8254, it is modelled arithmetically from the virtual time the
 * count started; when the host runs {@link #advance} late by several periods, a periodic timer keeps its phase and
 * owes the guest the periods it missed ({@link OwedTicks}): IRR holds one bit per vector, so each is raised once the
 * one before it has been taken (a one-shot expiry is a single interrupt either way). A new divide value while
 * counting carries the current count on at the new rate (the fraction of a count already elapsed is dropped).
 * TSC-deadline mode is not offered: LVT timer bit 18 is not writable.
 *
 * <p>Nothing here allocates after construction: {@link #read}, {@link #write} and the interrupt paths run on the
 * vCPU thread's trap path.
 */
public final class LocalApic implements MmioDevice, Timed, InterruptController {
    public static final long BASE = 0xFEE00000L;
    public static final int SIZE = 0x1000;

    static final int ID = 0x20, VERSION = 0x30, TPR = 0x80, APR = 0x90, PPR = 0xA0, EOI = 0xB0, LDR = 0xD0,
            DFR = 0xE0, SVR = 0xF0, ISR = 0x100, TMR = 0x180, IRR = 0x200, ESR = 0x280, ICR_LOW = 0x300,
            ICR_HIGH = 0x310, LVT_TIMER = 0x320, LVT_THERMAL = 0x330, LVT_PERF = 0x340, LVT_LINT0 = 0x350,
            LVT_LINT1 = 0x360, LVT_ERROR = 0x370, TICR = 0x380, TCCR = 0x390, TDCR = 0x3E0;

    /** Version 0x14 (an integrated APIC) with 6 LVT entries (max index 5), as QEMU reports; no directed EOI. */
    static final int VERSION_VALUE = 0x00050014;

    static final int ESR_SEND_ILLEGAL_VECTOR = 1 << 5, ESR_RECEIVE_ILLEGAL_VECTOR = 1 << 6;
    static final int LVT_MASKED = 1 << 16, LVT_PERIODIC = 1 << 17;
    static final int SVR_ENABLED = 1 << 8;
    static final int MODE_FIXED = 0, MODE_LOWEST = 1, MODE_EXTINT = 7;

    // LVT indices, in register order from 0x320.
    private static final int TIMER = 0, THERMAL = 1, PERF = 2, LINT0 = 3, LINT1 = 4, ERROR = 5, LVT_COUNT = 6;
    /**
     * What a guest can set in each LVT entry. Delivery status (bit 12) and remote IRR (bit 14) are read-only and stay
     * 0: LVT interrupts are taken at once, and level-triggered LINT inputs are not modelled.
     */
    private static final int[] LVT_WRITABLE = {
        0x000300FF,   // timer: vector, mask, periodic (no delivery mode field; no TSC-deadline)
        0x000107FF,   // thermal: vector, delivery mode, mask
        0x000107FF,   // performance counters: the same
        0x0001A7FF,   // LINT0: vector, delivery mode, polarity, trigger, mask
        0x0001A7FF,   // LINT1: the same
        0x000100FF,   // error: vector, mask
    };
    private static final int ICR_LOW_WRITABLE = 0x000CCFFF;   // all but delivery status and the reserved bits
    private static final int ICR_DEST_LOGICAL = 1 << 11;
    private static final int SVR_WRITABLE = 0x3FF;            // vector, enable, focus checking; no EOI suppression
    private static final int TDCR_WRITABLE = 0xB;
    private static final IntConsumer NO_EOI_LISTENER = vector -> { };

    private final Clock clock;
    private final InterruptController lint0;
    private IntConsumer levelEoi = NO_EOI_LISTENER;

    private int id, tpr, ldr, dfr, svr;
    private final int[] isr = new int[8], tmr = new int[8], irr = new int[8];
    private int esr;          // what the guest reads: the errors latched by its last ESR write
    private int esrPending;   // errors since then
    private int icrLow, icrHigh;
    private final int[] lvt = new int[LVT_COUNT];

    private long initialCount;   // TICR, unsigned
    private int tdcr, divide;
    private boolean counting;    // a count is loaded and has not run out (periodic counts until TICR is written 0)
    private long countBase;      // virtual ns at which the count stood at TICR
    private long nextExpiry;     // virtual ns at which it next reaches 0, while counting
    private final OwedTicks owed = new OwedTicks();

    public LocalApic(Clock clock, InterruptController lint0) {
        this.clock = clock;
        this.lint0 = lint0;
        reset();
    }

    /**
     * Who hears about the end of a level-triggered interrupt: called with the vector when the guest EOIs an
     * in-service vector whose TMR bit is set (the IOAPIC's EOI broadcast, so it can clear Remote IRR).
     */
    public void onLevelEoi(IntConsumer eoi) { this.levelEoi = eoi == null ? NO_EOI_LISTENER : eoi; }

    /** The state after reset (see the class comment). Pending and in-service interrupts are dropped. */
    public void reset() {
        id = tpr = ldr = 0;
        dfr = 0xF0000000;
        svr = 0xFF;
        for (int i = 0; i < 8; i++) isr[i] = tmr[i] = irr[i] = 0;
        esr = esrPending = 0;
        icrLow = icrHigh = 0;
        lvt[TIMER] = lvt[THERMAL] = lvt[PERF] = lvt[ERROR] = LVT_MASKED;
        lvt[LINT0] = MODE_EXTINT << 8;   // virtual wire
        lvt[LINT1] = 4 << 8;             // NMI
        initialCount = 0;
        owed.clear();
        tdcr = 0;
        divide = divideFor(0);
        counting = false;
        nextExpiry = NEVER;
    }

    // ---------------------------------------------------------------- interrupts in

    /**
     * A fixed interrupt arriving from the IOAPIC (or a self-IPI, or this APIC's own LVT): requested in IRR, with its
     * trigger mode in TMR so that its EOI can be broadcast. Vectors 0-15 are illegal: logged in ESR and dropped.
     */
    public void accept(int vector, boolean levelTriggered) {
        vector &= 0xFF;
        if (vector < 16) {
            error(ESR_RECEIVE_ILLEGAL_VECTOR);
            return;
        }
        request(vector, levelTriggered);
    }

    /** The vector waits in IRR (accepted, not yet taken by the CPU). */
    public boolean requested(int vector) { return (irr[(vector & 0xFF) >>> 5] & 1 << (vector & 31)) != 0; }

    private void request(int vector, boolean levelTriggered) {
        int word = vector >>> 5, bit = 1 << (vector & 31);
        irr[word] |= bit;
        if (levelTriggered) tmr[word] |= bit;
        else tmr[word] &= ~bit;
    }

    /** Logs an error and raises the LVT error interrupt if it is unmasked (and not itself an illegal vector). */
    private void error(int bit) {
        esrPending |= bit;
        int entry = lvt[ERROR];
        if ((entry & LVT_MASKED) == 0 && (entry & 0xF0) != 0) request(entry & 0xFF, false);
    }

    private boolean softwareEnabled() { return (svr & SVR_ENABLED) != 0; }

    /** Virtual wire: the 8259's INTR reaches the CPU through LINT0 programmed as unmasked ExtINT, or past a disabled APIC. */
    private boolean passesPic() {
        return !softwareEnabled() || (lvt[LINT0] & (LVT_MASKED | 0x700)) == MODE_EXTINT << 8;
    }

    private static int highest(int[] bits) {
        for (int i = 7; i >= 0; i--) {
            if (bits[i] != 0) return i << 5 | 31 - Integer.numberOfLeadingZeros(bits[i]);
        }
        return -1;
    }

    /** Processor priority: the TPR, or the class of the highest vector in service if that is higher. */
    private int ppr() {
        int isrv = highest(isr);
        int inService = isrv < 0 ? 0 : isrv & 0xF0;
        return (tpr & 0xF0) >= inService ? tpr : inService;
    }

    /** The vector this APIC would hand the CPU now, or -1: the highest request whose class beats the PPR's. */
    private int deliverable() {
        if (!softwareEnabled()) return -1;   // requests wait in IRR until the APIC is enabled
        int v = highest(irr);
        return v >= 0 && (v & 0xF0) > (ppr() & 0xF0) ? v : -1;
    }

    // ---------------------------------------------------------------- InterruptController (the CPU's INTR and INTA)

    @Override
    public boolean hasPendingInterrupt() {
        return deliverable() >= 0 || passesPic() && lint0.hasPendingInterrupt();
    }

    @Override
    public int acknowledge() {
        int v = deliverable();
        if (v >= 0) {
            int word = v >>> 5, bit = 1 << (v & 31);
            irr[word] &= ~bit;
            isr[word] |= bit;
            return v;
        }
        if (passesPic() && lint0.hasPendingInterrupt()) return lint0.acknowledge();
        return svr & 0xFF;   // the request went away (TPR raised, say): spurious, and nothing goes in service
    }

    private void endOfInterrupt() {
        int v = highest(isr);
        if (v < 0) return;
        int word = v >>> 5, bit = 1 << (v & 31);
        isr[word] &= ~bit;
        // Last, so that the IOAPIC re-delivering a still-high line finds this APIC's state settled.
        if ((tmr[word] & bit) != 0) levelEoi.accept(v);
    }

    // ---------------------------------------------------------------- registers

    private static boolean isRegisterAccess(int offset, int size) {
        return size == 4 && (offset & 0xF) == 0 && offset >= 0 && offset < SIZE;
    }

    @Override
    public int read(int offset, int size) {
        if (!isRegisterAccess(offset, size)) return 0;
        return switch (offset) {
            case ID -> id;
            case VERSION -> VERSION_VALUE;
            case TPR -> tpr;
            case PPR -> ppr();
            case LDR -> ldr;
            case DFR -> dfr | 0x0FFFFFFF;
            case SVR -> svr;
            case ESR -> esr;
            case ICR_LOW -> icrLow;
            case ICR_HIGH -> icrHigh;
            case LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR -> lvt[(offset - LVT_TIMER) >>> 4];
            case TICR -> (int) initialCount;
            case TCCR -> (int) currentCount(clock.nanos());
            case TDCR -> tdcr;
            default -> {
                if (offset >= ISR && offset < ISR + 0x80) yield isr[(offset - ISR) >>> 4];
                if (offset >= TMR && offset < TMR + 0x80) yield tmr[(offset - TMR) >>> 4];
                if (offset >= IRR && offset < IRR + 0x80) yield irr[(offset - IRR) >>> 4];
                yield 0;   // APR, EOI (write-only), reserved
            }
        };
    }

    @Override
    public void write(int offset, int size, int value) {
        if (!isRegisterAccess(offset, size)) return;
        switch (offset) {
            case ID -> id = value & 0xFF000000;
            case TPR -> tpr = value & 0xFF;
            case EOI -> endOfInterrupt();
            case LDR -> ldr = value & 0xFF000000;
            case DFR -> dfr = value & 0xF0000000;
            case SVR -> writeSvr(value);
            case ESR -> {   // any write latches the errors seen since the last one, and starts collecting afresh
                esr = esrPending;
                esrPending = 0;
            }
            case ICR_LOW -> {
                icrLow = value & ICR_LOW_WRITABLE;
                sendIpi();
            }
            case ICR_HIGH -> icrHigh = value & 0xFF000000;
            case LVT_TIMER -> writeTimerLvt(value);
            case LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR -> writeLvt((offset - LVT_TIMER) >>> 4, value);
            case TICR -> writeInitialCount(value);
            case TDCR -> writeDivide(value);
            default -> { }   // read-only (version, PPR, ISR, TMR, IRR, TCCR), APR, reserved
        }
    }

    private void writeSvr(int value) {
        advance(clock.nanos());   // a timer expiry already due is delivered, or not, under the LVT as it stood
        svr = value & SVR_WRITABLE;
        // Software-disabling masks every LVT entry (SDM); they stay masked until the guest rewrites them.
        if (!softwareEnabled()) {
            for (int i = 0; i < LVT_COUNT; i++) lvt[i] |= LVT_MASKED;
        }
    }

    /** While software-disabled the mask bits cannot be cleared (SDM), as KVM enforces too. */
    private int lvtValue(int index, int value) {
        int v = value & LVT_WRITABLE[index];
        return softwareEnabled() ? v : v | LVT_MASKED;
    }

    private void writeLvt(int index, int value) { lvt[index] = lvtValue(index, value); }

    // ---------------------------------------------------------------- ICR

    private void sendIpi() {
        int vector = icrLow & 0xFF;
        int mode = (icrLow >>> 8) & 7;
        if (mode != MODE_FIXED && mode != MODE_LOWEST) return;   // INIT, STARTUP: accepted, nothing to start; SMI, NMI
        if (vector < 16) {
            error(ESR_SEND_ILLEGAL_VECTOR);
            return;
        }
        if (targetsSelf((icrLow >>> 18) & 3)) request(vector, false);
    }

    private boolean targetsSelf(int shorthand) {
        return switch (shorthand) {
            case 1, 2 -> true;   // self; all including self
            case 3 -> false;     // all excluding self: there is no one else
            default -> {
                int dest = icrHigh >>> 24;
                if (dest == 0xFF) yield true;   // broadcast, physical or logical
                if ((icrLow & ICR_DEST_LOGICAL) == 0) yield dest == id >>> 24;
                int logical = ldr >>> 24;
                yield (dfr >>> 28) == 0xF
                        ? (logical & dest) != 0                                           // flat model
                        : (logical >>> 4) == (dest >>> 4) && (logical & dest & 0xF) != 0; // cluster model
            }
        };
    }

    // ---------------------------------------------------------------- timer

    /** TDCR bits 3, 1, 0 select divide by 2, 4, 8, 16, 32, 64, 128, 1. */
    private static int divideFor(int tdcr) {
        int code = (tdcr & 3) | (tdcr & 8) >>> 1;
        return 1 << ((code + 1) & 7);
    }

    private boolean periodic() { return (lvt[TIMER] & LVT_PERIODIC) != 0; }

    /** TCCR at virtual time {@code now}. A periodic count reloads as it reaches 0, so it reads 1..TICR. */
    private long currentCount(long now) {
        if (!counting) return 0;
        long elapsed = (now - countBase) / divide;
        return periodic() ? initialCount - elapsed % initialCount : Math.max(0, initialCount - elapsed);
    }

    private void writeInitialCount(int value) {
        long now = clock.nanos();
        advance(now);   // an expiry of the old count that was due already happened
        initialCount = value & 0xFFFF_FFFFL;
        counting = initialCount != 0;
        owed.clear();
        countBase = now;
        nextExpiry = counting ? now + initialCount * divide : NEVER;
    }

    private void writeTimerLvt(int value) {
        long now = clock.nanos();
        advance(now);
        long count = currentCount(now);
        boolean wasPeriodic = periodic();
        lvt[TIMER] = lvtValue(TIMER, value);
        if ((lvt[TIMER] & LVT_MASKED) != 0 || periodic() != wasPeriodic) owed.clear();
        // A change of mode re-bases the count on what it reads now; otherwise (masking, a new vector) the phase is kept.
        if (counting && periodic() != wasPeriodic) continueCount(now, count);
    }

    private void writeDivide(int value) {
        long now = clock.nanos();
        advance(now);
        long count = currentCount(now);
        tdcr = value & TDCR_WRITABLE;
        divide = divideFor(tdcr);
        if (counting) continueCount(now, count);
    }

    /** Carries on counting from {@code count} at virtual time {@code now}, at the current divide and mode. */
    private void continueCount(long now, long count) {
        if (count == 0) {   // a one-shot that has run out stays at 0
            counting = false;
            nextExpiry = NEVER;
            return;
        }
        countBase = now - (initialCount - count) * divide;
        nextExpiry = now + count * divide;
    }

    /**
     * A masked timer keeps counting, but its expiries are no events: the run loop need not wake for them. An owed
     * tick is due at once when the one before it has left IRR.
     */
    @Override
    public long nextDeadline() {
        int entry = lvt[TIMER];
        if ((entry & LVT_MASKED) != 0) return NEVER;
        if (owed.any() && !requested(entry)) return 0;
        return counting ? nextExpiry : NEVER;
    }

    @Override
    public void advance(long now) {
        int entry = lvt[TIMER];
        if (counting && now >= nextExpiry) {
            if (periodic()) {
                long period = initialCount * divide;
                long periods = (now - nextExpiry) / period + 1;
                nextExpiry += periods * period;
                if ((entry & LVT_MASKED) == 0) owed.add(periods, period);
            } else {
                counting = false;
                nextExpiry = NEVER;
                if ((entry & LVT_MASKED) == 0) accept(entry & 0xFF, false);
            }
        }
        if ((entry & LVT_MASKED) != 0) {
            owed.clear();   // masked (by the guest, or by software-disabling the APIC): expiries are no events
        } else if (owed.any() && !requested(entry)) {
            owed.take();
            accept(entry & 0xFF, false);
        }
    }

    /** Periodic timer interrupts owed now, and those dropped at the cap (see {@link OwedTicks}). */
    public long owedTimerTicks() { return owed.owed(); }

    public long droppedTimerTicks() { return owed.dropped(); }
}
