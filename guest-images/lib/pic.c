/* 8259A PIC pair (remap, mask, EOI, IRR/ISR) and 8254 PIT channel 0. */
#include "guest.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xA0
#define PIC2_DATA 0xA1
#define PIT_CH0   0x40
#define PIT_CMD   0x43
#define PIT_HZ    1193182u

void pic_remap(uint8_t master_base, uint8_t slave_base)
{
    outb(PIC1_CMD, 0x11);  io_wait();   /* ICW1: edge triggered, cascade, ICW4 follows */
    outb(PIC2_CMD, 0x11);  io_wait();
    outb(PIC1_DATA, master_base); io_wait();   /* ICW2: vector base */
    outb(PIC2_DATA, slave_base);  io_wait();
    outb(PIC1_DATA, 0x04); io_wait();   /* ICW3: slave on IRQ 2 */
    outb(PIC2_DATA, 0x02); io_wait();   /* ICW3: slave identity 2 */
    outb(PIC1_DATA, 0x01); io_wait();   /* ICW4: 8086 mode, normal EOI */
    outb(PIC2_DATA, 0x01); io_wait();
    outb(PIC1_DATA, 0xFF);              /* OCW1: everything masked */
    outb(PIC2_DATA, 0xFF);
}

void pic_unmask(int irq)
{
    if (irq >= 8) {
        outb(PIC2_DATA, inb(PIC2_DATA) & ~(1 << (irq - 8)));
        irq = 2;                        /* the cascade line must be open too */
    }
    outb(PIC1_DATA, inb(PIC1_DATA) & ~(1 << irq));
}

void pic_mask(int irq)
{
    if (irq >= 8)
        outb(PIC2_DATA, inb(PIC2_DATA) | (1 << (irq - 8)));
    else
        outb(PIC1_DATA, inb(PIC1_DATA) | (1 << irq));
}

void pic_eoi(int irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, 0x20);           /* non-specific EOI */
    outb(PIC1_CMD, 0x20);
}

static uint16_t pic_read_reg(uint8_t ocw3)
{
    outb(PIC1_CMD, ocw3);
    outb(PIC2_CMD, ocw3);
    return (uint16_t)(inb(PIC2_CMD) << 8 | inb(PIC1_CMD));
}

uint16_t pic_read_irr(void) { return pic_read_reg(0x0A); }
uint16_t pic_read_isr(void) { return pic_read_reg(0x0B); }

uint16_t pit_set_hz(uint32_t hz)
{
    uint32_t div = (PIT_HZ + hz / 2) / hz;
    if (div > 0xFFFF)
        div = 0;                        /* 0 means 65536 */
    outb(PIT_CMD, 0x34);                /* channel 0, lobyte/hibyte, mode 2 (rate generator), binary */
    outb(PIT_CH0, div & 0xFF);
    outb(PIT_CH0, div >> 8);
    return (uint16_t)div;
}

uint16_t pit_read_count(void)
{
    outb(PIT_CMD, 0x00);                /* counter latch, channel 0 */
    uint8_t lo = inb(PIT_CH0);
    uint8_t hi = inb(PIT_CH0);
    return (uint16_t)(hi << 8 | lo);
}
