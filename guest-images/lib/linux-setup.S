/*
 * The real-mode setup of a Linux-boot-protocol test guest (tests/guests/linux-*): the first two sectors of its
 * bzImage, the boot sector (unused, but where the setup header begins, at 0x1F1) and one sector of setup code. A loader
 * that enters at the 32-bit entry (Popek) reads only the header; one that runs the setup (QEMU's -kernel: CS:IP =
 * seg+20h:0, DS = ES = SS = seg, the zero page at seg:0) gets here at offset 0x200, and the code below switches to
 * protected mode as Linux's own setup does before it jumps to code32_start: the protocol's GDT (__BOOT_CS 0x10,
 * __BOOT_DS 0x18, flat), CS = __BOOT_CS, the data segments __BOOT_DS, ESI = the zero page, interrupts off.
 * Linked at 0, so a DS-relative address is an offset in the file.
 */
#define BOOT_CS 0x10
#define BOOT_DS 0x18

    .code16
    .section .setup, "ax"
    .org 0x1F1
    .byte 1                             /* 1F1 setup_sects: one sector of setup after the boot sector */
    .word 0                             /* 1F2 root_flags */
    .long 0                             /* 1F4 syssize */
    .word 0                             /* 1F8 ram_size */
    .word 0                             /* 1FA vid_mode */
    .word 0                             /* 1FC root_dev */
    .word 0xAA55                        /* 1FE boot_flag */
    jmp setup_start                     /* 200 jump: the header's end */
    .ascii "HdrS"                       /* 202 header */
    .word 0x0206                        /* 206 version 2.06 (no setup_data: QEMU 7.2 adds an RNG seed for 2.09+) */
    .long 0                             /* 208 realmode_swtch */
    .word 0                             /* 20C start_sys_seg */
    .word 0                             /* 20E kernel_version */
    .byte 0                             /* 210 type_of_loader */
    .byte 0x01                          /* 211 loadflags: LOADED_HIGH (the kernel at 1 MiB) */
    .word 0                             /* 212 setup_move_size */
    .long 0x100000                      /* 214 code32_start */
    .long 0                             /* 218 ramdisk_image */
    .long 0                             /* 21C ramdisk_size */
    .long 0                             /* 220 bootsect_kludge */
    .word 0                             /* 224 heap_end_ptr */
    .byte 0                             /* 226 ext_loader_ver */
    .byte 0                             /* 227 ext_loader_type */
    .long 0                             /* 228 cmd_line_ptr */
    .long 0x37FFFFFF                    /* 22C initrd_addr_max */
    .long 0                             /* 230 kernel_alignment */
    .byte 0                             /* 234 relocatable_kernel */
    .byte 0                             /* 235 min_alignment */
    .word 0                             /* 236 xloadflags */
    .long 255                           /* 238 cmdline_size */

setup_start:
    cli
    cld
    xorl %ebx, %ebx
    movw %ds, %bx
    shll $4, %ebx                       /* EBX = the zero page's linear address */
    movl %ebx, %eax
    addl $gdt, %eax
    movl %eax, gdtr + 2
    lgdtl gdtr
    movl 0x214, %edx                    /* code32_start, as the loader may have changed it */
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    movw $BOOT_DS, %ax
    movw %ax, %ss
    movl %ebx, %esp                     /* a stack below the zero page, for the far return */
    pushl $BOOT_CS
    pushl %edx
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
    movl %ebx, %esi
    xorl %ebp, %ebp
    xorl %edi, %edi
    xorl %ebx, %ebx
    lretl                               /* to code32_start, in 32-bit code */

    .balign 8
gdt:
    .quad 0
    .quad 0
    .quad 0x00CF9A000000FFFF            /* 0x10: __BOOT_CS, flat 32-bit code */
    .quad 0x00CF92000000FFFF            /* 0x18: __BOOT_DS, flat data */
gdtr:
    .word 4 * 8 - 1
    .long 0                             /* the linear base, set above */

    .org 0x400                          /* two sectors: the boot sector and setup_sects = 1 */
