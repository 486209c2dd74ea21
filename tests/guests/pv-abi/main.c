/* pv-abi: Popek's para-virtual interface from the guest's side, one scenario per command-line word:
 *   basic    every hypercall's answers, good and bad arguments; exits with HC_EXIT(0x2a) -> status 85
 *   upcall   a timer event held while masked, delivered on unmask + HC_YIELD, then HC_BLOCK woken by the timer
 *   forever  HC_BLOCK with no timer and no ring: Popek stops it ("blocked forever")
 *   trap     HC_SET_TRAP_TABLE: int n and #UD through it, an entry that masks events; int 0x31 has no entry
 *   ring3    a hypercall from ring 3 answers -PV_EPERM; an upcall that comes in ring 3 returns there
 *   paging   with paging on: HC_MMU_UPDATE remaps a live page (TLB flushed), HC_CONSOLE_WRITE reads through the
 *            guest's tables, HC_NEW_BASEPTR switches address space
 *   disk     the block ring by hand (no library driver): sectors 0-63 written with the ata-pio guest's pattern in
 *            two batches whose requests are out of sector order, read back, responses matched by id; a malformed
 *            ring is refused and counted (needs a disk of 64 sectors)
 *   loop N   N rounds of five hypercalls, then power-off (TrapAllocationTest: the hot path allocates nothing)
 * Self-contained: only pv.h and guest.h; output through HC_CONSOLE_WRITE. */
#include "guest.h"
#include "pv.h"

extern char hypercall_page[];
extern struct pv_shared_info shared_info;

static int hc(int nr, uint32_t a, uint32_t b)
{
    int r;
    __asm__ volatile("call *%1" : "=a"(r) : "r"(hypercall_page + 32 * nr), "b"(a), "c"(b) : "memory");
    return r;
}

static int fails;

static void say(const char *s) { hc(HC_CONSOLE_WRITE, (uint32_t)s, strlen(s)); }

static void check(const char *what, int ok)
{
    say(ok ? "  ok: " : "  FAIL: ");
    say(what);
    say("\n");
    fails += !ok;
}

static void finish(const char *name)
{
    say("pv-abi: ");
    say(name);
    say(fails ? " FAILED\n" : " passed\n");
    hc(HC_EXIT, fails ? EXIT_FAIL : 0x2a, 0);
    debug_exit(EXIT_PANIC);             /* HC_EXIT does not return */
}

static uint64_t now(void) { hc(HC_VERSION, 0, 0); return shared_info.time_ns; }

static int set_timer(uint64_t at) { return hc(HC_SET_TIMER, (uint32_t)at, (uint32_t)(at >> 32)); }

/* ---------------------------------------------------------------- basic */

static uint32_t pte_a __attribute__((aligned(4))) = 0x1234, pte_b = 0x5678;
static struct pv_mmu_update updates[2];
static struct pv_trap_info bad_traps[1];

