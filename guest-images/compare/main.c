/* compare: the same five workloads built two ways (unmodified, and para-virtualised with -DPARA), timed between
 * markers for `popek bench compare`: interrupt masking, system calls, page tables, console output, disk I/O.
 *
 * Command line (after the kernel's name): only=W[,W...]  irqmask=N  syscall=N  pagetable=N  console=N  disk-mib=M
 * Each workload W is timed between `outl (id << 8) | 0` and `outl (id << 8) | 1` on port 0x4E8 (trapbench's marker
 * protocol) and ends with one line "compare: W ... ok" (or "... FAILED: why"); then "compare: done" and exit
 * status 33 (35 if a check failed). The disk workload needs a disk of at least M MiB, else says it is skipped.
 *
 *   id  workload   unmodified build                          para build
 *   0   irqmask    cli; work; sti, 1 kHz PIT ticking         upcall-mask stores, 1 kHz HC_SET_TIMER events
 *   1   syscall    ring 3 int 0x80 round trips               the same (the trap table, not the IDT)
 *   2   pagetable  build a page table of 64 pages, switch    the same, with one HC_MMU_UPDATE to build, one to
 *                  (mov cr3), touch, unmap (invlpg each),    unmap, HC_NEW_BASEPTR to switch
 *                  switch back
 *   3   console    N lines of 64 characters, UART polled     the PV console ring, one notify per line
 *   4   disk       write M MiB, read back, check; ATA PIO    the PV block ring, 1 MiB per batch of 16 requests
 */
#include "guest.h"
#ifdef PARA
#include "pvlib.h"
#endif

#define MARK_PORT 0x4E8
enum { W_IRQMASK, W_SYSCALL, W_PAGETABLE, W_CONSOLE, W_DISK, NWORK };
static const char *const names[NWORK] = { "irqmask", "syscall", "pagetable", "console", "disk" };
static uint32_t amount[NWORK] = { 200000, 20000, 1000, 2000, 4 };
static uint32_t selected = (1u << NWORK) - 1;
static int failures;

static void mark(int id, int phase) { outl(MARK_PORT, (uint32_t)id << 8 | (uint32_t)phase); }

/* Ends the workload's line, which the caller began with "compare: NAME details ". */
static void result(int ok)
{
    kprintf("%s\n", ok ? "ok" : "FAILED");
    failures += !ok;
}

/* ---------------------------------------------------------------- irqmask */

static volatile uint32_t ticks;
static volatile uint32_t shared_state[4];

#ifdef PARA
static uint64_t next_tick;
static struct regs *on_tick(struct regs *r, uint32_t event)
{
    (void)event;
    ticks++;
    next_tick += 1000000;               /* 1 kHz from one-shot timers */
    pv_set_timer(next_tick);
    return r;
}
static void timer_start(void)
{
    pv_event_register(PV_EV_TIMER, on_tick);
    next_tick = pv_time_ns() + 1000000;
    pv_set_timer(next_tick);
}
static void timer_stop(void) { pv_set_timer(0); }
#define MASK()   pv_irq_disable()
#define UNMASK() pv_irq_enable()
#else
static struct regs *on_tick(struct regs *r)
{
    ticks++;
    pic_eoi(0);
    return r;
}
static void timer_start(void)
{
    isr_register(IRQ_BASE, on_tick);
    pit_set_hz(1000);
    pic_unmask(0);
}
static void timer_stop(void) { pic_mask(0); }
#define MASK()   cli()
#define UNMASK() sti()
#endif

static void irqmask(uint32_t n)
{
    ticks = 0;
    timer_start();
    UNMASK();
    mark(W_IRQMASK, 0);
    for (uint32_t i = 0; i < n; i++) {  /* a critical section: a few updates no interrupt may see half done */
        MASK();
        uint32_t v = shared_state[0] + 1;
        shared_state[0] = v;
        shared_state[1] = v * 3;
        shared_state[2] ^= v;
        UNMASK();
    }
    mark(W_IRQMASK, 1);
    MASK();
    timer_stop();
    kprintf("compare: irqmask sections=%u ticks=%u ", n, ticks);
    result(shared_state[0] == n && shared_state[1] == 3 * n);   /* ticks: how many came (none in a short run) */
    shared_state[0] = shared_state[1] = shared_state[2] = 0;
}

/* ---------------------------------------------------------------- syscall */

extern volatile uint32_t user_n;
uint32_t user_syscalls(void);
static uint8_t user_stack[4096] __attribute__((section(".user.bss"), aligned(16)));

