package popek.fuzz.devices;

import java.util.Random;

import popek.fuzz.harness.DiskCheck;

/**
 * Random accesses to each device model, as code: mostly the sequences a driver would write (a PIT channel's control
 * word and count, the 8259s' initialisation words, a CMOS index then its data, an ATA command with its registers and
 * data, an 8042 command and its byte, APIC and IOAPIC registers), with values on the edges, and now and then a wholly
 * random port, width and value. Nothing here writes a disk but the marker bytes, and nothing reads a disk into memory
 * but into the read area ({@link GuestLayout}).
 */
final class DeviceOps {
    private final Random r;
    private final Code c;
    private final boolean para;

    DeviceOps(Random r, Code c, boolean para) {
        this.r = r;
        this.c = c;
        this.para = para;
    }

    /** One operation against a device chosen at random. */
    void next() {
        switch (r.nextInt(14)) {
            case 0 -> pit();
            case 1 -> pic();
            case 2 -> uart();
            case 3 -> cmos();
            case 4, 5 -> ata();
            case 6 -> kbc();
            case 7 -> lapic();
            case 8 -> ioapic();
            case 9 -> misc();
            case 10 -> randomPort();
            case 11 -> randomMmio();
            case 12 -> cpu();
            default -> readBack();
        }
    }

    private int width() { return new int[] {1, 1, 1, 2, 4}[r.nextInt(5)]; }

    private int edge16() { return new int[] {0, 1, 2, 3, 0xFF, 0x100, 0xFFFF, 0x8000, r.nextInt(0x10000)}[r.nextInt(9)]; }

    private void pit() {
        int ch = r.nextInt(3);
        c.out(0x43, 1, r.nextInt(4) == 0 ? r.nextInt(256) : ch << 6 | (1 + r.nextInt(3)) << 4 | r.nextInt(6) << 1 | r.nextInt(8) / 7);
        int count = edge16();
        c.out(0x40 + ch, 1, count & 0xFF).out(0x40 + ch, 1, count >>> 8);
        if (r.nextBoolean()) c.out(0x61, 1, r.nextInt(256));
        if (r.nextBoolean()) c.in(0x40 + r.nextInt(3), 1).in(0x61, 1);
    }

    private void pic() {
        int base = r.nextBoolean() ? 0x20 : 0xA0;
        switch (r.nextInt(4)) {
            case 0 -> c.out(base, 1, 0x10 | r.nextInt(16)).out(base + 1, 1, r.nextInt(256)).out(base + 1, 1, r.nextInt(256))
                    .out(base + 1, 1, r.nextInt(32));
            case 1 -> c.out(base + 1, 1, r.nextInt(3) == 0 ? 0 : r.nextInt(256));
            case 2 -> c.out(base, 1, new int[] {0x20, 0x60 | r.nextInt(8), 0xA0, 0xC0 | r.nextInt(8), 0xE0 | r.nextInt(8), 0x80}[r.nextInt(6)]);
            default -> c.out(base, 1, new int[] {0x0A, 0x0B, 0x0C, 0x48, 0x68, r.nextInt(256) & 0xE7 | 0x08}[r.nextInt(6)]).in(base, 1);
        }
    }

    private void uart() {
        int reg = r.nextInt(8);
        if (r.nextInt(3) == 0) c.out(0x3FB, 1, r.nextBoolean() ? 0x80 : 0x03);   // DLAB on or off
        if (r.nextBoolean()) c.out(0x3F8 + reg, width(), reg == 4 && r.nextBoolean() ? 0x10 | r.nextInt(16) : r.nextInt(256));
        else c.in(0x3F8 + reg, width());
    }

    private void cmos() {
        int index = r.nextInt(4) == 0 ? r.nextInt(256) : new int[] {0x0A, 0x0B, 0x0C, 0x0D, 0, 2, 4, 0x32, 0x7F}[r.nextInt(9)];
        c.out(0x70, 1, index | (r.nextInt(4) == 0 ? 0x80 : 0));
        if (r.nextBoolean()) c.out(0x71, 1, index == 0x0B ? 0x40 | r.nextInt(256) : r.nextInt(256));
        else c.in(0x71, width());
    }

    private void ata() {
        if (r.nextInt(6) == 0) {
            c.out(0x3F6, 1, new int[] {0x04, 0x00, 0x02, r.nextInt(256)}[r.nextInt(4)]);   // SRST, nIEN
            return;
        }
        c.out(0x1F6, 1, 0xE0 | (r.nextInt(5) == 0 ? 0x10 : 0) | (r.nextInt(4) == 0 ? r.nextInt(16) : 0) ^ (r.nextInt(8) == 0 ? 0x40 : 0));
        c.out(0x1F2, 1, new int[] {0, 1, 1, 2, 3, 255, r.nextInt(256)}[r.nextInt(7)]);
        c.out(0x1F3, 1, r.nextInt(3) == 0 ? r.nextInt(256) : r.nextInt(70));
        c.out(0x1F4, 1, r.nextInt(4) == 0 ? r.nextInt(256) : 0).out(0x1F5, 1, r.nextInt(6) == 0 ? r.nextInt(256) : 0);
        int command = new int[] {0x20, 0x21, 0x30, 0x31, 0xEC, 0xE7, 0xEA, 0xC4, 0xC5, 0xC6, 0x40, 0x91, 0xEF, 0xE0, 0x08,
            r.nextInt(256)}[r.nextInt(16)];
        c.out(0x1F7, 1, command);
        int words = new int[] {256, 256, 512, 1, 255, 300, r.nextInt(1024)}[r.nextInt(7)];
        switch (r.nextInt(5)) {
            case 0 -> c.movImm(2, 0x1F0).raw(0x66, 0xB8).imm16(DiskCheck.MARKER_WORD).loop(words, 0x66, 0xEF);   // out dx, ax
            case 1 -> c.movImm(2, 0x1F0).loop(words, 0x66, 0xED);                                                 // in ax, dx
            case 2 -> c.movImm(2, 0x1F0).movImm(6, GuestLayout.MARKER).movImm(1, Math.max(1, words)).raw(0xF3, 0x66, 0x6F); // rep outsw
            case 3 -> c.movImm(2, 0x1F0).movImm(7, GuestLayout.READ).movImm(1, Math.min(words, 0x8000)).raw(0xF3, 0x66, 0x6D); // rep insw
            default -> c.in(0x1F7, 1).in(0x1F1, 1).in(0x3F6, 1);
        }
    }

    private void kbc() {
        if (r.nextBoolean()) {
            // 0xFE and 0xF0-0xFF pulse the reset line (a guest reset: the case ends): rare.
            int cmd = r.nextInt(10) == 0 ? r.nextInt(256) : new int[] {0x20, 0x60, 0xA7, 0xA8, 0xAA, 0xAB, 0xAD, 0xAE, 0xD0,
                0xD1, 0xD2, 0xD3, 0xD4, 0xC0, 0xE0, 0xA9}[r.nextInt(16)];
            c.out(0x64, 1, cmd);
        }
        if (r.nextBoolean()) c.out(0x60, 1, new int[] {0xFF, 0xF4, 0xF5, 0xED, 0xF0, 0xF2, 0xEE, 0xF3, 0x02,
            r.nextInt(256)}[r.nextInt(10)]);
        else c.in(r.nextBoolean() ? 0x60 : 0x64, 1);
    }

    private static final int LAPIC = 0xFEE00000, IOAPIC = 0xFEC00000;
    private static final int[] LAPIC_REGS = {0x20, 0x30, 0x80, 0x90, 0xA0, 0xB0, 0xD0, 0xE0, 0xF0, 0x100, 0x180, 0x200,
        0x280, 0x300, 0x310, 0x320, 0x330, 0x340, 0x350, 0x360, 0x370, 0x380, 0x390, 0x3E0};

