/* timer-irq: PIT at 1000 Hz through the PIC until 50 ticks (sti; hlt), then EOI and masking rules:
 * ISR bit set while in service; no EOI -> IRQ 0 stays pending in IRR and is not delivered until EOI;
 * masked IRQ 0 is latched in IRR but not delivered until unmasked. */
#include "guest.h"

static volatile uint32_t ticks, stop_at = 50;   /* the handler masks IRQ 0 at stop_at: exact count */
static volatile int skip_eoi;
static volatile uint16_t isr_in_handler, isr_after_eoi;
static int fails;

static struct regs *on_timer(struct regs *r)
{
    if (++ticks == stop_at)
        pic_mask(0);
    isr_in_handler = pic_read_isr();
    if (skip_eoi) {
        skip_eoi = 0;                   /* leave IRQ 0 in service */
        return r;
    }
    pic_eoi(0);
    isr_after_eoi = pic_read_isr();
    return r;
}

static void check(const char *what, int ok)
{
    kprintf("%s: %s\n", what, ok ? "ok" : "FAIL");
    fails += !ok;
}

/* Polls (interrupts as they are) until IRR bit 0 is set; 0 on timeout. */
static int wait_irr0(void)
{
    for (uint32_t i = 0; i < 2000000; i++)
        if (pic_read_irr() & 1)
            return 1;
    return 0;
}

/* Spins (IF=1) until ticks != t; 0 on timeout. Delivery may lag the unblocking write a little. */
static int wait_tick_after(uint32_t t)
{
    for (uint32_t i = 0; i < 20000000; i++)
        if (ticks != t)
            return 1;
    return 0;
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    (void)magic; (void)mbi;
    serial_init();
    gdt_init();
    idt_init();
    pic_remap(IRQ_BASE, IRQ_BASE + 8);
    isr_register(IRQ_BASE + 0, on_timer);
    uint16_t div = pit_set_hz(1000);
    kprintf("timer-irq: PIT 1000 Hz (divisor %u), IRQ 0 -> vector 0x%x\n", div, IRQ_BASE);
    pic_unmask(0);
    cli();
    while (ticks < 50) {
        sti_hlt();
        cli();
    }
    kprintf("ticks: %u\n", ticks);
    stop_at = 0;
    pic_unmask(0);
    check("ISR bit 0 set inside the handler", isr_in_handler == 0x0001);
    check("ISR clear after EOI", isr_after_eoi == 0x0000);

    /* No EOI: the next edges are latched in IRR but IRQ 0 is not delivered again. */
    skip_eoi = 1;
    uint32_t t0 = ticks;
    while (ticks == t0) {
        sti_hlt();
        cli();
    }
    uint32_t t1 = ticks;
    sti();
    int pending = wait_irr0();
    uint32_t t2 = ticks;
    check("without EOI: IRQ 0 pending in IRR", pending);
    check("without EOI: not delivered again", t2 == t1);
    check("without EOI: ISR bit 0 still set", (pic_read_isr() & 1) == 1);
    pic_eoi(0);                         /* IF=1: the pending IRQ 0 is delivered now */
    check("after EOI: pending IRQ 0 delivered", wait_tick_after(t2));
    cli();

    /* Masked: latched in IRR, not delivered; unmasking delivers it. */
    pic_mask(0);
    sti();
    uint32_t m0 = ticks;
    pending = wait_irr0();
    uint32_t m1 = ticks;
    check("masked: IRQ 0 latched in IRR", pending);
    check("masked: not delivered", m1 == m0);
    pic_unmask(0);
    check("after unmask: delivered", wait_tick_after(m1));
    cli();
    pic_mask(0);
    kprintf("timer-irq: %s\n", fails ? "FAIL" : "pass");
    return fails;
}
