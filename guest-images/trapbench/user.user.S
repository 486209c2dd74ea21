/* trapbench syscall_int80 loop: runs at CPL 3 (user_call) with IOPL 3 so it can write the markers itself.
 * This object's sections are renamed .user.* (U/S=1 pages). */
#include "guest.h"
#include "bench.h"

/* uint32_t user_syscall_loop(void): user_n iterations; the TSC cycles between the markers go to user_tsc. */
    .text
    .globl user_syscall_loop
user_syscall_loop:
    movl user_n, %esi
    rdtsc
    movl %eax, user_tsc
    movl %edx, user_tsc + 4
    MARK C_SYSCALL, MARK_START
    .balign 16
1:  int $SYSCALL_VEC                    /* one iteration: int 0x80 from CPL 3 -> sys_entry (iret) -> CPL 3 */
    decl %esi
    jnz 1b
    MARK C_SYSCALL, MARK_END
    rdtsc
    subl user_tsc, %eax
    sbbl user_tsc + 4, %edx
    movl %eax, user_tsc
    movl %edx, user_tsc + 4
    xorl %eax, %eax
    ret                                 /* into the library's trampoline: int USER_RET_VEC */

    .data
    .globl user_tsc, user_n
    .balign 8
user_tsc: .quad 0
user_n:   .long 0

    .bss
    .globl user_stack_top
    .balign 16
user_stack:
    .skip 4096
user_stack_top:
