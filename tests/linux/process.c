/* process: fork and copy-on-write, vfork, wait4 statuses, waitid, process groups, execve and its failures, #! scripts. */
#include "t.h"

static int global = 1;
static char bss[8192];

static int wait_status(int pid) { int st = -1; long r = sys4(SYS_wait4, pid, &st, 0, 0); return r == pid ? st : -1000 + (int)r; }

static void cow(void) {
    int local = 10;
    char *heap = (char *)sys1(SYS_brk, 0);
    sys1(SYS_brk, heap + 8192);
    heap[0] = 'p';
    bss[5000] = 'p';
    int pid = (int)sys0(SYS_fork);
    if (pid == 0) {
        global = 2; local = 20; heap[0] = 'c'; bss[5000] = 'c';
        sys1(SYS_exit, global + local + (heap[0] == 'c') + (bss[5000] == 'c'));
    }
    CHECK(pid > 0, "fork returns the child's pid to the parent");
    int st = wait_status(pid);
    CHECK_EQ((st >> 8) & 0xff, 24, "the child saw its own writes (exit 2 + 20 + 1 + 1)");
    CHECK_EQ(st & 0x7f, 0, "the child exited normally");
    CHECK_EQ(global, 1, "the parent's global is untouched by the child's write");
    CHECK_EQ(local, 10, "the parent's stack is untouched");
    CHECK_EQ(heap[0], 'p', "the parent's heap is untouched");
    CHECK_EQ(bss[5000], 'p', "the parent's bss is untouched");
    global = 3;
    pid = (int)sys0(SYS_fork);
    if (pid == 0) sys1(SYS_exit, global);
    CHECK_EQ((wait_status(pid) >> 8) & 0xff, 3, "a write by the parent after fork is its own, before the next fork is shared");
}

static void statuses(void) {
    int pid = (int)sys0(SYS_fork);
    if (pid == 0) { sys2(SYS_kill, sys0(SYS_getpid), 15); for (;;) sys0(SYS_pause); }
    int st = wait_status(pid);
    CHECK_EQ(st & 0x7f, 15, "a child killed by SIGTERM reports the signal in its wait status");
    pid = (int)sys0(SYS_fork);
    if (pid == 0) { *(volatile int *)0 = 1; sys1(SYS_exit, 0); }
    st = wait_status(pid);
    CHECK_EQ(st & 0x7f, 11, "a child writing through NULL dies of SIGSEGV");
    CHECK_EQ(sys4(SYS_wait4, -1, &st, 1 /* WNOHANG */, 0), -10, "wait4 with no children left: ECHILD");
    pid = (int)sys0(SYS_fork);
    if (pid == 0) { unsigned int ts[2] = {0, 50000000}; sys2(SYS_nanosleep, ts, 0); sys1(SYS_exit, 7); }
    CHECK_EQ(sys4(SYS_wait4, pid, &st, 1, 0), 0, "WNOHANG while the child still runs returns 0");
    CHECK_EQ(wait_status(pid) >> 8, 7, "then a blocking wait4 gets its status");
}

static void vfork_(void) {
    volatile int shared = 0;
    int pid = t_vfork();
    if (pid == 0) { shared = 42; sys1(SYS_exit, 5); }
    CHECK_EQ(shared, 42, "vfork: the child ran first, in the parent's memory");
    CHECK_EQ(wait_status(pid) >> 8, 5, "vfork: the child's status");
}

static void groups(void) {
    int pid = (int)sys0(SYS_fork);
    if (pid == 0) {
        long r = sys2(SYS_setpgid, 0, 0);
        sys1(SYS_exit, r == 0 && sys1(SYS_getpgid, 0) == sys0(SYS_getpid) ? 0 : 1);
    }
    CHECK_EQ(wait_status(pid), 0, "a child can make its own process group");
    CHECK_EQ(sys0(SYS_getppid) >= 0, 1, "getppid works");
}

static void exec_(char *self) {
    char *envp[] = {"FROM=exec", NULL};
    char *argv[] = {self, "child", NULL};
    int pid = (int)sys0(SYS_fork);
    if (pid == 0) { sys3(SYS_execve, self, argv, envp); sys1(SYS_exit, 99); }
    CHECK_EQ(wait_status(pid) >> 8, 42, "execve of a program, which sees its new argv and envp");
    CHECK_EQ(sys3(SYS_execve, "/no/such/file", argv, envp), -2, "execve of a missing file: ENOENT");
    CHECK_EQ(sys3(SYS_execve, "/", argv, envp), -13, "execve of a directory: EACCES");
    CHECK_EQ(sys3(SYS_execve, "/data.txt", argv, envp), -13, "execve of a file without execute permission: EACCES");
    CHECK_EQ(sys3(SYS_execve, "/notelf", argv, envp), -8, "execve of an executable that is no program: ENOEXEC");
    CHECK_EQ(sys3(SYS_execve, (char *)4, argv, envp), -14, "execve with a bad path pointer: EFAULT");
    CHECK_EQ(sys3(SYS_execve, self, (char **)4, envp), -14, "execve with a bad argv pointer: EFAULT");
    char *sargv[] = {"/script.sh", "arg1", NULL};
    pid = (int)sys0(SYS_fork);
    if (pid == 0) { sys3(SYS_execve, "/script.sh", sargv, envp); sys1(SYS_exit, 99); }
    CHECK_EQ(wait_status(pid) >> 8, 43, "execve of a #! script runs its interpreter with the script's path and arguments");
}

