package popek.cpu;

import java.lang.foreign.Arena;

import popek.engine.CpuContext;
import popek.engine.HostMemory;
import popek.engine.Unicorn;
import popek.engine.X86;
import popek.memory.GuestMemory;
import popek.translate.CodeScanner;
import popek.translate.ScanResult;
import popek.translate.SensitiveClass;
import popek.translate.ShadowCode;

/**
 * Full virtualisation by rewriting: guest kernel code (CPL 0-2) runs from shadow pages in which every sensitive
 * instruction starts with {@code int3} ({@link ShadowCode}), and each such trap is emulated ({@link SensitiveEmulator}).
 *
 * <p>Two halves meet here. The shadow MMU calls {@link #kernelFetch} when kernel code is about to run from a page it
 * has no translation for (code discovery: the page is scanned and patched once per content version) and
 * {@link #written} when the guest is about to write a page (self-modifying code is seen there). The vCPU calls
 * {@link #trap} for every {@code int3}: a patched site is emulated, anything else is the guest's own breakpoint.
 *
 * <p>The trap finds its patch in a small direct-mapped cache from linear code page to shadow, filled by the MMU's own
 * fetch translations, so the common trap costs no page walk; the cache always agrees with the TLB's code entries,
 * because every kernel code entry the TLB has came from a {@link #kernelFetch} that also updated it.
 */
final class FullVirtualization implements AutoCloseable {
    /** Shadows the pool holds by default before it is emptied: 16 MiB of host memory, reserved, touched only as used. */
    static final int POOL_PAGES = 4096;
    private static final int CACHE = 1024;

    private final Unicorn uc;
    private final GuestMemory ram;
    private final GuestAccess mem;
    private final GuestFault fault;
    private final SegmentCache segments;
    private final Operands op;
    private final SensitiveEmulator emulator;
    private final CodeScanner scanner = new CodeScanner();
    /** Shadows of kernel code (every sensitive class rewritten) and of user code (port I/O only). */
    private final ShadowCode code, userCode;
    private final Arena arena = Arena.ofShared();
    // Per privilege (kernel 0, user 1): linear page number + 1, and its shadow (pool page).
    private final int[][] cacheTag = {new int[CACHE], new int[CACHE]};
    private final long[][] cacheShadow = {new long[CACHE], new long[CACHE]};
    private SensitiveClass lastClass;

    FullVirtualization(Unicorn uc, GuestMemory ram, GuestAccess mem, GuestFault fault, SegmentCache segments,
                       VirtualTsc tsc, DeviceAccess ports, int poolPages) {
        this.uc = uc;
        this.ram = ram;
        this.mem = mem;
        this.fault = fault;
        this.segments = segments;
        this.op = new Operands(uc, mem, segments, fault);
        this.emulator = new SensitiveEmulator(uc, mem, fault, segments, op, tsc, ports);
        long bytes = (long) poolPages * ShadowCode.PAGE;
        var pool = HostMemory.anonymous(bytes, arena);
        var userPool = HostMemory.anonymous(bytes, arena);
        uc.mapRam(ShadowCode.POOLS_BASE, pool);
        uc.mapRam(ShadowCode.POOLS_BASE + bytes, userPool);
        this.code = new ShadowCode(ram, pool, ShadowCode.POOLS_BASE, true, scanner);
        this.userCode = new ShadowCode(ram, userPool, ShadowCode.POOLS_BASE + bytes, false, scanner);
        ram.watchWrites(this::vmmWrote);
        mem.refresh();   // from here on kept current by the emulation of every write to the paging controls
    }

    /** The VMM itself wrote guest RAM (not through the TLB): the pages with code in them must be checked again. */
    private void vmmWrote(long address, long length) {
        for (long page = address & ~0xFFFL; page < address + length; page += ShadowCode.PAGE) written(page);
    }

    /** The shadows of kernel code. */
    ShadowCode shadows() { return code; }


    // ---------------------------------------------------------------- the MMU's side