    private void lapic() {
        int reg = LAPIC_REGS[r.nextInt(LAPIC_REGS.length)];
        int value = switch (reg) {
            case 0xF0 -> 0x100 | r.nextInt(256);                                          // SVR: enabled, a vector
            case 0x320, 0x350, 0x360, 0x370, 0x330, 0x340 -> r.nextInt(4) << 16 | r.nextInt(8) << 8 | r.nextInt(256)
                    | (r.nextInt(3) == 0 ? 0x10000 : 0);
            case 0x380 -> new int[] {0, 1, 2, 100, 10_000, 1_000_000, -1}[r.nextInt(7)];   // TICR
            case 0x300 -> r.nextInt(4) << 18 | r.nextInt(8) << 8 | r.nextInt(256);          // ICR: shorthand, mode, vector
            default -> r.nextInt(3) == 0 ? -1 : r.nextInt(256);
        };
        if (r.nextInt(3) == 0) c.load(LAPIC + reg, 4);
        else c.store(LAPIC + reg, 4, value);
    }

    private void ioapic() {
        int index = r.nextInt(4) == 0 ? r.nextInt(256) : r.nextInt(0x40);
        c.store(IOAPIC, 4, index);
        if (r.nextBoolean()) c.store(IOAPIC + 0x10, 4, index >= 0x10 && (index & 1) == 0 ? r.nextInt(8) << 8 | 0x20 + r.nextInt(224)
                | (r.nextInt(3) == 0 ? 0x10000 : 0) | (r.nextBoolean() ? 0x8000 : 0) : r.nextInt());
        else c.load(IOAPIC + 0x10, 4);
    }

    private void misc() {
        switch (r.nextInt(5)) {
            case 0 -> c.out(0x3D4, 1, r.nextInt(32)).out(0x3D5, 1, r.nextInt(256));        // CGA CRTC
            case 1 -> c.out(0x80, width(), r.nextInt());                                     // POST code
            case 2 -> c.out(0x92, 1, r.nextInt(256) & (r.nextInt(20) == 0 ? 0xFF : 0xFE));   // bit 0: reset (rare)
            case 3 -> c.in(0x92, 1).in(0x3D5, 1);
            default -> c.store(0xB8000 + 2 * r.nextInt(2000), 1, r.nextInt(256)).store(0xB8000 + 2 * r.nextInt(2000), 2, r.nextInt(0x10000));
        }
    }

    /** Any port, width and value, except what would end the case (debug-exit, power-off), write a disk's data, or call Popek. */
    private void randomPort() {
        int port = r.nextInt(0x10000), width = width();
        if (port == 0xF4 || port == 0x604 || port == 0x1F0 || (para && port == 0xE0)) port = 0x3FF;
        if (r.nextBoolean()) c.out(port, width, r.nextInt());
        else c.in(port, width);
    }

    /** Any offset and width in the local APIC's or the IOAPIC's page, and stray addresses near them. */
    private void randomMmio() {
        int base = r.nextBoolean() ? LAPIC : IOAPIC;
        int address = base + (r.nextInt(30) == 0 ? 0x1000 - r.nextInt(4) : r.nextInt(0x1000));   // the page's end: rarely
        if (r.nextBoolean()) c.store(address, width(), r.nextInt());
        else c.load(address, width());
    }

    /** What lets the devices act: interrupts on and off, a wait, a halt with interrupts on, a busy loop. */
    private void cpu() {
        switch (r.nextInt(12)) {
            case 0, 6, 7 -> c.raw(0xFB);                           // sti
            case 1, 8 -> c.raw(0xFA);                              // cli
            case 2 -> c.raw(0xFB, 0xF4);                           // sti; hlt: until an interrupt or the timeout
            case 3 -> c.loop(1 + r.nextInt(200_000), 0x90);       // time passes
            default -> c.raw(0xF3, 0x90);                          // pause
        }
    }

    /** A read of a register a driver polls. */
    private void readBack() {
        int[] ports = {0x21, 0xA1, 0x20, 0x3FD, 0x3FA, 0x71, 0x1F7, 0x64, 0x61, 0x40};
        c.in(ports[r.nextInt(ports.length)], 1);
    }
}
