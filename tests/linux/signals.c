/* signals: handlers and their siginfo, i386 frames (rt and old), masks, pending, faults as signals, SA_RESTART,
 * the alternate stack, SIGCHLD, sigsuspend, default actions. */
#include "t.h"

void t_restore_rt(void);
void t_restore(void);

struct ksigaction { void *handler; unsigned int flags; void *restorer; unsigned int mask[2]; };
enum { SA_SIGINFO = 4, SA_ONSTACK = 0x08000000, SA_RESTART = 0x10000000, SA_RESTORER = 0x04000000, SA_NODEFER = 0x40000000,
       SA_RESETHAND = 0x80000000 };
enum { SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGALRM = 14, SIGCHLD = 17, SIGURG = 23 };
struct siginfo { int signo, errno_, code; union { struct { int pid, uid, status; } c; void *addr; } u; int pad[29]; };
/* ucontext: flags, link, stack_t (12 bytes), then sigcontext: gs fs es ds edi esi ebp esp ebx edx ecx eax trapno err eip */
#define UC_EIP(uc) (((unsigned int *)(uc))[5 + 14])

static int set(int sig, void *handler, unsigned int flags) {
    struct ksigaction a = {handler, flags | SA_RESTORER, (flags & SA_SIGINFO) ? t_restore_rt : t_restore, {0, 0}};
    return (int)sys4(SYS_rt_sigaction, sig, &a, 0, 8);
}

static unsigned int mask_now(void) { unsigned int m[2]; sys4(SYS_rt_sigprocmask, 0, 0, m, 8); return m[0]; }

static volatile int got, got_code, got_pid, got_status, masked_inside;
static volatile void *got_addr;

static void on_info(int sig, struct siginfo *info, void *uc) {
    (void)uc;
    got = sig; got_code = info->code; got_pid = info->u.c.pid;
    masked_inside = (mask_now() >> (sig - 1)) & 1;
}

static void basics(void) {
    int me = (int)sys0(SYS_getpid);
    CHECK_EQ(set(SIGUSR1, on_info, SA_SIGINFO), 0, "rt_sigaction installs a handler");
    got = 0;
    sys2(SYS_kill, me, SIGUSR1);
    CHECK_EQ(got, SIGUSR1, "kill to oneself runs the handler before kill returns");
    CHECK_EQ(got_code, 0, "si_code is SI_USER");
    CHECK_EQ(got_pid, me, "si_pid is the sender");
    CHECK_EQ(masked_inside, 1, "the signal is blocked while its handler runs");
    CHECK_EQ(mask_now() & (1 << (SIGUSR1 - 1)), 0, "and unblocked again after sigreturn");
    struct ksigaction old;
    sys4(SYS_rt_sigaction, SIGUSR1, 0, &old, 8);
    CHECK(old.handler == (void *)on_info && (old.flags & SA_SIGINFO), "rt_sigaction reports the installed action");
    CHECK_EQ(sys4(SYS_rt_sigaction, 9, &old, 0, 8), -22, "SIGKILL's action cannot be changed (EINVAL)");
    CHECK_EQ(sys4(SYS_rt_sigaction, 65, &old, 0, 8), -22, "signal 65 does not exist (EINVAL)");
    CHECK_EQ(sys4(SYS_rt_sigaction, SIGUSR1, (void *)8, 0, 8), -14, "a bad action pointer is EFAULT");
}

static volatile int old_style;
static void on_old(int sig) { old_style = sig; }