static void basic(void)
{
    check("HC_VERSION is POPEK_PV_ABI", hc(HC_VERSION, 0, 0) == (int)POPEK_PV_ABI);
    check("shared info: abi", shared_info.abi == POPEK_PV_ABI);
    check("shared info: ram_bytes is 64 MiB", shared_info.ram_bytes == 64u << 20);
    check("shared info: tsc_khz is 1000000", shared_info.tsc_khz == 1000000);
    check("shared info: no disk", shared_info.disk_sectors == 0);
    check("shared info: nothing pending, unmasked at boot", shared_info.pending == 0 && shared_info.upcall_mask == 0);
    uint64_t t0 = now(), t1 = now();
    check("time_ns runs", t0 > 0 && t1 >= t0);
    check("console write returns its length", hc(HC_CONSOLE_WRITE, (uint32_t)"  (console)\n", 12) == 12);
    check("console write: a pointer outside RAM is -EFAULT", hc(HC_CONSOLE_WRITE, 0xFFFFF000u, 16) == -PV_EFAULT);
    check("console write: more than 4096 bytes is -EINVAL", hc(HC_CONSOLE_WRITE, (uint32_t)"x", 5000) == -PV_EINVAL);
    check("an unknown number on the page is -ENOSYS", hc(100, 0, 0) == -PV_ENOSYS);
    int r;
    __asm__ volatile("inl $0xE0, %%eax" : "=a"(r) : "a"(4000));
    check("a number past the page is -ENOSYS", r == -PV_ENOSYS);
    check("set callback: a null selector is -EINVAL", hc(HC_SET_CALLBACK, 0, 0x1000) == -PV_EINVAL);
    check("set trap table: 257 entries is -EINVAL", hc(HC_SET_TRAP_TABLE, (uint32_t)bad_traps, 257) == -PV_EINVAL);
    check("set trap table: a bad pointer is -EFAULT", hc(HC_SET_TRAP_TABLE, 0xFFFFFFF0u, 2) == -PV_EFAULT);
    bad_traps[0] = (struct pv_trap_info){.vector = 0x30, .flags = 0x80, .cs = SEL_KCODE, .eip = 0x1000};
    check("set trap table: unknown flags are -EINVAL", hc(HC_SET_TRAP_TABLE, (uint32_t)bad_traps, 1) == -PV_EINVAL);

    updates[0] = (struct pv_mmu_update){(uint32_t)&pte_a, 0x00200003};
    updates[1] = (struct pv_mmu_update){0xFFFFFF00u, 0};
    check("mmu update: an entry outside RAM is -EINVAL", hc(HC_MMU_UPDATE, (uint32_t)updates, 2) == -PV_EINVAL);
    check("mmu update: ...and nothing was applied", pte_a == 0x1234);
    updates[1] = (struct pv_mmu_update){(uint32_t)&pte_b, 0x7FFFF003};   /* maps a frame past RAM */
    check("mmu update: mapping a frame past RAM is -EINVAL", hc(HC_MMU_UPDATE, (uint32_t)updates, 2) == -PV_EINVAL);
    updates[1] = (struct pv_mmu_update){(uint32_t)&pte_b + 2, 0};
    check("mmu update: a misaligned entry is -EINVAL", hc(HC_MMU_UPDATE, (uint32_t)updates, 2) == -PV_EINVAL);
    check("mmu update: ...nothing applied", pte_a == 0x1234 && pte_b == 0x5678);
    updates[1] = (struct pv_mmu_update){(uint32_t)&pte_b, 0x00400083};   /* a 4 MiB page at 4 MiB */
    check("mmu update: two good entries return 2", hc(HC_MMU_UPDATE, (uint32_t)updates, 2) == 2);
    check("mmu update: ...both applied", pte_a == 0x00200003 && pte_b == 0x00400083);
    check("mmu update: a bad array pointer is -EFAULT", hc(HC_MMU_UPDATE, 0xFFFFFFF8u, 1) == -PV_EFAULT);
    check("mmu update: 4097 entries is -EINVAL", hc(HC_MMU_UPDATE, (uint32_t)updates, 4097) == -PV_EINVAL);
    check("tlb flush", hc(HC_TLB_FLUSH, PV_FLUSH_ALL, 0) == 0);
    check("new baseptr outside RAM is -EINVAL", hc(HC_NEW_BASEPTR, 0x7FFFF000, 0) == -PV_EINVAL);
    check("console notify before the ring is attached is -EINVAL", hc(HC_CONSOLE_NOTIFY, 0, 0) == -PV_EINVAL);
    check("ring attach of a misaligned page is -EINVAL", hc(HC_RING_ATTACH, PV_RING_CONSOLE, 0x200010) == -PV_EINVAL);
    check("ring attach of a page outside RAM is -EFAULT", hc(HC_RING_ATTACH, PV_RING_CONSOLE, 0x7FFFF000) == -PV_EFAULT);
    check("ring attach of an unknown ring is -EINVAL", hc(HC_RING_ATTACH, 7, 0x200000) == -PV_EINVAL);
    check("ring attach of the block ring with no disk is -ENOSYS", hc(HC_RING_ATTACH, PV_RING_BLOCK, 0x200000) == -PV_ENOSYS);
    check("block submit with no disk is -ENOSYS", hc(HC_BLOCK_SUBMIT, 0, 0) == -PV_ENOSYS);
    check("yield with nothing pending", hc(HC_YIELD, 0, 0) == 0);
    finish("basic");
}

