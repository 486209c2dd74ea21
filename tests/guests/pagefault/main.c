/* pagefault: paging on; not-present read/write/fetch, ring 0 write to a read-only page with CR0.WP,
 * ring 3 write to a read-only page, read of a supervisor page, write to a not-present page.
 * Prints CR2 and the error code (P/W/U bits) each time, then maps the page and retries, or skips. */
#include "guest.h"

#define NP_PAGE   0x00300000u           /* fixed addresses (RAM below 4 MiB) so CR2 is deterministic */
#define RO_PAGE   0x00301000u           /* user, read-only */
#define SUP_PAGE  0x00302000u           /* supervisor, read/write */
#define CODE_PAGE 0x00303000u           /* holds a "ret", not present at first */

static uint8_t user_stack[4096] __attribute__((aligned(16)));
void ring0_wp_write(void);
uint32_t ring3_cases(void);
__asm__(".text\n"
        "ring0_wp_write:\n"
        FAULT_INSN("p_wp", "movl $1, 0x0030100c")
        "\tret\n"
        "ring3_cases:\n"
        FAULT_INSN("p_u_ro", "movl $1, 0x00301000")
        FAULT_INSN("p_u_sup", "movl 0x00302000, %eax")
        "\tmovl $0xabcd, 0x00300004\n\t"  /* not present: mapped by the handler, then retried */
        "movl $0x600d, %eax\n\t"
        "ret\n");

enum { MAP, SKIP };
static const struct { const char *what; uint32_t cr2, err; int action; } cases[] = {
    { "cpl 0 read, not present",          NP_PAGE,          0x0, MAP },
    { "cpl 0 write, not present",         NP_PAGE + 8,      0x2, MAP },
    { "cpl 0 fetch, not present",         CODE_PAGE,        0x0, MAP },
    { "cpl 0 write, read-only, CR0.WP=1", RO_PAGE + 0xc,    0x3, SKIP },
    { "cpl 3 write, read-only user page", RO_PAGE,          0x7, SKIP },
    { "cpl 3 read, supervisor page",      SUP_PAGE,         0x5, SKIP },
    { "cpl 3 write, not present",         NP_PAGE + 4,      0x6, MAP },
};
#define NCASES (int)(sizeof cases / sizeof cases[0])
static int next, fails;

static struct regs *on_pf(struct regs *r)
{
    uint32_t cr2 = read_cr2();
    if (next >= NCASES) {
        kprintf("unexpected #PF cr2=0x%08x err=0x%x eip=0x%08x\n", cr2, r->err, r->eip);
        debug_exit(EXIT_FAIL);
    }
    int ok = cr2 == cases[next].cr2 && r->err == cases[next].err
             && (cr2 != CODE_PAGE || r->eip == CODE_PAGE);   /* a fetch fault reports eip == cr2 */
    kprintf("%s: #PF cr2=0x%08x err=0x%x (P=%u W=%u U=%u) %s, %s\n", cases[next].what, cr2, r->err,
            r->err & 1, (r->err >> 1) & 1, (r->err >> 2) & 1, ok ? "ok" : "FAIL",
            cases[next].action == MAP ? "map and retry" : "skip");
    if (cases[next].action == MAP)
        paging_set(cr2, cr2 + 1, PTE_P | PTE_W | PTE_U);
    else if (!fixup_resume(r))
        fails++, debug_exit(EXIT_FAIL);
    fails += !ok;
    next++;
    return r;
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    (void)magic; (void)mbi;
    serial_init();
    kprintf("pagefault: page faults with CR2 and error codes\n");
    gdt_init();
    idt_init();
    isr_register(14, on_pf);
    *(volatile uint32_t *)NP_PAGE = 0x12345678;
    *(volatile uint8_t *)CODE_PAGE = 0xC3;         /* ret */
    paging_identity_4m(PTE_P | PTE_W | PTE_U);
    paging_set(NP_PAGE, NP_PAGE + 4096, 0);
    paging_set(RO_PAGE, RO_PAGE + 4096, PTE_P | PTE_U);
    paging_set(SUP_PAGE, SUP_PAGE + 4096, PTE_P | PTE_W);
    paging_set(CODE_PAGE, CODE_PAGE + 4096, 0);
    paging_enable();
    kprintf("paging on\n");

    uint32_t v = *(volatile uint32_t *)NP_PAGE;
    kprintf("value read after mapping: 0x%08x\n", v);
    paging_set(NP_PAGE, NP_PAGE + 4096, 0);
    *(volatile uint32_t *)(NP_PAGE + 8) = 0xcafe;
    ((void (*)(void))CODE_PAGE)();
    *(volatile uint32_t *)(RO_PAGE + 8) = 0x1;      /* CR0.WP=0: ring 0 ignores R/W=0 */
    kprintf("cpl 0 write, read-only, CR0.WP=0: no fault\n");
    write_cr0(read_cr0() | 0x10000);                /* WP */
    ring0_wp_write();
    write_cr0(read_cr0() & ~0x10000u);
    paging_set(NP_PAGE, NP_PAGE + 4096, 0);
    uint32_t rv = user_call(ring3_cases, user_stack + sizeof user_stack);
    kprintf("ring 3 wrote 0x%x after the fault was fixed\n", *(volatile uint32_t *)(NP_PAGE + 4));
    int ok = !fails && next == NCASES && rv == 0x600d && v == 0x12345678
             && *(volatile uint32_t *)(NP_PAGE + 4) == 0xabcd;
    kprintf("pagefault: %s\n", ok ? "pass" : "FAIL");
    return !ok;
}
