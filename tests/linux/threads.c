/* threads: TLS through set_thread_area and %gs, clone threads with CLONE_SETTLS/CHILD_CLEARTID, futex wait/wake/
 * timeouts, a futex ping-pong, tgkill to a thread, exit_group from a thread. */
#include "t.h"

enum { CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800, CLONE_THREAD = 0x10000,
       CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000, CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000 };
#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | \
                      CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)
enum { FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_PRIVATE = 128 };

struct user_desc { unsigned int entry, base, limit, flags; };

static unsigned int gs_read(void) { unsigned int v; __asm__ volatile("movl %%gs:0, %0" : "=r"(v)); return v; }

static int futex(volatile int *addr, int op, int val, void *timeout) { return (int)sys4(SYS_futex, addr, op, val, timeout); }

static void join(volatile int *ctid) {
    int v;
    while ((v = *ctid) != 0) futex(ctid, FUTEX_WAIT, v, 0);
}

static unsigned int tls_main[4] = {0x11111111, 0, 0, 0};

static void tls(void) {
    struct user_desc d = {(unsigned int)-1, (unsigned int)tls_main, 0xfffff, 0x51};
    CHECK_EQ(sys1(SYS_set_thread_area, &d), 0, "set_thread_area picks a free TLS entry");
    CHECK_EQ(d.entry, 6, "the first is GDT entry 6");
    unsigned int sel = (d.entry << 3) | 3;
    __asm__ volatile("movl %0, %%gs" : : "r"(sel));
    CHECK_EQ(gs_read(), 0x11111111, "%gs:0 reads the TLS block");
    struct user_desc q = {6, 0, 0, 0};
    sys1(SYS_get_thread_area, &q);
    CHECK_EQ(q.base, (unsigned int)tls_main, "get_thread_area reads back the base");
    CHECK_EQ(q.flags & 0x51, 0x51, "and the flags");
    struct user_desc bad = {3, 0, 0, 0x51};
    CHECK_EQ(sys1(SYS_set_thread_area, &bad), -22, "an entry outside 6..8 is EINVAL");
}

static volatile int shared_counter, thread_tid_seen, thread_gs;
static volatile int ptid, ctid;
static unsigned int tls_thread[4] = {0x22222222, 0, 0, 0};

static int worker(void *arg) {
    shared_counter += (int)arg;
    thread_gs = (int)gs_read();
    thread_tid_seen = (int)sys0(SYS_gettid);
    return 0;
}

static char stacks[4][16384] __attribute__((aligned(16)));

static void threads(void) {
    struct user_desc d = {6, (unsigned int)tls_thread, 0xfffff, 0x51};
    ctid = -1;
    int tid = t_clone(THREAD_FLAGS, stacks[0] + sizeof stacks[0], (int *)&ptid, &d, (int *)&ctid, worker, (void *)5);
    CHECK(tid > 0, "clone makes a thread");
    CHECK_EQ(ptid, tid, "CLONE_PARENT_SETTID wrote its tid");
    join(&ctid);
    CHECK_EQ(ctid, 0, "CLONE_CHILD_CLEARTID cleared the word and woke the joiner when it exited");
    CHECK_EQ(shared_counter, 5, "the thread wrote the shared memory");
    CHECK_EQ(thread_gs, 0x22222222, "the thread saw its own TLS through %gs");
    CHECK_EQ(gs_read(), 0x11111111, "the creator still sees its own");
    CHECK_EQ(thread_tid_seen, tid, "gettid in the thread is its tid");
    CHECK(tid != sys0(SYS_gettid), "which is not the creator's");
}

static void futexes(void) {
    volatile int word = 1;
    CHECK_EQ(futex(&word, FUTEX_WAIT | FUTEX_PRIVATE, 2, 0), -11, "FUTEX_WAIT on a changed word: EAGAIN");
    unsigned int ts[2] = {0, 20000000};
    CHECK_EQ(futex(&word, FUTEX_WAIT | FUTEX_PRIVATE, 1, ts), -110, "FUTEX_WAIT with a timeout: ETIMEDOUT");
    CHECK_EQ(futex(&word, FUTEX_WAKE | FUTEX_PRIVATE, 1, 0), 0, "FUTEX_WAKE with no waiter wakes 0");
    CHECK_EQ(futex((int *)2, FUTEX_WAIT, 0, 0), -22, "a misaligned futex word: EINVAL");
    CHECK_EQ(futex((int *)16, FUTEX_WAIT, 0, 0), -14, "an unmapped futex word: EFAULT");
}

static volatile int turn, rounds_done;

static int ponger(void *arg) {
    (void)arg;
    for (int i = 0; i < 1000; i++) {
        while (turn != 1) futex(&turn, FUTEX_WAIT, 0, 0);
        turn = 0;
        futex(&turn, FUTEX_WAKE, 1, 0);
    }
    return 0;
}

static void pingpong(void) {
    struct user_desc d = {6, (unsigned int)tls_thread, 0xfffff, 0x51};
    ctid = -1;
    t_clone(THREAD_FLAGS, stacks[1] + sizeof stacks[1], (int *)&ptid, &d, (int *)&ctid, ponger, 0);
    for (int i = 0; i < 1000; i++) {
        turn = 1;
        futex(&turn, FUTEX_WAKE, 1, 0);
        while (turn != 0) futex(&turn, FUTEX_WAIT, 1, 0);
        rounds_done++;
    }
    join(&ctid);
    CHECK_EQ(rounds_done, 1000, "1000 futex ping-pong rounds between two threads");
}

static volatile int handled_in;
struct ksigaction { void *handler; unsigned int flags; void *restorer; unsigned int mask[2]; };
void t_restore(void);
static void on_usr1(int sig) { (void)sig; handled_in = (int)sys0(SYS_gettid); }
static volatile int waiting_tid, release;

static int sleeper(void *arg) {
    (void)arg;
    waiting_tid = (int)sys0(SYS_gettid);
    while (!release) futex(&release, FUTEX_WAIT, 0, 0);
    return 0;
}

static void tgkill(void) {
    struct ksigaction a = {on_usr1, 0x04000000, t_restore, {0, 0}};
    sys4(SYS_rt_sigaction, 10, &a, 0, 8);
    struct user_desc d = {6, (unsigned int)tls_thread, 0xfffff, 0x51};
    ctid = -1;
    t_clone(THREAD_FLAGS, stacks[2] + sizeof stacks[2], (int *)&ptid, &d, (int *)&ctid, sleeper, 0);
    while (!waiting_tid) sys0(158 /* sched_yield */);
    CHECK_EQ(sys3(SYS_tgkill, sys0(SYS_getpid), waiting_tid, 10), 0, "tgkill to a thread");
    while (!handled_in) sys0(158);
    CHECK_EQ(handled_in, waiting_tid, "the handler ran in that thread (its futex wait interrupted)");
    release = 1;
    futex(&release, FUTEX_WAKE, 1, 0);
    join(&ctid);
    CHECK_EQ(sys3(SYS_tgkill, sys0(SYS_getpid), 99999, 10), -3, "tgkill to no such thread: ESRCH");
}

static int exiter(void *arg) { (void)arg; sys1(SYS_exit_group, 7); return 0; }

static void exit_group_from_thread(void) {
    int pid = (int)sys0(SYS_fork);
    if (pid == 0) {
        struct user_desc d = {6, (unsigned int)tls_thread, 0xfffff, 0x51};
        t_clone(THREAD_FLAGS, stacks[3] + sizeof stacks[3], (int *)&ptid, &d, (int *)&ctid, exiter, 0);
        for (;;) sys0(SYS_pause);
    }
    int st;
    sys4(SYS_wait4, pid, &st, 0, 0);
    CHECK_EQ(st, 7 << 8, "exit_group in a thread ends the whole process with its status");
}

int main(int argc, char **argv, char **envp) {
    (void)argc; (void)argv; (void)envp;
    tls();
    threads();
    futexes();
    pingpong();
    tgkill();
    exit_group_from_thread();
    printf("%d failures\n", t_failures);
    return t_failures != 0;
}