    /**
     * Code is about to run from linear page {@code linear}, which the guest maps to RAM page {@code physical}, in
     * kernel mode or user mode: returns the shadow page to run instead (built or refreshed as needed). Runs inside the
     * TLB-fill hook.
     */
    long codeFetch(long linear, long physical, boolean user) {
        if (ranRealMode) {
            segments.forgetRealMode();
            ranRealMode = false;
        }
        if (!ram.contains(physical, ShadowCode.PAGE)) return physical;   // no RAM there: the fetch fails as it would
        ShadowCode shadows = user ? userCode : code;
        long shadow = shadows.shadowOf(physical, segments.codeBits(), entryIn(linear));
        int flags = shadows.lastFlags();
        if (!purgeRequested && shadows.needsPurge()) {
            purgeRequested = true;   // the run loop purges it (it cannot be done inside this hook)
            uc.stop();
        }
        // A new shadow, or one that is no longer marked maybe-stale: any writable translation of its page, under any
        // linear alias (the victim TLB too), must go, so that the next write to the page comes to written() (a store
        // that did not change the page left one behind). The entry this fill installs is made after.
        if (flags != ShadowCode.REUSED) uc.flushTlb();
        int page = (int) (linear >>> 12);
        int p = user ? 1 : 0;
        cacheTag[p][page & (CACHE - 1)] = page + 1;
        cacheShadow[p][page & (CACHE - 1)] = shadow;
        return shadow;
    }

    private boolean purgeRequested;
    private boolean ranRealMode;

    /** Real-mode code is about to run (as it is): what Popek knows of the segments is stale once PE is set again. */
    void realModeFetch() { ranRealMode = true; }

    /**
     * Where in linear page {@code linear} the CPU is about to start a block of code, or -1 if the fetch is not for the
     * block's start (a block that runs on from the page before). Unicorn asks for a code page's translation before it
     * translates a block, with EIP on the block's first instruction.
     */
    private int entryIn(long linear) {
        long start = (segments.base(X86.SEG_CS) + (uc.reg(X86.EIP) & 0xFFFFFFFFL)) & 0xFFFFFFFFL;
        return (start & ~0xFFFL) == (linear & ~0xFFFL & 0xFFFFFFFFL) ? (int) (start & 0xFFF) : -1;
    }

    /**
     * Empties the shadow pool if it asked to be: drops every translation the engine made (so no old shadow can run
     * from a reused slot) and the trap cache. Call between runs. Returns whether it did.
     */
    boolean purgeIfRequested() {
        if (!purgeRequested) return false;
        purgeRequested = false;
        uc.flushCodeCache();
        if (code.needsPurge()) code.purge();
        if (userCode.needsPurge()) userCode.purge();
        java.util.Arrays.fill(cacheTag[0], 0);
        java.util.Arrays.fill(cacheTag[1], 0);
        return true;
    }

    /** The guest is about to write RAM page {@code physical} (a TLB fill for writing). Runs inside the hook. */
    void written(long physical) {
        boolean kernel = code.hasShadow(physical), user = userCode.hasShadow(physical);
        if (!kernel && !user) return;
        if (kernel) code.written(physical);
        if (user) userCode.written(physical);
        // Drop every translation that runs the old shadow, so the next fetch from the page checks it again.
        uc.flushTlb();
    }

    /**
     * Does the RAM page at {@code physical} have a shadow (kernel or user)? A translation for reading it must then not
     * allow writing: its next write must come to {@link #written} first.
     */
    boolean hasShadow(long physical) { return code.hasShadow(physical) || userCode.hasShadow(physical); }


    // ---------------------------------------------------------------- the trap

    /** {@link #trap}'s second argument when no interrupt waits (else it is the EIP where an sti's shadow ends, or -1). */
    static final int NO_INTERRUPT_WAITING = Integer.MIN_VALUE;

