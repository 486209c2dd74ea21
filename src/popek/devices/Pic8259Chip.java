package popek.devices;

/**
 * One Intel 8259A: eight request inputs, IRR/ISR/IMR, the ICW1-ICW4 initialisation sequence and the OCW2/OCW3
 * commands. {@link Pic8259} wires two of them as a PC's master and slave; this class knows nothing of the other chip
 * except that a master does not let its cascade input block in special fully nested mode.
 */
final class Pic8259Chip {
    private static final int ICW1 = 0x10, ICW1_NEED_ICW4 = 0x01, ICW1_SINGLE = 0x02, ICW1_LEVEL_TRIGGERED = 0x08;
    private static final int OCW3 = 0x08, OCW3_POLL = 0x04, OCW3_READ_REGISTER = 0x02, OCW3_READ_ISR = 0x01,
            OCW3_SET_SPECIAL_MASK = 0x40, OCW3_SPECIAL_MASK = 0x20;
    private static final int ICW4_AUTO_EOI = 0x02, ICW4_SPECIAL_FULLY_NESTED = 0x10;
    private static final int CASCADE_INPUT = 2;

    /** Which step of the initialisation sequence the data port is in; READY means data-port writes are OCW1. */
    private enum Init { READY, ICW2, ICW3, ICW4 }

    private final boolean master;
    private final int levelCapable;   // the ELCR bits this chip's inputs may use (a PC hard-wires some as edge)

    private int pins;          // the input lines' current levels
    private int irr, isr, imr, elcr;
    private int vectorBase;
    private int highestPriority;      // the input with the highest priority; rotation moves it
    private boolean levelTriggeredAll;   // ICW1.LTIM
    private boolean readIsr, pollPending, specialMask, autoEoi, rotateOnAutoEoi, specialFullyNested;
    private boolean single, icw4Needed;
    private Init init = Init.READY;

    Pic8259Chip(boolean master, int levelCapable) {
        this.master = master;
        this.levelCapable = levelCapable;
    }

    // ---------------------------------------------------------------- inputs

    /** An input line changes level: an edge-triggered input latches a request on low-to-high, a level one follows. */
    void setInput(int n, boolean high) {
        int bit = 1 << n;
        boolean wasHigh = (pins & bit) != 0;
        if (high) {
            pins |= bit;
            if (isLevelTriggered(bit) || !wasHigh) irr |= bit;
        } else {
            pins &= ~bit;
            // An edge request stays latched once the line falls (ISA devices pulse); a level request goes away.
            if (isLevelTriggered(bit)) irr &= ~bit;
        }
    }

    private boolean isLevelTriggered(int bit) { return levelTriggeredAll || (elcr & bit) != 0; }

    /** After a trigger-mode change, level-triggered requests reflect their lines again. */
    private void resyncLevelRequests() {
        int level = levelTriggeredAll ? 0xFF : elcr;
        irr = (irr & ~level) | (pins & level);
    }

    // ---------------------------------------------------------------- priority resolution

    /**
     * The input that would interrupt now, or -1: the highest-priority unmasked request, provided no input of equal
     * or higher priority is in service (in special mask mode, masked in-service levels do not block).
     */
    int highestRequest() {
        int requests = irr & ~imr;
        if (requests == 0) return -1;
        int inService = specialMask ? isr & ~imr : isr;
        // Special fully nested mode lets the slave interrupt again while one of its own requests is in service.
        if (master && specialFullyNested) inService &= ~(1 << CASCADE_INPUT);
        for (int p = 0; p < 8; p++) {
            int n = (highestPriority + p) & 7;
            int bit = 1 << n;
            if ((inService & bit) != 0) return -1;
            if ((requests & bit) != 0) return n;
        }
        return -1;
    }

    /** The interrupt-acknowledge cycle for input n: moves the request into service (or, in AEOI, straight out). */
    void acknowledge(int n) {
        int bit = 1 << n;
        if (autoEoi) {
            if (rotateOnAutoEoi) highestPriority = (n + 1) & 7;
        } else {
            isr |= bit;
        }
        // A level-triggered request stays while its line is high; the guest must quiet the device before EOI.
        if (!isLevelTriggered(bit)) irr &= ~bit;
    }

    int vector(int n) { return vectorBase + n; }

