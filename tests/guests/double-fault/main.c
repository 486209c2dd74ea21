/* double-fault: int3 with its IDT gate not present -> #NP(3*8+2); then with the #NP gate also not
 * present -> #NP while delivering #NP -> #DF (error code 0), handled by an interrupt gate. */
#include "guest.h"

void raise_bp(void);
__asm__(".text\n"
        "raise_bp:\n"
        FAULT_INSN("bp_insn", "int3")
        "\tret\n");
extern char bp_insn[];

static int np_seen;

static struct regs *on_np(struct regs *r)
{
    np_seen++;
    kprintf("#NP: err=0x%04x (3*8+2: IDT entry 3), saved eip = int3 insn: %s\n", r->err,
            r->eip == (uint32_t)bp_insn ? "ok" : "FAIL");
    if (r->err != 3 * 8 + 2 || !fixup_resume(r))
        debug_exit(EXIT_FAIL);
    return r;
}

static struct regs *on_df(struct regs *r)
{
    kprintf("double fault: err=0x%08x (%s)\n", r->err, r->err == 0 ? "ok" : "FAIL");
    int ok = r->err == 0 && np_seen == 1;
    kprintf("double-fault: %s\n", ok ? "pass" : "FAIL");
    debug_exit(ok ? EXIT_PASS : EXIT_FAIL);
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    (void)magic; (void)mbi;
    serial_init();
    kprintf("double-fault: not-present gates\n");
    gdt_init();
    idt_init();
    isr_register(8, on_df);
    isr_register(11, on_np);
    idt_set_present(3, 0);
    kprintf("step 1: int3 with gate 3 not present\n");
    raise_bp();
    idt_set_present(11, 0);
    kprintf("step 2: int3 with gates 3 and 11 (#NP) not present\n");
    raise_bp();
    kprintf("no double fault: FAIL\n");
    return 1;
}