/* ---------------------------------------------------------------- upcall */

volatile uint32_t upcalls, got;
void upcall_entry(void);
void upcall_handler(void)
{
    upcalls++;
    got |= __atomic_exchange_n(&shared_info.pending, 0, __ATOMIC_SEQ_CST);
    shared_info.upcall_pending = 0;
}
__asm__(".text\n.globl upcall_entry\nupcall_entry:\n\t"
        "pushal\n\tcall upcall_handler\n\tpopal\n\t"
        "movb $0, shared_info+1\n\t"   /* upcall_mask = 0 */
        "iret\n");

static void upcall(void)
{
    check("set callback", hc(HC_SET_CALLBACK, SEL_KCODE, (uint32_t)upcall_entry) == 0);
    shared_info.upcall_mask = 1;
    set_timer(now() + 1000000);
    while (shared_info.pending == 0) hc(HC_YIELD, 0, 0);
    check("masked: the timer's event waits, undelivered", upcalls == 0 && (shared_info.pending & PV_EV_TIMER));
    check("masked: upcall_pending set", shared_info.upcall_pending == 1);
    shared_info.upcall_mask = 0;
    hc(HC_YIELD, 0, 0);
    check("unmask + yield: delivered at once", upcalls == 1 && got == PV_EV_TIMER);
    check("the callback unmasked on its way out", shared_info.upcall_mask == 0);
    /* Masked before the timer is armed: on a loaded host the deadline can pass before HC_BLOCK, and an
     * event delivered then would leave block nothing to wait for. Masked, it stays pending, and block
     * (which unmasks) returns at once with the upcall; unloaded, block sleeps until the timer fires. */
    uint64_t deadline = now() + 2000000;
    shared_info.upcall_mask = 1;
    set_timer(deadline);
    check("block returns 0", hc(HC_BLOCK, 0, 0) == 0);
    check("block woke by the timer's upcall", upcalls == 2 && shared_info.time_ns >= deadline);
    deadline = now() + 1000000;
    shared_info.upcall_mask = 1;
    set_timer(deadline);
    while (now() < deadline + 1000) { }
    check("block with an event already pending returns at once, with the upcall",
          hc(HC_BLOCK, 0, 0) == 0 && upcalls == 3 && shared_info.upcall_mask == 0);
    set_timer(now() + 1000000000);
    check("set timer then cancel", set_timer(0) == 0);
    finish("upcall");
}

static void forever(void)
{
    say("pv-abi: blocking with nothing to wake me\n");
    hc(HC_BLOCK, 0, 0);
    check("never here", 0);
    finish("forever");
}

/* ---------------------------------------------------------------- trap table */

volatile uint32_t n30, nud, mask_in_32;
void trap30(void), trapud(void), trap32(void);
__asm__(".text\n"
        ".globl trap30\ntrap30:\n\tincl n30\n\tiret\n"
        ".globl trapud\ntrapud:\n\tincl nud\n\taddl $2, (%esp)\n\tiret\n"   /* skip the ud2 */
        ".globl trap32\ntrap32:\n\tpushl %eax\n\tmovzbl shared_info+1, %eax\n\tmovl %eax, mask_in_32\n\t"
        "movb $0, shared_info+1\n\tpopl %eax\n\tiret\n");
static struct pv_trap_info traps[3];

static void trap(void)
{
    traps[0] = (struct pv_trap_info){.vector = 0x30, .flags = 0, .cs = SEL_KCODE, .eip = (uint32_t)trap30};
    traps[1] = (struct pv_trap_info){.vector = 6, .flags = 0, .cs = SEL_KCODE, .eip = (uint32_t)trapud};
    traps[2] = (struct pv_trap_info){.vector = 0x32, .flags = PV_TRAP_MASK_EVENTS, .cs = SEL_KCODE, .eip = (uint32_t)trap32};
    check("set trap table", hc(HC_SET_TRAP_TABLE, (uint32_t)traps, 3) == 0);
    __asm__ volatile("int $0x30" ::: "memory");
    check("int 0x30 through the trap table", n30 == 1);
    __asm__ volatile("ud2" ::: "memory");
    check("#UD through the trap table", nud == 1);
    __asm__ volatile("int $0x32" ::: "memory");
    check("an entry that masks events set upcall_mask", mask_in_32 == 1);
    say("pv-abi: int 0x31, which has no entry\n");
    __asm__ volatile("int $0x31" ::: "memory");
    check("never here", 0);
    finish("trap");
}