enum { SYS_waitid = 284, P_ALL = 0, P_PID = 1, P_PGID = 2, WSTOPPED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x1000000 };

/* waitid's siginfo: si_signo, si_errno, si_code, then si_pid, si_uid, si_status */
static void waitid_(void) {
    int info[32];
    int pid = (int)sys0(SYS_fork);
    if (pid == 0) sys1(SYS_exit, 9);
    memset(info, 0, sizeof info);
    CHECK_EQ(sys5(SYS_waitid, P_PID, pid, info, WEXITED | WNOWAIT, 0), 0, "waitid with WNOWAIT for an exited child returns 0");
    CHECK_EQ(info[0], 17, "waitid: si_signo is SIGCHLD");
    CHECK_EQ(info[2], 1, "waitid: si_code is CLD_EXITED");
    CHECK_EQ(info[3], pid, "waitid: si_pid is the child's");
    CHECK_EQ(info[4], 0, "waitid: si_uid is the child's");
    CHECK_EQ(info[5], 9, "waitid: si_status is the exit code");
    CHECK_EQ(wait_status(pid) >> 8, 9, "WNOWAIT left the child to be reaped by wait4");
    CHECK_EQ(sys5(SYS_waitid, P_ALL, 0, info, WEXITED | 1 /* WNOHANG */, 0), -10, "waitid with no children: ECHILD");
    pid = (int)sys0(SYS_fork);
    if (pid == 0) { sys2(SYS_kill, sys0(SYS_getpid), 19 /* SIGSTOP */); for (;;) sys0(SYS_pause); }
    memset(info, 0, sizeof info);
    CHECK_EQ(sys5(SYS_waitid, P_PID, pid, info, WSTOPPED, 0), 0, "waitid WSTOPPED sees the child stop");
    CHECK_EQ(info[2] * 100 + info[5], 5 * 100 + 19, "si_code CLD_STOPPED, si_status SIGSTOP");
    sys2(SYS_kill, pid, 18 /* SIGCONT */);
    memset(info, 0, sizeof info);
    CHECK_EQ(sys5(SYS_waitid, P_PID, pid, info, WCONTINUED, 0), 0, "waitid WCONTINUED sees it continue");
    CHECK_EQ(info[2] * 100 + info[5], 6 * 100 + 18, "si_code CLD_CONTINUED, si_status SIGCONT");
    memset(info, 0, sizeof info);
    CHECK_EQ(sys5(SYS_waitid, P_PGID, 0, info, WEXITED | 1 /* WNOHANG */, 0), 0, "waitid WNOHANG while the child runs returns 0");
    CHECK_EQ(info[3], 0, "and si_pid 0");
    sys2(SYS_kill, pid, 15);
    memset(info, 0, sizeof info);
    CHECK_EQ(sys5(SYS_waitid, P_ALL, 0, info, WEXITED, 0), 0, "waitid P_ALL for the killed child");
    CHECK_EQ(info[2] * 100 + info[5], 2 * 100 + 15, "si_code CLD_KILLED, si_status SIGTERM");
    CHECK_EQ(info[3], pid, "and its pid");
    CHECK_EQ(sys5(SYS_waitid, P_ALL, 0, info, 0, 0), -22, "waitid without WEXITED, WSTOPPED or WCONTINUED: EINVAL");
    CHECK_EQ(sys5(SYS_waitid, 7, 0, info, WEXITED, 0), -22, "waitid of an unknown id type: EINVAL");
    CHECK_EQ(sys5(SYS_waitid, P_PID, 0, info, WEXITED, 0), -22, "waitid P_PID 0: EINVAL");
}

int main(int argc, char **argv, char **envp) {
    if (argc > 1 && !strcmp(argv[1], "child")) {
        int fromExec = envp[0] && !strcmp(envp[0], "FROM=exec");
        return fromExec && argc == 2 ? 42 : 1;
    }
    if (argc > 1 && !strcmp(argv[1], "interp -x")) {
        /* run as the interpreter of /script.sh ("#!/process interp -x"): the line's argument is one word, spaces and all */
        return argc == 4 && !strcmp(argv[2], "/script.sh") && !strcmp(argv[3], "arg1") ? 43 : 1;
    }
    cow();
    statuses();
    waitid_();
    groups();
    if (argc > 1 && !strcmp(argv[1], "popek")) {   /* what qemu-user cannot do as Linux does: vfork (it forks), execve */
        CHECK_EQ(sys1(SYS_getpgid, 0), sys0(SYS_getpid), "the first process leads its process group");
        vfork_();
        exec_(argv[0]);
    }
    printf("%d failures\n", t_failures);
    return t_failures != 0;
}
