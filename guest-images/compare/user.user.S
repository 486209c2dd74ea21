/* compare's ring-3 part: the syscall workload's loop (linked into the U/S=1 user region). */
#include "guest.h"

    .data
    .globl user_n
    .p2align 2
user_n: .long 0                         /* round trips to make, set by the kernel */

    .text
    .globl user_syscalls
/* user_syscalls: user_n round trips of `int $0x80` with eax = 7, ebx = i; the kernel answers i + 1. Returns
 * (through user_return) 0, or the failing i + 1 if an answer was wrong. */
user_syscalls:
    movl user_n, %ecx
1:  movl $7, %eax
    movl %ecx, %ebx
    int $0x80
    leal 1(%ecx), %edx
    cmpl %edx, %eax
    jne 2f
    decl %ecx
    jnz 1b
    xorl %eax, %eax
    int $USER_RET_VEC
2:  movl %edx, %eax
    int $USER_RET_VEC
