package popek.cpu;

import java.util.concurrent.CountDownLatch;

import popek.sched.Entity;
import popek.sched.HostScheduler;
import popek.sched.Schedulable;
import popek.sched.Slice;

/**
 * A vCPU run by the host scheduler, a slice at a time: each slice goes round the vCPU's run loop until the slice
 * ends (the scheduler's stop of the engine, the one a device deadline uses), the guest halts with nothing to do
 * ({@code hlt}, a para guest's BLOCK: the entity blocks, costing no worker, until the timer thread's kick for its
 * next interrupt or deadline wakes it), or the machine stops. Its CPU time is what its slices used, so the CPU-time
 * clock sees the guest's own time whichever workers ran it.
 */
public final class ScheduledVcpu implements Schedulable, VcpuHost {
    private final Vcpu vcpu;
    private final int eip;
    private final boolean measure;
    private final CountDownLatch done = new CountDownLatch(1);
    private Entity entity;
    private HostScheduler host;
    private boolean started;
    private volatile boolean sliceOver;
    private volatile StopReason result;
    private volatile Throwable failure;
    // the worker running it now, CPU time of the slices before, and that worker's CPU time at the slice's start
    private Thread worker;
    private long cpuBefore, sliceCpuStart;

    /** The vCPU {@code vcpu}, to run from {@code eip}. */
    public ScheduledVcpu(Vcpu vcpu, int eip) {
        this.vcpu = vcpu;
        this.eip = eip;
        this.measure = vcpu.clock().followsCpuTime();
    }

    /** Puts it on {@code h} as {@code e} (an entity made with this as its work). */
    public void start(HostScheduler h, Entity e) {
        host = h;
        entity = e;
        h.wake(e);
    }

    /** True once the machine has stopped. */
    public boolean finished() { return result != null; }

    /** Waits until the machine has stopped; returns why. */
    public StopReason await() {
        boolean interrupted = false;
        while (result == null) {
            try {
                done.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        Throwable f = failure;
        if (f instanceof RuntimeException r) throw r;
        if (f instanceof Error e) throw e;
        return result;
    }

    @Override
    public Outcome run(Slice slice) {
        if (result != null) return Outcome.DONE;
        synchronized (this) {
            worker = Thread.currentThread();
            if (measure) sliceCpuStart = THREADS.getCurrentThreadCpuTime();
        }
        sliceOver = false;
        try {
            if (!started) {
                started = true;
                vcpu.begin(eip, this);
            }
            for (;;) {
                if (vcpu.pass() == RunState.STOPPED) return stopped(vcpu.finish());
                if (vcpu.idleNow()) return Outcome.BLOCKED;
                if (sliceOver || System.nanoTime() >= slice.end()) return Outcome.PREEMPTED;
            }
        } catch (RuntimeException | Error e) {
            failure = e;   // thrown again to the caller of await, as a vCPU on its own thread would throw it
            vcpu.requestStop(new StopReason(StopReason.Cause.INTERNAL_ERROR, "internal error: " + e));
            return stopped(vcpu.finish());
        } finally {
            synchronized (this) {
                if (measure) cpuBefore += THREADS.getCurrentThreadCpuTime() - sliceCpuStart;
                worker = null;
            }
        }
    }

    private Outcome stopped(StopReason why) {
        result = why;
        done.countDown();
        HostScheduler h = host;
        if (h != null) h.poke();
        return Outcome.DONE;
    }

    @Override
    public void preempt() {
        sliceOver = true;
        vcpu.stopForScheduler();
    }

    // ---------------------------------------------------------------- VcpuHost

    @Override
    public void wakeVcpu() {
        HostScheduler h = host;
        if (h != null) h.wake(entity);
    }

    @Override
    public boolean sleeping() { return entity.state() == Entity.State.BLOCKED; }

    @Override
    public synchronized long cpuNanos() {
        Thread w = worker;
        if (w == null) return cpuBefore;
        long now = w == Thread.currentThread() ? THREADS.getCurrentThreadCpuTime() : THREADS.getThreadCpuTime(w.threadId());
        return cpuBefore + Math.max(0, now - sliceCpuStart);
    }

    @Override
    public boolean onVcpu() { return Thread.currentThread() == worker; }
}
