package popek.cpu;

import popek.devices.InterruptController;
import popek.devices.PortBus;
import popek.devices.Timed;
import popek.engine.Unicorn;
import popek.engine.X86;
import popek.memory.GuestMemory;
import popek.stats.RunStats;
import popek.translate.CodeScanner;
import popek.translate.ScanResult;

/**
 * A real Unicorn engine in 32-bit protected mode with the tables a guest kernel would have built, wrapped around the
 * CPU core's classes (GuestAccess, Operands, SegmentOps through SensitiveEmulator, InterruptDelivery), for unit tests
 * that drive one instruction or one event at a time and then look at the registers and memory.
 *
 * <p>Memory (paging off unless {@link #paging()}): the GDT at {@link #GDT} with a flat code and data segment per ring
 * ({@link #code}, {@link #data}), a 32-bit TSS ({@link #TSS_SEL}) at {@link #TSS} whose ring 0-2 stacks are the
 * rings' data segments at {@link #stackTop}, and free slots from {@link #FREE} for a test's own descriptors; the IDT
 * at {@link #IDT} with a present 32-bit interrupt gate, DPL 0, to {@link #handler} for every vector; the instruction
 * under test at {@link #CODE}.
 *
 * <p>Results are {@link Outcome}s, mapped from the core's result codes in one place ({@link #emulate},
 * {@link #deliver}), so the tests say what happened, not how the core spells it.
 */
final class TestCpu implements AutoCloseable {
    static final int GDT = 0x1000, GDT_LIMIT = 0xFF, IDT = 0x2000, IDT_LIMIT = 0x7FF, TSS = 0x8000, CODE = 0x10000;
    static final int TSS_SEL = 0x28, LDT_SEL = 0x50, FREE = 0x58;
    static final int HANDLERS = 0x20000;

    final GuestMemory ram = new GuestMemory(4 << 20);
    final Unicorn uc = new Unicorn(X86.MODE_32);
    final GuestFault fault = new GuestFault();
    final GuestAccess mem = new GuestAccess(uc, ram, fault);
    final SegmentCache segments = new SegmentCache(uc);
    final Operands op = new Operands(uc, mem, segments, fault);
    final VirtualTsc tsc = new VirtualTsc(VirtualClock.manual(), VirtualTsc.DEFAULT_HZ);
    final PortBus ports = new PortBus();
    /** The devices' side of port I/O, as the run loop wires it (no interrupt controller: nothing is ever pending). */
    private final DeviceAccess devices = new DeviceAccess(uc, ports, new InterruptController() {
        @Override public boolean hasPendingInterrupt() { return false; }

        @Override public int acknowledge() { throw new IllegalStateException("no interrupt is ever pending"); }
    }, new TimedDevices(new Timed[0]), new ExitRequests(uc), new RunStats(false), null);
    final SensitiveEmulator emulator = new SensitiveEmulator(uc, mem, fault, segments, op, tsc, devices);
    final InterruptDelivery delivery = new InterruptDelivery(uc, mem, fault, segments);
    private final CodeScanner scanner = new CodeScanner();

    /** The code selector of ring {@code r} (RPL = r), flat 32-bit, non-conforming, readable. */
    static int code(int r) { return new int[] {0x08, 0x31, 0x42, 0x1B}[r]; }

    /** The data (and stack) selector of ring {@code r} (RPL = r), flat, writable. */
    static int data(int r) { return new int[] {0x10, 0x39, 0x4A, 0x23}[r]; }

    /** Where ring {@code r}'s stack starts (the TSS's ESPr for r &lt; 3). */
    static int stackTop(int r) { return 0x90000 - r * 0x10000; }

    /** The address the IDT's gate for {@code vector} points at. */
    static int handler(int vector) { return HANDLERS + vector * 16; }

    TestCpu() {
        uc.mapRam(0, ram.segment());
        for (int r = 0; r < 4; r++) {
            descriptor(code(r), segment(0, 0xFFFFF, 0x1A, r, true, true));
            descriptor(data(r), segment(0, 0xFFFFF, 0x12, r, true, true));
        }
        descriptor(TSS_SEL, system(TSS, 0x67 + 0x2000 + 1, 0x09, 0));
        descriptor(LDT_SEL, system(0x7000, 0xFF, 0x02, 0));
        for (int r = 0; r < 3; r++) {
            ram.write32(TSS + 4 + 8 * r, stackTop(r));
            ram.write32(TSS + 8 + 8 * r, data(r));
        }
        ram.write16(TSS + 0x66, 0x68);   // the I/O bitmap right after the TSS: every port allowed
        for (int v = 0; v < 256; v++) gate(v, 0x0E, 0, code(0), handler(v), true);

        uc.setReg(X86.CR0, X86.CR0_PE | X86.CR0_ET);
        uc.setTable(X86.GDTR, GDT, GDT_LIMIT, 0, 0);
        uc.setTable(X86.IDTR, IDT, IDT_LIMIT, 0, 0);
        long tss = descriptorAt(TSS_SEL);
        uc.setTable(X86.TR, TSS, Descriptor.limit(tss), TSS_SEL, Descriptor.high(tss) & 0x00F0FF00);
        uc.setReg(X86.SS, data(0));
        uc.setReg(X86.CS, code(0));
        for (int seg : new int[] {X86.DS, X86.ES, X86.FS, X86.GS}) uc.setReg(seg, data(0));
        uc.setReg(X86.ESP, stackTop(0));
        uc.setReg(X86.EFLAGS, 2);
        uc.setReg(X86.EIP, CODE);
        refresh();
    }

