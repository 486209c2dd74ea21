/*
 * boot-entry-state: what a boot sector finds at its first instruction, in real mode: every general register, FLAGS,
 * the segment registers, CR0 and IDTR, saved before anything changes them and printed. A BIOS defines only CS:IP
 * (0000:7C00) and DL (the boot drive); Popek sets the rest to fixed values, the same in every mode.
 */
#define COM1 0x3F8

    .section .boot, "ax"
    .code16
    .globl _start
_start:
    movl %eax, %cs:saved + 0
    movl %ebx, %cs:saved + 4
    movl %ecx, %cs:saved + 8
    movl %edx, %cs:saved + 12
    movl %esi, %cs:saved + 16
    movl %edi, %cs:saved + 20
    movl %ebp, %cs:saved + 24
    movl %esp, %cs:saved + 28
    pushfl
    popl %cs:saved + 32
    movw %cs, %cs:saved + 36
    movw %ds, %cs:saved + 40
    movw %es, %cs:saved + 44
    movw %fs, %cs:saved + 48
    movw %gs, %cs:saved + 52
    movw %ss, %cs:saved + 56
    movl %cr0, %eax
    movl %eax, %cs:saved + 60
    sidtl %cs:idtr                      /* limit (2 bytes) and base (4) */
    cli
    movzwl %cs:idtr, %eax
    movl %eax, %cs:saved + 64
    movl %cs:idtr + 2, %eax
    movl %eax, %cs:saved + 68
    xorw %ax, %ax
    movw %ax, %ds
    movw %ax, %ss
    movw $0x7C00, %sp
    movw $msg, %si
    call puts
    xorw %bx, %bx                       /* register index */
1:  movw %bx, %si
    shlw $3, %si
    addw $names, %si
    call puts                           /* "eax=" */
    movw %bx, %si
    shlw $2, %si
    movl saved(%si), %eax
    movb $8, %cl
    cmpw $9, %bx                        /* segment registers and IDTR's limit: 4 digits */
    jb 2f
    cmpw $15, %bx
    je 2f
    cmpw $17, %bx
    je 2f
    shll $16, %eax
    movb $4, %cl
2:  call hex
    incw %bx
    movb $' ', %al
    movw %bx, %si
    cmpb $0, linebreaks(%si)
    je 3f
    movb $'\n', %al
3:  call putc
    cmpw $18, %bx
    jb 1b
    movb $0x10, %al
    outb %al, $0xF4
    hlt

hex:                                    /* CL hex digits of EAX, most significant first */
    roll $4, %eax
    pushl %eax
    andw $15, %ax
    movw %ax, %si
    movb digits(%si), %al
    call putc
    popl %eax
    decb %cl
    jnz hex
    ret
puts:
    lodsb
    testb %al, %al
    jz 4f
    call putc
    jmp puts
4:  ret
putc:
    movw $COM1, %dx
    outb %al, %dx
    ret

digits: .ascii "0123456789abcdef"
/* The names, 8 bytes apart. */
.macro name s
9:  .asciz "\s"
    .fill 8 - (. - 9b)
.endm
names:  name "eax=" ; name "ebx=" ; name "ecx=" ; name "edx=" ; name "esi=" ; name "edi=" ; name "ebp=" ; name "esp="
        name "eflags=" ; name "cs=" ; name "ds=" ; name "es=" ; name "fs=" ; name "gs=" ; name "ss=" ; name "cr0="
        name "idtr=" ; name "/"
/* A line ends after the register of each index marked 1 (edx, esp, efl, ss, cr0, the IDT's base). */
linebreaks: .byte 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 1
msg:    .asciz "boot-entry-state: the registers at a boot sector's first instruction\n"

    .bss
    .balign 4
saved:  .skip 72
idtr:   .skip 8
