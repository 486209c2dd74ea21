/* irq-window: an interrupt that waits while IF = 0 is taken in the short window a guest opens with sti; nop; nop;
 * cli, just after sti's one-instruction shadow, as the CPU takes it. IRQ 0 (the PIT) is made pending with
 * interrupts off (seen in the PIC's IRR), then the window opens once; the tick must have come by the cli, and after
 * the first nop (the shadow's instruction), not before it. (More ticks may follow in the same window when the
 * handler outlasts the PIT's period, as it can in a VMM.) Repeated 20 times.
 * Emulate mode cannot honour this (Unicorn runs sti itself: nothing returns to Popek in the window); full mode traps
 * sti and cli, so it can. */
#include "guest.h"

static volatile uint32_t ticks;
static volatile uint32_t where;         /* the EIP the window's first tick interrupted (0: none yet) */
extern char window_shadow[], window_after[];

static struct regs *on_tick(struct regs *r)
{
    ticks++;
    if (!where)
        where = r->eip;
    pic_eoi(0);
    return r;
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    (void)magic;
    (void)mbi;
    serial_init();
    gdt_init();
    idt_init();
    pic_remap(IRQ_BASE, IRQ_BASE + 8);
    isr_register(IRQ_BASE, on_tick);
    pit_set_hz(100);
    pic_unmask(0);
    int ok = 1;
    for (int round = 0; round < 20; round++) {
        cli();
        uint32_t before = ticks;
        where = 0;
        while (!(pic_read_irr() & 1))   /* IRQ 0 requested, waiting for IF */
            ;
        __asm__ volatile("sti\n"
                         ".globl window_shadow\nwindow_shadow: nop\n"
                         ".globl window_after\nwindow_after: nop\n"
                         "cli" ::: "memory");
        if (ticks == before || where < (uint32_t)window_after) {
            kprintf("irq-window: round %d: %u ticks in the window, taken at 0x%x (shadow 0x%x)\n", round,
                    ticks - before, where, (uint32_t)window_shadow);
            ok = 0;
        }
    }
    kprintf("irq-window: %s\n", ok ? "every tick taken in its window, after the sti shadow" : "FAILED");
    debug_exit(ok ? EXIT_PASS : EXIT_FAIL);
}
