/* trapbench: times one loop per class of sensitive instruction (README.md: classes, markers, cmdline).
 *
 * Serial output:
 *   trapbench: iterations=N
 *   trapbench: error: <class>: <what>                      a failed check (before that class's line; a
 *                                                          skipped class has no line of its own)
 *   trapbench: <class> iterations=<n> cycles/iter=<c>     one per class run, in class id order
 *   trapbench: done
 * then debug-exit 0x10 (status 33), or 0x11 (status 35) if any check failed. A #PF other than the
 * pagefault class's own prints an error and exits 0x11 at once; any other exception panics (0x12).
 *
 * The para-virtualised build (-DPARA, trapbench-para.elf) times each class's para-virtual equivalent under the
 * same name and markers, and prints "trapbench: <class> skipped: no para-virtual equivalent" in place of the
 * line of a class that has none (in_null, lidt_sidt, rdmsr_wrmsr). README.md has the table. */
#include "guest.h"
#include "bench.h"
#ifdef PARA
#include "pvlib.h"
void tick_upcall(void);
extern struct pv_mmu_update pf_map, pf_unmap;
#endif

#define DEFAULT_ITERATIONS 100000u
#define MAX_ITERATIONS     1000000000u
#define EFLAGS_IOPL3       0x3000u

typedef uint64_t bench_fn(uint32_t n, uint32_t a, uint32_t b);
bench_fn bench_compute, bench_cli_sti, bench_pushf_popf, bench_out_null, bench_in_null, bench_mov_cr3,
         bench_invlpg, bench_lidt_sidt, bench_rdmsr_wrmsr, bench_pagefault, bench_hlt_timer;
void sys_entry(void), pf_entry(void), tick_entry(void);
extern volatile uint32_t pf_va, pf_pte, pf_count, ticks;
uint32_t user_syscall_loop(void);       /* user.user.S */
extern volatile uint32_t user_n;
extern volatile uint64_t user_tsc;
extern char user_stack_top[];

static const char *const names[NCLASSES] = {
    "compute", "cli_sti", "pushf_popf", "out_null", "in_null", "mov_cr3",
    "invlpg", "lidt_sidt", "rdmsr_wrmsr", "syscall_int80", "pagefault", "hlt_timer",
};

static uint8_t tlb_page[4096] __attribute__((aligned(4096)));   /* invlpg target, mapped */
static uint8_t pf_page[4096] __attribute__((aligned(4096)));    /* pagefault target */
static uint16_t idtr_buf[4] __attribute__((aligned(4)));        /* IDTR at &idtr_buf[1]: base 4-aligned */
static int errors;

static void write_eflags(uint32_t v) { __asm__ volatile("pushl %0; popfl" :: "r"(v) : "memory", "cc"); }

/* An interrupt gate to handler (not one of the library's stubs). Para: a trap table entry that leaves the
 * event mask alone (the bare handlers never touch it). */
static void set_gate(int vec, void (*handler)(void), int dpl)
{
#ifdef PARA
    pv_trap_set_handler(vec, handler, dpl, 0);
    return;
#endif
    uint32_t off = (uint32_t)handler;
    idt[vec] = (uint64_t)(off & 0xFFFF)
             | (uint64_t)SEL_KCODE << 16
             | (uint64_t)(0x8E | (dpl & 3) << 5) << 40
             | (uint64_t)(off >> 16) << 48;
}

/* a / b for a 64-bit a (no libgcc). */
static uint64_t div64(uint64_t a, uint32_t b)
{
    uint32_t hi = (uint32_t)(a >> 32), lo = (uint32_t)a;
    uint32_t qhi = hi / b, r = hi % b, qlo;
    __asm__("divl %4" : "=a"(qlo), "=d"(r) : "0"(lo), "1"(r), "rm"(b));
    return (uint64_t)qhi << 32 | qlo;
}

