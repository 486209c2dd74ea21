/* C side of interrupt handling: handler table, default (fatal) handler, fault fix-up table. */
#include "guest.h"

static isr_handler_t handlers[256];

static const char *const names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow", "#BR bound range",
    "#UD invalid opcode", "#NM device not available", "#DF double fault", "coprocessor overrun",
    "#TS invalid TSS", "#NP segment not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check", "#MC machine check",
    "#XM SIMD error", "#VE virtualization", "#CP control protection",
};

const char *exception_name(int vec)
{
    if (vec < 32)
        return names[vec] ? names[vec] : "reserved exception";
    if (vec >= IRQ_BASE && vec < IRQ_BASE + 16)
        return "irq";
    return "interrupt";
}

void isr_register(int vec, isr_handler_t h)
{
    handlers[vec & 0xFF] = h;
}

struct regs *isr_dispatch(struct regs *r)
{
    isr_handler_t h = handlers[r->vector & 0xFF];
    if (h)
        return h(r);
    /* Spurious IRQ 7 / 15: the PIC reports the lowest priority line with its ISR bit clear. */
    if (r->vector == IRQ_BASE + 7 && !(pic_read_isr() & 0x0080))
        return r;
    if (r->vector == IRQ_BASE + 15 && !(pic_read_isr() & 0x8000)) {
        pic_eoi(0);                     /* the master did see IRQ 2 */
        return r;
    }
    kprintf("PANIC: unhandled %s (vector %u) err=0x%08x eip=0x%08x cs=0x%04x eflags=0x%08x",
            exception_name((int)r->vector), r->vector, r->err, r->eip, r->cs, r->eflags);
    if (r->vector == 14)
        kprintf(" cr2=0x%08x", read_cr2());
    kprintf("\n");
    debug_exit(EXIT_PANIC);
}

struct fixup { uint32_t insn, resume; };
extern const struct fixup __fixup_start[], __fixup_end[];

int fixup_resume(struct regs *r)
{
    for (const struct fixup *f = __fixup_start; f < __fixup_end; f++)
        if (f->insn == r->eip) {
            r->eip = f->resume;
            return 1;
        }
    return 0;
}
