/* fpe: floating-point faults as SIGFPE with the si_code Linux derives from the x87 status and control words (#MF)
 * or from MXCSR (#XM), and si_addr on the faulting instruction; each in a child whose handler reports and exits. */
#include "t.h"

void t_restore_rt(void);

struct ksigaction { void *handler; unsigned int flags; void *restorer; unsigned int mask[2]; };
struct siginfo { int signo, errno_, code; void *addr; int pad[28]; };
enum { SA_SIGINFO = 4, SA_RESTORER = 0x04000000, SIGFPE = 8 };

void *expected_addr;   /* set by the asm bodies */

/* The child's exit status: si_code, plus 16 when si_addr is the expected instruction, plus 32 when signo is SIGFPE. */
static void on_fpe(int sig, struct siginfo *info, void *uc) {
    (void)uc;
    sys1(SYS_exit, info->code + (info->addr == expected_addr ? 16 : 0) + (sig == SIGFPE && info->signo == SIGFPE ? 32 : 0));
}

static int child_code(void (*body)(void)) {
    int pid = (int)sys0(SYS_fork);
    if (pid == 0) {
        struct ksigaction a = {on_fpe, SA_SIGINFO | SA_RESTORER, t_restore_rt, {0, 0}};
        sys4(SYS_rt_sigaction, SIGFPE, &a, 0, 8);
        body();
        sys1(SYS_exit, 0);
    }
    int st = 0;
    sys4(SYS_wait4, pid, &st, 0, 0);
    return (st & 0x7f) ? -(st & 0x7f) : (st >> 8) & 0xff;
}

static const double minus_one = -1.0, huge = 1e300;
static const float one_f = 1.0f, zero_f = 0.0f;

/* x87: the exception is taken by the next waiting instruction (the fwait, at the label). */
static void x87_div(void) {
    unsigned short cw = 0x037B;   /* every exception masked but ZM */
    __asm__ volatile("fldcw %0\n\tfld1\n\tfldz\n\tfdivrp\n\tmovl $1f, expected_addr\n1:\tfwait" : : "m"(cw) : "memory");
}
static void x87_inv(void) {
    unsigned short cw = 0x037E;   /* IM unmasked */
    __asm__ volatile("fldcw %0\n\tfldl %1\n\tfsqrt\n\tmovl $1f, expected_addr\n1:\tfwait" : : "m"(cw), "m"(minus_one) : "memory");
}
static void x87_ovf(void) {
    unsigned short cw = 0x0377;   /* OM unmasked: 1e300 does not fit a float */
    float f;
    __asm__ volatile("fldcw %1\n\tfldl %2\n\tfstps %0\n\tmovl $1f, expected_addr\n1:\tfwait" : "=m"(f) : "m"(cw), "m"(huge) : "memory");
}
static void x87_und(void) {
    unsigned short cw = 0x036F;   /* UM unmasked: 1e-300 * 1e-300 is far below a double's range once stored */
    static const double tiny = 1e-300;
    double d;
    __asm__ volatile("fldcw %1\n\tfldl %2\n\tfmul %%st(0), %%st(0)\n\tfstpl %0\n\tmovl $1f, expected_addr\n1:\tfwait"
                     : "=m"(d) : "m"(cw), "m"(tiny) : "memory");
}
static void x87_res(void) {
    unsigned short cw = 0x035F;   /* PM unmasked: 1/3 is inexact */
    static const double three = 3.0;
    __asm__ volatile("fldcw %0\n\tfld1\n\tfdivl %1\n\tmovl $1f, expected_addr\n1:\tfwait" : : "m"(cw), "m"(three) : "memory");
}
static void x87_masked(void) {
    unsigned short cw = 0x037F;   /* all masked: 1/0 is infinity, no signal */
    __asm__ volatile("fldcw %0\n\tfld1\n\tfldz\n\tfdivrp\n\tfwait\n\tfstp %%st(0)" : : "m"(cw) : "memory");
}
static void x87_remasked(void) {
    unsigned short cw = 0x037B, all = 0x037F;   /* flagged while unmasked, then masked again before the wait */
    __asm__ volatile("fldcw %0\n\tfld1\n\tfldz\n\tfdivrp\n\tfldcw %1\n\tfwait\n\tfstp %%st(0)" : : "m"(cw), "m"(all) : "memory");
}
/* SSE: the fault is on the instruction itself. */
static void sse_div(void) {
    unsigned int mx = 0x1F80 & ~0x200;   /* ZM unmasked */
    __asm__ volatile("ldmxcsr %0\n\tmovss %1, %%xmm0\n\tmovl $1f, expected_addr\n1:\tdivss %2, %%xmm0"
                     : : "m"(mx), "m"(one_f), "m"(zero_f) : "memory");   /* xmm0 is the child's alone */
}
static void sse_inv(void) {
    unsigned int mx = 0x1F80 & ~0x80;    /* IM unmasked: 0/0 */
    __asm__ volatile("ldmxcsr %0\n\tmovss %1, %%xmm0\n\tmovl $1f, expected_addr\n1:\tdivss %1, %%xmm0"
                     : : "m"(mx), "m"(zero_f) : "memory");   /* xmm0 is the child's alone */
}
static void int_div(void) {
    __asm__ volatile("movl $1f, expected_addr\n\tmovl $1, %%eax\n\txorl %%edx, %%edx\n\txorl %%ecx, %%ecx\n1:\tdivl %%ecx"
                     : : : "eax", "ecx", "edx", "memory");
}

int main(int argc, char **argv, char **envp) {
    (void)argc; (void)argv; (void)envp;
    /* 32 + 16 + code: SIGFPE, si_addr right, FPE_INTDIV 1, FPE_FLTDIV 3, OVF 4, UND 5, RES 6, INV 7. */
    printf("x87 divide by zero: %d\n", child_code(x87_div));
    printf("x87 invalid operation: %d\n", child_code(x87_inv));
    printf("x87 overflow: %d\n", child_code(x87_ovf));
    printf("x87 underflow: %d\n", child_code(x87_und));
    printf("x87 precision: %d\n", child_code(x87_res));
    printf("x87 masked: %d\n", child_code(x87_masked));
    printf("x87 masked again before the wait: %d\n", child_code(x87_remasked));
    printf("SSE divide by zero: %d\n", child_code(sse_div));
    printf("SSE invalid operation: %d\n", child_code(sse_inv));
    printf("integer divide by zero: %d\n", child_code(int_div));
    return 0;
}