    /**
     * An {@code int3} ran in kernel code and the engine reported EIP {@code eipAfter} (just past it). If it is a
     * patched site, emulates the instruction and returns what {@link SensitiveEmulator#emulate} did; the class is then
     * {@link #lastClass()}. If the emulation faults, returns {@link TrapResult#FAULTED} with the fault in
     * {@link #fault()} (vector -1: not emulated, see {@link #unsupported()}), EIP still on the instruction. Not a patch
     * site: {@link TrapResult#NOT_A_SITE}. {@link TrapResult#INTERRUPT_FIRST}: see there. Without it a tight
     * {@code cli; ...; sti; ...} loop never took an interrupt in full mode: the run loop's stops land only just after
     * a trap, where IF is clear (after cli) or the sti shadow holds it (after sti), so a 1 kHz timer went unanswered
     * for as long as the loop ran (bench compare's irqmask workload: 0 ticks in 20000 critical sections). Taking it
     * at the next trapped instruction is what a CPU does a few instructions earlier, at the end of the shadow.
     */
    TrapResult trap(int eipAfter, int interruptWaiting) {
        boolean user = (segments.hflags() & 3) == 3;
        int csBase = (int) segments.base(X86.SEG_CS);
        ShadowCode shadows = user ? userCode : code;
        int p = user ? 1 : 0;
        int linear = csBase + eipAfter - 1;
        int page = linear >>> 12;
        int slot = page & (CACHE - 1);
        long shadow;
        if (cacheTag[p][slot] == page + 1) {
            shadow = cacheShadow[p][slot];
        } else {
            shadow = lookUp(shadows, linear, user);
            if (shadow < 0) return TrapResult.NOT_A_SITE;
        }
        long pageStart = shadows.originalOf(shadow);
        int site = shadows.siteAt(shadow, linear & 0xFFF);
        if (site < 0) return TrapResult.NOT_A_SITE;
        ScanResult scan = shadows.scanOfShadow(shadow);
        int offset = scan.offset(site), length = scan.length(site);
        int start = linear - (linear & 0xFFF) + offset;
        lastClass = scan.sensitiveClass(site);
        // Not before a hlt: there an interrupt now or just after the hlt begins is the same to the guest, and an sti;
        // hlt whose shadow the run loop has already held once must not lose its wake-up (the hlt would sleep on).
        if (interruptWaiting != NO_INTERRUPT_WAITING && start - csBase != interruptWaiting
                && lastClass != SensitiveClass.HLT && (uc.reg(X86.EFLAGS) & X86.FLAG_IF) != 0) {
            uc.setReg(X86.EIP, start - csBase);
            return TrapResult.INTERRUPT_FIRST;
        }
        stepTrap = false;
        boolean stepping = false;
        if (maybeStepping) {
            stepping = (uc.reg(X86.EFLAGS) & X86.FLAG_TF) != 0;
            maybeStepping = stepping;
        }
        try {
            fetch(pageStart + offset, start, length);
            op.decode(start - csBase, (segments.hflags() & CpuContext.HF_CS32) != 0);
            // User code loads its data and stack segments unseen (it runs natively): what the cache holds of them may
            // predate a mov ds, and a memory operand's segment checks, a push, need them as they are now. (Not for
            // rdtsc and in/out, the user traps that are frequent and touch no segment.)
            if (user && lastClass != SensitiveClass.RDTSC && (lastClass != SensitiveClass.IO || op.stringIo())) segments.invalidate();
            emulator.stepping = false;
            TrapResult result = emulator.emulate(lastClass, eipAfter);
            if (lastClass.transfersControl()) enteredAt();
            if (emulator.stepping) maybeStepping = true;
            // TF at the start of the instruction means a single-step #DB after it, except after a hlt and in the
            // shadow of mov ss / pop ss, which holds debug traps back like interrupts.
            stepTrap = stepping && result != TrapResult.HALT && !(result == TrapResult.SHADOW
                    && (lastClass == SensitiveClass.SEG_POP || lastClass == SensitiveClass.SEG_MOV_WRITE));
            return result;
        } catch (GuestFault f) {
            uc.setReg(X86.EIP, start - csBase);
            return TrapResult.FAULTED;
        } catch (NoMemory m) {
            uc.setReg(X86.EIP, start - csBase);
            noMemory = m;
            return TrapResult.NO_MEMORY;
        }
    }

