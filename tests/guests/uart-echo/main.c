/* uart-echo: reads a line from COM1 by polling LSR.DR, then a line through IRQ 4 (IER.RDA, PIC),
 * echoing each character uppercased; a newline ends each line. Feed it two lines of input. */
#include "guest.h"

static volatile char ring[64];
static volatile uint32_t head, tail, irqs;

static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static struct regs *on_com1(struct regs *r)
{
    irqs++;
    (void)inb(COM1 + 2);                /* IIR: identify (and acknowledge) the interrupt */
    while (serial_rx_ready()) {
        char c = (char)inb(COM1 + 0);
        if (head - tail < sizeof ring)
            ring[head++ % sizeof ring] = c;
    }
    pic_eoi(4);
    return r;
}

/* Echoes uppercased characters from next_char() until '\n' (a '\r' is dropped). */
static void echo_line(char (*next_char)(void))
{
    for (;;) {
        char c = next_char();
        if (c == '\r')
            continue;
        serial_putc(upper(c));
        if (c == '\n')
            return;
    }
}

static char irq_getc(void)
{
    cli();
    while (head == tail) {
        sti_hlt();                      /* wait for IRQ 4 */
        cli();
    }
    char c = ring[tail++ % sizeof ring];
    sti();
    return c;
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    (void)magic; (void)mbi;
    serial_init();
    gdt_init();
    idt_init();
    pic_remap(IRQ_BASE, IRQ_BASE + 8);
    isr_register(IRQ_BASE + 4, on_com1);

    kprintf("uart-echo: polled mode, send a line\n");
    echo_line(serial_getc);

    kprintf("uart-echo: irq mode, send a line\n");
    pic_unmask(4);
    sti();
    outb(COM1 + 1, 0x01);               /* IER: received-data-available interrupt */
    echo_line(irq_getc);
    cli();
    outb(COM1 + 1, 0x00);
    pic_mask(4);
    kprintf("uart-echo: received via IRQ 4: %s\n", irqs ? "yes" : "NO");
    kprintf("uart-echo: %s\n", irqs ? "pass" : "FAIL");
    return irqs == 0;
}
