/* exit-code: single-file assembly guest: prints a line, then isa-debug-exit with 0x2a -> status 85. */
#include "guest.h"

    .text
    .globl kmain
kmain:
    call serial_init
    pushl $msg
    call serial_puts
    addl $4, %esp
    pushl $0x2a                         /* (0x2a << 1) | 1 = 85 */
    call debug_exit

    .section .rodata
msg:
    .asciz "exit-code: leaving through isa-debug-exit with 0x2a (exit status 85)\n"