static struct regs *on_syscall(struct regs *r)
{
    r->eax = r->eax == 7 ? r->ebx + 1 : (uint32_t)-1;
    return r;
}

static void syscalls(uint32_t n)
{
    user_n = n;
    mark(W_SYSCALL, 0);
    uint32_t bad = user_call(user_syscalls, user_stack + sizeof user_stack);
    mark(W_SYSCALL, 1);
    kprintf("compare: syscall round-trips=%u ", n);
    result(bad == 0);
}

/* ---------------------------------------------------------------- pagetable */

#define PT_PAGES 64
#define HIGH 0x40000000u
static uint32_t space_pd[1024] __attribute__((aligned(4096)));
static uint32_t space_pt[1024] __attribute__((aligned(4096)));
static uint8_t frames[PT_PAGES][4096] __attribute__((aligned(4096)));

#ifdef PARA
static struct pv_mmu_update batch[PT_PAGES + 1];
#endif

static void pagetable(uint32_t n)
{
    uint32_t home = (uint32_t)page_dir;
    space_pd[0] = page_dir[0];          /* the kernel's own identity map stays, as in every address space */
    mark(W_PAGETABLE, 0);
    for (uint32_t round = 0; round < n; round++) {
#ifdef PARA
        batch[0] = (struct pv_mmu_update){ (uint32_t)&space_pd[HIGH >> 22], (uint32_t)space_pt | PTE_P | PTE_W };
        for (int i = 0; i < PT_PAGES; i++)
            batch[i + 1] = (struct pv_mmu_update){ (uint32_t)&space_pt[i], (uint32_t)frames[i] | PTE_P | PTE_W };
        pv_mmu_update(batch, PT_PAGES + 1);
        pv_new_baseptr((uint32_t)space_pd);
#else
        space_pd[HIGH >> 22] = (uint32_t)space_pt | PTE_P | PTE_W;
        for (int i = 0; i < PT_PAGES; i++)
            space_pt[i] = (uint32_t)frames[i] | PTE_P | PTE_W;
        write_cr3((uint32_t)space_pd);
#endif
        for (int i = 0; i < PT_PAGES; i++)
            (*(volatile uint32_t *)(HIGH + i * 4096u))++;
#ifdef PARA
        for (int i = 0; i < PT_PAGES; i++)
            batch[i] = (struct pv_mmu_update){ (uint32_t)&space_pt[i], 0 };
        batch[PT_PAGES] = (struct pv_mmu_update){ (uint32_t)&space_pd[HIGH >> 22], 0 };
        pv_mmu_update(batch, PT_PAGES + 1);
        pv_new_baseptr(home);
#else
        for (int i = 0; i < PT_PAGES; i++) {   /* unmapped from the live space: each one invalidated */
            space_pt[i] = 0;
            invlpg(HIGH + i * 4096u);
        }
        space_pd[HIGH >> 22] = 0;
        write_cr3(home);
#endif
    }
    mark(W_PAGETABLE, 1);
    int ok = 1;
    for (int i = 0; i < PT_PAGES; i++)
        ok &= *(volatile uint32_t *)frames[i] == n;
    kprintf("compare: pagetable spaces=%u pages=%u ", n, PT_PAGES);
    result(ok);
}

/* ---------------------------------------------------------------- console */

static void console(uint32_t n)
{
    mark(W_CONSOLE, 0);
    for (uint32_t i = 0; i < n; i++)    /* 64 characters with the newline */
        kprintf("compare: console line %06u: the quick brown fox jumps over the dog\n", i);
    mark(W_CONSOLE, 1);
    kprintf("compare: console lines=%u ", n);
    result(1);
}

/* ---------------------------------------------------------------- disk */

#define CHUNK_SECTORS 2048u             /* 1 MiB */
static uint32_t chunk[CHUNK_SECTORS * 128] __attribute__((aligned(4096)));

static uint32_t word_at(uint32_t index) { return index * 2654435761u ^ 0x5A5A0000u; }

#ifdef PARA
static uint64_t disk_sectors(void) { return pv_blk_init() < 0 ? 0 : pv_blk_sectors(); }
static int disk_io(int write, uint32_t lba) { return pv_blk_rw(write ? PV_BLK_WRITE : PV_BLK_READ, lba, chunk, CHUNK_SECTORS); }
#else
static uint64_t disk_sectors(void) { return ata_identify(); }
static int disk_io(int write, uint32_t lba) { return write ? ata_write(lba, chunk, CHUNK_SECTORS) : ata_read(lba, chunk, CHUNK_SECTORS); }
#endif

