/* linux-nx: a Linux-boot-protocol image with PAE paging in 4 KiB pages and EFER.NXE, whose data pages are mapped
 * execute-disable (XD, bit 63), as a PAE kernel maps them: code copied into data and called faults as a fetch (I/D set
 * in the error code, P set, CR2 and EIP the page), in kernel and in user mode, and runs once XD is cleared; XD in a
 * PDE covers the page table's 2 MiB; data pages read and write as ever; a fetch from a page not present has I/D set
 * too; a physical address bit above MAXPHYADDR is reserved. Without EFER.NXE, bit 63 is reserved (RSVD) and a fetch
 * fault has no I/D bit. */
#include "guest.h"

#define PG_P  0x001ull
#define PG_RW 0x002ull
#define PG_US 0x004ull
#define PG_XD (1ull << 63)
#define EFER  0xC0000080u
#define NXE   (1u << 11)

static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd[512] __attribute__((aligned(4096)));
static uint64_t pt[2][512] __attribute__((aligned(4096)));   /* 0 - 4 MiB in 4 KiB pages */
static uint8_t data_code[4096] __attribute__((aligned(4096)));
static uint8_t user_stack[4096] __attribute__((aligned(16)));

#define SECOND_TABLE 0x200000u   /* a page in the 2 - 4 MiB the second page table maps */

static void cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}
static uint64_t rdmsr(uint32_t m) { uint32_t lo, hi; __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(m)); return (uint64_t)hi << 32 | lo; }
static void wrmsr(uint32_t m, uint64_t v) { __asm__ volatile("wrmsr" :: "c"(m), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))); }

static uint64_t *pte_of(uint32_t a) { return &pt[a >> 21][(a >> 12) & 511]; }

static int faults, fails, expected_err = -1;
static uint32_t expected_cr2;
static int clear_xd;   /* the handler makes the page executable and retries, else skips the access */

uint32_t read_at(uint32_t a);
__asm__(".text\nread_at:\n\tmovl 4(%esp), %edx\n\txorl %eax, %eax\n"
        FAULT_INSN("nx_read", "movl (%edx), %eax")
        "\tret\n");

void return_zero(void);
__asm__(".text\nreturn_zero:\n\txorl %eax, %eax\n\tret\n");

static struct regs *on_pf(struct regs *r)
{
    uint32_t cr2 = read_cr2();
    uint32_t err = r->err & 8 ? r->err | 1 : r->err;   /* (QEMU 7.2 leaves P clear in a RSVD fault: see linux-pae) */
    int fetch = (err & 0x10) || (r->err & 8 && r->eip == cr2);
    int ok = expected_err >= 0 && err == (uint32_t)expected_err && cr2 == expected_cr2 && (!fetch || r->eip == cr2);
    kprintf("  #PF cr2=0x%08x err=0x%x (P=%u W=%u U=%u RSVD=%u I/D=%u) eip%scr2 %s\n", cr2, r->err, r->err & 1,
            (r->err >> 1) & 1, (r->err >> 2) & 1, (r->err >> 3) & 1, (r->err >> 4) & 1, r->eip == cr2 ? "=" : "!=",
            ok ? "ok" : "FAIL");
    fails += !ok;
    faults++;
    expected_err = -1;
    if (clear_xd) {
        *pte_of(cr2) &= ~PG_XD;
        pd[cr2 >> 21] &= ~PG_XD;
        invlpg(cr2);
        return r;                                  /* retried */
    }
    if (fixup_resume(r))
        return r;
    /* A fetch fault at a called address (ring 0): the call's return address is on top of the interrupted stack, so
     * going on at a "xor eax, eax; ret" returns 0 to the caller. */
    r->eip = (uint32_t)return_zero;
    return r;
}

static void expect(uint32_t cr2, int err, int retry)
{
    expected_cr2 = cr2;
    expected_err = err;
    clear_xd = retry;
}

static uint32_t run_data(void)
{
    return ((uint32_t (*)(void))data_code)();
}

uint32_t ring3_nx(void);
__asm__(".section .user.text, \"ax\"\nring3_nx:\n\tmovl $data_code, %eax\n\tjmp *%eax\n.text\n");

