/* COM1 16550 UART: init, polled transmit and receive. */
#include "guest.h"

#define THR 0   /* transmit holding (DLAB=0) */
#define RBR 0   /* receive buffer (DLAB=0) */
#define DLL 0   /* divisor latch low (DLAB=1) */
#define IER 1
#define DLM 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define LSR_DR   0x01
#define LSR_THRE 0x20

#ifdef PARA
/* Para build: the "serial port" is the PV console ring (pvlib.h), so kprintf works unchanged. */
#include "pvlib.h"

void serial_init(void)
{
    pv_console_attach();                /* on failure pv_console_putc falls back to HC_CONSOLE_WRITE */
}

void serial_putc(char c)
{
    pv_console_putc(c);
}

int serial_rx_ready(void)
{
    return pv_console_peek();
}

char serial_getc(void)
{
    int c;
    while ((c = pv_console_getc()) < 0) {
        uint32_t old = pv_irq_save();
        if (!pv_console_peek())
            pv_block();                 /* until an event (PV_EV_CONSOLE) */
        pv_irq_restore(old);
    }
    return (char)c;
}
#else
void serial_init(void)
{
    outb(COM1 + IER, 0x00);             /* no UART interrupts */
    outb(COM1 + LCR, 0x80);             /* DLAB=1 */
    outb(COM1 + DLL, 0x01);             /* divisor 1: 115200 baud */
    outb(COM1 + DLM, 0x00);
    outb(COM1 + LCR, 0x03);             /* DLAB=0, 8 data bits, no parity, 1 stop bit */
    /* FIFO stays disabled: enabling it flushes the receiver, which could drop input that
     * arrived before this point (QEMU delivers one byte early when the FIFO is off). */
    outb(COM1 + FCR, 0x00);
    outb(COM1 + MCR, 0x0B);             /* DTR, RTS, OUT2 (gates the IRQ line on a PC) */
}

void serial_putc(char c)
{
    while (!(inb(COM1 + LSR) & LSR_THRE))
        ;
    outb(COM1 + THR, (uint8_t)c);
}

void serial_puts(const char *s)
{
    while (*s)
        serial_putc(*s++);
}

int serial_rx_ready(void)
{
    return inb(COM1 + LSR) & LSR_DR;
}

char serial_getc(void)
{
    while (!serial_rx_ready())
        ;
    return (char)inb(COM1 + RBR);
}
#endif
