/* raw-entry-state: what a Multiboot kernel finds at its first instruction: every general register, EFLAGS, the
 * segment selectors, CR0, CR4, and GDTR's and IDTR's limits, saved before anything changes them and printed. */
#include "guest.h"

#define FLAGS (MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMINFO)
    .section .multiboot, "a"
    .balign 4
    .long MB_HEADER_MAGIC, FLAGS, -(MB_HEADER_MAGIC + FLAGS)

    .text
    .globl _start
_start:
    movl %eax, saved + 0
    movl %ebx, saved + 4
    movl %ecx, saved + 8
    movl %edx, saved + 12
    movl %esi, saved + 16
    movl %edi, saved + 20
    movl %ebp, saved + 24
    movl %esp, saved + 28
    movl $stack_top, %esp
    pushfl
    popl saved + 32
    movw %cs, saved + 36
    movw %ds, saved + 40
    movw %es, saved + 44
    movw %fs, saved + 48
    movw %gs, saved + 52
    movw %ss, saved + 56
    movl %cr0, %eax
    movl %eax, saved + 60
    movl %cr4, %eax
    movl %eax, saved + 64
    sgdt gdtr
    sidt idtr
    call serial_init
    pushl $saved
    call report
    pushl $EXIT_PASS
    call debug_exit

    .data
    .balign 4
    .globl saved, gdtr, idtr
saved: .skip 68
gdtr: .skip 8
idtr: .skip 8
    .bss
    .balign 16
    .skip 4096
stack_top:
