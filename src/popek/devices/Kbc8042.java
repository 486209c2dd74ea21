package popek.devices;

/**
 * The PC's 8042 keyboard controller (ports 0x60 data, 0x64 status and command) with an MF2 keyboard behind it that
 * sends scan code set 1 (what the controller's translation gives a PC/AT), on IRQ 1. No mouse is attached: the
 * auxiliary port is reported disabled and bytes sent to it are dropped.
 *
 * <p>Controller commands: 0x20 read and 0x60 write the configuration byte, 0xAA self-test (0x55), 0xAB interface test
 * (0x00), 0xAD/0xAE disable/enable the keyboard, 0xA7/0xA8 (aux, accepted), 0xD0/0xD1 read/write the output port
 * (bit 1 the A20 gate, bit 0 clear resets), 0xDD/0xDF A20 off/on, 0xFE pulse reset. A reset stops the machine, as QEMU
 * does with -no-reboot. Keyboard commands: reset (0xFA, then 0xAA), identify (0xFA 0xAB 0x83), echo, set LEDs,
 * typematic rate and scan code set (each acknowledged), enable and disable scanning; anything else is answered 0xFE.
 */
public final class Kbc8042 implements BytePortDevice {
    public static final int DATA = 0x60, STATUS = 0x64, IRQ = 1;
    // Status bits.
    static final int OBF = 0x01, SYS = 0x04, A2 = 0x08, UNINHIBITED = 0x10;
    // Configuration bits.
    static final int CFG_KBD_INT = 0x01, CFG_SYS = 0x04, CFG_KBD_DISABLED = 0x10, CFG_AUX_DISABLED = 0x20, CFG_TRANSLATE = 0x40;

    private final IrqLine irq;
    private final A20Gate a20;
    private final MachineControl machine;
    private final byte[] queue = new byte[64];
    private int head, count;
    private int config = CFG_KBD_INT | CFG_SYS | CFG_AUX_DISABLED | CFG_TRANSLATE;
    private boolean lastWasCommand;
    private int pendingControllerCommand = -1;   // a command waiting for its data byte
    private int pendingKeyboardCommand = -1;     // a keyboard command waiting for its argument
    private boolean scanning = true;
    /**
     * Typed keys wait until the guest has set the keyboard up (written the configuration byte, enabled the keyboard,
     * reset it or enabled scanning): with no BIOS to have done it, a key pressed at power-on would otherwise sit in the
     * output buffer in front of the answers to the guest's first commands.
     */
    private boolean armed;

    public Kbc8042(IrqLine irq, A20Gate a20, MachineControl machine) {
        this.irq = irq;
        this.a20 = a20;
        this.machine = machine;
    }

    public void register(PortBus bus) {
        bus.register(DATA, 1, this);
        bus.register(STATUS, 1, this);
    }

    @Override
    public int readByte(int port) {
        if (port == STATUS) {
            return (count > 0 ? OBF : 0) | ((config & CFG_SYS) != 0 ? SYS : 0) | (lastWasCommand ? A2 : 0) | UNINHIBITED;
        }
        if (port != DATA) return 0xFF;
        if (count == 0) return queue[(head + 63) & 63] & 0xFF;   // reading an empty buffer returns the last byte again
        int b = queue[head] & 0xFF;
        head = (head + 1) & 63;
        count--;
        irq.set(false);
        if (count > 0) interrupt();   // the next byte is in the output buffer now
        return b;
    }

    @Override
    public void writeByte(int port, int value) {
        if (port == STATUS) {
            lastWasCommand = true;
            controllerCommand(value);
        } else if (port == DATA) {
            lastWasCommand = false;
            data(value);
        }
    }

