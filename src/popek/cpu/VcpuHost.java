package popek.cpu;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.locks.LockSupport;

/**
 * What runs a vCPU's loop: a thread of its own ({@link #thread}), or the host scheduler's workers, a slice at a time
 * ({@link ScheduledVcpu}). The timer thread and the CPU-time clock ask it how to wake a halted vCPU, whether the vCPU
 * sleeps, and how much CPU time it has had.
 */
interface VcpuHost {
    ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Makes a halted vCPU go round its run loop again (a kick came: an interrupt, a deadline, a stop). Any thread. */
    void wakeVcpu();

    /** Is the vCPU halted and off any CPU? (Then a clock that skips idle time may jump.) */
    boolean sleeping();

    /** CPU time the vCPU has had, ns (from any origin: only differences count); -1 once its thread has ended. */
    long cpuNanos();

    /** Is the calling thread the one running the vCPU now? */
    boolean onVcpu();

    /** A vCPU on a thread of its own, parked while halted. */
    static VcpuHost thread(Thread t) {
        long id = t.threadId();
        return new VcpuHost() {
            @Override public void wakeVcpu() { LockSupport.unpark(t); }

            @Override public boolean sleeping() {
                Thread.State s = t.getState();
                return s == Thread.State.TIMED_WAITING || s == Thread.State.WAITING;
            }

            @Override public long cpuNanos() {
                return Thread.currentThread() == t ? THREADS.getCurrentThreadCpuTime() : THREADS.getThreadCpuTime(id);
            }

            @Override public boolean onVcpu() { return Thread.currentThread() == t; }
        };
    }
}
