/*
 * boot-disk, sector 0: entered in real mode at 0000:7C00 as a BIOS leaves a boot sector. It records what it was
 * handed (DL, CR0, the BIOS data area words), enables A20 through the 8042 and port 0x92 and checks that the
 * address space no longer wraps at 1 MiB, loads the rest of the image (sectors 1..N) to 0x7E00 by ATA PIO, and
 * switches to 32-bit protected mode (lgdt, CR0.PE, far jump) to run boot_main() in main.c.
 */
#define ATA_DATA    0x1F0
#define ATA_COUNT   0x1F2
#define ATA_LBA0    0x1F3
#define ATA_LBA1    0x1F4
#define ATA_LBA2    0x1F5
#define ATA_DRIVE   0x1F6
#define ATA_STATUS  0x1F7
#define ATA_COMMAND 0x1F7

    .section .boot, "ax"
    .code16
    .globl _start
_start:
    cli
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $0x7C00, %sp
    mov %dl, bootinfo + 0           /* the boot drive */
    smsw %ax
    mov %ax, bootinfo + 2           /* CR0's low word at entry */
    mov 0x413, %ax
    mov %ax, bootinfo + 4           /* base memory, KiB */
    mov 0x40E, %ax
    mov %ax, bootinfo + 6           /* EBDA segment */
    mov %cs, %ax
    mov %ax, bootinfo + 8

    /* A20, first through the 8042's output port (command D1h, then the port value with bit 1 set) ... */
    call kbc_wait
    mov $0xD1, %al
    out %al, $0x64
    call kbc_wait
    mov $0xDF, %al
    out %al, $0x60
    call kbc_wait
    /* ... then through System Control Port A (0x92 bit 1; bit 0 would reset the machine). */
    in $0x92, %al
    or $0x02, %al
    and $0xFE, %al
    out %al, $0x92
    in $0x92, %al
    mov %al, bootinfo + 10
    /* A20 on: 0000:0500 and FFFF:0510 are different bytes (1 MiB apart). */
    mov $0xFFFF, %ax
    mov %ax, %fs
    movb $0x11, 0x500
    movb $0x22, %fs:0x510
    mov 0x500, %al
    mov %al, bootinfo + 11          /* 0x11 if A20 is on, 0x22 if the address wrapped */
    xor %ax, %ax
    mov %ax, %fs

    /* The rest of the image: sectors 1..N to 0000:7E00, LBA28, polling the status register. */
    mov $ATA_DRIVE, %dx
    mov $0xE0, %al                  /* LBA, master */
    out %al, %dx
    mov $ATA_COUNT, %dx
    mov $__boot_sectors, %al
    out %al, %dx
    mov $ATA_LBA0, %dx
    mov $1, %al
    out %al, %dx
    xor %al, %al
    mov $ATA_LBA1, %dx
    out %al, %dx
    mov $ATA_LBA2, %dx
    out %al, %dx
    mov $ATA_COMMAND, %dx
    mov $0x20, %al                  /* READ SECTORS */
    out %al, %dx
    mov $0x7E00, %di
    mov $__boot_sectors, %bx
1:  mov $ATA_STATUS, %dx
2:  in %dx, %al
    test $0x80, %al                 /* BSY */
    jnz 2b
    test $0x01, %al                 /* ERR */
    jnz disk_error
    test $0x08, %al                 /* DRQ */
    jz 2b
    mov $ATA_DATA, %dx
    mov $256, %cx
    cld
    rep insw
    dec %bx
    jnz 1b

    /* Protected mode: a flat GDT, CR0.PE, and a far jump that loads the 32-bit CS. */
    lgdtl gdt_descriptor
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmp $0x08, $protected

kbc_wait:
    in $0x64, %al
    test $0x02, %al                 /* input buffer full */
    jnz kbc_wait
    ret

disk_error:
    mov $'E', %al
    mov $0x3F8, %dx
    out %al, %dx
    mov $0x11, %al
    out %al, $0xF4
    hlt

    .code32
protected:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss
    mov $0x90000, %esp
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    call boot_main
    mov $0x11, %al
    out %al, $0xF4
    hlt

    .p2align 3
gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF        /* 0x08: code, base 0, 4 GiB, 32-bit */
    .quad 0x00CF92000000FFFF        /* 0x10: data */
gdt_descriptor:
    .word gdt_descriptor - gdt - 1
    .long gdt

    .globl bootinfo
bootinfo:
    .fill 12, 1, 0
