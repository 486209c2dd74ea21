/* exceptions-more: #OF (into with OF=1, a trap), #BR (bound out of range, a fault) and #NM (x87
 * instruction with CR0.TS=1, then CR0.EM=1) in ring 0; checks each saved EIP and resumes. */
#include "guest.h"

const int32_t bounds[2] = { 0, 10 };   /* referenced from the asm below */
void raise_all(void);
__asm__(".text\n"
        "raise_all:\n\t"
        "movl $0x7fffffff, %eax\n\t"
        "addl $1, %eax\n"               /* OF=1 */
        ".globl of_insn\n"
        "of_insn: into\n\t"
        "movl $20, %eax\n"
        FAULT_INSN("br_insn", "bound %eax, bounds")
        FAULT_INSN("nm_ts_insn", "fninit")
        FAULT_INSN("nm_em_insn", "fninit")
        "\tret\n");
extern char of_insn[], br_insn[], nm_ts_insn[], nm_em_insn[];

static const struct { int vec; const char *what; const char *insn; int off; } cases[] = {
    { 4, "#OF overflow (into, OF=1)", of_insn, 1 },
    { 5, "#BR bound range (bound, 20 > 10)", br_insn, 0 },
    { 7, "#NM device not available (fninit, CR0.TS=1)", nm_ts_insn, 0 },
    { 7, "#NM device not available (fninit, CR0.EM=1)", nm_em_insn, 0 },
};
#define NCASES (int)(sizeof cases / sizeof cases[0])
static int next, fails;

static struct regs *on_exception(struct regs *r)
{
    if (next >= NCASES || (int)r->vector != cases[next].vec) {
        kprintf("unexpected %s at eip 0x%08x\n", exception_name((int)r->vector), r->eip);
        debug_exit(EXIT_FAIL);
    }
    int off = (int)(r->eip - (uint32_t)cases[next].insn);
    int ok = off == cases[next].off;
    kprintf("%s: saved eip = insn+%d (%s)\n", cases[next].what, off, ok ? "ok" : "FAIL");
    fails += !ok;
    if (r->vector == 7) {               /* first #NM: TS -> EM for the second; then clear EM */
        uint32_t cr0 = read_cr0();
        write_cr0(cr0 & 0x8 ? (cr0 & ~0x8u) | 0x4 : cr0 & ~0x4u);
    }
    next++;
    if (cases[next - 1].off == 0 && !fixup_resume(r))
        debug_exit(EXIT_FAIL);
    return r;
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    (void)magic; (void)mbi;
    serial_init();
    kprintf("exceptions-more: #OF, #BR, #NM in ring 0\n");
    gdt_init();
    idt_init();
    isr_register(4, on_exception);
    isr_register(5, on_exception);
    isr_register(7, on_exception);
    write_cr0((read_cr0() & ~0x4u) | 0x8 | 0x2);   /* TS=1, MP=1, EM=0 */
    raise_all();
    write_cr0(read_cr0() & ~0xCu);
    int ok = !fails && next == NCASES;
    kprintf("exceptions-more: %s\n", ok ? "pass" : "FAIL");
    return !ok;
}
