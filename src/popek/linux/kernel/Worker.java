package popek.linux.kernel;

import popek.engine.RegisterFile;
import popek.linux.abi.Errno;
import popek.linux.abi.SyscallException;
import popek.linux.platform.Cpu;
import popek.sched.Schedulable;
import popek.sched.Slice;

/**
 * A CPU and the loop that runs tasks on it: pick a runnable task, load it, run it until it blocks, exits or its slice
 * ends, and serve its traps on the way ({@link Cpu.Traps}). System calls that complete at once are served inside the
 * trap and the task continues without leaving Unicorn; one that must wait stops the CPU, and is made again when the
 * task is woken. Before the task returns to its code after a call or a fault, pending signals are delivered.
 */
final class Worker implements Cpu.Traps {
    /** POPEK_STRACE=1: one line per system call (number, arguments, result) and per fault on the kernel's log. */
    private static final boolean STRACE = System.getenv("POPEK_STRACE") != null;
    private final Kernel kernel;
    private final Cpu cpu;
    private final SyscallTable table;
    private final KernelStats stats;
    /** The task running now (inside {@link Cpu#run}), or null. */
    private Task current;
    /** The task whose registers are in the CPU (it may have stopped running; saved only when another is loaded). */
    private Task loaded;

    Worker(Kernel kernel, Cpu cpu) {
        this.kernel = kernel;
        this.cpu = cpu;
        this.table = kernel.syscalls();
        this.stats = kernel.stats();
    }

    Cpu cpu() { return cpu; }

    /** The host scheduler wants the CPU back: the running task leaves at once (the engine's stop). Any thread. */
    void preempt() {
        sliceOver = true;
        cpu.stop();
    }

    /** Set by {@link #preempt}: the slice is over. */
    private volatile boolean sliceOver;

    private void switchTo(Task t) {
        if (loaded == t) return;
        if (loaded != null && loaded.runState != Task.State.DEAD) cpu.save(loaded.state);
        cpu.load(t.state, t.mm.cr3(), t.tls);
        if (t.reloadSegments) {
            cpu.reloadSegments();
            t.reloadSegments = false;
        }
        loaded = t;
        stats.contextSwitches++;
    }

    /** The task left the CPU for good: its registers need not be saved. */
    void forget(Task t) {
        if (loaded == t) loaded = null;
    }

    /**
     * Runs {@code t} on the kernel's CPU for one slice of the host scheduler (the caller holds the kernel's CPU):
     * until it blocks, exits, yields, or the slice ends ({@link #preempt}, or work posted for the kernel). Calls
     * made by sysenter, which stop the engine each, are served within the slice.
     */
    Schedulable.Outcome runSlice(Task t, Slice slice) {
        if (t.runState == Task.State.DEAD) return Schedulable.Outcome.DONE;
        if (t.runState != Task.State.RUNNABLE) return Schedulable.Outcome.BLOCKED;
        sliceOver = false;
        switchTo(t);
        t.runState = Task.State.RUNNING;
        t.cpu = cpu;
        current = t;
        Scheduler s = kernel.scheduler();
        long system = 0;
        try {
            for (;;) {
                long t0 = System.nanoTime();
                boolean runs = prepare(t);
                long t1 = System.nanoTime();
                system += t1 - t0;
                if (!runs) break;
                int err = cpu.run(cpu.regs().eip());
                t.userNanos += System.nanoTime() - t1;
                if (err != 0 && t.runState == Task.State.RUNNING) {
                    kernel.processes().crash(t, "the CPU stopped: " + popek.engine.Unicorn.strerror(err) + " at EIP "
                            + Integer.toHexString(cpu.regs().eip()));
                }
                if (t.runState != Task.State.RUNNING || sliceOver || t.yielded || s.hasPosted()
                        || System.nanoTime() >= slice.end()) {
                    break;
                }
                kernel.recycleFramesIfNeeded(cpu);   // a long slice of sysenter calls frees frames too
            }
        } catch (RuntimeException | Error e) {
            kernel.internalError(t, e);
        } finally {
            current = null;
            t.cpu = null;
            slice.systemNanos = system;
        }
        switch (t.runState) {
            case RUNNING -> {
                t.runState = Task.State.RUNNABLE;
                if (t.yielded) {
                    t.yielded = false;
                    return Schedulable.Outcome.YIELDED;
                }
                t.involuntarySwitches++;
                return Schedulable.Outcome.PREEMPTED;
            }
            case DEAD -> {
                forget(t);
                kernel.recycleSnapshot(t.state);
                return Schedulable.Outcome.DONE;
            }
            case RUNNABLE -> {   // woken again while it was still on the CPU
                return Schedulable.Outcome.PREEMPTED;
            }
            default -> {
                return Schedulable.Outcome.BLOCKED;
            }
        }
    }