/* ---------------------------------------------------------------- ring 3 */

static uint8_t user_stack[4096] __attribute__((aligned(16)));
static uint32_t user_version(void) { return (uint32_t)hc(HC_VERSION, 0, 0); }
static uint32_t user_wait(void)
{
    while (upcalls == 0) { }            /* the timer's upcall comes in ring 3: a stack switch from the TSS */
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return cs;
}

static void ring3(void)
{
    gdt_init();
    idt_init();
    int r = (int)user_call(user_version, user_stack + sizeof user_stack);
    check("a hypercall from ring 3 is -EPERM", r == -PV_EPERM);
    check("from ring 0 it works again", hc(HC_VERSION, 0, 0) == (int)POPEK_PV_ABI);
    check("set callback", hc(HC_SET_CALLBACK, SEL_KCODE, (uint32_t)upcall_entry) == 0);
    set_timer(now() + 1000000);
    check("an upcall in ring 3 returns there", user_call(user_wait, user_stack + sizeof user_stack) == SEL_UCODE
          && upcalls == 1 && got == PV_EV_TIMER);
    finish("ring3");
}

/* ---------------------------------------------------------------- paging */

static char target1[4096] __attribute__((aligned(4096))) = "first\n";
static char target2[4096] __attribute__((aligned(4096))) = "second\n";
static uint32_t pd2[1024] __attribute__((aligned(4096)));
static uint32_t pt2[1024] __attribute__((aligned(4096)));
#define ALIAS 0x3FF000u

static void paging(void)
{
    paging_identity_4m(PTE_P | PTE_W);
    paging_enable();
    check("paging on: hypercalls still answer", hc(HC_VERSION, 0, 0) == (int)POPEK_PV_ABI);
    check("console write from an unmapped page (page 0) is -EFAULT", hc(HC_CONSOLE_WRITE, 0x10, 4) == -PV_EFAULT);
    volatile char *alias = (volatile char *)ALIAS;
    (void)alias[0];                     /* the old translation is in the TLB now */
    updates[0] = (struct pv_mmu_update){(uint32_t)&page_table0[ALIAS >> 12], (uint32_t)target1 | PTE_P | PTE_W};
    check("mmu update remaps a live page", hc(HC_MMU_UPDATE, (uint32_t)updates, 1) == 1);
    check("...and the TLB was flushed: the new frame shows", alias[0] == 'f');
    check("console write reads through the guest's tables", hc(HC_CONSOLE_WRITE, ALIAS, 6) == 6);
    for (int i = 0; i < 1024; i++) pt2[i] = page_table0[i];
    pt2[ALIAS >> 12] = (uint32_t)target2 | PTE_P | PTE_W;
    pd2[0] = (uint32_t)pt2 | PTE_P | PTE_W | PTE_U;
    check("new baseptr", hc(HC_NEW_BASEPTR, (uint32_t)pd2, 0) == 0);
    check("...switched the address space", alias[0] == 's' && read_cr3() == (uint32_t)pd2);
    check("console write in the new space", hc(HC_CONSOLE_WRITE, ALIAS, 7) == 7);
    check("new baseptr back", hc(HC_NEW_BASEPTR, (uint32_t)page_dir, 0) == 0 && alias[0] == 'f');
    finish("paging");
}

/* ---------------------------------------------------------------- loop */

static uint32_t loop_pte;

static void loop(const char *n)
{
    uint32_t count = 0;
    while (*n >= '0' && *n <= '9') count = count * 10 + (uint32_t)(*n++ - '0');
    updates[0] = (struct pv_mmu_update){(uint32_t)&loop_pte, 0x00200003};
    for (uint32_t i = 0; i < count; i++) {
        hc(HC_VERSION, 0, 0);
        hc(HC_CONSOLE_WRITE, (uint32_t)"", 0);
        hc(HC_MMU_UPDATE, (uint32_t)updates, 1);
        hc(HC_SET_TIMER, 0, 0);
        hc(HC_YIELD, 0, 0);
    }
    power_off();
}

