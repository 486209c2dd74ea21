package popek.linux.platform;

import popek.engine.CpuSnapshot;
import popek.engine.Hooks;
import popek.engine.RegisterFile;
import popek.engine.Unicorn;
import popek.engine.X86;
import popek.linux.mm.PagePool;

/**
 * One CPU for Linux tasks: a Unicorn engine with the whole page pool mapped at physical 0, paging on, its own GDT in
 * the kernel region, and the CPU left at CPL 3 for good. Ring-3 code runs at Unicorn's full speed; every {@code int
 * 0x80} and every exception comes back to {@link Traps} inside the run, on this CPU's thread, and is served there
 * (the CPU never changes ring, and there is no IDT). A worker thread owns one Cpu; a task runs on it for a slice after
 * its state is loaded ({@link #load}), and any Cpu can run any task, since all map the same pool.
 */
public final class Cpu implements Hooks.Interrupt, Hooks.InvalidInstruction, Hooks.Sysenter, AutoCloseable {
    /** CR0: PE, MP, ET, NE, WP, PG. CR4: OSFXSR and OSXMMEXCPT, so SSE instructions run. */
    private static final int CR0 = 0x80010033, CR4 = 0x600;
    public static final int SYSCALL_VECTOR = 0x80;

    /** What the CPU reports to the kernel. Each call runs inside the run, on the CPU's thread, and allocates nothing. */
    public interface Traps {
        /** {@code int 0x80}: EIP is after it; the registers hold the call. */
        void syscall(Cpu cpu);

        /**
         * An exception, or an {@code int n} other than 0x80 ({@code software}: EIP is after the instruction; otherwise
         * on the faulting instruction). {@code address} is CR2 for a page fault.
         */
        void exception(Cpu cpu, int vector, int errorCode, int address, boolean software);

        /**
         * A {@code sysenter} (which Unicorn would step over as a no-op). EIP is not exact and Unicorn adds 2 to it after
         * this returns, and the lazy flags are not synced: only the general registers and EIP (the target minus 2) may
         * be written here; the kernel serves the call once it has stopped the CPU.
         */
        void sysenter(Cpu cpu);
    }

    private final int index;
    private final Unicorn uc;
    private final RegisterFile regs;
    private final KernelRegion kernel;
    private final long gdt;
    /** This CPU's GDT page, as Java writes it (see {@link #loadTls}). */
    private java.lang.foreign.MemorySegment gdtSegment;
    private Traps traps;
    private final FpuImage fpu = new FpuImage();
    private int cr3;
    /** A page directory of this CPU's own, for {@link #invalidateFrames}. */
    private final popek.linux.mm.PageTable scratch;

    /**
     * Opens CPU {@code index}'s engine over {@code pool}, with {@code bootCr3} (any page directory holding the kernel
     * region) loaded while the CPU moves to ring 3. {@code traps} may be null and set later with {@link #setTraps}.
     */
    public Cpu(int index, PagePool pool, KernelRegion kernel, int bootCr3, Traps traps) {
        this.index = index;
        this.kernel = kernel;
        this.traps = traps;
        this.uc = new Unicorn(X86.MODE_32);
        this.scratch = new popek.linux.mm.PageTable(pool, kernel.table());
        try {
            uc.mapRam(0, pool.memory());
            this.gdt = kernel.gdtFor(index);
            uc.setReg(X86.CR3, bootCr3);
            this.cr3 = bootCr3;
            uc.setReg(X86.CR4, CR4);
            uc.setReg(X86.CR0, CR0);
            uc.setTable(X86.GDTR, gdt, Gdt.ENTRIES * 8 - 1, 0, 0);
            // CS first: a DPL-3 code segment may be loaded at CPL 0; then CPL 3, so SS's DPL matches it.
            uc.setReg(X86.CS, Gdt.USER_CS);
            uc.context().setCpl(3);
            uc.setReg(X86.SS, Gdt.USER_DS);
            uc.setReg(X86.DS, Gdt.USER_DS);
            uc.setReg(X86.ES, Gdt.USER_DS);
            uc.setReg(X86.FS, 0);
            uc.setReg(X86.GS, 0);
            uc.onInterrupt(this);
            uc.onInvalidInstruction(this);
            uc.onSysenter(this);
            this.regs = uc.registerFile();
        } catch (RuntimeException e) {
            uc.close();
            throw e;
        }
    }

    public int index() { return index; }

    /** Who serves this CPU's traps (set once, before the first run, when the kernel was not yet built). */
    public void setTraps(Traps t) { traps = t; }

    /** The registers of the task on this CPU (inside its run, or between runs after {@link #load}). */
    public RegisterFile regs() { return regs; }

    public Unicorn engine() { return uc; }

    /**
     * Loads a task's saved state, address space and TLS descriptors. The snapshot's CR3 is written again through the
     * API so that Unicorn flushes its TLB (a restore alone does not), but only when the address space changes.
     */
    public void load(CpuSnapshot state, int taskCr3, int[] tls) {
        uc.restore(state);
        if (taskCr3 != cr3) setCr3(taskCr3);
        loadTls(tls);
    }

    /** Writes a task's three TLS descriptors (low and high words) into this CPU's GDT entries 6 to 8. */
    public void loadTls(int[] tls) {
        var g = gdtSegment;
        if (g == null) gdtSegment = g = kernel.gdtSegment(index);   // made once: a slice allocates
        for (int i = 0; i < Gdt.TLS_COUNT; i++) Gdt.put(g, Gdt.TLS_FIRST + i, tls[2 * i], tls[2 * i + 1]);
    }

    /** Loads GS and FS again from the GDT (their selectors unchanged), after their descriptors changed. */
    public void reloadSegments() {
        for (int seg : new int[] {X86.GS, X86.FS}) {
            int sel = uc.selector(seg);
            if ((sel & 0xFFFC) != 0) uc.setReg(seg, sel);
        }
    }

    /** Loads a segment register with {@code selector}; false when the CPU refuses it (a bad selector from sigreturn). */
    public boolean loadSegment(int register, int selector) {
        try {
            uc.setReg(register, selector);
            return true;
        } catch (popek.engine.UnicornException e) {
            return false;
        }
    }

    public int selector(int register) { return uc.selector(register); }

    /** Saves the task now on this CPU. */
    public void save(CpuSnapshot into) { uc.save(into); }

    /** Switches address space; Unicorn flushes its TLB (even when the value is the same). */
    public void setCr3(int value) {
        uc.setReg(X86.CR3, value);
        cr3 = value;
    }

    public int cr3() { return cr3; }

    /** Drops every cached translation (after Popek took a permission away or changed a frame in the current tables). */
    public void flushTlb() { uc.flushTlb(); }

    /** Drops every translated block. */
    public void flushCode() { uc.flushCodeCache(); }

    /**
     * Drops the code Unicorn translated from {@code frames[0..n)} (before they are reused: Unicorn keys translations by
     * physical address and never sees Popek rewrite a frame). Unicorn can drop code only by a virtual address, which
     * it translates once and then treats as the start of a physical range; so each run of consecutive frames is mapped
     * at a user address of a page directory of this CPU's own, loaded for the purpose (the task's CR3 is put back).
     * Much cheaper than flushing every translation: the code of the programs running keeps its translations.
     */
    public void invalidateFrames(int[] frames, int n) {
        if (n == 0) return;
        java.util.Arrays.sort(frames, 0, n);
        int runs = 0;
        long[] at = new long[Math.min(n, 1023)];
        int[] lengths = new int[at.length];
        int i = 0;
        while (i < n) {
            if (runs == at.length) {   // the scratch table is full: do this part now
                flushRuns(at, lengths, runs);
                runs = 0;
            }
            int start = frames[i], len = 1;
            while (i + len < n && frames[i + len] == start + len) len++;
            at[runs] = (runs + 1L) << PagePool.PAGE_SHIFT;
            lengths[runs] = len;
            scratch.set(at[runs], (start << PagePool.PAGE_SHIFT) | popek.linux.mm.PageTable.P | popek.linux.mm.PageTable.US);
            runs++;
            i += len;
        }
        flushRuns(at, lengths, runs);
    }

    private void flushRuns(long[] at, int[] lengths, int runs) {
        int saved = cr3;
        setCr3(scratch.cr3());
        for (int r = 0; r < runs; r++) {
            uc.removeCodeCache(at[r], at[r] + ((long) lengths[r] << PagePool.PAGE_SHIFT));
            scratch.clear(at[r]);
        }
        setCr3(saved);
    }

    /** Runs the loaded task from {@code eip} until a trap handler or another thread stops the CPU; Unicorn's error. */
    public int run(int eip) { return uc.start(eip & 0xFFFFFFFFL); }

    /** Makes the run return at the next block boundary (any thread; from a trap handler: before the next instruction). */
    public void stop() { uc.stop(); }

    @Override
    public void interrupt(int vector) {
        if (vector == SYSCALL_VECTOR) {
            traps.syscall(this);
            return;
        }
        int error = uc.context().takeException();
        boolean software = uc.context().lastWasSoftwareInterrupt();
        int address = vector == 14 ? uc.reg(X86.CR2) : 0;
        traps.exception(this, vector, error, address, software);
    }

    /** The x87 status word (TOP included), control word, and MXCSR: what a floating-point fault is read from. */
    public int fpuStatus() { return uc.reg(X86.FPSW) & 0xFFFF; }

    public int fpuControl() { return uc.reg(X86.FPCW) & 0xFFFF; }

    public int mxcsr() { return uc.reg(X86.MXCSR); }

    /** This CPU's FPU image buffer, filled by {@link #saveFpu} and loaded by {@link #loadFpu}. */
    public FpuImage fpu() { return fpu; }

    /** Reads the task's x87/MMX/SSE state into {@link #fpu()}. */
    public FpuImage saveFpu() {
        fpu.save(uc);
        return fpu;
    }

    /** Loads {@link #fpu()} into the CPU. */
    public void loadFpu() { fpu.load(uc); }

    /** Writes the x87 status word (a spurious #MF's summary bits cleared). */
    public void setFpuStatus(int value) { uc.setReg(X86.FPSW, value & 0xFFFF); }

    @Override
    public boolean invalid() { return true; }   // raise #UD, which reaches interrupt(6)

    @Override
    public void sysenter() { traps.sysenter(this); }

    @Override
    public void close() { uc.close(); }
}