static void frames(int popek) {
    /* No SA_RESTORER: the kernel's own trampoline on the stack returns through sigreturn. */
    struct ksigaction a = {on_old, 0, 0, {0, 0}};
    sys4(SYS_rt_sigaction, SIGUSR2, &a, 0, 8);
    sys2(SYS_kill, sys0(SYS_getpid), SIGUSR2);
    CHECK_EQ(old_style, SIGUSR2, "a handler without SA_SIGINFO or SA_RESTORER returns through the frame's trampoline");
    if (!popek) return;   /* qemu-user 7.2 crashes here: it writes no trampoline for an rt frame without SA_RESTORER */
    struct ksigaction b = {on_info, SA_SIGINFO | SA_RESETHAND, 0, {0, 0}};
    sys4(SYS_rt_sigaction, SIGUSR2, &b, 0, 8);
    got = 0;
    sys2(SYS_kill, sys0(SYS_getpid), SIGUSR2);
    CHECK_EQ(got, SIGUSR2, "an SA_SIGINFO frame without SA_RESTORER returns too");
    sys4(SYS_rt_sigaction, SIGUSR2, 0, &b, 8);
    CHECK(b.handler == 0, "SA_RESETHAND puts the default action back");
}

static void masks(void) {
    unsigned int block[2] = {1 << (SIGUSR1 - 1), 0}, pend[2] = {0, 0};
    set(SIGUSR1, on_info, SA_SIGINFO);
    sys4(SYS_rt_sigprocmask, 0 /* SIG_BLOCK */, block, 0, 8);
    got = 0;
    sys2(SYS_kill, sys0(SYS_getpid), SIGUSR1);
    CHECK_EQ(got, 0, "a blocked signal is not delivered");
    sys2(176 /* rt_sigpending */, pend, 8);
    CHECK_EQ(pend[0], 1 << (SIGUSR1 - 1), "it is pending");
    sys4(SYS_rt_sigprocmask, 1 /* SIG_UNBLOCK */, block, 0, 8);
    CHECK_EQ(got, SIGUSR1, "unblocking delivers it");
    unsigned int all[2] = {~0u, ~0u}, now[2];
    sys4(SYS_rt_sigprocmask, 2, all, 0, 8);
    sys4(SYS_rt_sigprocmask, 2, 0, now, 8);
    CHECK_EQ(now[0] & ((1 << 8) | (1 << 18)), 0, "SIGKILL and SIGSTOP cannot be blocked");
    unsigned int none[2] = {0, 0};
    sys4(SYS_rt_sigprocmask, 2, none, 0, 8);
    CHECK_EQ(sys4(SYS_rt_sigprocmask, 7, none, 0, 8), -22, "an unknown 'how' is EINVAL");
}

static void on_segv(int sig, struct siginfo *info, void *uc) {
    got = sig; got_code = info->code; got_addr = info->u.addr;
    UC_EIP(uc) += 2;   /* skip the faulting 2-byte mov */
}

static void faults(void) {
    set(SIGSEGV, on_segv, SA_SIGINFO);
    got = 0;
    unsigned int bad = 0x1234, v;
    __asm__ volatile("movl (%1), %0" : "=r"(v) : "a"(bad) : "memory");   /* 8b 00: two bytes */
    CHECK_EQ(got, SIGSEGV, "reading an unmapped address raises SIGSEGV");
    CHECK_EQ(got_code, 1, "si_code SEGV_MAPERR");
    CHECK_EQ((unsigned int)got_addr, 0x1234, "si_addr is the faulting address");
    got = 0;
    static const int ro = 5;
    __asm__ volatile("movl %1, (%0)" : : "a"(&ro), "b"(7) : "memory");   /* 89 18: two bytes */
    CHECK_EQ(got, SIGSEGV, "writing a read-only page raises SIGSEGV");
    CHECK_EQ(got_code, 2, "si_code SEGV_ACCERR");
    CHECK_EQ(sys3(SYS_write, 1, (void *)16, 4), -14, "write from a bad buffer fails with EFAULT, no signal");
    CHECK_EQ(got, SIGSEGV, "(and raised nothing more)");
}

static int pipefd[2];
static void on_alarm(int sig) { (void)sig; sys3(SYS_write, pipefd[1], "x", 1); }

