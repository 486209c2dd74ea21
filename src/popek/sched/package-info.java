/**
 * The host scheduler: one policy for every container task and VM vCPU, on a pool of worker threads.
 *
 * <h2>The policy, and why</h2>
 * Linux's CFS with group scheduling (EEVDF keeps its weighting and adds deadlines), on one run queue that every
 * worker shares, as Xen's credit2 shares one run queue among the CPUs of a socket:
 * <ul>
 *   <li><b>Weighted fair shares over the cgroup tree.</b> Each cgroup keeps a queue of its runnable children (tasks,
 *       vCPUs, child groups) ordered by virtual runtime; the next entity is the least-vruntime node taken level by
 *       level from the root. Running {@code d} ns adds {@code d * 100 / weight} to the entity and to each of its
 *       groups (a group's weight is its {@code cpu.weight}), so siblings share by weight at every level whatever
 *       the number of tasks under each: a container with ten threads gets no more than one with one. This is CFS's
 *       hierarchy; credit2 has only a flat list of domains with weights, which cannot express nested cgroups.</li>
 *   <li><b>One shared queue, not one per worker.</b> CFS keeps a queue per CPU and balances load between them
 *       every few milliseconds, which makes shares across CPUs approximate; credit2 shares one queue per socket
 *       because migrating between cores of one cache is cheap. Popek's workers are threads of one process on a few
 *       cores: one queue under one lock gives exact global shares and no balancing, and the lock is taken once per
 *       slice, not per instruction or system call.</li>
 *   <li><b>Placement on wake-up.</b> A waking entity (or group) is placed at most {@link FairPolicy#SLEEPER_CREDIT}
 *       (3 ms, CFS's half of its 6 ms latency) behind its queue's least vruntime: a task that slept cannot hoard
 *       the CPU afterwards, yet it is ahead of the hogs. Running entities are charged up to the present before any
 *       placement (CFS's {@code update_curr}), so a group appearing during a long slice is placed where the runner
 *       is now.</li>
 *   <li><b>Wake-up preemption.</b> A woken entity preempts the running one that is furthest ahead of it in vruntime,
 *       compared where their paths from the root meet, if by more than {@link FairPolicy#WAKEUP_GRANULARITY}
 *       (1 ms, CFS's): a shell waiting for a key preempts a hog at once, while hogs do not preempt each other.</li>
 *   <li><b>The slice</b> is {@link FairPolicy#SLICE} = 4 ms while anything else waits: EEVDF's base slice is
 *       0.75 ms x (1 + log2 CPUs), 3 ms from 8 CPUs up, and credit2 caps a run at 10 ms. A switch here costs a few
 *       microseconds of the scheduler's own work (bench sched measured a median of 5 to 20 us per switch on a
 *       2-core host loaded 10 deep by other work), a fraction of a percent of 4 ms, while weights are met within a
 *       few slices. An entity nothing waits for runs a lone slice (1 s), cut to 4 ms after its start as soon as
 *       something else becomes runnable.</li>
 *   <li><b>Time charged</b> is host time from a slice's start to its end, as CFS charges its run queue's clock:
 *       on a host so loaded that it takes a worker away mid-slice, that time is charged too (Linux subtracts a
 *       hypervisor's steal time; the thread's own CPU time would cost two ~1 us system calls a switch, on every
 *       blocking system call).</li>
 *   <li><b>Preemption</b> at a slice's end is the engine's stop ({@code uc_emu_stop}), the same mechanism a VM's run
 *       loop uses to come back for a device deadline. Unicorn loses a stop that lands between two runs, so the
 *       timer thread asks again every 200 us until the run has returned.</li>
 *   <li><b>cpu.max</b> is a runtime budget per period per group (cgroup-v2.rst): at each period's start the quota is
 *       refilled (an overrun is paid back first, unused time is not carried over, as Linux without burst); a slice
 *       never exceeds what its groups have left, so a group runs out exactly at a slice's end and leaves its
 *       parent's queue (throttled) until its next period. {@code nr_periods} counts the periods in which the group
 *       ran or was throttled (Linux's period timer sleeps in an idle group), {@code nr_throttled} each throttling,
 *       {@code throttled_usec} the time from throttling to the refill that ends it.</li>
 *   <li><b>Blocked entities cost nothing.</b> A task in a system call that waits, a vCPU in {@code hlt} or a para
 *       guest's {@code HC_BLOCK}, is off every queue and every worker until woken (by an event, or by its timeout on
 *       the timer thread).</li>
 *   <li><b>Shared CPUs.</b> A container's kernel has one Unicorn engine for all its tasks ({@link SharedCpu}), so at
 *       most one of them runs at a time; while one holds it the others wait off the queues, so they neither hold a
 *       worker nor count for their group. Giving a kernel more engines would need its system-call layer to run on
 *       several threads at once (locks throughout, TLB shootdowns between engines); a container's parallelism is one
 *       CPU, and weights between containers are met across workers (bench sched's "two containers each").</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * {@link HostScheduler} runs the policy ({@link FairPolicy}, which has no threads and takes the time as an argument,
 * so {@code FairPolicyTest} drives it with a simulated clock) on its workers, with a timer thread for slice ends,
 * timeouts and cpu.max periods. A caller may lend its own thread as a worker ({@link HostScheduler#runHere}): a lone
 * {@code popek run} or {@code popek boot} runs that way, on its own thread, as before. An engine may be run by one
 * worker and then another: Unicorn 2.1 keeps no per-thread state for an engine (QEMU's thread-local
 * {@code current_cpu} and {@code tcg_ctx} are fields of {@code uc_struct} there; {@code EngineThreadsTest}).
 * {@code POPEK_SCHED_TRACE=1} prints one line per slice.
 */
package popek.sched;