static void disk(uint32_t mib)
{
    uint64_t have = disk_sectors();
    if (have < (uint64_t)mib * CHUNK_SECTORS) {
        kprintf("compare: disk skipped (needs a disk of %u MiB; %s)\n", mib, have ? "this one is smaller" : "none attached");
        return;
    }
    uint32_t sum_written = 0, sum_read = 0;
    int ok = 1;
    mark(W_DISK, 0);
    for (uint32_t m = 0; m < mib && ok; m++) {
        for (uint32_t i = 0; i < CHUNK_SECTORS * 128; i++) {
            chunk[i] = word_at(m * CHUNK_SECTORS * 128 + i);
            sum_written += chunk[i];
        }
        ok &= disk_io(1, m * CHUNK_SECTORS) == 0;
    }
    for (uint32_t m = 0; m < mib && ok; m++) {
        ok &= disk_io(0, m * CHUNK_SECTORS) == 0;
        for (uint32_t i = 0; i < CHUNK_SECTORS * 128; i++) {
            sum_read += chunk[i];
            ok &= chunk[i] == word_at(m * CHUNK_SECTORS * 128 + i);
        }
    }
    mark(W_DISK, 1);
    kprintf("compare: disk mib=%u written=0x%08x read=0x%08x ", mib, sum_written, sum_read);
    result(ok && sum_written == sum_read);
}

/* ---------------------------------------------------------------- command line */

static int parse(const char *s)
{
    const char *tok;
    size_t len;
    while ((tok = next_word(&s, &len))) {
        const char *eq = tok;
        while (eq < tok + len && *eq != '=')
            eq++;
        if (eq == tok + len)
            continue;                   /* the kernel's own name, or a word without a value */
        size_t key = (size_t)(eq - tok);
        const char *v = eq + 1, *end = tok + len;
        if (word_is(tok, key, "only")) {
            selected = 0;
            while (v < end) {
                const char *c = v;
                while (c < end && *c != ',')
                    c++;
                int w = -1;
                for (int k = 0; k < NWORK; k++)
                    if (word_is(v, (size_t)(c - v), names[k]))
                        w = k;
                if (w < 0) {
                    kprintf("compare: error: unknown workload in only= (irqmask, syscall, pagetable, console, disk)\n");
                    return -1;
                }
                selected |= 1u << w;
                v = c + 1;
            }
            continue;
        }
        int w = -1;
        for (int k = 0; k < NWORK; k++)
            if (word_is(tok, key, k == W_DISK ? "disk-mib" : names[k]))
                w = k;
        uint32_t n = 0;
        int good = w >= 0 && v < end;
        for (const char *p = v; good && p < end; p++)
            good = *p >= '0' && *p <= '9' && (n = n * 10 + (uint32_t)(*p - '0')) <= 100000000u;
        if (!good || n == 0 || (w == W_DISK && n > 1024)) {
            kprintf("compare: error: bad value in %s (a count from 1; disk-mib at most 1024)\n", w >= 0 ? names[w] : "an unknown key");
            return -1;
        }
        amount[w] = n;
    }
    return 0;
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    serial_init();
#ifdef PARA
    pv_init();
#endif
    if (magic != MB_BOOT_MAGIC)
        debug_exit(EXIT_FAIL);
    if ((mbi->flags & MB_INFO_CMDLINE) && parse((const char *)mbi->cmdline) < 0)
        debug_exit(EXIT_FAIL);
    kprintf("compare: %s build\n",
#ifdef PARA
            "para-virtualised"
#else
            "unmodified"
#endif
    );
    gdt_init();
    idt_init();
    idt_gate(0x80, 3);
    isr_register(0x80, on_syscall);
#ifndef PARA
    pic_remap(IRQ_BASE, IRQ_BASE + 8);
#endif
    paging_identity_4m(PTE_P | PTE_W);
    paging_set((uint32_t)__user_start, (uint32_t)__user_end, PTE_P | PTE_W | PTE_U);
    paging_enable();

    for (int w = 0; w < NWORK; w++) {
        if (!(selected & 1u << w))
            continue;
        switch (w) {
        case W_IRQMASK:   irqmask(amount[w]); break;
        case W_SYSCALL:   syscalls(amount[w]); break;
        case W_PAGETABLE: pagetable(amount[w]); break;
        case W_CONSOLE:   console(amount[w]); break;
        case W_DISK:      disk(amount[w]); break;
        }
    }
    kprintf("compare: done\n");
    debug_exit(failures ? EXIT_FAIL : EXIT_PASS);
}