/* A failed check: what, and the value seen vs the one expected (in hex if hex, else decimal). */
static void fail(int c, const char *what, uint32_t got, uint32_t want, int hex)
{
    kprintf(hex ? "trapbench: error: %s: %s (got 0x%x, expected 0x%x)\n"
                : "trapbench: error: %s: %s (got %u, expected %u)\n", names[c], what, got, want);
    errors++;
}

/* --- command line ------------------------------------------------------------------------------ */

static uint32_t iterations = DEFAULT_ITERATIONS;
static uint32_t selected = (1u << NCLASSES) - 1;

/* Parses "<kernel path> key=value ...": iterations=N, only=<class>[,<class>...] (names or ids).
 * Returns 0, or prints why not and returns -1. */
static int parse_cmdline(const char *s)
{
    const char *tok;
    size_t len;
    while ((tok = next_word(&s, &len))) {
        if (len > 11 && memcmp(tok, "iterations=", 11) == 0) {
            uint64_t v = 0;
            for (size_t i = 11; i < len; i++) {
                if (tok[i] < '0' || tok[i] > '9' || (v = v * 10 + (uint32_t)(tok[i] - '0')) > MAX_ITERATIONS) {
                    kprintf("trapbench: error: bad iterations (1 to %u)\n", MAX_ITERATIONS);
                    return -1;
                }
            }
            if (v == 0) {
                kprintf("trapbench: error: bad iterations (1 to %u)\n", MAX_ITERATIONS);
                return -1;
            }
            iterations = (uint32_t)v;
        } else if (len > 5 && memcmp(tok, "only=", 5) == 0) {
            selected = 0;
            for (size_t i = 5; i < len;) {
                size_t j = i;
                while (j < len && tok[j] != ',')
                    j++;
                int c = -1;
                for (int k = 0; k < NCLASSES; k++) {
                    char id[4] = { (char)('0' + k / 10), (char)('0' + k % 10), 0, 0 };
                    if (word_is(tok + i, j - i, names[k]) || word_is(tok + i, j - i, k < 10 ? id + 1 : id))
                        c = k;
                }
                if (c < 0) {
                    kprintf("trapbench: error: unknown class in only= (one of:");
                    for (int k = 0; k < NCLASSES; k++)
                        kprintf(" %s", names[k]);
                    kprintf(")\n");
                    return -1;
                }
                selected |= 1u << c;
                i = j + 1;
            }
        }
    }
    return 0;
}

/* --- the classes ------------------------------------------------------------------------------- */

static volatile int gp_seen;

static struct regs *on_gp_probe(struct regs *r)
{
    if (!fixup_resume(r)) {
        kprintf("PANIC: #GP err=0x%x eip=0x%08x\n", r->err, r->eip);
        debug_exit(EXIT_PANIC);
    }
    gp_seen = 1;
    return r;
}