    /** What happens before the task's code runs again: a call it waited in, a sysenter call, signals. True if it runs. */
    private boolean prepare(Task t) {
        if (t.dying && t.inSyscall) {
            kernel.processes().exitTask(t, t.group.groupExitStatus, true);
            return false;
        }
        if (t.inSyscall) {   // woken in a call it had to wait in: make it again
            t.resumed = true;
            int r = dispatch(t);
            if (STRACE) trace(t, r);
            return finishSyscall(t, r, false);
        }
        if (t.fastCall != 0) return finishFastCall(t);
        return returnToUser(t, 0, false);
    }

    // ---------------------------------------------------------------- system calls

    @Override
    public void syscall(Cpu c) {
        Task t = current;
        t.args.load(c.regs());
        int r = dispatch(t);
        if (STRACE) trace(t, r);
        finishSyscall(t, r, true);
    }

    private void trace(Task t, int r) {
        SyscallArgs a = t.args;
        kernel.log(String.format("[%d] %s(%x, %x, %x, %x, %x, %x) = %s", t.tid, popek.linux.abi.SyscallNumbers.name(a.nr),
                a.a0, a.a1, a.a2, a.a3, a.a4, a.a5, r == Syscall.BLOCK ? "(blocks)" : r == Syscall.NO_RESULT ? "(no result)"
                        : Errno.isError(r) ? r + " " + Errno.name(-r) : Integer.toString(r) + " (0x" + Integer.toHexString(r) + ")"));
    }

    private int dispatch(Task t) {
        SyscallArgs a = t.args;
        Syscall h = table.lookup(a.nr);
        if (h == null) return SyscallTable.ENOSYS;
        if (!stats.timing) return call(h, t, a);
        long t0 = System.nanoTime();
        int r = call(h, t, a);
        table.addTime(a.nr, System.nanoTime() - t0);
        return r;
    }

    private int call(Syscall h, Task t, SyscallArgs a) {
        try {
            return h.call(t, a);
        } catch (SyscallException e) {
            return -e.errno();
        } catch (RuntimeException e) {
            kernel.internalError(t, popek.linux.abi.SyscallNumbers.name(a.nr), e);
            return -Errno.EIO;
        }
    }

    /**
     * Ends a call: writes its result, delivers signals, and stops the CPU when the task may not go on. Returns true
     * when the task can run its code now.
     */
    private boolean finishSyscall(Task t, int result, boolean inRun) {
        while (result == Syscall.BLOCK) {
            if (t.runState != Task.State.RUNNABLE) {   // asleep: the call is made again when it wakes
                t.inSyscall = true;
                t.voluntarySwitches++;
                if (inRun) cpu.stop();
                return false;
            }
            // Woken before it even left (an event between registering and sleeping): try again now.
            kernel.scheduler().dequeue(t);
            t.runState = Task.State.RUNNING;
            t.resumed = true;
            result = dispatch(t);
        }
        t.inSyscall = false;
        t.resumed = false;
        t.timedOut = false;
        t.progress = 0;
        t.sigwaitSet = 0;
        t.deadline = Long.MAX_VALUE;
        if (t.runState == Task.State.DEAD) {
            if (inRun) cpu.stop();
            return false;
        }
        if (result != Syscall.NO_RESULT) cpu.regs().set(RegisterFile.EAX, result);
        return returnToUser(t, result, inRun);
    }