    /**
     * An emulated far transfer or iret has set CS:EIP: if the code there runs from a shadow (its page still in the
     * TLB, so no fill will anchor the entry) whose sweep decoded no instruction at that offset, the TLB is dropped,
     * so that the fetch there comes to {@link #codeFetch} and the page is decoded again from the entry point.
     */
    private void enteredAt() {
        boolean user = emulator.enteredUser();
        int linear = emulator.entered();   // (known to the emulation: no register read on the iret path)
        int page = linear >>> 12, slot = page & (CACHE - 1), p = user ? 1 : 0;
        if (cacheTag[p][slot] != page + 1) return;   // not translated since the cache entry went: a fill will come
        if (!(user ? userCode : code).canEnterAt(cacheShadow[p][slot], linear & 0xFFF)) uc.flushTlb();
    }

    private NoMemory noMemory;

    /** What the last {@link #NO_MEMORY} result was about. */
    NoMemory noMemory() { return noMemory; }

    // ---------------------------------------------------------------- single-stepping (EFLAGS.TF)

    /**
     * The guest may be single-stepping: TF was seen set (an emulated popf or iret set it, or the engine raised a
     * single-step #DB), so each trap reads EFLAGS until one finds TF clear. Reading it on every trap would cost a
     * native call on the hot path for a flag a kernel almost never sets.
     */
    private boolean maybeStepping;
    private boolean stepTrap;

    /** After {@link #trap}: the emulated instruction began with TF set, so a single-step #DB is due after it. */
    boolean stepTrap() { return stepTrap; }

    /**
     * The engine raised a single-step #DB with EIP {@code eip}: is that inside the padding of a rewritten instruction
     * (the nops before its int3), a step the guest's own instruction stream does not have? Such a step is not
     * delivered: the guest sees one #DB, after the emulated instruction ({@link #stepTrap}).
     */
    boolean steppedPadding(int eip) {
        maybeStepping = true;
        int linear = (int) segments.base(X86.SEG_CS) + eip;
        boolean user = (segments.hflags() & 3) == 3;
        ShadowCode shadows = user ? userCode : code;
        long shadow = lookUp(shadows, linear, user);
        return shadow >= 0 && shadows.insidePadding(shadow, linear & 0xFFF);
    }

    /** A linear code page the cache does not know: walk the guest's tables to its RAM page, then find its shadow. */
    private long lookUp(ShadowCode shadows, int linear, boolean user) {
        mem.refresh();
        try {
            return shadows.shadowPageOf(mem.physical(linear, popek.memory.PageWalker.FETCH, user) & ~0xFFFL, segments.codeBits());
        } catch (GuestFault f) {
            return -1;
        }
    }

    /**
     * The instruction's {@code length} original bytes: from RAM where it starts, and through the guest's paging for
     * any part in the next page.
     */
    private void fetch(long physical, int linear, int length) {
        byte[] b = op.bytes;
        int inPage = (int) Math.min(length, ShadowCode.PAGE - (physical & 0xFFF));
        ram.read(physical, b, 0, inPage);
        if (inPage < length) {
            mem.refresh();
            int n = mem.fetch(linear + inPage, tail, length - inPage);
            System.arraycopy(tail, 0, b, inPage, n);
        }
        for (int i = length; i < b.length; i++) b[i] = 0;
    }

    private static final int MAX_INSTRUCTION = 15;
    private final byte[] tail = new byte[MAX_INSTRUCTION];

    SensitiveClass lastClass() { return lastClass; }

    /** The EIP after the last emulated instruction (where an interrupt shadow it left ends). */
    int lastNext() { return op.next(); }

    GuestFault fault() { return fault; }

    String unsupported() { return emulator.unsupported(); }

    @Override
    public void close() {
        ram.watchWrites(null);
        scanner.close();
        arena.close();
    }
}