static void restart(void) {
    unsigned int it[4] = {0, 0, 0, 30000};   /* it_interval 0, it_value 30 ms */
    char c;
    sys1(SYS_pipe, pipefd);
    set(SIGALRM, on_alarm, SA_RESTART);
    sys3(104 /* setitimer */, 0, it, 0);
    CHECK_EQ(sys3(SYS_read, pipefd[0], &c, 1), 1, "SA_RESTART: a read interrupted by a handler starts again (and gets its byte)");
}

static void restart_eintr(void) {
    unsigned int it[4] = {0, 0, 0, 30000};
    char c;
    int fds[2];
    sys1(SYS_pipe, fds);
    set(SIGALRM, on_old, 0);
    old_style = 0;
    sys3(104, 0, it, 0);
    CHECK_EQ(sys3(SYS_read, fds[0], &c, 1), -4, "without SA_RESTART the interrupted read fails with EINTR");
    CHECK_EQ(old_style, SIGALRM, "after the handler ran");
}

static volatile unsigned int handler_sp;
static void on_alt(int sig) { (void)sig; int x; handler_sp = (unsigned int)&x; }

static void altstack(void) {
    static char stack[16384];
    unsigned int ss[3] = {(unsigned int)stack, 0, sizeof stack}, old[3];
    CHECK_EQ(sys2(SYS_sigaltstack, ss, 0), 0, "sigaltstack sets an alternate stack");
    set(SIGUSR2, on_alt, SA_ONSTACK);
    sys2(SYS_kill, sys0(SYS_getpid), SIGUSR2);
    CHECK(handler_sp >= (unsigned int)stack && handler_sp < (unsigned int)stack + sizeof stack, "an SA_ONSTACK handler runs on it");
    sys2(SYS_sigaltstack, 0, old);
    CHECK_EQ(old[0], (unsigned int)stack, "sigaltstack reports it");
    unsigned int tiny[3] = {(unsigned int)stack, 0, 100};
    CHECK_EQ(sys2(SYS_sigaltstack, tiny, 0), -12, "a stack under MINSIGSTKSZ is ENOMEM");
}

static void on_chld(int sig, struct siginfo *info, void *uc) { (void)uc; got = sig; got_code = info->code; got_pid = info->u.c.pid; got_status = info->u.c.status; }

static void sigchld(void) {
    set(SIGCHLD, on_chld, SA_SIGINFO);
    got = 0;
    int pid = (int)sys0(SYS_fork);
    if (pid == 0) sys1(SYS_exit, 9);
    int st;
    while (sys4(SYS_wait4, pid, &st, 0, 0) == -4) { }
    CHECK_EQ(got, SIGCHLD, "a child's exit sends SIGCHLD");
    CHECK_EQ(got_code, 1, "with CLD_EXITED");
    CHECK_EQ(got_pid, pid, "the child's pid");
    CHECK_EQ(got_status, 9, "and its exit code");
    set(SIGCHLD, 0, 0);
}

static void suspend(void) {
    unsigned int block[2] = {1 << (SIGUSR1 - 1), 0}, empty[2] = {0, 0};
    set(SIGUSR1, on_info, SA_SIGINFO);
    sys4(SYS_rt_sigprocmask, 0, block, 0, 8);
    int parent = (int)sys0(SYS_getpid);
    int pid = (int)sys0(SYS_fork);
    if (pid == 0) { sys2(SYS_kill, parent, SIGUSR1); sys1(SYS_exit, 0); }
    got = 0;
    CHECK_EQ(sys2(SYS_rt_sigsuspend, empty, 8), -4, "rt_sigsuspend returns EINTR once a handler ran");
    CHECK_EQ(got, SIGUSR1, "the handler for the signal it waited for");
    CHECK_EQ(mask_now() & (1 << (SIGUSR1 - 1)), 1 << (SIGUSR1 - 1), "and the old mask is back");
    sys4(SYS_rt_sigprocmask, 1, block, 0, 8);
    int st;
    sys4(SYS_wait4, pid, &st, 0, 0);
}