    private void controllerCommand(int cmd) {
        switch (cmd) {
            case 0x20 -> reply(config);
            case 0x60, 0xD1, 0xD2, 0xD3, 0xD4 -> pendingControllerCommand = cmd;
            case 0xA7 -> config |= CFG_AUX_DISABLED;
            case 0xA8 -> config &= ~CFG_AUX_DISABLED;
            case 0xA9 -> reply(0x00);            // aux interface test: passes (nothing answers on it)
            case 0xAA -> {                       // controller self-test
                config |= CFG_SYS;
                reply(0x55);
            }
            case 0xAB -> reply(0x00);            // keyboard interface test
            case 0xAD -> config |= CFG_KBD_DISABLED;
            case 0xAE -> {
                config &= ~CFG_KBD_DISABLED;
                armed = true;
            }
            case 0xD0 -> reply(outputPort());
            case 0xDD -> a20.set(false);
            case 0xDF -> a20.set(true);
            case 0xFE -> reset("an 8042 reset pulse (command 0xFE)");
            default -> {
                if (cmd >= 0xF0 && (cmd & 1) == 0) reset("an 8042 reset pulse (command 0x" + Integer.toHexString(cmd) + ")");
            }
        }
    }

    /** The output port: bit 0 the reset line (1 = running), bit 1 the A20 gate. */
    private int outputPort() { return 0x01 | (a20.enabled() ? 0x02 : 0); }

    private void data(int value) {
        int cmd = pendingControllerCommand;
        pendingControllerCommand = -1;
        switch (cmd) {
            case 0x60 -> {
                config = value & 0x77;
                armed = true;
            }
            case 0xD1 -> {
                a20.set((value & 2) != 0);
                if ((value & 1) == 0) reset("the 8042's output port (reset line pulled low)");
            }
            case 0xD2 -> reply(value);           // as if the keyboard had sent it
            case 0xD3, 0xD4 -> { }               // to and from the aux port: nothing attached
            default -> keyboardCommand(value);
        }
    }

    private void keyboardCommand(int value) {
        int pending = pendingKeyboardCommand;
        pendingKeyboardCommand = -1;
        if (pending == 0xF0) {
            reply(0xFA);
            if (value == 0) reply(0x02);        // the keyboard's own set (the controller translates it to set 1)
            return;
        }
        if (pending == 0xED || pending == 0xF3) {
            reply(0xFA);
            return;
        }
        switch (value) {
            case 0xFF -> {                       // reset and self-test
                scanning = true;
                armed = true;
                reply(0xFA);
                reply(0xAA);
            }
            case 0xF2 -> {                       // identify: an MF2 keyboard
                reply(0xFA);
                reply(0xAB);
                reply(0x83);
            }
            case 0xEE -> reply(0xEE);
            case 0xED, 0xF3, 0xF0 -> {
                pendingKeyboardCommand = value;
                reply(0xFA);
            }
            case 0xF4 -> {
                scanning = true;
                armed = true;
                reply(0xFA);
            }
            case 0xF5 -> {
                scanning = false;
                reply(0xFA);
            }
            case 0xF6 -> reply(0xFA);            // set defaults
            default -> reply(0xFE);              // resend: not understood
        }
    }

    private void reset(String how) {
        machine.exit(0, "the guest reset the machine (" + how + "); Popek stops, as QEMU -no-reboot does");
    }

    private void reply(int b) {
        if (count == queue.length) return;   // a full buffer drops, as a keyboard does on overrun
        queue[(head + count) & 63] = (byte) b;
        count++;
        if (count == 1) interrupt();
    }

    private void interrupt() {
        if ((config & CFG_KBD_INT) != 0) {
            irq.set(false);
            irq.set(true);
        }
    }

    /** A key typed on the terminal, as set-1 make and break codes (printable ASCII, Enter, Tab, Backspace, Esc). */
    public void type(int ascii) {
        if (!scanning || (config & CFG_KBD_DISABLED) != 0) return;
        int code = ScanCodes.of(ascii & 0x7F);
        if (code == 0) return;
        boolean shift = (code & ScanCodes.SHIFT) != 0;
        int make = code & 0x7F;
        if (shift) reply(0x2A);
        reply(make);
        reply(make | 0x80);
        if (shift) reply(0xAA);
    }

    /**
     * Does the keyboard take another typed key now? Only once the guest has set it up, while it is enabled and
     * scanning, and with room for four scan codes; until then keys wait at the terminal's end.
     */
    public boolean hasRoom() {
        return armed && scanning && (config & CFG_KBD_DISABLED) == 0 && count <= queue.length - 4;
    }

    /** Whether the guest has the A20 gate on. */
    public boolean a20() { return a20.enabled(); }
}
