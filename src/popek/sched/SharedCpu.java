package popek.sched;

import java.util.ArrayList;

/**
 * One CPU that several entities take turns on: a container's kernel has one Unicorn engine for all its tasks, so at
 * most one of them runs at a time. While one holds it, the others wait off the run queues (they cannot run anyway,
 * so they neither hold a worker nor count for their groups); its owner does its own housekeeping when the CPU is
 * taken and given back ({@link Owner}). Guarded by the scheduler's lock.
 */
public final class SharedCpu {
    /** The kernel that owns the CPU: work it does on the worker that takes the CPU, outside the scheduler's lock. */
    public interface Owner {
        /** A worker took the CPU to run {@code next} (work posted by host threads, timers that came due). */
        void taken();

        /** The worker gives the CPU back. */
        void given();
    }

    final Owner owner;
    /** The entity running on it, or null. */
    Entity holder;
    /** Its runnable entities that are not running (each also on its group's queue while the CPU is free). */
    final ArrayList<Entity> runnable = new ArrayList<>();

    public SharedCpu(Owner owner) { this.owner = owner; }

    /** True while one of its entities runs. Any thread (a racy look). */
    public boolean busy() { return holder != null; }
}