static volatile int fpu_handler_ran;

static void on_fpu(int sig) {
    (void)sig;
    /* The handler's own FPU and SSE work: a clean x87 stack, and xmm0 overwritten. */
    __asm__ volatile("fninit\n\tfldz\n\tfld1\n\tfaddp\n\tfstp %%st(0)\n\tmovl $0x77777777, %%eax\n\tmovd %%eax, %%xmm0"
                     ::: "eax", "memory");
    fpu_handler_ran = 1;
}

static void fpu(void) {
    set(SIGUSR2, on_fpu, 0);
    unsigned int x0 = 0;
    double pi = 0, one = 0;
    int me = (int)sys0(SYS_getpid);
    /* Two values on the x87 stack and one in xmm0, live across a kill to oneself whose handler uses both; all in
     * one asm block, so no compiled code touches the FPU in between. */
    __asm__ volatile("fld1\n\tfldpi\n\tmovl $0x12345678, %%eax\n\tmovd %%eax, %%xmm0\n\t"
                     "movl $37, %%eax\n\tint $0x80\n\t"
                     "movd %%xmm0, %0\n\tfstpl %1\n\tfstpl %2"
                     : "=r"(x0), "=m"(pi), "=m"(one) : "b"(me), "c"(SIGUSR2) : "eax", "memory");
    CHECK_EQ(fpu_handler_ran, 1, "a handler that uses the FPU and SSE ran");
    CHECK_EQ(pi > 3.14159 && pi < 3.1416, 1, "the interrupted code's x87 stack is intact after sigreturn (pi)");
    CHECK_EQ(one == 1.0, 1, "and its second value (1.0)");
    CHECK_EQ(x0, 0x12345678, "and its xmm0");
    set(SIGUSR2, 0, 0);
}

static void defaults(void) {
    sys2(SYS_kill, sys0(SYS_getpid), SIGURG);
    CHECK(1, "SIGURG's default action is to ignore it");
    struct ksigaction ign = {(void *)1, 0, 0, {0, 0}};
    sys4(SYS_rt_sigaction, SIGUSR1, &ign, 0, 8);
    sys2(SYS_kill, sys0(SYS_getpid), SIGUSR1);
    CHECK(1, "an ignored SIGUSR1 does nothing");
    set(SIGUSR2, 0, 0);
    int pid = (int)sys0(SYS_fork);
    if (pid == 0) { sys2(SYS_kill, sys0(SYS_getpid), SIGUSR2); sys1(SYS_exit, 0); }
    int st;
    sys4(SYS_wait4, pid, &st, 0, 0);
    CHECK_EQ(st & 0x7f, SIGUSR2, "SIGUSR2's default action terminates");
    pid = (int)sys0(SYS_fork);
    if (pid == 0) { __asm__ volatile("ud2"); sys1(SYS_exit, 0); }
    sys4(SYS_wait4, pid, &st, 0, 0);
    CHECK_EQ(st & 0x7f, 4, "an invalid opcode kills with SIGILL");
    pid = (int)sys0(SYS_fork);
    if (pid == 0) { volatile int z = 0; sys1(SYS_exit, 5 / z); }
    sys4(SYS_wait4, pid, &st, 0, 0);
    CHECK_EQ(st & 0x7f, 8, "a division by zero kills with SIGFPE");
}

int main(int argc, char **argv, char **envp) {
    (void)envp;
    basics();
    int popek = argc > 1 && !strcmp(argv[1], "popek");
    frames(popek);
    masks();
    faults();
    restart();
    restart_eintr();
    altstack();
    sigchld();
    suspend();
    if (popek) fpu();   /* qemu-user 7.2 loses the x87 stack across a handler */
    defaults();
    printf("%d failures\n", t_failures);
    return t_failures != 0;
}