int kmain(uint32_t magic, struct mb_info *mbi)
{
    (void)magic; (void)mbi;
    serial_init();
    kprintf("linux-nx: PAE with 4 KiB pages and execute-disable data, entered by the Linux boot protocol\n");
    uint32_t r[4];
    cpuid(0x80000000u, r);
    int nx = 0;
    if (r[0] >= 0x80000001u) {
        cpuid(0x80000001u, r);
        nx = (r[3] >> 20) & 1;
    }
    kprintf("cpuid: nx=%d\n", nx);
    if (!nx)
        return 1;
    gdt_init();
    idt_init();
    isr_register(14, on_pf);

    /* mov eax, 0x2a; ret */
    static const uint8_t code[] = {0xB8, 0x2A, 0x00, 0x00, 0x00, 0xC3};
    memcpy(data_code, code, sizeof code);

    /* Identity 0 - 4 MiB: the kernel's text executable, everything else (data, bss, stacks, tables) XD. */
    for (uint32_t a = 0; a < 0x400000; a += 4096) {
        int text = a >= (uint32_t)__kernel_start && a < (uint32_t)__bss_start
                   && !(a >= ((uint32_t)data_code & ~0xFFFu) && a < (uint32_t)data_code + 4096);
        int user = a >= (uint32_t)__user_start && a < (uint32_t)__user_end;
        *pte_of(a) = a | PG_P | PG_RW | PG_US | ((text && a < (uint32_t)__kernel_end) || user ? 0 : PG_XD);
    }
    *pte_of((uint32_t)data_code) |= PG_XD;
    *pte_of(0) = 0;
    pd[0] = (uint32_t)pt[0] | PG_P | PG_RW | PG_US;
    pd[1] = (uint32_t)pt[1] | PG_P | PG_RW | PG_US;
    pdpt[0] = (uint32_t)pd | PG_P;
    wrmsr(EFER, rdmsr(EFER) | NXE);
    write_cr4(read_cr4() | 0x20);
    write_cr3((uint32_t)pdpt);
    write_cr0(read_cr0() | 0x80000000u);
    kprintf("paging on: EFER.NXE=%u\n", (uint32_t)(rdmsr(EFER) >> 11) & 1);

    kprintf("data pages read and write: %s\n", (data_code[0] = 0xB8, data_code[1] == 0x2A) ? "yes" : "FAIL");
    kprintf("call into an XD data page, then clear XD and retry:\n");
    expect((uint32_t)data_code, 0x11, 1);
    uint32_t v = run_data();
    kprintf("  it ran: returned %u\n", v);

    kprintf("XD in the PDE over 2 - 4 MiB:\n");
    memcpy((void *)SECOND_TABLE, code, sizeof code);
    pd[1] |= PG_XD;
    invlpg(SECOND_TABLE);
    expect(SECOND_TABLE, 0x11, 1);
    v = ((uint32_t (*)(void))SECOND_TABLE)();
    kprintf("  it ran: returned %u\n", v);

    kprintf("ring 3 jumps into an XD user page:\n");
    *pte_of((uint32_t)data_code) |= PG_XD;
    invlpg((uint32_t)data_code);
    expect((uint32_t)data_code, 0x15, 1);
    v = user_call(ring3_nx, user_stack + sizeof user_stack);
    kprintf("  it ran: returned %u\n", v);

    kprintf("a fetch from a page not present:\n");
    *pte_of(SECOND_TABLE) &= ~PG_P;
    invlpg(SECOND_TABLE);
    expect(SECOND_TABLE, 0x10, 0);
    v = ((uint32_t (*)(void))SECOND_TABLE)();
    *pte_of(SECOND_TABLE) |= PG_P;
    invlpg(SECOND_TABLE);

    kprintf("physical address bit 45 in a PTE (above MAXPHYADDR):\n");
    *pte_of(SECOND_TABLE) |= 1ull << 45;
    invlpg(SECOND_TABLE);
    expect(SECOND_TABLE, 0x9, 0);
    (void)read_at(SECOND_TABLE);
    *pte_of(SECOND_TABLE) &= ~(1ull << 45);
    invlpg(SECOND_TABLE);

    kprintf("EFER.NXE off: bit 63 is reserved\n");
    for (uint32_t a = 0; a < 0x400000; a += 4096)
        *pte_of(a) &= ~PG_XD;                      /* (every other page stays usable) */
    *pte_of(SECOND_TABLE) |= PG_XD;
    wrmsr(EFER, rdmsr(EFER) & ~(uint64_t)NXE);
    write_cr3(read_cr3());
    expect(SECOND_TABLE, 0x9, 0);
    (void)read_at(SECOND_TABLE);
    expect(SECOND_TABLE, 0x9, 0);
    v = ((uint32_t (*)(void))SECOND_TABLE)();
    write_cr0(read_cr0() & ~0x80000000u);

    int ok = !fails && faults == 7;
    kprintf("linux-nx: %s\n", ok ? "pass" : "FAIL");
    return !ok;
}
