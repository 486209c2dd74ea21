/* Entry of Popek's Linux test programs: ESP points at argc, argv, NULL, envp, NULL, auxv (the i386 ABI). */
        .text
        .globl _start
_start:
        xorl    %ebp, %ebp
        movl    %esp, %eax
        andl    $-16, %esp
        subl    $12, %esp
        pushl   %eax
        call    __start_c
        hlt
