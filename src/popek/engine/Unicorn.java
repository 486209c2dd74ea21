package popek.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import static popek.engine.NativeCalls.rethrow;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One Unicorn 2.1 x86 engine (one vCPU), through Java's FFM API. The only class that calls libunicorn.
 *
 * <p>All scratch memory and upcall stubs are made once per engine, so register access and every hook call allocate
 * nothing. The engine is confined to the thread that runs it, except {@link #stop}, which any thread may call.
 */
public final class Unicorn implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option CRITICAL = Linker.Option.critical(false);

    static MethodHandle fn(String name, FunctionDescriptor d, Linker.Option... options) {
        return LINKER.downcallHandle(NativeLibraries.unicorn().find(name)
                .orElseThrow(() -> new NativeLibraryException("libunicorn has no " + name + ": not Unicorn 2.1")), d, options);
    }

    private static final MethodHandle UC_VERSION = fn("uc_version", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle UC_OPEN = fn("uc_open", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle UC_CLOSE = fn("uc_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle UC_STRERROR = fn("uc_strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle UC_MEM_MAP_PTR = fn("uc_mem_map_ptr",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS));
    private static final MethodHandle UC_MEM_UNMAP = fn("uc_mem_unmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle UC_MMIO_MAP = fn("uc_mmio_map",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle UC_REG_READ = fn("uc_reg_read", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), CRITICAL);
    private static final MethodHandle UC_REG_WRITE = fn("uc_reg_write", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), CRITICAL);
    /**
     * Writing a segment register makes Unicorn read its descriptor through the MMU, and under shadow paging a TLB miss
     * there calls back into Java: such a call must not be a critical downcall (the JVM aborts on an upcall from one).
     */
    private static final MethodHandle UC_REG_WRITE_UPCALLING = fn("uc_reg_write", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle UC_MEM_READ = fn("uc_mem_read", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG));
    private static final MethodHandle UC_EMU_START = fn("uc_emu_start",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle UC_EMU_STOP = fn("uc_emu_stop", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle UC_HOOK_ADD = fn("uc_hook_add",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(7));
    private static final MethodHandle UC_HOOK_ADD_INSN = fn("uc_hook_add",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT),
            Linker.Option.firstVariadicArg(7));
    private static final MethodHandle UC_CONTEXT_ALLOC = fn("uc_context_alloc", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle UC_CONTEXT_FREE = fn("uc_context_free", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle UC_CONTEXT_SIZE = fn("uc_context_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
    private static final MethodHandle UC_CTL_0 = fn("uc_ctl", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle UC_CTL_1I = fn("uc_ctl", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle UC_CTL_2L = fn("uc_ctl", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(2));

    // unicorn.h: hook types, protections, uc_ctl codes (UC_CTL_WRITE(...) values for 2.1.1).
    private static final int HOOK_INTR = 1, HOOK_INSN = 2, HOOK_CODE = 4, HOOK_MEM_UNMAPPED = 112, HOOK_INSN_INVALID = 16384;
    private static final int PROT_ALL = 7;
    private static final int CTL_TLB_FLUSH = 0x4000000B, CTL_TB_FLUSH = 0x4000000A, CTL_TB_REMOVE_CACHE = 0x48000009, CTL_USE_EXITS = 0x44000004,
            CTL_TLB_TYPE = 0x4400000C, CTL_TCG_BUFFER_SIZE = 0x4400000D, TLB_CPU = 0, TLB_VIRTUAL = 1, HOOK_TLB_FILL = 1 << 17;


    /** {@code until} for uc_emu_start: ignored, because the engine runs in exits mode with no exits (see constructor). */
    private static final long NO_END = 0L;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment uc;
    private final MemorySegment mainScratch = arena.allocate(32, 8);
    /**
     * Register access from inside the TLB-fill hook gets its own buffer: that hook runs in the middle of our own
     * uc_reg_write of a segment register (Unicorn reads the descriptor through the MMU), and Unicorn reads the value
     * being written a second time after that, so the hook must not overwrite it.
     */
    private final MemorySegment hookScratch = arena.allocate(32, 8);
    private int fillDepth;

    private MemorySegment buf() { return fillDepth > 0 ? hookScratch : mainScratch; }
    private final MemorySegment hookHandle = arena.allocate(JAVA_LONG);
    private final MemorySegment contextPtr;
    private final CpuContext cpuContext;
    private final EngineStruct struct;
    private volatile boolean closed;

    /** The first Java exception thrown inside a hook during the current run, rethrown by {@link #start}. */
    private Throwable hookFailure;

    public static int version() {
        try {
            return (int) UC_VERSION.invokeExact(MemorySegment.NULL, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** "2.1.1" from uc_version's packed major/minor/patch. */
    public static String versionString() {
        int v = version();
        return (v >>> 24) + "." + ((v >>> 16) & 0xFF) + "." + ((v >>> 8) & 0xFF);
    }

    /** Opens an x86 engine in {@link X86#MODE_32} or {@link X86#MODE_16}. Refuses Unicorn before 2.1. */
    public Unicorn(int mode) { this(mode, 0); }

    /**
     * An engine whose translated code lives in a buffer of {@code codeBufferMiB} MiB (0: Unicorn's default, 1 GiB).
     * Unicorn 2.1.1 zeroes the whole buffer on every {@link #flushCodeCache} (measured: 0.1 to 7 s for 1 GiB here, on
     * a loaded host; Unicorn 2.1.2 dropped that memset), so an engine that flushes often (under a debugger, which
     * flushes whenever breakpoints change) wants a small one.
     */
    public Unicorn(int mode, int codeBufferMiB) {
        int v = version();
        if ((v >>> 24) != 2 || ((v >>> 16) & 0xFF) < 1) {
            throw new NativeLibraryException("Unicorn " + versionString() + " is too old: Popek needs Unicorn 2.1 or newer "
                    + "(2.0 uses virtual addresses as physical once paging is on). Install Debian 13's libunicorn2t64, or let ./popek fetch it.");
        }
        MemorySegment p = arena.allocate(ADDRESS);
        check("uc_open", invokeInt(UC_OPEN, 4 /* UC_ARCH_X86 */, mode, p));
        uc = p.get(ADDRESS, 0);
        // Before anything makes Unicorn initialise itself (uc_context_size does): the buffer is allocated then.
        if (codeBufferMiB > 0) check("uc_ctl(TCG_BUFFER_SIZE)", invokeInt(UC_CTL_1I, uc, CTL_TCG_BUFFER_SIZE, codeBufferMiB << 20));
        long size = (long) invoke(UC_CONTEXT_SIZE, uc);
        if (size != SavedContext.SIZE_211) {
            close();
            throw new NativeLibraryException("this Unicorn's saved context is " + size + " bytes, not the " + SavedContext.SIZE_211
                    + " of Unicorn 2.1.1 whose layout Popek relies on for exception delivery; use Debian 13's libunicorn2t64 2.1.1");
        }
        MemorySegment pc = arena.allocate(ADDRESS);
        check("uc_context_alloc", invokeInt(UC_CONTEXT_ALLOC, uc, pc));
        contextPtr = pc.get(ADDRESS, 0);
        cpuContext = new CpuContext(uc, contextPtr);
        // Exits mode with no exit address: uc_emu_start's 'until' is ignored, so runs end only by our stops. Without
        // it, after every run Unicorn invalidates the code at until - 1 by translating that address through the
        // guest's page tables; when it is unmapped that raises a #PF it then ignores, after the fault has already
        // set the guest's CR2 and QEMU's old_exception (measured: CR2 read 0xfffffffe in the guest's page-fault
        // handler, and the guest's next fault was escalated to #DF).
        check("uc_ctl(UC_CTL_UC_USE_EXITS)", invokeInt(UC_CTL_1I, uc, CTL_USE_EXITS, 1));
        try {
            struct = new EngineStruct(uc, size);   // also makes stops land on block boundaries: see EngineStruct
        } catch (NativeLibraryException e) {
            close();
            throw e;
        }
    }

    /** The exact guest-linear address of the last access a TLB-fill hook refused (uc_struct.invalid_addr). */
    public long lastInvalidAddress() { return struct.invalidAddress(); }

    // ---------------------------------------------------------------- memory

    /** Maps host memory (page-aligned, a multiple of 4 KiB) as guest-physical [address, address + size), no copy. */
    public void mapRam(long address, MemorySegment ram) {
        check("uc_mem_map_ptr", invokeInt(UC_MEM_MAP_PTR, uc, address, ram.byteSize(), PROT_ALL, ram));
    }

    /**
     * Maps [address, address + size) as device memory: every guest load or store there (an instruction's, or the
     * page walker's) calls {@code device} with the offset from {@code address} and the access size, on the vCPU
     * thread, inside the run. Page-aligned, a multiple of 4 KiB, outside RAM.
     */
    public void mapMmio(long address, long size, Hooks.Mmio device) {
        MethodHandle read = bound(device, Hooks.Mmio.class, "read", MethodType.methodType(long.class, long.class, int.class));
        MethodHandle write = bound(device, Hooks.Mmio.class, "write", MethodType.methodType(void.class, long.class, int.class, long.class));
        // uint64_t read(uc_engine*, uint64_t offset, unsigned size, void*); void write(uc_engine*, uint64_t, unsigned, uint64_t, void*)
        MemorySegment r = stub(read, FunctionDescriptor.of(JAVA_LONG, PTR, JAVA_LONG, JAVA_INT, PTR), 0L);
        MemorySegment w = stub(write, FunctionDescriptor.ofVoid(PTR, JAVA_LONG, JAVA_INT, JAVA_LONG, PTR), null);
        check("uc_mmio_map", invokeInt(UC_MMIO_MAP, uc, address, size, r, MemorySegment.NULL, w, MemorySegment.NULL));
    }

    /**
     * What the CPU model answers to {@code cpuid} for {@code leaf} (sub-leaf 0): EAX, EBX, ECX, EDX. Runs
     * {@code cpuid; hlt} in a page of its own at the top of the 32-bit address space (paging is still off), mapped for
     * the call and then unmapped with its translated block dropped; the general registers and EIP are left changed.
     * Call before the guest's state is set and before any CPUID hook is added (the hook would answer instead).
     * (Dropping every translation instead, uc_ctl's TB_FLUSH, costs 0.2 s here, and seconds on a cold engine.)
     */
    public int[] modelCpuid(int leaf) {
        final long page = 0xFFFFF000L;
        try (Arena probe = Arena.ofConfined()) {
            MemorySegment code = probe.allocate(4096, 4096);
            code.set(JAVA_BYTE, 0, (byte) 0x0F);
            code.set(JAVA_BYTE, 1, (byte) 0xA2);   // cpuid
            code.set(JAVA_BYTE, 2, (byte) 0xF4);   // hlt: the run returns
            check("uc_mem_map_ptr", invokeInt(UC_MEM_MAP_PTR, uc, page, 4096L, PROT_ALL, code));
            try {
                setReg(X86.EAX, leaf);
                setReg(X86.ECX, 0);
                check("uc_emu_start", start(page));
                return new int[] {reg(X86.EAX), reg(X86.EBX), reg(X86.ECX), reg(X86.EDX)};
            } finally {
                removeCodeCache(page, page + 4096);
                check("uc_mem_unmap", invokeInt(UC_MEM_UNMAP, uc, page, 4096L));
            }
        }
    }

    // ---------------------------------------------------------------- registers

    /** A 32-bit register (general, EIP, EFLAGS, CRn); segment registers read as their 16-bit selector. */
    public int reg(int id) {
        MemorySegment scratch = buf();
        scratch.set(JAVA_LONG, 0, 0L);   // Unicorn writes only the register's width: clear the rest
        check("uc_reg_read", regRead(id, scratch));
        return scratch.get(JAVA_INT, 0);
    }

    public void setReg(int id, int value) {
        if (id == X86.CR2) {
            setCr2(value);
            return;
        }
        MemorySegment scratch = buf();
        scratch.set(JAVA_LONG, 0, value & 0xFFFFFFFFL);
        check("uc_reg_write", regWrite(id, scratch));
    }

    /**
     * Unicorn 2.1.1's uc_reg_write(CR2) runs CR3's case first (the switch falls through: CR1, CR2 and CR3 share
     * cpu_x86_update_cr3), so it loads CR3 with the value meant for CR2 and flushes the TLB (measured: CR3 read back
     * 0x00300000 after CR2 was written with the faulting address). CR2 is written through the saved context instead;
     * the CR0 next to it is checked first, so a different layout is caught rather than written into.
     */
    private void setCr2(int value) {
        cpuContext.setCr2(value, reg(X86.CR0));
    }

    /** A segment register's selector (what {@link #reg} reads for it: Unicorn writes only its 16 bits). */
    public int selector(int id) { return reg(id) & 0xFFFF; }

    /**
     * Reads GDTR, IDTR, LDTR or TR (uc_x86_mmr: selector u16, base u64 at 8, limit u32 at 16, flags u32 at 20) in one
     * call and returns its base; its limit and selector are then
     * {@link #tableLimit()} and {@link #tableSelector()} (one native call instead of three on the delivery path).
     */
    public long readTable(int id) {
        MemorySegment scratch = buf();
        check("uc_reg_read", regRead(id, scratch));
        lastTableLimit = scratch.get(JAVA_INT, 16);
        lastTableSelector = scratch.get(JAVA_SHORT, 0) & 0xFFFF;
        return scratch.get(JAVA_LONG, 8) & 0xFFFFFFFFL;
    }

    private int lastTableLimit, lastTableSelector;

    /** The limit of the table last read with {@link #readTable}. */
    public int tableLimit() { return lastTableLimit; }

    /** The selector of the table last read with {@link #readTable} (LDTR and TR). */
    public int tableSelector() { return lastTableSelector; }

    /** A model-specific register (uc_x86_msr: rid u32 @0, value u64 @8). */
    public long msr(int index) {
        MemorySegment scratch = buf();
        scratch.set(JAVA_INT, 0, index);
        scratch.set(JAVA_LONG, 8, 0L);
        check("uc_reg_read(MSR)", regRead(X86.MSR, scratch));
        return scratch.get(JAVA_LONG, 8);
    }


    /** Sets a model-specific register the way {@code wrmsr} does (Unicorn runs QEMU's helper_wrmsr). */
    public void setMsr(int index, long value) {
        MemorySegment scratch = buf();
        scratch.set(JAVA_INT, 0, index);
        scratch.set(JAVA_LONG, 8, value);
        check("uc_reg_write(MSR)", regWrite(X86.MSR, scratch));
    }

    /**
     * Loads GDTR or IDTR (base and limit), or LDTR or TR (selector, base, limit and the descriptor's access flags, as
     * QEMU keeps them: the descriptor's high dword masked to its attribute bits). Unicorn takes the values as given:
     * the checks {@code lldt} and {@code ltr} make are the caller's.
     */
    public void setTable(int id, long base, int limit, int selector, int flags) {
        MemorySegment scratch = buf();
        scratch.set(JAVA_SHORT, 0, (short) selector);
        scratch.set(JAVA_LONG, 8, base & 0xFFFFFFFFL);
        scratch.set(JAVA_INT, 16, limit);
        scratch.set(JAVA_INT, 20, flags);
        check("uc_reg_write", regWrite(id, scratch));
    }

    private int regRead(int id, MemorySegment into) {
        try {
            return (int) UC_REG_READ.invokeExact(uc, id, into);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static boolean loadsDescriptor(int id) {
        return id == X86.CS || id == X86.SS || id == X86.DS || id == X86.ES || id == X86.FS || id == X86.GS
                || id == X86.LDTR || id == X86.TR;
    }

    private int regWrite(int id, MemorySegment from) {
        try {
            if (loadsDescriptor(id)) {
                loadingDescriptor++;
                try {
                    return (int) UC_REG_WRITE_UPCALLING.invokeExact(uc, id, from);
                } finally {
                    loadingDescriptor--;
                }
            }
            return (int) UC_REG_WRITE.invokeExact(uc, id, from);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private int loadingDescriptor;

    /**
     * Is the host writing a segment register, LDTR or TR right now (so that a TLB fill comes from Unicorn reading the
     * descriptor for it, not from a guest instruction)? Such a fill must never be refused: Unicorn has no way to fail
     * it and the process crashes (REFERENCES.md).
     */
    public boolean loadingDescriptor() { return loadingDescriptor > 0; }

    /**
     * A register wider than 32 bits as its raw little-endian bytes (an x87 register: 10 bytes); at most 16. For a
     * debugger: one native call, off the trap path.
     */
    public void regBytes(int id, byte[] into) {
        MemorySegment scratch = buf();
        scratch.fill((byte) 0);
        check("uc_reg_read", regRead(id, scratch));
        MemorySegment.copy(scratch, JAVA_BYTE, 0, into, 0, Math.min(into.length, 16));
    }

    /** Sets a register from its raw little-endian bytes (see {@link #regBytes}). */
    public void setRegBytes(int id, byte[] from) {
        MemorySegment scratch = buf();
        scratch.fill((byte) 0);
        MemorySegment.copy(from, 0, scratch, JAVA_BYTE, 0, Math.min(from.length, 16));
        check("uc_reg_write", regWrite(id, scratch));
    }

    // ---------------------------------------------------------------- running

    /**
     * Runs from {@code eip} until a hook or another thread calls {@link #stop}, the guest executes {@code hlt}, or an
     * error. Returns Unicorn's uc_err (0 for a stop or a hlt: the caller tells them apart). A Java exception thrown by a
     * hook during the run is rethrown here.
     */
    public int start(long eip) {
        int err;
        try {
            err = (int) UC_EMU_START.invokeExact(uc, eip, NO_END, 0L, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        Throwable failure = hookFailure;
        if (failure != null) {
            hookFailure = null;
            throw rethrow(failure);
        }
        return err;
    }

    /** Asks the running engine to return from {@link #start} at the next block boundary. Any thread; cheap. */
    public void stop() {
        if (closed) return;
        try {
            int ignored = (int) UC_EMU_STOP.invokeExact(uc);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Drops the TLB (after the host changed what guest page tables say). */
    public void flushTlb() {
        try {
            check("uc_ctl(TLB_FLUSH)", (int) UC_CTL_0.invokeExact(uc, CTL_TLB_FLUSH));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Drops every translated block (uc_ctl_flush_tb), and with them the TLB. */
    public void flushCodeCache() {
        try {
            check("uc_ctl(TB_FLUSH)", (int) UC_CTL_0.invokeExact(uc, CTL_TB_FLUSH));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        flushTlb();
    }

    /**
     * Drops translated code for [begin, end), which Unicorn 2.1.1 takes as guest-<em>virtual</em> addresses (it
     * translates them through the TLB first): with paging on, pass where the guest sees the code. For code the host
     * rewrote after the guest ran it.
     */
    public void removeCodeCache(long begin, long end) {
        try {
            check("uc_ctl(TB_REMOVE_CACHE)", (int) UC_CTL_2L.invokeExact(uc, CTL_TB_REMOVE_CACHE, begin, end));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Copies {@code into.byteSize()} bytes of guest-physical memory at {@code address} (RAM or any other memory mapped
     * with {@link #mapRam}, such as a shadow pool) into {@code into}; false if some of it is not mapped. One native call.
     */
    public boolean readPhysical(long address, MemorySegment into) {
        try {
            return (int) UC_MEM_READ.invokeExact(uc, address, into, into.byteSize()) == 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Switches between Popek's shadow MMU (the TLB-fill hook of {@link #onTlbFill}, which must be installed) and
     * Unicorn's own page walker, and drops the TLB so that every page is translated again by the one chosen. Between
     * runs only.
     */
    public void useVirtualTlb(boolean on) {
        check("uc_ctl(UC_CTL_TLB_TYPE)", invokeInt(UC_CTL_1I, uc, CTL_TLB_TYPE, on ? TLB_VIRTUAL : TLB_CPU));
        flushTlb();
    }

    // ---------------------------------------------------------------- whole-CPU snapshots and the register file

    private static final MethodHandle UC_CONTEXT_SAVE = fn("uc_context_save", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle UC_CONTEXT_RESTORE = fn("uc_context_restore", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    /** A snapshot buffer, living as long as {@code arena} (any engine of this library can save into it or restore it). */
    public static CpuSnapshot newSnapshot(Arena arena) { return new CpuSnapshot(arena); }

    /** Saves the whole CPU state into {@code s} (a memory copy of QEMU's CPUX86State, about 100 ns). */
    public void save(CpuSnapshot s) {
        int err;
        try {
            err = (int) UC_CONTEXT_SAVE.invokeExact(uc, s.pointer());
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check("uc_context_save", err);
    }

    /**
     * Loads the whole CPU state from {@code s}. The TLB is not flushed (QEMU keeps it outside that state): a caller
     * that changes CR3 this way writes CR3 again through {@link #setReg}, which flushes it.
     */
    public void restore(CpuSnapshot s) {
        int err;
        try {
            err = (int) UC_CONTEXT_RESTORE.invokeExact(uc, s.pointer());
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check("uc_context_restore", err);
    }

    private RegisterFile registerFile;

    /**
     * The general registers as memory when this library's register file can be found and verified (see
     * {@link EnvLocator}), else through the API. Found once per engine; the registers are left as they were.
     */
    public RegisterFile registerFile() {
        if (registerFile == null) registerFile = new RegisterFile(this, locateEnv());
        return registerFile;
    }

    private MemorySegment locateEnv() {
        int[] saved = new int[8];
        for (int i = 0; i < 8; i++) saved[i] = reg(X86.generalRegister(i));
        long[] pattern = new long[8];
        for (int i = 0; i < 8; i++) {
            pattern[i] = 0x5EA1C0DEL + 0x01010101L * i;
            setReg(X86.generalRegister(i), (int) pattern[i]);
        }
        MemorySegment env = null;
        long at = EnvLocator.find(uc, pattern);
        if (at != 0) {
            MemorySegment m = MemorySegment.ofAddress(at).reinterpret(RegisterFile.EIP_OFFSET + 8);
            m.set(JAVA_INT, 8L * 3, 0x600DF00D);                       // EBX through memory ...
            boolean ok = reg(X86.EBX) == 0x600DF00D;                   // ... read back through the API
            setReg(X86.ESI, 0x0BADCAFE);                               // and the reverse
            ok &= m.get(JAVA_INT, 8L * 6) == 0x0BADCAFE;
            ok &= m.get(JAVA_INT, RegisterFile.EIP_OFFSET) == reg(X86.EIP);
            if (ok) env = m;
        }
        for (int i = 0; i < 8; i++) setReg(X86.generalRegister(i), saved[i]);
        return env;
    }

    /** The CPU state Unicorn has no register API for (privilege level, pending exception, hidden segment state). */
    public CpuContext context() { return cpuContext; }

    // ---------------------------------------------------------------- hooks

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    /** A C pointer an upcall receives but never dereferences (x86-64: passed like a long). */
    private static final java.lang.foreign.ValueLayout.OfLong PTR = JAVA_LONG;
    private static final MethodHandle ON_HOOK_FAILURE;

    static {
        try {
            ON_HOOK_FAILURE = LOOKUP.findVirtual(Unicorn.class, "onHookFailure", MethodType.methodType(void.class, Throwable.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Records a hook's exception and stops the engine: a Java exception must never unwind through Unicorn's C frames. */
    @SuppressWarnings("unused")   // reached through ON_HOOK_FAILURE
    private void onHookFailure(Throwable t) {
        if (hookFailure == null) hookFailure = t;
        stop();
    }

    /**
     * An upcall stub for {@code target}, whose Java parameters are the native ones minus the leading {@code uc_engine*}
     * and trailing {@code void* user_data}; a throw from target is caught, recorded, and answered with {@code onError}.
     * Those two pointers are declared {@link #PTR} (a long) rather than ADDRESS: an ADDRESS parameter makes the upcall
     * wrap it in a new MemorySegment on every call (measured: 80 bytes per trap), and both are ignored anyway.
     */
    private MemorySegment stub(MethodHandle target, FunctionDescriptor native_, Object onError) {
        MethodType want = native_.toMethodType();
        MethodHandle h = MethodHandles.dropArguments(target, 0, long.class);
        h = MethodHandles.dropArguments(h, want.parameterCount() - 1, long.class);
        MethodHandle fallback = ON_HOOK_FAILURE.bindTo(this);
        if (want.returnType() != void.class) {
            fallback = MethodHandles.filterReturnValue(fallback, MethodHandles.constant(want.returnType(), onError));
        }
        fallback = MethodHandles.dropArguments(fallback, 1, want.parameterList());
        h = MethodHandles.catchException(h.asType(want), Throwable.class, fallback);
        return LINKER.upcallStub(h, native_, arena);
    }

    private static MethodHandle bound(Object target, Class<?> iface, String method, MethodType type) {
        try {
            return LOOKUP.findVirtual(iface, method, type).bindTo(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private void addHook(int type, MemorySegment stub) {
        check("uc_hook_add", invokeInt(UC_HOOK_ADD, uc, hookHandle, type, stub, MemorySegment.NULL, 1L, 0L));
    }

    private void addInsnHook(MemorySegment stub, int insn) {
        check("uc_hook_add", invokeInt(UC_HOOK_ADD_INSN, uc, hookHandle, HOOK_INSN, stub, MemorySegment.NULL, 1L, 0L, insn));
    }

    public void onPortIo(Hooks.PortIo io) {
        MethodHandle in = bound(io, Hooks.PortIo.class, "in", MethodType.methodType(int.class, int.class, int.class));
        MethodHandle out = bound(io, Hooks.PortIo.class, "out", MethodType.methodType(void.class, int.class, int.class, int.class));
        addInsnHook(stub(in, FunctionDescriptor.of(JAVA_INT, PTR, JAVA_INT, JAVA_INT, PTR), -1), X86.INS_IN);
        addInsnHook(stub(out, FunctionDescriptor.ofVoid(PTR, JAVA_INT, JAVA_INT, JAVA_INT, PTR), null), X86.INS_OUT);
    }

    /** {@code cpuid}: {@code h} may answer it (Unicorn then skips its own). */
    public void onCpuid(Hooks.Answer h) { addAnswerHook(h, X86.INS_CPUID); }

    private void addAnswerHook(Hooks.Answer h, int insn) {
        MethodHandle m = bound(h, Hooks.Answer.class, "answer", MethodType.methodType(boolean.class));
        m = MethodHandles.filterReturnValue(m, AS_INT);   // the C callback returns an int
        addInsnHook(stub(m, FunctionDescriptor.of(JAVA_INT, PTR, PTR), 0), insn);
    }

    private static final MethodHandle AS_INT;

    static {
        try {
            AS_INT = MethodHandles.lookup().findStatic(Unicorn.class, "asInt", MethodType.methodType(int.class, boolean.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static int asInt(boolean b) { return b ? 1 : 0; }

    public void onSysenter(Hooks.Sysenter h) {
        MethodHandle m = bound(h, Hooks.Sysenter.class, "sysenter", MethodType.methodType(void.class));
        addInsnHook(stub(m, FunctionDescriptor.ofVoid(PTR, PTR), null), X86.INS_SYSENTER);
    }

    public void onSyscall(Hooks.Syscall h) {
        MethodHandle m = bound(h, Hooks.Syscall.class, "syscall", MethodType.methodType(void.class));
        addInsnHook(stub(m, FunctionDescriptor.ofVoid(PTR, PTR), null), X86.INS_SYSCALL);
    }

    /**
     * The instruction at linear address {@code address} is about to run (UC_HOOK_CODE on that one address; registers
     * and the segment caches are exact here). For tools, not the VMM's trap path: only code at that address pays.
     */
    public void onCode(long address, Hooks.Code h) {
        MethodHandle m = bound(h, Hooks.Code.class, "code", MethodType.methodType(void.class, long.class));
        m = MethodHandles.dropArguments(m, 1, int.class);
        MemorySegment stub = stub(m, FunctionDescriptor.ofVoid(PTR, JAVA_LONG, JAVA_INT, PTR), null);
        check("uc_hook_add", invokeInt(UC_HOOK_ADD, uc, hookHandle, HOOK_CODE, stub, MemorySegment.NULL, address, address));
    }

    public void onInterrupt(Hooks.Interrupt h) {
        MethodHandle m = bound(h, Hooks.Interrupt.class, "interrupt", MethodType.methodType(void.class, int.class));
        addHook(HOOK_INTR, stub(m, FunctionDescriptor.ofVoid(PTR, JAVA_INT, PTR), null));
    }

    public void onInvalidInstruction(Hooks.InvalidInstruction h) {
        MethodHandle m = bound(h, Hooks.InvalidInstruction.class, "invalid", MethodType.methodType(boolean.class));
        addHook(HOOK_INSN_INVALID, stub(m, FunctionDescriptor.of(JAVA_BOOLEAN, PTR, PTR), false));
    }

    /**
     * Shadow paging: from now on Unicorn does not walk the guest's page tables; every TLB miss asks {@code h} for the
     * physical page and permissions of a linear page (UC_TLB_VIRTUAL, shared/unicorn-experiments Q11).
     */
    public void onTlbFill(Hooks.TlbFill h) {
        check("uc_ctl(UC_CTL_TLB_TYPE)", invokeInt(UC_CTL_1I, uc, CTL_TLB_TYPE, TLB_VIRTUAL));
        tlbFill = h;
        MethodHandle m;
        try {
            m = LOOKUP.findVirtual(Unicorn.class, "fillTlb", MethodType.methodType(boolean.class, long.class, int.class, long.class))
                    .bindTo(this);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        addHook(HOOK_TLB_FILL, stub(m, FunctionDescriptor.of(JAVA_BOOLEAN, PTR, JAVA_LONG, JAVA_INT, PTR, PTR), false));
    }

    private Hooks.TlbFill tlbFill;
    /** All of the process's memory, to write a uc_tlb_entry at an address without making a segment per call. */
    private static final MemorySegment EVERYWHERE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    /** uc_tlb_entry {u64 paddr; int perms} at {@code entry}. */
    @SuppressWarnings("unused")   // reached through the upcall stub
    private boolean fillTlb(long vaddr, int type, long entry) {
        long r;
        fillDepth++;
        try {
            r = tlbFill.fill(vaddr, type);
        } finally {
            fillDepth--;
        }
        if (r < 0) return false;
        EVERYWHERE.set(JAVA_LONG, entry, r & ~0xFFFL);
        EVERYWHERE.set(JAVA_INT, entry + 8, (int) (r & 0xFFF));
        return true;
    }

    public void onUnmappedAccess(Hooks.UnmappedAccess h) {
        MethodHandle m = bound(h, Hooks.UnmappedAccess.class, "unmapped",
                MethodType.methodType(boolean.class, int.class, long.class, int.class, long.class));
        addHook(HOOK_MEM_UNMAPPED, stub(m,
                FunctionDescriptor.of(JAVA_BOOLEAN, PTR, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, PTR), false));
    }

    // ---------------------------------------------------------------- plumbing

    private void check(String call, int err) {
        if (err != 0) throw new UnicornException(call, err, strerror(err));
    }

    public static String strerror(int err) {
        try {
            MemorySegment s = (MemorySegment) UC_STRERROR.invokeExact(err);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static int invokeInt(MethodHandle h, Object... args) {
        return (int) invoke(h, args);
    }

    private static Object invoke(MethodHandle h, Object... args) {
        try {
            return h.invokeWithArguments(args);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }


    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (contextPtr != null) invoke(UC_CONTEXT_FREE, contextPtr);
            invoke(UC_CLOSE, uc);
        } finally {
            arena.close();
        }
    }
}
