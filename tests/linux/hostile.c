/* hostile: what a program may do that a kernel must survive, each in a child whose death signal is checked:
 * privileged instructions, int n with a kernel-only gate, a jump into the kernel's region, a bad segment load,
 * sysenter/syscall, unbounded recursion, an infinite loop killed by a signal, memory until the pool runs out. */
#include "t.h"

static int child_signal(void (*body)(void)) {
    int pid = (int)sys0(SYS_fork);
    if (pid == 0) { body(); sys1(SYS_exit, 0); }
    int st = 0;
    sys4(SYS_wait4, pid, &st, 0, 0);
    return (st & 0x7f) ? (st & 0x7f) : -((st >> 8) & 0xff);
}

static void do_cli(void) { __asm__ volatile("cli"); }
static void do_hlt(void) { __asm__ volatile("hlt"); }
static void do_int81(void) { __asm__ volatile("int $0x81"); }
static void do_kernel_jump(void) { ((void (*)(void))0xFFFFF000)(); }
static void do_kernel_read(void) { (void)*(volatile int *)0xFFFFF000; }
static void do_bad_gs(void) { __asm__ volatile("movl $0x1234, %%eax\n\tmovl %%eax, %%gs" ::: "eax"); }
/* A sysenter outside any vDSO with an unreadable stack pointer (EBP): Linux answers at its landing point, whose pops
 * fault; qemu-i386 7.2 has no vDSO and raises SIGSEGV at once. */
static void do_sysenter(void) { __asm__ volatile("pushl %%ebp\n\tmovl $16, %%ebp\n\tsysenter" ::: "memory"); }
static void do_lgdt(void) { unsigned char d[6] = {0}; __asm__ volatile("lgdt %0" : : "m"(d)); }
static int recurse(int n) { volatile char pad[256]; pad[0] = (char)n; return recurse(n + 1) + pad[0]; }
static void do_recurse(void) { recurse(0); }
static void do_exhaust(void) {
    for (;;) {
        char *p = (char *)syscall6(SYS_mmap2, 0, 64 << 20, 3, 0x22, -1, 0);
        if ((unsigned int)p > 0xfffff000u) { for (;;) { char *q = (char *)sys1(SYS_brk, 0); sys1(SYS_brk, q + 4096); q[0] = 1; } }
        for (int i = 0; i < (64 << 20); i += 4096) p[i] = 1;
    }
}

int main(int argc, char **argv, char **envp) {
    (void)argc; (void)argv; (void)envp;
    CHECK_EQ(child_signal(do_cli), 11, "cli at ring 3: SIGSEGV");
    CHECK_EQ(child_signal(do_hlt), 11, "hlt: SIGSEGV");
    CHECK_EQ(child_signal(do_int81), 11, "int 0x81: SIGSEGV");
    CHECK_EQ(child_signal(do_kernel_jump), 11, "a jump into the kernel's region: SIGSEGV");
    CHECK_EQ(child_signal(do_kernel_read), 11, "a read of the kernel's region: SIGSEGV");
    CHECK_EQ(child_signal(do_bad_gs), 11, "a bad selector in %gs: SIGSEGV");
    CHECK_EQ(child_signal(do_sysenter), 11, "sysenter with an unreadable stack: SIGSEGV");
    CHECK_EQ(child_signal(do_lgdt), 11, "lgdt: SIGSEGV");
    CHECK_EQ(child_signal(do_recurse), 11, "unbounded recursion: SIGSEGV at the stack limit");
    if (argc > 1 && !strcmp(argv[1], "memory")) CHECK_EQ(child_signal(do_exhaust), 9, "touching memory until none is left: SIGKILL");
    printf("%d failures\n", t_failures);
    return t_failures != 0;
}
