/* sysfuzz: random Linux system calls, for `popek fuzz --target syscalls`. `sysfuzz SEED COUNT` makes COUNT calls
 * with numbers and arguments drawn from SEED: small and edge integers, file descriptors, pointers into its own
 * scratch memory (some holding paths, including ones that try to leave the container's root), and pointers it may
 * not use. A few calls are left out or tamed, because they would take away what ends a run (SIGALRM after two
 * seconds: alarm, itimers, signal dispositions and masks, sigreturn) or end it at once (exit, execve, fork, which
 * would leave the run waiting for children; stop signals). What the run must never do is read the file the fuzzer
 * left outside the container: every successful call is followed by a look through the scratch memory for its
 * marker, and finding it prints "ESCAPE" and exits 99. The last line, on a descriptor the calls are unlikely to hit,
 * says how many calls were made. */
#include "t.h"

#define SCRATCH 65536
#define REPORT_FD 999
static unsigned char scratch[SCRATCH];
static unsigned int state;

static unsigned int next(void) {   /* xorshift32 */
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

static const char *const paths[] = {
    "/", ".", "..", "/etc/passwd", "/etc", "/tmp", "/tmp/f", "f", "d/e", "/proc/self/root/../../..", "/proc/self/cwd/..",
    "/proc/1/root/..", "/proc/self/fd/0", "/proc/self/exe", "/proc/self/maps", "/dev/null", "/dev/zero", "/dev/tty",
    "/../../../../..", "../../../..", "/up", "/up/secret.txt", "/loop", "/sys/fs/cgroup", "/proc", "", "/sysfuzz",
    "/tmp/../../..", "/proc/self/ns/mnt", "/proc/self/mounts", "/dev/pts/0", "/dev/ptmx", "/abs", "/abs/..", "/up/../up/./secret.txt",
};
#define NPATHS (sizeof paths / sizeof paths[0])

/* Numbers left out: exit(1), fork(2), execve(11), alarm(27), pause(29), signal(48), sigaction(67), sigsuspend(72),
 * setitimer(104), sigreturn(119), clone(120), sigprocmask(126), rt_sigreturn(173), rt_sigaction(174),
 * rt_sigprocmask(175), rt_sigtimedwait(177), rt_sigsuspend(179), vfork(190), exit_group(252), pselect6(308),
 * ppoll(309), epoll_pwait(319), signalfd(321), signalfd4(327), execveat(358), clone3(435). */
static int left_out(int nr) {
    static const short out[] = {1, 2, 11, 27, 29, 48, 67, 72, 104, 119, 120, 126, 173, 174, 175, 177, 179, 190, 252, 308,
                                309, 319, 321, 327, 358, 435};
    for (unsigned int i = 0; i < sizeof out / sizeof out[0]; i++) if (out[i] == nr) return 1;
    return 0;
}

static long arg(void) {
    switch (next() % 12) {
    case 0: return (long)(next() % 8);                           /* a small number: a descriptor, a flag */
    case 1: return (long)(next() % 32) - 4;
    case 2: return (long)next();                                 /* anything */
    case 3: return (long)(scratch + next() % SCRATCH);           /* scratch memory, anywhere in it */
    case 4: return (long)(scratch + (next() % 64) * 1024);       /* scratch memory, room after it */
    case 5: {                                                    /* a path, in scratch memory */
        const char *p = paths[next() % NPATHS];
        char *at = (char *)scratch + 60000;
        size_t n = strlen(p);
        memcpy(at, p, n + 1);
        return (long)at;
    }
    case 6: {                                                    /* a path too long for any kernel */
        char *at = (char *)scratch + 40000;
        for (int i = 0; i < 5000; i += 2) { at[i] = 'a'; at[i + 1] = '/'; }
        at[5000] = 0;
        return (long)at;
    }
    case 7: { static const long edges[] = {0, -1, 0x7fffffff, (long)0x80000000, 4096, 4095, -100, 0xffff};
              return edges[next() % 8]; }
    case 8: { static const unsigned long bad[] = {1, 0xfffff000u, 0xc0000000u, 0xffffffffu, 0x1000, 0xbffff000u};
              return (long)bad[next() % 6]; }                    /* pointers it may not use */
    case 9: return (long)(next() % 1024);
    case 10: return 1L << (next() % 31);
    default: return (long)(next() % 16 + 3);                     /* descriptors it may have opened */
    }
}

static int found_marker(void) {
    /* "POPEK-SECRET" built at run time, so that this program's own bytes never hold it */
    char m[13] = {'P', 'O', 'P', 'E', 'K', '-', 'S', 'E', 'C', 'R', 'E', 'T', 0};
    for (unsigned int i = 0; i + 12 <= SCRATCH; i++) {
        if (scratch[i] == 'P' && !memcmp(scratch + i, m, 12)) return 1;
    }
    return 0;
}

/* The calls that copy what they read into the caller's memory: read, readv, pread64, preadv, readlink, readlinkat,
 * getdents, getdents64, and (their buffers too) recvfrom, recvmsg and socketcall. */
static int reads(int nr) {
    return nr == 3 || nr == 145 || nr == 180 || nr == 333 || nr == 85 || nr == 305 || nr == 141 || nr == 220
        || nr == 371 || nr == 372 || nr == 102 || nr == 378;
}

static long atol_(const char *s) { long v = 0; while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0'); return v; }

/* The run ends at its alarm by this handler, not by SIGALRM's default action: the program is its container's pid 1,
 * and a namespace's init takes no default action for a signal from its own kernel but SIGKILL's and SIGSTOP's. */
static void on_alarm(int sig) { (void)sig; sys1(SYS_exit_group, 128 + 14); }

int main(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc < 3) { dprintf(2, "usage: sysfuzz SEED COUNT\n"); return 2; }
    state = (unsigned int)atol_(argv[1]) * 2654435761u + 1;
    long count = atol_(argv[2]);
    sys2(SYS_dup2, 1, REPORT_FD);
    sys1(SYS_close, 1);
    sys1(SYS_close, 2);
    struct { void *handler; unsigned int flags; void *restorer; unsigned int mask[2]; } act = {on_alarm, 0, 0, {0, 0}};
    sys4(SYS_rt_sigaction, 14, &act, 0, 8);
    sys1(SYS_alarm, 2);
    long calls = 0;
    for (long i = 0; i < count; i++) {
        int nr = (int)(next() % 460);
        if (left_out(nr)) continue;
        long a0 = arg(), a1 = arg(), a2 = arg(), a3 = arg(), a4 = arg(), a5 = arg();
        /* kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo: never a stop signal (nothing would continue it) */
        if (nr == 37 || nr == 238) { if (a1 >= 19 && a1 <= 22) a1 = 0; }
        if (nr == 270 || nr == 178 || nr == 335) { if (a2 >= 19 && a2 <= 22) a2 = 0; if (nr == 178 && a1 >= 19 && a1 <= 22) a1 = 0; }
        /* dup2/dup3/close/fcntl never on the report descriptor */
        if ((nr == 63 || nr == 330 || nr == 6) && (a0 == REPORT_FD || a1 == REPORT_FD)) continue;
        long r = syscall6(nr, a0, a1, a2, a3, a4, a5);
        calls++;
        if (r > 0 && reads(nr) && found_marker()) {
            dprintf(REPORT_FD, "ESCAPE: call %ld (number %d) read the file outside the container\n", i, nr);
            sys1(SYS_exit_group, 99);
        }
    }
    dprintf(REPORT_FD, "sysfuzz: %ld calls\n", calls);
    return 0;
}