/* ---------------------------------------------------------------- disk */

static struct pv_block_ring blk __attribute__((aligned(4096)));
static uint8_t data[64 * 512] __attribute__((aligned(4096))), back[64 * 512] __attribute__((aligned(4096)));
static uint32_t produced, consumed;

static void put(uint64_t id, int op, uint32_t sector, uint32_t n, void *buf)
{
    struct pv_block_request *q = &blk.req[produced++ % PV_BLOCK_RING_SIZE];
    q->id = id;
    q->op = (uint8_t)op;
    q->sectors = (uint16_t)n;
    q->buffer = (uint32_t)buf;          /* identity-mapped: linear = physical */
    q->sector = sector;
}

/* Submits what was put; checks every response is there, ok, and names a request of this batch once. */
static void submit(int expected, uint64_t first_id)
{
    blk.req_prod = produced;
    check("block submit completes the batch", hc(HC_BLOCK_SUBMIT, 0, 0) == expected);
    uint32_t seen = 0;
    while (consumed != blk.rsp_prod) {
        struct pv_block_response *r = &blk.rsp[consumed++ % PV_BLOCK_RING_SIZE];
        uint32_t k = (uint32_t)(r->id - first_id);
        if (k >= 32 || (seen & 1u << k) || r->status != 0) check("a response: known id, once, status 0", 0);
        seen |= 1u << k;
    }
    blk.rsp_cons = consumed;
    check("every request answered", seen == (1u << expected) - 1);
}

static void disk(void)
{
    check("attach the block ring", hc(HC_RING_ATTACH, PV_RING_BLOCK, (uint32_t)&blk) == PV_BLOCK_RING_SIZE);
    check("shared info: disk_sectors is 64", shared_info.disk_sectors == 64);
    for (uint32_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)((i / 512) * 7 + i % 512);
    for (int k = 0; k < 4; k++)         /* sectors 48-63, 32-47, 16-31, 0-15: the elevator reorders them */
        put(100 + k, PV_BLK_WRITE, 48 - 16 * k, 16, data + (48 - 16 * k) * 512);
    put(104, PV_BLK_FLUSH, 0, 0, 0);
    submit(5, 100);
    put(200, PV_BLK_READ, 40, 24, back + 40 * 512);
    put(201, PV_BLK_READ, 0, 40, back);
    submit(2, 200);
    check("what was written reads back", memcmp(data, back, sizeof data) == 0);
    put(300, PV_BLK_READ, 63, 2, back);  /* one sector past the end */
    blk.req_prod = produced;
    check("a read past the end: one response", hc(HC_BLOCK_SUBMIT, 0, 0) == 1);
    check("...with -EIO", blk.rsp[consumed % PV_BLOCK_RING_SIZE].status == -PV_EIO);
    blk.rsp_cons = ++consumed;
    blk.req_prod = produced + 1000;     /* far ahead of what Popek consumed */
    check("a malformed ring is -EINVAL", hc(HC_BLOCK_SUBMIT, 0, 0) == -PV_EINVAL);
    check("...and counted", shared_info.ring_errors == 2);
    finish("disk");
}

/* The command line is "pv-abi.elf WORD...": the file name, a space, the scenario. */
static const char *scenario(const char *cmdline)
{
    const char *p = cmdline;
    while (*p && *p != ' ') p++;
    while (*p == ' ') p++;
    return p;
}

static int is(const char *cmdline, const char *word)
{
    const char *p = scenario(cmdline);
    size_t n = strlen(word);
    return memcmp(p, word, n) == 0 && (p[n] == 0 || p[n] == ' ');
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    (void)magic;
    const char *cmd = (mbi->flags & 4) ? (const char *)mbi->cmdline : "";
    if (is(cmd, "upcall")) upcall();
    else if (is(cmd, "forever")) forever();
    else if (is(cmd, "trap")) trap();
    else if (is(cmd, "ring3")) ring3();
    else if (is(cmd, "paging")) paging();
    else if (is(cmd, "disk")) disk();
    else if (is(cmd, "loop")) loop(scenario(cmd) + 5);
    else basic();
    return 1;
}
