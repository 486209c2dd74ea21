/*
 * boot-mixed: one boot sector laid out as the textbook one (xv6's bootasm.S): real-mode code, 32-bit code and the GDT
 * in the same 512 bytes, so in the same 4 KiB page. It keeps DL and CR0 as the BIOS left them (printed later, by
 * 32-bit code placed after the GDT), enables A20, loads its GDT, sets CR0.PE and far-jumps to the 32-bit code right after the jump, which
 * reloads the data segments with "movw $0x10, %ax; movw %ax, %ds" (where full mode once looped); then goes back to
 * real mode through a 16-bit protected-mode segment, prints from 16-bit code in the same page, and enters protected
 * mode once more. Each mode switch runs code of a page already run in the other mode.
 */
#define COM1 0x3F8

    .section .boot, "ax"
    .code16
    .globl _start
_start:
    cli
    movb %dl, %cs:saved_dl              /* the boot drive */
    movl %cr0, %eax
    movl %eax, %cs:saved_cr0
    xorw %ax, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw $0x7C00, %sp
    inb $0x92, %al                      /* A20 (fast gate) */
    orb $2, %al
    andb $0xFE, %al
    outb %al, $0x92
    lgdt gdtdesc
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmp $0x08, $start32

    .code32
start32:
    movw $0x10, %ax                     /* the textbook's first 32-bit instructions */
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw $0, %ax
    movw %ax, %fs
    movw %ax, %gs
    movl $0x7C00, %esp
    call report                         /* 32-bit code after the GDT, in the same page */
    ljmp $0x18, $pm16                   /* down to 16-bit protected mode ... */

    .code16
pm16:
    movw $0x20, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movl %cr0, %eax
    andl $0xFFFFFFFE, %eax
    movl %eax, %cr0                     /* ... and to real mode */
    ljmp $0, $real16
real16:
    xorw %ax, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw $msg_real, %si
1:  lodsb                               /* print from 16-bit code */
    testb %al, %al
    jz 2f
    movw $COM1, %dx
    outb %al, %dx
    jmp 1b
2:  movl %cr0, %eax                     /* and into protected mode once more */
    orl $1, %eax
    movl %eax, %cr0
    ljmp $0x08, $again32

    .code32
again32:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %ss
    movl $msg_again, %esi
    call puts
    movb $0x10, %al                     /* pass: exit status 33 */
    outb %al, $0xF4
    hlt

    .p2align 3
gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF            /* 0x08: flat 32-bit code */
    .quad 0x00CF92000000FFFF            /* 0x10: flat data */
    .quad 0x00009A000000FFFF            /* 0x18: 16-bit code, base 0, 64 KiB */
    .quad 0x000092000000FFFF            /* 0x20: 16-bit data, base 0, 64 KiB */
gdtdesc:
    .word gdtdesc - gdt - 1
    .long gdt

    .code32
/* "dl=80 cr0=xxxxxxxx": the boot drive and CR0 as the BIOS left them (CR0 has ET, and PE clear). */
report:
    movl $msg_pm, %esi
    call puts
    movzbl saved_dl, %eax
    shll $24, %eax
    movb $2, %cl
    call hex
    movl $msg_cr0, %esi
    call puts
    movl saved_cr0, %eax
    andl $0x7FFFFFFF, %eax              /* (PG: clear in real mode, where it cannot be set) */
    movb $8, %cl
    call hex
    movb $'\n', %al
    jmp putc
hex:
    roll $4, %eax                       /* CL hex digits of EAX, most significant first */
    pushl %eax
    andl $15, %eax
    movb digits(%eax), %al
    call putc
    popl %eax
    decb %cl
    jnz hex
    ret
puts:
    lodsb
    testb %al, %al
    jz 7f
    call putc
    jmp puts
7:  ret
putc:
    movw $COM1, %dx
    outb %al, %dx
    ret

digits:    .ascii "0123456789abcdef"
msg_pm:    .asciz "boot-mixed: protected mode; dl="
msg_cr0:   .asciz " cr0="
msg_real:  .asciz "boot-mixed: real mode again\n"
msg_again: .asciz "boot-mixed: protected mode again\n"

    .bss
saved_dl:  .skip 4
saved_cr0: .skip 4
