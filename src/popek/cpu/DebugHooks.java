package popek.cpu;

/**
 * What the vCPU asks of a debugger attached to it ({@link VcpuBuilder#debug}): at the run loop's edges, in the trap
 * path, and in the shadow MMU's translations. Without a debugger nothing here is called; with one that has no
 * breakpoint, watchpoint or step pending, each call returns at once, and the shadow MMU is not asked at all (see
 * {@link DebugPort#translateThroughDebugger}). Every call comes on the vCPU thread.
 */
public interface DebugHooks {
    /** The vCPU is built: what the debugger may use of it. Called once, before the run. */
    void attach(DebugPort port);

    /**
     * At the start of every pass of the run loop, between runs: the debugger may hold the vCPU here (the guest is
     * stopped for it) until it lets it go on. {@code halted}: the guest waits in {@code hlt}.
     */
    void atPass(boolean halted);

    /** Should the loop deliver no event now? (A single step never enters an interrupt handler unless asked to.) */
    boolean holdEvents(boolean halted);

    /** The loop delivered an event (an external interrupt, or a para guest's upcall). */
    void delivered();

    /** Just before guest code runs: false to skip this run (the debugger stops the vCPU at the next pass). */
    boolean beforeRun();

    /** A run returned without an engine error: true if the debugger stopped it (so it did not end in a hlt). */
    boolean afterRun();

    /**
     * A run ended on a translation the shadow MMU refused. True: the debugger refused it (an access to a watched page)
     * and takes care of it. False: it is the guest's own page fault, which the caller delivers next, followed by
     * {@link #trapHandled}{@code (true)}.
     */
    boolean refusedByDebugger();

    /**
     * The engine raised exception or interrupt {@code vector}. True when it is the debugger's own (its breakpoint, or
     * the debug trap that ends a single step) and must not reach the guest; otherwise the caller handles it and then
     * calls {@link #trapHandled}. Inside the engine.
     */
    boolean intercept(int vector);

    /**
     * The guest's own exception, interrupt or rewritten instruction was handled. {@code completed} is false when a
     * rewritten instruction will run again (it let a waiting interrupt go first). Inside the engine.
     */
    void trapHandled(boolean completed);

    /**
     * A translation for fetching code from linear page {@code linearPage}, whose code the engine would run from
     * guest-physical page {@code runFrom} (RAM page {@code ramPage}, or its shadow in full mode): returns the page to
     * run from instead (one with the debugger's breakpoints in it), or {@code runFrom}. Inside the TLB-fill hook.
     */
    long codePage(long linearPage, long runFrom, long ramPage);

    /**
     * A translation for reading ({@code write} false) or writing linear page {@code linearPage}, RAM page
     * {@code ramPage}, with {@code perms} ({@link popek.engine.Hooks.TlbFill} bits): returns the permissions to
     * install, or -1 to refuse it (a watched page; the run then ends and {@link #refusedByDebugger} says so). Inside
     * the TLB-fill hook.
     */
    int dataPermissions(long linearPage, long ramPage, boolean write, int perms);

    /** The run is over, for {@code reason} (null if Popek itself failed). */
    void finished(StopReason reason);
}
