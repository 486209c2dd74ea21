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
        if (!ram.contains(physical, ShadowCode.PAGE)) return physical;   // no RAM there: the fetch fails as it would
        ShadowCode shadows = user ? userCode : code;
        long shadow = shadows.shadowOf(physical, segments.codeBits());
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

    /** Is this guest-physical page one of the shadows? (The MMU never lets the guest read or write them.) */
    boolean isShadow(long physical) { return code.inPool(physical) || userCode.inPool(physical); }

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
        int csBase = (int) segments.base(X86.SEG_CS);
        boolean user = (segments.hflags() & 3) == 3;
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
        int site = shadows.siteAt(pageStart + (linear & 0xFFF));
        if (site < 0) return TrapResult.NOT_A_SITE;
        ScanResult scan = shadows.scanOf(pageStart);
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
        try {
            fetch(pageStart + offset, start, length);
            op.decode(start - csBase, (segments.hflags() & CpuContext.HF_CS32) != 0);
            return emulator.emulate(lastClass, eipAfter);
        } catch (GuestFault f) {
            uc.setReg(X86.EIP, start - csBase);
            return TrapResult.FAULTED;
        }
    }

    /** A linear code page the cache does not know: walk the guest's tables to its RAM page, then find its shadow. */
    private long lookUp(ShadowCode shadows, int linear, boolean user) {
        mem.refresh();
        try {
            return shadows.shadowPageOf(mem.physical(linear, popek.memory.PageWalker.FETCH, user) & ~0xFFFL);
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
