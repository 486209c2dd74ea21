package popek.devices;

/**
 * An I/O APIC with 24 input pins, at 0xFEC00000: each pin's redirection entry turns a line level or edge into an
 * interrupt message for the local APIC. The guest reaches its registers indirectly, writing a register number to
 * IOREGSEL (offset 0x00) and then reading or writing it through IOWIN (offset 0x10). Version 0x20 (QEMU's) also has
 * the EOI register at offset 0x40, which ends a level-triggered vector as the local APIC's broadcast does.
 *
 * <p>Edge-triggered pins deliver a request on each rising edge of the (polarity-adjusted) line while the entry is
 * unmasked; an edge on a masked pin is dropped, as on the 82093AA and in QEMU. Level-triggered pins deliver while the
 * line is asserted and Remote IRR is clear; delivery sets Remote IRR and the vector's EOI clears it, after which a line
 * still asserted is delivered again. Polarity bit 13 set means active low: the pin's level is inverted (QEMU today ignores
 * the bit; the firmware's tables must then say active high for lines driven active high, as ISA IRQs are).
 *
 * <p>Single CPU: fixed and lowest-priority messages go to the one local APIC whatever their destination says.
 * ExtINT, NMI, SMI and INIT entries deliver nothing (the 8259 reaches the CPU through LINT0 instead) and never set
 * Remote IRR. Delivery status (bit 12) always reads 0: a message is accepted at once.
 *
 * <p>Registers outside the entry table read 0 and ignore writes; IOWIN and EOI take 32-bit accesses only (others read
 * 0, as in QEMU); the window is not mirrored through the rest of the page. Nothing allocates after construction.
 */
public final class IoApic implements MmioDevice {
    public static final long BASE = 0xFEC00000L;
    public static final int SIZE = 0x1000;
    public static final int PINS = 24;

    static final int IOREGSEL = 0x00, IOWIN = 0x10, EOI = 0x40;
    static final int REG_ID = 0x00, REG_VERSION = 0x01, REG_ARBITRATION = 0x02, REG_TABLE = 0x10;
    static final int VERSION_VALUE = (PINS - 1) << 16 | 0x20;

    static final int VECTOR = 0xFF, ACTIVE_LOW = 1 << 13, REMOTE_IRR = 1 << 14, LEVEL = 1 << 15, MASKED = 1 << 16;
    /** Vector, delivery mode, destination mode, polarity, trigger mode and mask; status and Remote IRR are the chip's. */
    private static final int LOW_WRITABLE = 0x0001AFFF;
    private static final int HIGH_WRITABLE = 0xFF000000;   // the destination; bits 32-55 are reserved
    private static final int MODE_FIXED = 0, MODE_LOWEST = 1;

    private final LocalApic apic;
    private final IrqLine[] pins = new IrqLine[PINS];
    private final int[] low = new int[PINS], high = new int[PINS];
    private int id;
    private int select;
    private int lines;       // each pin's input as driven, before polarity
    private int latched;     // edge requests waiting for delivery (the chip's IRR for edge-triggered pins)

    public IoApic(LocalApic apic, int id) {
        this.apic = apic;
        for (int n = 0; n < PINS; n++) {
            int pin = n;
            pins[n] = new IrqLine() {
                @Override
                public void set(boolean level) { setPin(pin, level); }

                @Override
                public boolean requestWaiting() { return waiting(pin); }
            };
        }
        reset();
        this.id = id & 0xF;
    }

    /** The line a device (or the ISA IRQ fan-out) drives into pin {@code n} (0-23). */
    public IrqLine pin(int n) {
        if (n < 0 || n >= PINS) throw new IllegalArgumentException("no pin " + n + " on a " + PINS + "-pin IOAPIC");
        return pins[n];
    }

    /** Every entry masked, edge-triggered, vector 0; nothing latched. The ID and the inputs' levels are kept. */
    public void reset() {
        for (int n = 0; n < PINS; n++) {
            low[n] = MASKED;
            high[n] = 0;
        }
        latched = 0;
        select = 0;
    }

    // ---------------------------------------------------------------- pins

    /**
     * Pin n's request level: the line as driven, inverted when the entry says active low. Edges are seen only when
     * the line moves; changing the polarity of an edge-triggered entry is not itself an edge.
     */
    private boolean asserted(int n) { return ((lines >>> n & 1) != 0) != ((low[n] & ACTIVE_LOW) != 0); }

