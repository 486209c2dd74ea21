/* raw-hlt-first: a Multiboot kernel whose first instruction is hlt, with interrupts off as the loader leaves them:
 * nothing can ever wake it (Popek: exit 68 in every mode; QEMU waits for ever). Its Multiboot header ends just
 * before the hlt, in bytes that a sweep from the page's start decodes as "in al, 0xf4", swallowing the hlt. */
#define MAGIC 0x1BADB002
    .section .multiboot, "a"
    .balign 4
    .long MAGIC, 0, -MAGIC
    .text
    .globl _start
_start:
    hlt
    movb $0x11, %al                     /* it ran on: fail */
    outb %al, $0xf4
    jmp .
