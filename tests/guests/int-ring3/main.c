/* int-ring3: int 0x30 from ring 3 via a DPL 3 gate (pushed CS/SS/ESP/EIP checked, iret back), then
 * int 0x31 via a DPL 0 gate -> #GP with error code 0x31*8+2. */
#include "guest.h"

static uint8_t user_stack[4096] __attribute__((aligned(16)));
extern char int30_next[], int31_insn[];
uint32_t user_main(void);

/* Ring 3 code: ebx = esp at the int, int 0x30, int 0x31 (#GP, skipped), returns its own CS. */
__asm__(".text\n"
        "user_main:\n\t"
        "movl %esp, %ebx\n\t"
        "int $0x30\n"
        ".globl int30_next\n"
        "int30_next:\n"
        FAULT_INSN("int31_insn", "int $0x31")
        "\tmovl %cs, %eax\n\t"
        "ret\n");

static int fails, n30, ngp;

static void check(const char *what, int ok)
{
    kprintf("  %s: %s\n", what, ok ? "ok" : "FAIL");
    fails += !ok;
}

static struct regs *on_int30(struct regs *r)
{
    n30++;
    kprintf("int 0x30 from ring 3: pushed cs=0x%04x ss=0x%04x esp=user_stack_top-%u eflags.IOPL=%u\n",
            r->cs & 0xFFFF, r->userss & 0xFFFF, (uint32_t)(user_stack + sizeof user_stack) - r->useresp,
            (r->eflags >> 12) & 3);
    check("pushed cs is the ring 3 code selector", r->cs == SEL_UCODE);
    check("pushed ss is the ring 3 data selector", r->userss == SEL_UDATA);
    check("pushed esp is the ring 3 esp at the int", r->useresp == r->ebx);
    check("pushed eip is the instruction after the int", r->eip == (uint32_t)int30_next);
    check("handler runs at cpl 0", (read_cs() & 3) == 0);
    check("frame is at the top of the TSS esp0 stack", (uint32_t)(&r->userss + 1) == tss.esp0);
    return r;                           /* iret back to ring 3 */
}

static struct regs *on_gp(struct regs *r)
{
    ngp++;
    kprintf("#GP from ring 3: err=0x%08x (0x31*8+2 = 0x%08x)\n", r->err, 0x31 * 8 + 2);
    check("error code names IDT entry 0x31", r->err == 0x31 * 8 + 2);
    check("saved eip is the int 0x31 instruction", r->eip == (uint32_t)int31_insn);
    check("came from cpl 3", (r->cs & 3) == 3);
    if (!fixup_resume(r))
        debug_exit(EXIT_FAIL);
    return r;
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    (void)magic; (void)mbi;
    serial_init();
    kprintf("int-ring3: software interrupts from ring 3\n");
    gdt_init();
    idt_init();
    idt_gate(0x30, 3);                  /* callable from ring 3 */
    idt_gate(0x31, 0);                  /* ring 0 only: int from ring 3 -> #GP */
    isr_register(0x30, on_int30);
    isr_register(0x31, on_int30);
    isr_register(13, on_gp);
    uint32_t cs = user_call(user_main, user_stack + sizeof user_stack);
    kprintf("back in ring 0: ring 3 code reported cs=0x%04x\n", cs & 0xFFFF);
    check("ring 3 cs after iret", (cs & 0xFFFF) == SEL_UCODE);
    int ok = !fails && n30 == 1 && ngp == 1;
    kprintf("int-ring3: %s\n", ok ? "pass" : "FAIL");
    return !ok;
}