    private void setPin(int n, boolean level) {
        boolean was = asserted(n);
        lines = level ? lines | 1 << n : lines & ~(1 << n);
        boolean now = asserted(n);
        if ((low[n] & LEVEL) == 0) {
            // An edge on a masked pin is dropped, not held (82093AA datasheet; QEMU does the same, and the apic
            // guest checks it against QEMU).
            if (now && !was && (low[n] & MASKED) == 0) {
                latched |= 1 << n;
                service(n);
            }
        } else if (now) {
            service(n);
        }
    }

    /**
     * Pin n's last request has not reached the CPU yet: latched here, or its vector still in the local APIC's IRR
     * (a level-triggered one counts until its EOI). A masked pin holds nothing.
     */
    private boolean waiting(int n) {
        int entry = low[n];
        if ((entry & MASKED) != 0) return false;
        if ((entry & LEVEL) != 0) return (entry & REMOTE_IRR) != 0;
        return (latched & 1 << n) != 0 || apic.requested(entry & VECTOR);
    }

    /** Sends pin n's request to the local APIC if it has one and the entry lets it through. */
    private void service(int n) {
        int entry = low[n];
        if ((entry & MASKED) != 0) return;
        int mode = (entry >>> 8) & 7;
        boolean toApic = mode == MODE_FIXED || mode == MODE_LOWEST;
        if ((entry & LEVEL) != 0) {
            if (!asserted(n) || (entry & REMOTE_IRR) != 0) return;
            if (!toApic) return;
            low[n] = entry | REMOTE_IRR;   // the message is out: nothing more from this pin until its EOI
            apic.accept(entry & VECTOR, true);
        } else {
            if ((latched & 1 << n) == 0) return;
            latched &= ~(1 << n);
            if (toApic) apic.accept(entry & VECTOR, false);
        }
    }

    /**
     * The end of a level-triggered interrupt, from the local APIC's EOI broadcast: Remote IRR clears on every
     * level-triggered entry with this vector, and a line still asserted on an unmasked entry is delivered again.
     */
    public void endOfInterrupt(int vector) {
        vector &= VECTOR;
        for (int n = 0; n < PINS; n++) {
            int entry = low[n];
            if ((entry & (LEVEL | REMOTE_IRR)) != (LEVEL | REMOTE_IRR) || (entry & VECTOR) != vector) continue;
            low[n] = entry & ~REMOTE_IRR;
            service(n);
        }
    }

    // ---------------------------------------------------------------- registers

    @Override
    public int read(int offset, int size) {
        return switch (offset) {
            case IOREGSEL -> select;
            case IOWIN -> size == 4 ? readRegister(select) : 0;
            default -> 0;
        };
    }

    @Override
    public void write(int offset, int size, int value) {
        switch (offset) {
            case IOREGSEL -> select = value & 0xFF;
            case IOWIN -> {
                if (size == 4) writeRegister(select, value);
            }
            case EOI -> {
                if (size == 4) endOfInterrupt(value);
            }
            default -> { }
        }
    }

    private int readRegister(int index) {
        return switch (index) {
            case REG_ID, REG_ARBITRATION -> id << 24;   // arbitration ID follows the APIC ID here, as in QEMU
            case REG_VERSION -> VERSION_VALUE;
            default -> {
                int n = (index - REG_TABLE) >>> 1;
                if (index < REG_TABLE || n >= PINS) yield 0;
                yield (index & 1) == 0 ? low[n] : high[n];
            }
        };
    }

    private void writeRegister(int index, int value) {
        if (index == REG_ID) {
            id = (value >>> 24) & 0xF;
            return;
        }
        int n = (index - REG_TABLE) >>> 1;
        if (index < REG_TABLE || n >= PINS) return;   // version, arbitration: read-only; the rest: reserved
        if ((index & 1) != 0) {
            high[n] = value & HIGH_WRITABLE;
            return;
        }
        int entry = value & LOW_WRITABLE | low[n] & REMOTE_IRR;
        if ((entry & LEVEL) == 0) {
            entry &= ~REMOTE_IRR;    // an edge-triggered entry has nothing to wait for
        } else {
            latched &= ~(1 << n);   // a level-triggered pin's request is its level, not a latch
        }
        low[n] = entry;
        service(n);   // unmasking delivers a latched edge or an asserted level
    }
}
