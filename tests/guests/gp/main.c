/* gp: #GP error codes: bad selectors loaded into DS/ES/SS at CPL 0, privileged instructions,
 * port I/O and a DPL 0 data selector at CPL 3 (IOPL 0); each faulting instruction is skipped. */
#include "guest.h"

static uint8_t user_stack[4096] __attribute__((aligned(16)));
void ring0_cases(void);
uint32_t ring3_cases(void);

__asm__(".text\n"
        "ring0_cases:\n\t"
        "movw $0x50, %ax\n"             /* index 10: beyond the GDT limit */
        FAULT_INSN("g_ds_limit", "movw %ax, %ds")
        "\tmovw $0x28, %ax\n"           /* the TSS: a system descriptor */
        FAULT_INSN("g_es_tss", "movw %ax, %es")
        "\txorw %ax, %ax\n"             /* null selector into SS */
        FAULT_INSN("g_ss_null", "movw %ax, %ss")
        "\tmovw $0x23, %ax\n"           /* SS with RPL 3 != CPL 0 */
        FAULT_INSN("g_ss_rpl", "movw %ax, %ss")
        "\tret\n"
        "ring3_cases:\n"
        FAULT_INSN("g_cli", "cli")
        FAULT_INSN("g_hlt", "hlt")
        FAULT_INSN("g_out", "outb %al, $0x80")
        FAULT_INSN("g_cr0", "movl %cr0, %eax")
        "\tmovw $0x10, %ax\n"           /* ring 0 data segment (DPL 0 < CPL 3) */
        FAULT_INSN("g_ds_dpl", "movw %ax, %ds")
        "\tmovl $0x600d, %eax\n\t"
        "ret\n");
extern char g_ds_limit[], g_es_tss[], g_ss_null[], g_ss_rpl[], g_cli[], g_hlt[], g_out[], g_cr0[], g_ds_dpl[];

static const struct { const char *what; const char *insn; uint32_t err; } cases[] = {
    { "cpl 0: mov 0x50 -> ds (beyond GDT limit)", g_ds_limit, 0x50 },
    { "cpl 0: mov 0x28 -> es (TSS descriptor)", g_es_tss, 0x28 },
    { "cpl 0: mov 0x00 -> ss (null selector)", g_ss_null, 0x00 },
    { "cpl 0: mov 0x23 -> ss (RPL != CPL)", g_ss_rpl, 0x20 },
    { "cpl 3: cli (IOPL 0)", g_cli, 0 },
    { "cpl 3: hlt", g_hlt, 0 },
    { "cpl 3: out 0x80 (IOPL 0, no I/O bitmap)", g_out, 0 },
    { "cpl 3: mov cr0 -> eax", g_cr0, 0 },
    { "cpl 3: mov 0x10 -> ds (DPL 0 data)", g_ds_dpl, 0x10 },
};
#define NCASES (int)(sizeof cases / sizeof cases[0])
static int next, fails;

/* Each #GP must come from the next expected instruction; it is then skipped. */
static struct regs *on_gp(struct regs *r)
{
    if (next >= NCASES || r->eip != (uint32_t)cases[next].insn || !fixup_resume(r)) {
        kprintf("unexpected #GP err=0x%08x eip=0x%08x\n", r->err, r->eip);
        debug_exit(EXIT_FAIL);
    }
    int ok = r->err == cases[next].err;
    kprintf("%s: #GP err=0x%04x %s\n", cases[next].what, r->err, ok ? "ok" : "FAIL");
    fails += !ok;
    next++;
    return r;
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    (void)magic; (void)mbi;
    serial_init();
    kprintf("gp: general protection faults and their error codes\n");
    gdt_init();
    idt_init();
    isr_register(13, on_gp);
    ring0_cases();
    uint32_t v = user_call(ring3_cases, user_stack + sizeof user_stack);
    int ok = !fails && next == NCASES && v == 0x600d;
    kprintf("gp: %d/%d faults as expected: %s\n", next - fails, NCASES, ok ? "pass" : "FAIL");
    return !ok;
}