    // ---------------------------------------------------------------- descriptors

    /** A code or data segment descriptor (type with the S bit, 0x10..0x1F), 32-bit, page-granular if the limit is big. */
    static long segment(int base, int limit, int type, int dpl, boolean present, boolean big) {
        boolean g = limit > 0xFFFFF || big;
        int lim = g && limit > 0xFFFFF ? limit >>> 12 : limit;
        int low = (base << 16) | (lim & 0xFFFF);
        int high = ((base >>> 16) & 0xFF) | (type << 8) | (dpl << 13) | (present ? 1 << 15 : 0) | (lim & 0xF0000)
                | (1 << 22) | (g ? 1 << 23 : 0) | (base & 0xFF000000);
        return (low & 0xFFFFFFFFL) | ((long) high << 32);
    }

    /** A system descriptor (TSS 9, LDT 2, ...), byte-granular. */
    static long system(int base, int limit, int type, int dpl) {
        int low = (base << 16) | (limit & 0xFFFF);
        int high = ((base >>> 16) & 0xFF) | (type << 8) | (dpl << 13) | (1 << 15) | (limit & 0xF0000) | (base & 0xFF000000);
        return (low & 0xFFFFFFFFL) | ((long) high << 32);
    }

    /** A copy of {@code d} with its present bit cleared. */
    static long notPresent(long d) { return d & ~(1L << 47); }

    void descriptor(int selector, long d) { ram.write64(GDT + (selector & ~7), d); }

    long descriptorAt(int selector) { return ram.read64(GDT + (selector & ~7)); }

    /** An IDT gate: type 0x0E interrupt, 0x0F trap, 0x05 task, 0x06/0x07 16-bit. */
    void gate(int vector, int type, int dpl, int selector, int offset, boolean present) {
        int low = (selector << 16) | (offset & 0xFFFF);
        int high = (offset & 0xFFFF0000) | (type << 8) | (dpl << 13) | (present ? 1 << 15 : 0);
        ram.write64(IDT + vector * 8L, (low & 0xFFFFFFFFL) | ((long) high << 32));
    }

    // ---------------------------------------------------------------- CPU state

    /**
     * Puts the CPU at privilege {@code r}: CS, SS and DS..GS that ring's flat segments, ESP its stack top. The engine
     * refuses a more privileged SS at a lower CPL, so the CPL is set first, as InterruptDelivery does.
     */
    TestCpu ring(int r) {
        uc.context().setCpl(r);
        uc.setReg(X86.SS, data(r));
        uc.setReg(X86.CS, code(r));
        for (int seg : new int[] {X86.DS, X86.ES, X86.FS, X86.GS}) uc.setReg(seg, data(r));
        uc.setReg(X86.ESP, stackTop(r));
        refresh();
        return this;
    }

    /** EFLAGS := {@code value} (bit 1 set). */
    TestCpu flags(int value) {
        uc.setReg(X86.EFLAGS, value | 2);
        return this;
    }

    TestCpu iopl(int iopl) { return flags((flags() & ~X86.FLAG_IOPL) | iopl << 12); }

    int flags() { return uc.reg(X86.EFLAGS); }

    /** The CPL as the engine has it (QEMU's hflags, read fresh). */
    int cpl() { return uc.context().segmentState(new long[6]) & 3; }

    int reg(int id) { return uc.reg(id); }

    int selector(int id) { return uc.selector(id); }

    int esp() { return uc.reg(X86.ESP); }

    int eip() { return uc.reg(X86.EIP); }

    /** Pushes 32-bit values on the current stack, the first given ending up on top (as a frame reads). */
    TestCpu stack(int... topFirst) {
        int esp = esp() - 4 * topFirst.length;
        for (int i = 0; i < topFirst.length; i++) ram.write32(esp + 4L * i, topFirst[i]);
        uc.setReg(X86.ESP, esp);
        return this;
    }

    /** Pushes 16-bit values, the first given on top. */
    TestCpu stack16(int... topFirst) {
        int esp = esp() - 2 * topFirst.length;
        for (int i = 0; i < topFirst.length; i++) ram.write16(esp + 2L * i, topFirst[i]);
        uc.setReg(X86.ESP, esp);
        return this;
    }

    /** The 32-bit value {@code slot} dwords above linear {@code esp}. */
    int at(int esp, int slot) { return ram.read32(esp + 4L * slot); }

    /** Engine state was changed behind the core's back: re-read the segment cache and paging controls. */
    void refresh() {
        segments.invalidate();
        segments.codeLoaded(32);
        mem.refresh();
    }

    // ---------------------------------------------------------------- paging

    static final int PAGE_DIRECTORY = 0x100000, PAGE_TABLE = 0x101000;

    /** Identity-maps the first 4 MiB with 4 KiB pages (user, writable) and turns paging on. */
    TestCpu paging() {
        ram.write32(PAGE_DIRECTORY, PAGE_TABLE | 0x7);
        for (int i = 0; i < 1024; i++) ram.write32(PAGE_TABLE + 4L * i, (i << 12) | 0x7);
        uc.setReg(X86.CR3, PAGE_DIRECTORY);
        uc.setReg(X86.CR0, uc.reg(X86.CR0) | X86.CR0_PG);
        refresh();
        return this;
    }

    /** Sets the PTE of the page holding {@code linear} (paging on) and drops every cached translation. */
    void pte(int linear, int value) {
        ram.write32(PAGE_TABLE + 4L * (linear >>> 12), value);
        uc.flushTlb();
        mem.refresh();
    }

    int pte(int linear) { return ram.read32(PAGE_TABLE + 4L * (linear >>> 12)); }

    // ---------------------------------------------------------------- the entry points

    /** What an emulated instruction or a delivered event came to. */
    enum Kind { CONTINUE, HALT, INTERRUPT_WINDOW, SHADOW, FAULT, UNSUPPORTED, DELIVERED, TRIPLE_FAULT }

    record Outcome(Kind kind, int vector, int errorCode) {
        static Outcome fault(int vector, int errorCode) { return new Outcome(Kind.FAULT, vector, errorCode); }

        static Outcome of(Kind k) { return new Outcome(k, -1, -1); }

        @Override
        public String toString() {
            return kind == Kind.FAULT ? String.format("fault %s(0x%x)", Vectors.name(vector), errorCode) : kind.toString();
        }
    }

    /**
     * Runs the instruction {@code bytes} at the current EIP (its bytes are also written there) through the emulator,
     * as full mode does when its rewritten form traps: classified by the code scanner, decoded, emulated.
     */
    Outcome emulate(int... bytes) {
        int eip = eip();
        byte[] page = new byte[CodeScanner.PAGE_SIZE];
        for (int i = 0; i < page.length; i++) page[i] = (byte) 0x90;
        for (int i = 0; i < bytes.length; i++) {
            page[(eip & 0xFFF) + i] = (byte) bytes[i];
            ram.write8(eip + i, bytes[i]);
        }
        ScanResult scan = scanner.scan(page, eip & 0xFFF, eip & ~0xFFF, 32, new byte[CodeScanner.NEXT_PAGE_BYTES]);
        if (scan.count() == 0 || scan.offset(0) != (eip & 0xFFF)) {
            throw new IllegalArgumentException("not a sensitive instruction: " + hex(bytes));
        }
        if (scan.length(0) != bytes.length) {
            throw new IllegalArgumentException(hex(bytes) + " is " + scan.length(0) + " bytes long");
        }
        java.util.Arrays.fill(op.bytes, (byte) 0);
        for (int i = 0; i < bytes.length; i++) op.bytes[i] = (byte) bytes[i];
        segments.invalidate();
        mem.refresh();
        op.decode(eip, true);
        try {
            TrapResult r = emulator.emulate(scan.sensitiveClass(0), eip);
            return Outcome.of(switch (r) {
                case CONTINUE -> Kind.CONTINUE;
                case HALT -> Kind.HALT;
                case INTERRUPT_WINDOW -> Kind.INTERRUPT_WINDOW;
                case SHADOW -> Kind.SHADOW;
                default -> throw new IllegalStateException("emulate returned " + r);
            });
        } catch (GuestFault f) {
            return f.vector < 0 ? Outcome.of(Kind.UNSUPPORTED) : Outcome.fault(f.vector, f.errorCode);
        }
    }

    /** Where an event comes from. */
    enum Source { EXCEPTION, SOFTWARE, EXTERNAL }

    /** Delivers an event through the IDT, as the run loop does; the frame saves {@code returnEip}. */
    Outcome deliver(int vector, Source source, int errorCode, int returnEip) {
        InterruptDelivery.Source s = switch (source) {
            case EXCEPTION -> InterruptDelivery.Source.EXCEPTION;
            case SOFTWARE -> InterruptDelivery.Source.SOFTWARE;
            case EXTERNAL -> InterruptDelivery.Source.EXTERNAL;
        };
        segments.invalidate();
        InterruptDelivery.Result r = delivery.deliver(vector, s, errorCode, returnEip);
        return Outcome.of(switch (r) {
            case DELIVERED -> Kind.DELIVERED;
            case TRIPLE_FAULT -> Kind.TRIPLE_FAULT;
            case UNSUPPORTED -> Kind.UNSUPPORTED;
            default -> throw new IllegalStateException("deliver returned " + r);
        });
    }

    static String hex(int... bytes) {
        StringBuilder b = new StringBuilder();
        for (int x : bytes) b.append(String.format("%02x ", x & 0xFF));
        return b.toString().strip();
    }

    @Override
    public void close() {
        scanner.close();
        uc.close();
        ram.close();
    }
}