    /** The last step before the task's own code runs again: TLB, signals, and whether it may run at all. */
    private boolean returnToUser(Task t, int syscallResult, boolean inRun) {
        if (t.mm.takeTlbStale()) cpu.flushTlb();
        if (t.signalPending() || t.group.stopped) kernel.signals().deliver(t, cpu, syscallResult);
        if (t.runState != Task.State.RUNNING) {
            if (inRun) cpu.stop();
            return false;
        }
        if (t.mm.takeTlbStale()) cpu.flushTlb();
        if (inRun && (kernel.scheduler().hasPosted() || t.reschedule)) {
            t.reschedule = false;
            cpu.stop();
        }
        return true;
    }

    // ---------------------------------------------------------------- faults

    /**
     * A sysenter, which Linux serves as its vDSO's {@code __kernel_vsyscall} makes it (ECX, EDX and EBP pushed, ESP
     * copied to EBP): the user stack pointer is EBP, the sixth argument the word there, and the call returns to the
     * fixed landing point in {@link SignalTrampoline}'s page that pops them again, wherever the sysenter was. A stack
     * that cannot be read is EFAULT without a call (the landing point's pops then fault, as on Linux). The engine
     * moves EIP on by 2 after this hook and keeps the lazy flags of the block, so nothing else may be written here:
     * the call is served once the CPU has stopped, exactly as after an {@code int 0x80} at the landing point.
     */
    @Override
    public void sysenter(Cpu c) {
        Task t = current;
        RegisterFile r = c.regs();
        int sp = r.get(RegisterFile.EBP);
        t.args.load(r);
        r.set(RegisterFile.ESP, sp);
        r.setEip((int) (SignalTrampoline.ADDRESS + SignalTrampoline.SYSENTER_RETURN) - 2);
        try {
            t.args.a5 = t.mem.readInt(sp & 0xFFFFFFFFL);
            r.set(RegisterFile.EBP, t.args.a5);
            t.fastCall = Task.FAST_CALL;
        } catch (SyscallException e) {
            t.fastCall = Task.FAST_EFAULT;
        }
        c.stop();
    }

    /** Serves the sysenter call {@link #sysenter} left (the CPU is stopped: EIP is the landing point). */
    private boolean finishFastCall(Task t) {
        boolean call = t.fastCall == Task.FAST_CALL;
        t.fastCall = 0;
        if (t.dying) return returnToUser(t, 0, false);   // its group is exiting: the call is not made
        if (!call) {
            cpu.regs().set(RegisterFile.EAX, -Errno.EFAULT);
            return returnToUser(t, -Errno.EFAULT, false);
        }
        int r = dispatch(t);
        if (STRACE) trace(t, r);
        return finishSyscall(t, r, false);
    }

    @Override
    public void exception(Cpu c, int vector, int errorCode, int address, boolean software) {
        Task t = current;
        if (STRACE) kernel.log(String.format("[%d] exception %d error %x address %08x at EIP %08x", t.tid, vector, errorCode, address, c.regs().eip()));
        try {
            if (vector == 14 && kernel.faults().resolve(t, address, errorCode)) return;
            if (vector != 14) kernel.faults().signalFor(t, c, vector, errorCode, software);
        } catch (RuntimeException e) {
            // A fault Popek cannot serve would come back at once, for ever: the process dies instead.
            kernel.internalError(t, "a page fault at " + Integer.toHexString(address), e);
            kernel.processes().crash(t, "internal error serving a fault");
            c.stop();
            return;
        }
        returnToUser(t, 0, true);
    }
}