    // ---------------------------------------------------------------- the guest's side

    void writeCommand(int value) {
        if ((value & ICW1) != 0) {
            startInitialisation(value);
        } else if ((value & OCW3) != 0) {
            if ((value & OCW3_POLL) != 0) pollPending = true;
            if ((value & OCW3_READ_REGISTER) != 0) readIsr = (value & OCW3_READ_ISR) != 0;
            if ((value & OCW3_SET_SPECIAL_MASK) != 0) specialMask = (value & OCW3_SPECIAL_MASK) != 0;
        } else {
            operationCommand2(value);
        }
    }

    void writeData(int value) {
        switch (init) {
            case READY -> imr = value;
            case ICW2 -> {
                vectorBase = value & 0xF8;
                init = single ? (icw4Needed ? Init.ICW4 : Init.READY) : Init.ICW3;
            }
            case ICW3 -> init = icw4Needed ? Init.ICW4 : Init.READY;   // the cascade wiring is fixed on a PC
            case ICW4 -> {
                autoEoi = (value & ICW4_AUTO_EOI) != 0;
                specialFullyNested = (value & ICW4_SPECIAL_FULLY_NESTED) != 0;
                init = Init.READY;
            }
        }
    }

    int readCommand() {
        if (pollPending) return poll();
        return readIsr ? isr : irr;
    }

    int readData() {
        if (pollPending) return poll();
        return imr;
    }

    private void startInitialisation(int icw1) {
        // ICW1 clears IMR, ISR, rotation, special mask and the register-read select, and resets the edge-sense
        // latches: an input already high must fall and rise again to request (its pin level is kept to see that).
        imr = isr = 0;
        highestPriority = 0;
        readIsr = pollPending = specialMask = autoEoi = rotateOnAutoEoi = specialFullyNested = false;
        single = (icw1 & ICW1_SINGLE) != 0;
        icw4Needed = (icw1 & ICW1_NEED_ICW4) != 0;
        levelTriggeredAll = (icw1 & ICW1_LEVEL_TRIGGERED) != 0;
        irr = 0;
        resyncLevelRequests();
        init = Init.ICW2;
    }

    private void operationCommand2(int value) {
        int level = value & 7;
        switch (value >>> 5) {
            case 0b001 -> nonSpecificEoi(false);
            case 0b101 -> nonSpecificEoi(true);
            case 0b011 -> isr &= ~(1 << level);
            case 0b111 -> {
                isr &= ~(1 << level);
                highestPriority = (level + 1) & 7;
            }
            case 0b110 -> highestPriority = (level + 1) & 7;   // set priority: `level` becomes the lowest
            case 0b100 -> rotateOnAutoEoi = true;
            case 0b000 -> rotateOnAutoEoi = false;
            default -> { }   // 0b010: no operation
        }
    }

    /** Ends the highest-priority interrupt in service; with rotation, that input becomes the lowest priority. */
    private void nonSpecificEoi(boolean rotate) {
        for (int p = 0; p < 8; p++) {
            int n = (highestPriority + p) & 7;
            if ((isr & (1 << n)) != 0) {
                isr &= ~(1 << n);
                if (rotate) highestPriority = (n + 1) & 7;
                return;
            }
        }
    }

    /** The poll command: the read that follows acts as an acknowledge and returns 0x80 | input, or 0 if none. */
    private int poll() {
        pollPending = false;
        int n = highestRequest();
        if (n < 0) return 0;
        acknowledge(n);
        return 0x80 | n;
    }

    // ---------------------------------------------------------------- ELCR (edge/level control, ports 0x4D0/0x4D1)

    int elcr() { return elcr; }

    void writeElcr(int value) {
        elcr = value & levelCapable;
        resyncLevelRequests();
    }

    // ---------------------------------------------------------------- state, for the pair, tests and statistics

    int irr() { return irr; }

    int isr() { return isr; }

    int imr() { return imr; }

    /** Forgets everything, as at power-on (the vector base is 0 until the guest programs ICW2). */
    void reset() {
        pins = irr = isr = imr = elcr = vectorBase = highestPriority = 0;
        levelTriggeredAll = readIsr = pollPending = specialMask = autoEoi = rotateOnAutoEoi = specialFullyNested = false;
        single = icw4Needed = false;
        init = Init.READY;
    }
}