/* wrmsr msr := val, then rdmsr: 0 if it reads back val; -1 if wrmsr faulted, -2 rdmsr, -3 wrong value. */
static int __attribute__((noinline, noclone)) msr_probe(uint32_t msr, uint32_t val)
{
    uint32_t lo = 0, hi = 0;
    gp_seen = 0;
    isr_register(13, on_gp_probe);
    __asm__ volatile(FAULT_INSN("tb_probe_wrmsr", "wrmsr") :: "c"(msr), "a"(val), "d"(0) : "memory");
    int r = gp_seen ? -1 : 0;
    if (!r) {
        __asm__ volatile(FAULT_INSN("tb_probe_rdmsr", "rdmsr") : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
        r = gp_seen ? -2 : lo != val || hi != 0 ? -3 : 0;
    }
    isr_register(13, NULL);
    return r;
}

static struct regs *on_bad_pf(struct regs *r)
{
    kprintf("trapbench: error: pagefault: unexpected #PF cr2=0x%08x (expected 0x%08x) err=0x%x eip=0x%08x\n",
            read_cr2(), pf_va, r->err, r->eip);
    debug_exit(EXIT_FAIL);
}

static void run(int c, uint32_t n)
{
    uint64_t cycles;
#ifdef PARA
    if (c == C_IN_NULL || c == C_LIDT_SIDT || c == C_RDMSR_WRMSR) {
        kprintf("trapbench: %s skipped: no para-virtual equivalent\n", names[c]);
        return;
    }
#endif
    switch (c) {
    case C_COMPUTE:    cycles = bench_compute(n, 0, 0); break;
    case C_CLI_STI:
        cycles = bench_cli_sti(n, 0, 0);
#ifdef PARA
        pv_irq_disable();               /* the loop ends unmasked; its popfl restores IF, not the mask */
#endif
        break;
    case C_PUSHF_POPF: cycles = bench_pushf_popf(n, 0, 0); break;
    case C_OUT_NULL:   cycles = bench_out_null(n, 0, 0); break;
    case C_IN_NULL:    cycles = bench_in_null(n, 0, 0); break;
    case C_MOV_CR3:
#ifdef PARA
        cycles = bench_mov_cr3(n, (uint32_t)page_dir, 0);   /* CR3 is page_dir; reading it would trap */
#else
        cycles = bench_mov_cr3(n, read_cr3(), 0);
#endif
        if (read_cr3() != (uint32_t)page_dir)
            fail(c, "CR3 changed", read_cr3(), (uint32_t)page_dir, 1);
        break;
    case C_INVLPG:
        (void)*(volatile uint8_t *)tlb_page;
        cycles = bench_invlpg(n, (uint32_t)tlb_page, 0);
        break;
    case C_LIDT_SIDT: {
        cycles = bench_lidt_sidt(n, (uint32_t)&idtr_buf[1], 0);
        uint32_t base = idtr_buf[2] | (uint32_t)idtr_buf[3] << 16;
        if (base != (uint32_t)idt)
            fail(c, "IDTR base", base, (uint32_t)idt, 1);
        if (idtr_buf[1] != sizeof idt - 1)
            fail(c, "IDTR limit", idtr_buf[1], sizeof idt - 1, 1);
        break;
    }
    case C_RDMSR_WRMSR: {
        int p = msr_probe(BENCH_MSR, SEL_KCODE);
        if (p) {
            kprintf("trapbench: error: %s: %s, class skipped\n", names[c],
                    p == -1 ? "wrmsr 0x174 faulted (#GP)" : p == -2 ? "rdmsr 0x174 faulted (#GP)"
                                                         : "rdmsr 0x174 did not read back what wrmsr wrote");
            errors++;
            return;
        }
        cycles = bench_rdmsr_wrmsr(n, BENCH_MSR, 0);
        uint32_t lo, hi;
        __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(BENCH_MSR));
        if (lo != SEL_KCODE || hi != 0)
            fail(c, "MSR 0x174 changed by the loop", lo, SEL_KCODE, 1);
        __asm__ volatile("wrmsr" :: "c"(BENCH_MSR), "a"(0), "d"(0));   /* back to its reset value */
        break;
    }
    case C_SYSCALL:
        user_n = n;
        write_eflags(read_eflags() | EFLAGS_IOPL3);     /* user_call passes our IOPL to ring 3 */
        user_call(user_syscall_loop, user_stack_top);
        write_eflags(read_eflags() & ~EFLAGS_IOPL3);
        cycles = user_tsc;
        break;
#ifdef PARA
    case C_PAGEFAULT: {                 /* the PTE changes by HC_MMU_UPDATE only (it flushes the TLB) */
        uint32_t *pte = &page_table0[(uint32_t)pf_page >> 12];
        pf_va = (uint32_t)pf_page;
        pf_pte = (uint32_t)pte;
        pf_count = 0;
        pf_map = (struct pv_mmu_update){ (uint32_t)pte, *pte | PTE_P };
        pf_unmap = (struct pv_mmu_update){ (uint32_t)pte, *pte & ~PTE_P };
        if (pv_mmu_update(&pf_unmap, 1) != 1) {
            kprintf("trapbench: error: %s: HC_MMU_UPDATE refused the PTE, class skipped\n", names[c]);
            errors++;
            return;
        }
        set_gate(14, pf_entry, 0);
        cycles = bench_pagefault(n, pf_va, 0);
        idt_gate(14, 0);
        pv_mmu_update(&pf_map, 1);
        if (pf_count != n)
            fail(c, "page faults taken", pf_count, n, 0);
        break;
    }
    case C_HLT_TIMER:                   /* HC_SET_TIMER + HC_BLOCK, the event taken by a bare upcall */
        if (n > HLT_CAP)
            n = HLT_CAP;
        hypercall2(HC_SET_CALLBACK, SEL_KCODE, (uint32_t)tick_upcall);
        ticks = 0;
        cycles = bench_hlt_timer(n, 0, 0);
        pv_irq_disable();               /* HC_BLOCK returns unmasked */
        pv_set_timer(0);
        hypercall2(HC_SET_CALLBACK, SEL_KCODE, (uint32_t)pv_upcall_entry);
        if (ticks < n)
            fail(c, "fewer timer events than HC_BLOCK wake-ups", ticks, n, 0);
        break;
#else
    case C_PAGEFAULT: {
        uint32_t *pte = &page_table0[(uint32_t)pf_page >> 12];
        pf_va = (uint32_t)pf_page;
        pf_pte = (uint32_t)pte;
        pf_count = 0;
        *pte &= ~PTE_P;
        invlpg(pf_va);
        set_gate(14, pf_entry, 0);
        cycles = bench_pagefault(n, pf_va, (uint32_t)pte);
        idt_gate(14, 0);
        *pte |= PTE_P;
        invlpg(pf_va);
        if (pf_count != n)
            fail(c, "page faults taken", pf_count, n, 0);
        break;
    }
    case C_HLT_TIMER:
        if (n > HLT_CAP)
            n = HLT_CAP;
        pit_set_hz(HLT_HZ);
        pic_unmask(0);
        __asm__ volatile("sti; nop; cli" ::: "memory");   /* take an IRQ 0 latched while masked */
        ticks = 0;
        cycles = bench_hlt_timer(n, 0, 0);
        pic_mask(0);
        if (ticks < n)
            fail(c, "fewer timer interrupts than hlt wake-ups", ticks, n, 0);
        break;
#endif
    default:
        return;
    }
    uint64_t q = div64(cycles * 10, n);
    uint32_t t = q > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)q;
    kprintf("trapbench: %s iterations=%u cycles/iter=%u.%u\n", names[c], n, t / 10, t % 10);
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    serial_init();
    if (magic != MB_BOOT_MAGIC) {
        kprintf("trapbench: error: not booted by a Multiboot loader (eax=0x%08x)\n", magic);
        debug_exit(EXIT_FAIL);
    }
    if ((mbi->flags & MB_INFO_CMDLINE) && parse_cmdline((const char *)mbi->cmdline) < 0)
        debug_exit(EXIT_FAIL);
    kprintf("trapbench: iterations=%u\n", iterations);

#ifdef PARA
    pv_init();                          /* events masked (the kernel's IF=0), upcall entry, trap table */
#endif
    gdt_init();
    idt_init();
    set_gate(SYSCALL_VEC, sys_entry, 3);
    isr_register(14, on_bad_pf);
#ifndef PARA
    set_gate(IRQ_BASE + 0, tick_entry, 0);
    pic_remap(IRQ_BASE, IRQ_BASE + 8);  /* every IRQ masked; hlt_timer opens IRQ 0 for its loop */
#endif
    paging_identity_4m(PTE_P | PTE_W);
    paging_set((uint32_t)__user_start, (uint32_t)__user_end, PTE_P | PTE_W | PTE_U);
    paging_enable();

    for (int c = 0; c < NCLASSES; c++)
        if (selected & 1u << c)
            run(c, iterations);
    kprintf("trapbench: done\n");
    debug_exit(errors ? EXIT_FAIL : EXIT_PASS);
}
