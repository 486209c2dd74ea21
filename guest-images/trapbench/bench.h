/* trapbench: class ids, the marker port and the asm macro shared by main.c, bench.S and user.user.S. */
#ifndef TRAPBENCH_BENCH_H
#define TRAPBENCH_BENCH_H

/* Marker port: outl (class << 8) | MARK_START just before a timed loop, (class << 8) | MARK_END just after. */
#define MARK_PORT   0x4E8
#define MARK_START  0
#define MARK_END    1

/* Class ids: the order they run in and the number in every marker. */
#define C_COMPUTE       0
#define C_CLI_STI       1
#define C_PUSHF_POPF    2
#define C_OUT_NULL      3
#define C_IN_NULL       4
#define C_MOV_CR3       5
#define C_INVLPG        6
#define C_LIDT_SIDT     7
#define C_RDMSR_WRMSR   8
#define C_SYSCALL       9
#define C_PAGEFAULT     10
#define C_HLT_TIMER     11
#define NCLASSES        12

#define NULL_PORT       0x80            /* POST code port: writes ignored, reads harmless */
#define SYSCALL_VEC     0x80            /* DPL 3 interrupt gate to a bare iret */
#define BENCH_MSR       0x174           /* IA32_SYSENTER_CS: unused by this kernel */
#define HLT_HZ          10000           /* PIT rate during hlt_timer only */
#define HLT_CAP         2000            /* hlt_timer runs min(iterations, HLT_CAP) times */
#define PG_PRESENT      0x001           /* PTE P bit (guest.h's PTE_P is C-only) */

#ifdef __ASSEMBLER__
/* Write the marker (id << 8) | phase to MARK_PORT (clobbers eax, edx). */
.macro MARK id, phase
    movl $((\id << 8) | \phase), %eax
    movw $MARK_PORT, %dx
    outl %eax, %dx
.endm
#endif
#endif
