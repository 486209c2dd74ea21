/*
 * boot-gdb: a one-sector boot disk for debugging with gdb (GdbBootSectorTest). Real mode: a call to a function and
 * an int3 of its own, taken by its IVT handler. Then protected mode (no paging): a sensitive instruction (pushfl,
 * rewritten into a trap in full mode), an int3 of its own taken through its IDT, and a loop that spins for ever,
 * counting, and every 2^16 rounds increments a watched variable; before it, the guest reads the first byte of the
 * loop's code (a debugger's breakpoint there must not show). The labels are global so that gdb can break on them;
 * the variables sit at fixed addresses in a page of their own (0x9000), away from the code and the stack.
 */
    .set counter, 0x9000            /* rounds of the spin loop */
    .set watched, 0x9004            /* incremented every 2^16 rounds */
    .set rm_calls, 0x9008           /* calls of rm_function */
    .set rm_int3s, 0x900C           /* int3s taken in real mode */
    .set pm_int3s, 0x9010           /* int3s taken in protected mode */
    .set spin_seen, 0x9014          /* the first byte of spin's code, as the guest reads it */
    .set idt, 0x9100                /* four gates: vector 3 is the only one set */
    .globl counter, watched, rm_calls, rm_int3s, pm_int3s, spin_seen

    .section .boot, "ax"
    .code16
    .globl _start
_start:
    cli
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $0x6000, %sp                /* the stack in a page of its own too */
    movw $rm_int3_handler, 3 * 4    /* IVT[3] = 0000:rm_int3_handler */
    movw $0, 3 * 4 + 2
    call rm_function
    .globl rm_own_int3
rm_own_int3:
    int3
    .globl rm_after_int3
rm_after_int3:
    lgdtl gdt_descriptor
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmp $0x08, $protected

    .globl rm_function
rm_function:
    incw rm_calls
    ret

    .globl rm_int3_handler
rm_int3_handler:
    incw rm_int3s
    iret

    .code32
protected:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss
    mov $0x8000, %esp
    mov $pm_int3_handler, %eax      /* IDT[3]: a 32-bit interrupt gate, DPL 0, to pm_int3_handler */
    mov %ax, idt + 3 * 8
    movw $0x08, idt + 3 * 8 + 2
    movw $0x8E00, idt + 3 * 8 + 4
    shr $16, %eax
    mov %ax, idt + 3 * 8 + 6
    lidtl idt_descriptor
    .globl sensitive_site
sensitive_site:
    pushfl
    .globl after_sensitive
after_sensitive:
    popl %eax
    .globl pm_own_int3
pm_own_int3:
    int3
    .globl reads_own_code
reads_own_code:
    movzbl spin, %eax               /* a debugger's breakpoint at spin must not show here */
    mov %eax, spin_seen
    .globl spin
spin:
    incl counter
    testl $0xFFFF, counter
    jnz spin
    .globl watched_store
watched_store:
    incl watched
    .globl after_watched_store
after_watched_store:
    jmp spin

    .globl pm_int3_handler
pm_int3_handler:
    incl pm_int3s
    iret

    .p2align 3
gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF        /* 0x08: code, base 0, 4 GiB, 32-bit */
    .quad 0x00CF92000000FFFF        /* 0x10: data */
gdt_descriptor:
    .word gdt_descriptor - gdt - 1
    .long gdt
idt_descriptor:
    .word 4 * 8 - 1
    .long idt
