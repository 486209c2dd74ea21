/* fastcall: system calls made by sysenter the way Linux's __kernel_vsyscall makes them (push ecx, edx, ebp; ESP into
 * EBP; sysenter), to which the kernel answers at its fixed landing point (pop ebp, edx, ecx; ret): the results and
 * the registers against the same calls by int 0x80, the sixth argument from the stack, a call restarted after a
 * handler (SA_RESTART: the int 0x80 just before the landing point), fork through sysenter, and a bad stack. */
#include "t.h"

void t_restore(void);

/* The stub: EAX..EBP hold the call as for int 0x80; the kernel returns to its landing point, whose ret comes back
 * here. The registers after the call are stored in out[0..5] (EBX ECX EDX ESI EDI EBP). */
long fast6(long nr, long a, long b, long c, long d, long e, long f, unsigned int *out);
__asm__(
    ".text\n"
    "fast6:\n"
    "  pushl %ebp\n pushl %edi\n pushl %esi\n pushl %ebx\n"
    "  movl 20(%esp), %eax\n movl 24(%esp), %ebx\n movl 28(%esp), %ecx\n movl 32(%esp), %edx\n"
    "  movl 36(%esp), %esi\n movl 40(%esp), %edi\n movl 44(%esp), %ebp\n"
    "  call vsyscall\n"
    "  pushl %eax\n movl 52(%esp), %eax\n"
    "  movl %ebx, 0(%eax)\n movl %ecx, 4(%eax)\n movl %edx, 8(%eax)\n movl %esi, 12(%eax)\n movl %edi, 16(%eax)\n"
    "  movl %ebp, 20(%eax)\n"
    "  popl %eax\n"
    "  popl %ebx\n popl %esi\n popl %edi\n popl %ebp\n"
    "  ret\n"
    /* What __kernel_vsyscall does before its sysenter; what follows it is never reached. */
    "vsyscall:\n"
    "  pushl %ecx\n pushl %edx\n pushl %ebp\n movl %esp, %ebp\n sysenter\n"
    "  hlt\n"
    /* A sysenter whose stack pointer (EBP) is not mapped. */
    "bad_stack_sysenter:\n"
    "  movl $20, %eax\n movl $16, %ebp\n sysenter\n hlt\n");
void bad_stack_sysenter(void);

static unsigned int regs[6];
#define fast(n, a, b, c) fast6(n, (long)(a), (long)(b), (long)(c), 0x44, 0x55, 0x66, regs)

struct ksigaction { void *handler; unsigned int flags; void *restorer; unsigned int mask[2]; };
enum { SA_RESTART = 0x10000000, SA_RESTORER = 0x04000000, SA_SIGINFO = 4, SIGUSR1 = 10, SIGSEGV = 11 };
enum { SYS_futex_ = 240, FUTEX_WAIT_BITSET = 9 };

static volatile int handled;
static void on_usr1(int sig) { handled = sig; }

int main(int argc, char **argv, char **envp) {
    (void)argc; (void)argv; (void)envp;
    long pid = sys0(SYS_getpid);
    CHECK_EQ(fast(SYS_getpid, 0, 0, 0), pid, "getpid by sysenter is getpid by int 0x80");
    CHECK(regs[0] == 0 && regs[1] == 0 && regs[2] == 0 && regs[3] == 0x44 && regs[4] == 0x55 && regs[5] == 0x66,
          "the registers come back as they went (EBX ECX EDX ESI EDI EBP)");
    static const char msg[] = "written by sysenter\n";
    CHECK_EQ(fast(SYS_write, 1, msg, sizeof msg - 1), sizeof msg - 1, "write by sysenter (three arguments)");
    CHECK(regs[0] == 1 && regs[1] == (unsigned int)msg && regs[2] == sizeof msg - 1, "EBX ECX EDX kept");
    CHECK_EQ(fast(SYS_close, -1, 0, 0), -9, "an error comes back in EAX (EBADF)");

    /* The sixth argument is the EBP pushed by the stub: futex's bitset (0 is EINVAL, any other EAGAIN here). */
    int word = 1;
    CHECK_EQ(fast6(SYS_futex_, (long)&word, FUTEX_WAIT_BITSET, 2, 0, 0, 0, regs), -22, "sixth argument 0: EINVAL");
    CHECK_EQ(fast6(SYS_futex_, (long)&word, FUTEX_WAIT_BITSET, 2, 0, 0, -1, regs), -11, "sixth argument ~0: EAGAIN");
    CHECK_EQ(regs[5], 0xFFFFFFFF, "and EBP is that argument again after the call");

    /* fork by sysenter: both return through the landing point. */
    long child = fast(SYS_fork, 0, 0, 0);
    if (child == 0) sys1(SYS_exit, 7);
    int status = 0;
    CHECK_EQ(fast6(SYS_wait4, child, (long)&status, 0, 0, 0x55, 0x66, regs), child, "fork by sysenter, then wait4");
    CHECK_EQ(status, 7 << 8, "the child returned through the landing point and exited 7");

    /* A read by sysenter on an empty pipe, interrupted by a handler with SA_RESTART: made again, not EINTR. */
    int p[2];
    sys1(SYS_pipe, p);
    struct ksigaction a = {on_usr1, SA_RESTART | SA_RESTORER, t_restore, {0, 0}};
    sys4(SYS_rt_sigaction, SIGUSR1, &a, 0, 8);
    child = sys0(SYS_fork);
    if (child == 0) {
        struct { long s, ns; } pause = {0, 50000000};
        sys2(SYS_nanosleep, &pause, 0);
        sys2(SYS_kill, pid, SIGUSR1);
        sys2(SYS_nanosleep, &pause, 0);
        sys3(SYS_write, p[1], "x", 1);
        sys1(SYS_exit, 0);
    }
    char c = 0;
    CHECK_EQ(fast(SYS_read, p[0], &c, 1), 1, "read by sysenter across a SA_RESTART handler returns the byte");
    CHECK(c == 'x' && handled == SIGUSR1, "the handler ran and the byte is the child's");
    CHECK(regs[0] == (unsigned int)p[0] && regs[1] == (unsigned int)&c && regs[2] == 1 && regs[5] == 0x66,
          "the registers survive the restart");
    sys4(SYS_wait4, child, 0, 0, 0);

    /* A sysenter whose stack (EBP) cannot be read: EFAULT, then the landing point's pops fault: SIGSEGV. */
    child = sys0(SYS_fork);
    if (child == 0) { bad_stack_sysenter(); sys1(SYS_exit, 1); }
    sys4(SYS_wait4, child, &status, 0, 0);
    CHECK_EQ(status & 0x7F, SIGSEGV, "a sysenter with an unmapped stack ends in SIGSEGV");
    printf("%s\n", t_failures ? "FAILED" : "all passed");
    return t_failures != 0;
}
