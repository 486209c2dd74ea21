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

/* The restorer a handler returns to (what libc passes with SA_RESTORER): rt_sigreturn. */
        .globl t_restore_rt
t_restore_rt:
        movl    $173, %eax
        int     $0x80

/* The restorer for a handler without SA_SIGINFO (an old-style frame): sigreturn, after popping the signal number. */
        .globl t_restore
t_restore:
        popl    %eax
        movl    $119, %eax
        int     $0x80

/* int t_clone(int flags, void *stack_top, int *ptid, void *tls, int *ctid, int (*fn)(void *), void *arg):
 * raw clone; the child, on its new stack, calls fn(arg) and exits with its result. */
        .globl t_clone
t_clone:
        pushl   %ebx
        pushl   %esi
        pushl   %edi
        movl    20(%esp), %ecx          /* stack_top */
        movl    36(%esp), %eax          /* fn */
        movl    40(%esp), %edx          /* arg */
        subl    $8, %ecx
        movl    %edx, 4(%ecx)           /* the child pops fn, then finds arg above it */
        movl    %eax, (%ecx)
        movl    16(%esp), %ebx          /* flags */
        movl    24(%esp), %edx          /* ptid */
        movl    28(%esp), %esi          /* tls */
        movl    32(%esp), %edi          /* ctid */
        movl    $120, %eax
        int     $0x80
        testl   %eax, %eax
        jz      1f
        popl    %edi
        popl    %esi
        popl    %ebx
        ret
1:      xorl    %ebp, %ebp
        popl    %eax                    /* fn; arg is now at (%esp) */
        call    *%eax
        movl    %eax, %ebx
        movl    $1, %eax                /* exit (this thread only) */
        int     $0x80
        hlt

/* long syscall6(long nr, long a, long b, long c, long d, long e, long f): EAX; EBX, ECX, EDX, ESI, EDI, EBP. */
        .globl syscall6
syscall6:
        pushl   %ebp
        pushl   %edi
        pushl   %esi
        pushl   %ebx
        movl    20(%esp), %eax
        movl    24(%esp), %ebx
        movl    28(%esp), %ecx
        movl    32(%esp), %edx
        movl    36(%esp), %esi
        movl    40(%esp), %edi
        movl    44(%esp), %ebp
        int     $0x80
        popl    %ebx
        popl    %esi
        popl    %edi
        popl    %ebp
        ret
