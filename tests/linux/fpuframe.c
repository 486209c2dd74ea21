/* fpuframe: the FPU state in i386 signal frames (sigcontext.fpstate -> struct _fpstate_32: the x87 state as FSAVE
 * lays it out, status, magic, then the FXSAVE image), and sigreturn loading it back: a handler that clobbers the FPU
 * finds the interrupted state put back, and one that edits the frame's registers finds its edits loaded ([x87]: Linux
 * takes the x87 registers from the FSAVE part; [fxsr]: MXCSR and the XMM registers from the FXSAVE image). */
#include "t.h"

void t_restore(void);
void t_restore_rt(void);

struct ksigaction { void *handler; unsigned int flags; void *restorer; unsigned int mask[2]; };
enum { SA_SIGINFO = 4, SA_RESTORER = 0x04000000, SIGUSR1 = 10, SIGUSR2 = 12 };
/* ucontext: flags, link, stack_t (12 bytes), then sigcontext, whose word 19 is fpstate. */
#define UC_FPSTATE(uc) (((unsigned char **)(uc))[5 + 19])
/* _fpstate_32 offsets */
enum { FP_CW = 0, FP_SW = 4, FP_TAG = 8, FP_ST = 28, FP_STATUS = 108, FP_MAGIC = 110, FP_MXCSR = 136, FP_XMM = 272 };

static const double one_and_half = 1.5, two_and_half = 2.5, minus_seven = -7.0;
static const unsigned int pattern[4] = {0x11111111, 0x22222222, 0x33333333, 0x44444444};
static const unsigned int edited[4] = {0xAAAAAAAA, 0xBBBBBBBB, 0xCCCCCCCC, 0xDDDDDDDD};

static volatile unsigned int seen_magic, seen_mxcsr, seen_cw, seen_tag, seen_status, seen_sw, seen_xmm1[4];
static volatile int seen_st0_ok, seen_aligned, seen_st1_ok;
static volatile int edit_frame;

/* The 80-bit form of 2.5 and of 1.5: significand then sign and exponent. */
static const unsigned char x87_2_5[10] = {0, 0, 0, 0, 0, 0, 0, 0xA0, 0x00, 0x40};
static const unsigned char x87_1_5[10] = {0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0x3F};

static void clobber_fpu(void) {
    unsigned int mx = 0x1F80;
    unsigned short cw = 0x037F;
    __asm__ volatile("fninit\n\tfldcw %0\n\tfldl %1\n\tfldl %1\n\tldmxcsr %2\n\tpxor %%xmm1, %%xmm1\n\tfstp %%st(0)\n\tfstp %%st(0)"
                     : : "m"(cw), "m"(minus_seven), "m"(mx) : "memory");
}

static void inspect(unsigned char *fp) {
    seen_magic = *(unsigned short *)(fp + FP_MAGIC);
    seen_status = *(unsigned short *)(fp + FP_STATUS);
    seen_sw = *(unsigned int *)(fp + FP_SW);
    seen_cw = *(unsigned int *)(fp + FP_CW);
    seen_tag = *(unsigned int *)(fp + FP_TAG);
    seen_mxcsr = *(unsigned int *)(fp + FP_MXCSR);
    seen_st0_ok = !memcmp(fp + FP_ST, x87_2_5, 10);
    seen_st1_ok = !memcmp(fp + FP_ST + 10, x87_1_5, 10);
    memcpy((void *)seen_xmm1, fp + FP_XMM + 16, 16);
    seen_aligned = (((unsigned int)fp + 112) & 63) == 0;
    if (edit_frame) {
        memcpy(fp + FP_ST, x87_1_5, 10);     /* ST0: 2.5 becomes 1.5 */
        *(unsigned int *)(fp + FP_MXCSR) = 0x7F80;   /* round toward zero */
        memcpy(fp + FP_XMM + 16, edited, 16);
    }
    clobber_fpu();
}

static void on_rt(int sig, void *info, void *uc) { (void)sig; (void)info; inspect(UC_FPSTATE(uc)); }
/* An old-style frame: pretcode, sig, then the sigcontext (the return address is pretcode, just above the saved EBP). */
static void on_old(int sig) {
    (void)sig;
    unsigned char *frame = (unsigned char *)__builtin_frame_address(0) + 4;
    inspect(*(unsigned char **)(frame + 8 + 4 * 19));
}

static void set(int sig, void *handler, int rt) {
    struct ksigaction a = {handler, (rt ? SA_SIGINFO : 0) | SA_RESTORER, rt ? (void *)t_restore_rt : (void *)t_restore, {0, 0}};
    sys4(SYS_rt_sigaction, sig, &a, 0, 8);
}

/* Loads ST0 = 2.5, ST1 = 1.5, MXCSR = round down, xmm1 = pattern; raises sig; reports what the registers hold after. */
static void round_trip(int sig, const char *kind) {
    unsigned int mx = 0x3F80, mx_after = 0, xmm_after[4];
    unsigned short cw = 0x027F, cw_after = 0;   /* 53-bit precision: a change a handler's fninit would undo */
    double st0 = 0, st1 = 0;
    __asm__ volatile("fninit\n\tfldcw %0\n\tfldl %1\n\tfldl %2\n\tldmxcsr %3\n\tmovups %4, %%xmm1"
                     : : "m"(cw), "m"(one_and_half), "m"(two_and_half), "m"(mx), "m"(pattern) : "memory");
    sys2(SYS_kill, sys0(SYS_getpid), sig);
    __asm__ volatile("fnstcw %0\n\tstmxcsr %1\n\tmovups %%xmm1, %2\n\tfstpl %3\n\tfstpl %4"
                     : "=m"(cw_after), "=m"(mx_after), "=m"(xmm_after), "=m"(st0), "=m"(st1) : : "memory");
    int st0_tenths = (int)(st0 * 10), st1_tenths = (int)(st1 * 10);
    printf("%s [x87] in the frame: cw %x, sw %x (status %x), tag %x, ST0 2.5 %s, ST1 1.5 %s\n", kind, seen_cw & 0xFFFF,
           seen_sw & 0xFFFF, seen_status, seen_tag & 0xFFFF, seen_st0_ok ? "yes" : "no", seen_st1_ok ? "yes" : "no");
    printf("%s [x87] after sigreturn: cw %x, ST0 %d/10, ST1 %d/10\n", kind, cw_after, st0_tenths, st1_tenths);
    printf("%s [fxsr] in the frame: magic %x, mxcsr %x, xmm1 %x %x %x %x, FXSAVE 64-byte aligned %s\n", kind, seen_magic,
           seen_mxcsr, seen_xmm1[0], seen_xmm1[1], seen_xmm1[2], seen_xmm1[3], seen_aligned ? "yes" : "no");
    printf("%s [fxsr] after sigreturn: mxcsr %x, xmm1 %x %x %x %x\n", kind, mx_after, xmm_after[0], xmm_after[1],
           xmm_after[2], xmm_after[3]);
}

int main(int argc, char **argv, char **envp) {
    (void)argc; (void)argv; (void)envp;
    set(SIGUSR1, on_rt, 1);
    set(SIGUSR2, on_old, 0);
    edit_frame = 0;
    round_trip(SIGUSR1, "rt frame, handler clobbers:");
    round_trip(SIGUSR2, "old frame, handler clobbers:");
    edit_frame = 1;
    round_trip(SIGUSR1, "rt frame, handler edits the frame:");
    round_trip(SIGUSR2, "old frame, handler edits the frame:");
    return 0;
}
