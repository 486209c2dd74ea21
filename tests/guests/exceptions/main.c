/* exceptions: #DE (div by 0), #BP (int3) and #UD (ud2) in ring 0; checks each saved EIP and resumes. */
#include "guest.h"

extern char de_insn[], bp_insn[], ud_insn[];
/* eax=1, edx=0, ecx=0: div -> #DE (fault: EIP = the div), int3 -> #BP (trap: EIP = next insn),
 * ud2 -> #UD (fault: EIP = the ud2). The handlers skip the faulting instructions. */
__asm__(".text\n"
        "raise_all:\n\t"
        "movl $1, %eax\n\t"
        "xorl %edx, %edx\n\t"
        "xorl %ecx, %ecx\n"
        FAULT_INSN("de_insn", "divl %ecx")
        ".globl bp_insn\n"
        "bp_insn: int3\n"
        FAULT_INSN("ud_insn", "ud2")
        "\tret\n");
void raise_all(void);

static int seen[3], fails;

/* Prints the saved EIP relative to the instruction that raised the exception. */
static void check(int idx, const char *what, uint32_t eip, const char *insn, int expect_off)
{
    int off = (int)(eip - (uint32_t)insn);
    int ok = off == expect_off;
    kprintf("%s: saved eip = insn%s%d (%s)\n", what, off < 0 ? "" : "+", off, ok ? "ok" : "FAIL");
    seen[idx]++;
    fails += !ok;
}

static struct regs *on_exception(struct regs *r)
{
    switch (r->vector) {
    case 0:
        check(0, "#DE divide error (div)", r->eip, de_insn, 0);
        break;
    case 3:
        check(1, "#BP breakpoint (int3)", r->eip, bp_insn, 1);
        return r;                       /* trap: already past the int3 */
    case 6:
        check(2, "#UD invalid opcode (ud2)", r->eip, ud_insn, 0);
        break;
    }
    if (!fixup_resume(r)) {
        kprintf("no fixup for eip 0x%08x\n", r->eip);
        debug_exit(EXIT_FAIL);
    }
    return r;
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    (void)magic; (void)mbi;
    serial_init();
    kprintf("exceptions: #DE, #BP, #UD in ring 0\n");
    gdt_init();
    idt_init();
    isr_register(0, on_exception);
    isr_register(3, on_exception);
    isr_register(6, on_exception);
    raise_all();
    int ok = !fails && seen[0] == 1 && seen[1] == 1 && seen[2] == 1;
    kprintf("exceptions: %s\n", ok ? "pass" : "FAIL");
    return !ok;
}
