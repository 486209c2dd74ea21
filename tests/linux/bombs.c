/* bombs: what cgroup limits must contain, each ending by itself so a test can check how it ended.
 *   bombs fork          a fork bomb: every process forks until fork fails, then all wait at a gate; the first
 *                       process reports pids.current and pids.events, opens the gate, reaps them all and exits 0.
 *   bombs mem MIB       touches MIB MiB of anonymous memory a MiB at a time, saying so after each; exits 0 if it got
 *                       there (under a smaller memory.max it is OOM-killed on the way).
 *   bombs work MIB N    a neighbour's honest work: touches MIB MiB, says "ready", waits for a line (or the end) on
 *                       its standard input, then forks N children that sum its first MiB and checks what they found.
 *   bombs maps          maps one-page areas (never mergeable: alternating protections), side by side at fixed
 *                       addresses from 256 MiB up, until mmap refuses. */
#include "t.h"

enum { EAGAIN = 11, ECHILD = 10, PROT_RW = 3, MAP_PRIVATE_ANON = 0x22, MIB = 1 << 20, PAGE = 4096 };

struct timespec { long sec, nsec; };

static void nap(long ns) { struct timespec t = {0, ns}; sys2(SYS_nanosleep, &t, 0); }

/* The first line of a cgroup file, as a number after an optional key ("max 3" reads 3); -1 if unreadable. */
static long cgroup_value(const char *name) {
    char path[128], buf[64];
    snprintf(path, sizeof path, "/sys/fs/cgroup/%s", name);
    int fd = (int)sys2(SYS_open, path, 0);
    if (fd < 0) return -1;
    long n = sys3(SYS_read, fd, buf, sizeof buf - 1);
    sys1(SYS_close, fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    char *p = buf;
    while (*p && (*p < '0' || *p > '9')) p++;
    long v = 0;
    while (*p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
    return v;
}

static void reap_all(void) {
    int st;
    while (sys4(SYS_wait4, -1, &st, 0, 0) > 0) { }
}

static int fork_bomb(void) {
    int gate[2];
    if (sys1(SYS_pipe, gate) < 0) return 2;
    int me = (int)sys0(SYS_getpid), error = 0;
    for (;;) {
        long pid = sys0(SYS_fork);
        if (pid == 0) {
            if (sys0(SYS_getpid) != me) sys1(SYS_close, gate[1]);   /* only the first process holds the gate */
            continue;                                             /* the child bombs on */
        }
        if (pid < 0) {
            error = (int)-pid;
            break;
        }
    }
    if (sys0(SYS_getpid) != me) {
        char c;
        sys3(SYS_read, gate[0], &c, 1);   /* until the gate opens: every write end closed */
        reap_all();
        sys1(SYS_exit, error == EAGAIN ? 0 : 100 + error);
    }
    /* Wait (bounded) for the tree to fill up: pids.current stops moving at pids.max. */
    long limit = cgroup_value("pids.max"), now = -1;
    for (int i = 0; i < 5000 && (now = cgroup_value("pids.current")) < limit; i++) nap(1000000);
    nap(20000000);
    printf("first fork error %d\n", error);
    printf("pids.current %ld of pids.max %ld\n", cgroup_value("pids.current"), limit);
    printf("pids.events max>0 %d\n", cgroup_value("pids.events") > 0);
    sys1(SYS_close, gate[1]);
    int bad = 0, st;
    long r;
    while ((r = sys4(SYS_wait4, -1, &st, 0, 0)) > 0) if (st != 0) bad++;
    printf("reaped all: %s, children failing: %d\n", r == -ECHILD ? "yes" : "no", bad);
    printf("pids.current after %ld\n", cgroup_value("pids.current"));
    return 0;
}

static char *touch(int mib) {
    char *first = 0;
    for (int i = 0; i < mib; i++) {
        char *p = (char *)syscall6(SYS_mmap2, 0, MIB, PROT_RW, MAP_PRIVATE_ANON, -1, 0);
        if ((unsigned int)p > 0xfffff000u) { printf("mmap failed %d\n", -(int)(long)p); return 0; }
        if (!first) first = p;
        for (int off = 0; off < MIB; off += PAGE) p[off] = (char)(i + off / PAGE);
        printf("touched %d MiB\n", i + 1);
    }
    return first;
}

static int work(int mib, int children) {
    char *p = touch(mib);
    if (!p) return 3;
    printf("ready\n");
    char c;
    while (sys3(SYS_read, 0, &c, 1) == 1 && c != '\n') { }
    long want = 0;
    for (int off = 0; off < MIB; off += PAGE) want += p[off];
    for (int c = 0; c < children; c++) {
        if (sys0(SYS_fork) == 0) {
            long sum = 0;
            for (int off = 0; off < MIB; off += PAGE) sum += p[off];
            sys1(SYS_exit, sum == want ? 0 : 1);
        }
    }
    int st, bad = 0;
    while (sys4(SYS_wait4, -1, &st, 0, 0) > 0) if (st != 0) bad++;
    printf("work done: %d children, %d bad\n", children, bad);
    return bad ? 4 : 0;
}

static int maps(void) {
    int n = 0;
    long r;
    for (;;) {
        r = syscall6(SYS_mmap2, 0x10000000 + n * PAGE, PAGE, (n & 1) ? 1 : PROT_RW, MAP_PRIVATE_ANON | 0x10 /* MAP_FIXED */, -1, 0);
        if ((unsigned long)r > 0xfffff000ul) break;
        n++;
    }
    printf("mmap refused with %d after %d areas\n", -(int)r, n);
    return 0;
}

static int number(const char *s) { int v = 0; while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0'); return v; }

int main(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc >= 2 && !strcmp(argv[1], "fork")) return fork_bomb();
    if (argc >= 3 && !strcmp(argv[1], "mem")) return touch(number(argv[2])) ? 0 : 3;
    if (argc >= 2 && !strcmp(argv[1], "maps")) return maps();
    if (argc >= 4 && !strcmp(argv[1], "work")) return work(number(argv[2]), number(argv[3]));
    printf("usage: bombs fork | mem MIB | work MIB N | maps\n");
    return 2;
}
