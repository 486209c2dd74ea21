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

/* vfork for the tests: the child shares the parent's stack, so the return address must not live on it across the
 * call (the child's next call would overwrite it): it is kept in ECX, as libc's vfork does. */
        .globl t_vfork
t_vfork:
        popl    %ecx
        movl    $190, %eax
        int     $0x80
        pushl   %ecx
        ret
