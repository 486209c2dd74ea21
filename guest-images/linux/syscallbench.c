/* syscallbench: Linux system-call micro-benchmarks, timed inside the program so that a kernel's start-up cost is not
 * counted: `syscallbench WHAT N [PATH]` prints "WHAT N total_ns ns_per_op".
 *   getpid  N getpid calls (the null system call)
 *   read    N one-byte reads from /dev/zero
 *   fork    N fork + _exit + wait4
 *   exec    N fork + execve(PATH, or this program with "exit") + wait4
 *   pipe    N one-byte round trips to a child over two pipes
 *   exit    exits at once (the program exec measures) */
#include "t.h"

static uint64_t now(void) {
    unsigned int ts[2];
    sys2(SYS_clock_gettime, 1, ts);
    return (uint64_t)ts[0] * 1000000000ULL + ts[1];
}

static long atol_(const char *s) { long v = 0; while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0'); return v; }

static int wait_child(int pid) { int st = 0; sys4(SYS_wait4, pid, &st, 0, 0); return st; }

int main(int argc, char **argv, char **envp) {
    if (argc >= 2 && !strcmp(argv[1], "exit")) return 0;
    if (argc < 3) { dprintf(2, "usage: syscallbench getpid|read|fork|exec|pipe N [PATH]\n"); return 2; }
    const char *what = argv[1];
    long n = atol_(argv[2]);
    uint64_t t0 = now();
    if (!strcmp(what, "getpid")) {
        for (long i = 0; i < n; i++) sys0(SYS_getpid);
    } else if (!strcmp(what, "read")) {
        int fd = (int)sys2(SYS_open, "/dev/zero", 0);
        if (fd < 0) { dprintf(2, "syscallbench: /dev/zero: error %d\n", fd); return 1; }
        char c;
        t0 = now();
        for (long i = 0; i < n; i++) sys3(SYS_read, fd, &c, 1);
    } else if (!strcmp(what, "fork")) {
        for (long i = 0; i < n; i++) {
            int pid = (int)sys0(SYS_fork);
            if (pid == 0) sys1(SYS_exit, 0);
            wait_child(pid);
        }
    } else if (!strcmp(what, "exec")) {
        const char *path = argc > 3 ? argv[3] : argv[0];
        char *args[] = {(char *)path, argc > 3 ? NULL : "exit", NULL};
        for (long i = 0; i < n; i++) {
            int pid = (int)sys0(SYS_fork);
            if (pid == 0) { sys3(SYS_execve, path, args, envp); sys1(SYS_exit, 127); }
            if (wait_child(pid) != 0) { dprintf(2, "syscallbench: %s did not exit 0\n", path); return 1; }
        }
    } else if (!strcmp(what, "pipe")) {
        int to[2], from[2];
        sys1(SYS_pipe, to);
        sys1(SYS_pipe, from);
        int pid = (int)sys0(SYS_fork);
        char c = 'x';
        if (pid == 0) {
            sys1(SYS_close, to[1]);
            sys1(SYS_close, from[0]);
            while (sys3(SYS_read, to[0], &c, 1) == 1) sys3(SYS_write, from[1], &c, 1);
            sys1(SYS_exit, 0);
        }
        sys1(SYS_close, to[0]);
        sys1(SYS_close, from[1]);
        t0 = now();
        for (long i = 0; i < n; i++) { sys3(SYS_write, to[1], &c, 1); sys3(SYS_read, from[0], &c, 1); }
        uint64_t t1 = now();
        sys1(SYS_close, to[1]);
        wait_child(pid);
        printf("%s %ld %llu %llu\n", what, n, t1 - t0, n ? (t1 - t0) / (uint64_t)n : 0);
        return 0;
    } else {
        dprintf(2, "syscallbench: unknown benchmark %s\n", what);
        return 2;
    }
    uint64_t t1 = now();
    printf("%s %ld %llu %llu\n", what, n, t1 - t0, n ? (t1 - t0) / (uint64_t)n : 0);
    return 0;
}
