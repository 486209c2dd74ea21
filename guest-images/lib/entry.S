/* Multiboot 1 header + entry stub shared by all guests: own flat GDT, stack, kmain(magic, info), exit.
 * Built with LINUX_ENTRY it is instead the 32-bit entry of a Linux-boot-protocol guest (tests/guests/linux-*, after
 * lib/linux-setup.S): no Multiboot header (QEMU would boot it by that instead), ESI (the zero page) kept in
 * linux_params, the bss zeroed (a bzImage's loader loads only the file), kmain(0, NULL). */
#include "guest.h"

#ifndef LINUX_ENTRY
#ifdef MB_AOUT_KLUDGE
#define MB_FLAGS (MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMINFO | MB_FLAG_AOUT_KLUDGE)
#else
#define MB_FLAGS (MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMINFO)
#endif

    .section .multiboot, "a"
    .balign 4
mb_header:
    .long MB_HEADER_MAGIC
    .long MB_FLAGS
    .long -(MB_HEADER_MAGIC + MB_FLAGS)
#ifdef MB_AOUT_KLUDGE
    .long mb_header                     /* header_addr */
    .long __load_start                  /* load_addr: file offset 0 is loaded here */
    .long __load_end                    /* load_end_addr: end of text+data */
    .long __bss_end                     /* bss_end_addr: zeroed by the loader up to here */
    .long _start                        /* entry_addr */
#endif
#endif

    .text
    .globl _start
_start:
    cli
    cld
#ifdef LINUX_ENTRY
    movl %esi, linux_params
    movl %ebx, linux_entry_regs + 0     /* what the protocol defines at the 32-bit entry, for the guest to check */
    movl %edi, linux_entry_regs + 4
    movl %ebp, linux_entry_regs + 8
    movw %cs, linux_entry_regs + 12
    movw %ds, linux_entry_regs + 16
    movw %ss, linux_entry_regs + 20
    pushfl                              /* (on the loader's stack: the protocol gives none, Popek and QEMU do) */
    popl linux_entry_regs + 24
    movl $__bss_start, %edi
    movl $__bss_end, %ecx
    subl %edi, %ecx
    xorl %eax, %eax
    rep stosb
    xorl %ebx, %ebx
#endif
    movl %eax, mb_magic
    movl %ebx, mb_info
    lgdt boot_gdtr                      /* the loader's GDT is not guaranteed */
    ljmp $SEL_KCODE, $1f
1:  movw $SEL_KDATA, %cx
    movw %cx, %ds
    movw %cx, %es
    movw %cx, %fs
    movw %cx, %gs
    movw %cx, %ss
    movl $boot_stack_top, %esp
    xorl %ebp, %ebp
    pushl $0
    popfl                               /* IF=0, DF=0, IOPL=0 */
    pushl %ebx
    pushl %eax
    call kmain
    testl %eax, %eax                    /* kmain returned: 0 -> PASS, else FAIL */
    movl $EXIT_PASS, %eax
    jz 2f
    movl $EXIT_FAIL, %eax
2:  pushl %eax
    call debug_exit

    .section .rodata
    .balign 8
boot_gdt:
    .quad 0                             /* null */
    .quad 0x00CF9A000000FFFF            /* 0x08: ring 0 code, flat 4 GiB */
    .quad 0x00CF92000000FFFF            /* 0x10: ring 0 data, flat 4 GiB */
boot_gdt_end:
boot_gdtr:
    .word boot_gdt_end - boot_gdt - 1
    .long boot_gdt

    .data
    .globl mb_magic, mb_info, linux_params, linux_entry_regs
    .balign 4
mb_magic: .long 0
mb_info:  .long 0
linux_params: .long 0
linux_entry_regs: .long 0, 0, 0, 0, 0, 0, 0

    .bss
    .balign 16
boot_stack:
    .skip 16384
boot_stack_top:
