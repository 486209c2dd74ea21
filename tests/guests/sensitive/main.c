/* sensitive: what the guest kernel observes when it runs each class of sensitive instruction: the registers, flags,
 * memory and faults they produce. Under QEMU this is the real CPU's answer; Popek must print the same in emulate mode
 * (Unicorn runs them) and in full mode (each is rewritten into a trap and emulated). Also: self-modifying kernel code
 * runs its new bytes, a kernel reading its own code sees the original bytes, and invalid opcodes raise #UD. */
#include "guest.h"

static int fails;
static void check(const char *what, uint32_t got, uint32_t want)
{
    kprintf("%s: 0x%08x %s\n", what, got, got == want ? "ok" : "FAIL");
    fails += got != want;
}
/* An address, printed as its offset from the one expected: link addresses change with the compiler, the transcript
 * must not. */
static void check_addr(const char *what, uint32_t got, uint32_t want)
{
    kprintf("%s: %d %s\n", what, (int)(got - want), got == want ? "ok" : "FAIL");
    fails += got != want;
}

/* ---- faults: each expected one is at a FAULT_INSN label and is skipped */
static uint32_t last_vector = 0xFFFFFFFF, last_err, last_eip;
static struct regs *on_fault(struct regs *r)
{
    last_vector = r->vector;
    last_err = r->err;
    last_eip = r->eip;
    if (!fixup_resume(r)) {
        kprintf("unexpected %s err=0x%x eip=0x%08x\n", exception_name(r->vector), r->err, r->eip);
        debug_exit(EXIT_FAIL);
    }
    return r;
}
static void expect_fault(const char *what, const char *insn, uint32_t vector, uint32_t err)
{
    int ok = last_vector == vector && last_err == err && last_eip == (uint32_t)insn;
    kprintf("%s: vector %u err=0x%x %s\n", what, last_vector, last_err, ok ? "ok" : "FAIL");
    if (!ok) kprintf("  (at 0x%08x, expected 0x%08x)\n", last_eip, (uint32_t)insn);
    fails += !ok;
    last_vector = 0xFFFFFFFF;
}

static uint32_t flags(void)
{
    uint32_t f;
    __asm__ volatile("pushfl; popl %0" : "=r"(f));
    return f;
}

/* ---- cli, sti, pushf, popf, iret (same privilege) */
static void flag_cases(void)
{
    __asm__ volatile("cli");
    check("cli; pushf & IF", flags() & 0x200, 0);
    __asm__ volatile("sti");
    check("sti; pushf & IF", flags() & 0x200, 0x200);
    __asm__ volatile("cli");
    uint32_t f;
    /* every flag popf may set at CPL 0 except TF: CF PF AF ZF SF IF DF OF IOPL=3 NT AC ID */
    __asm__ volatile("pushl $0x00247ED5; popfl; pushfl; popl %0; pushl $2; popfl" : "=r"(f));
    check("popf 0x247ed5 at CPL 0; pushf", f, 0x00247ED7);
    __asm__ volatile("pushw $0x0202; popfw; pushfl; popl %0; pushl $2; popfl" : "=r"(f));
    check("popfw 0x0202 (16-bit); pushf", f, 0x202);
    /* iret to the same ring, with IF set in the popped flags */
    __asm__ volatile("pushl $0x202; pushl %%cs; pushl $1f; iretl; 1: pushfl; popl %0; cli" : "=r"(f));
    check("iret with IF=1 in the frame; pushf", f, 0x202);
    uint16_t fw;
    __asm__ volatile("pushl $2; popfl; pushfw; popw %0" : "=r"(fw));
    check("pushfw (16-bit)", fw, 0x0002);
}

/* ---- descriptor tables: sgdt, sidt, lgdt, lidt, sldt, str, lldt, ltr */
struct __attribute__((packed)) dtr { uint16_t limit; uint32_t base; };
static uint64_t big_gdt[8] __attribute__((aligned(8)));
static uint64_t ldt[2] __attribute__((aligned(8)));

static void table_cases(void)
{
    struct dtr g, i, t;
    __asm__ volatile("sgdt %0" : "=m"(g));
    __asm__ volatile("sidt %0" : "=m"(i));
    check_addr("sgdt base - &gdt", g.base, (uint32_t)gdt);
    check("sgdt limit", g.limit, GDT_ENTRIES * 8 - 1);
    check_addr("sidt base - &idt", i.base, (uint32_t)idt);
    check("sidt limit", i.limit, 256 * 8 - 1);

    /* a bigger GDT: the same six entries, an LDT descriptor (index 6), and a ring-0 data segment with base 0x1000 */
    memcpy(big_gdt, gdt, sizeof(uint64_t) * GDT_ENTRIES);
    uint32_t lb = (uint32_t)ldt;
    big_gdt[6] = (uint64_t)(sizeof ldt - 1) | ((uint64_t)(lb & 0xFFFFFF) << 16) | (0x82ULL << 40) | ((uint64_t)(lb >> 24) << 56);
    big_gdt[7] = 0xFFFFULL | (0x1000ULL << 16) | (0x92ULL << 40) | (0xCFULL << 48);
    ldt[0] = 0;
    ldt[1] = 0xFFFFULL | (0x92ULL << 40) | (0xCFULL << 48);   /* flat data, DPL 0: selector 0x0c */
    t.limit = sizeof big_gdt - 1;
    t.base = (uint32_t)big_gdt;
    __asm__ volatile("lgdt %0" :: "m"(t));
    __asm__ volatile("sgdt %0" : "=m"(g));
    check_addr("lgdt; sgdt base - &big_gdt", g.base, (uint32_t)big_gdt);
    check("lgdt; sgdt limit", g.limit, sizeof big_gdt - 1);

    uint32_t sel = 0xFFFFFFFF;
    __asm__ volatile("sldt %0" : "+r"(sel));
    check("sldt r32 (none loaded)", sel, 0);
    __asm__ volatile("lldt %w0" :: "r"(0x30));
    uint16_t sel16 = 0xAAAA;
    __asm__ volatile("sldt %0" : "=m"(sel16));
    check("lldt 0x30; sldt m16", sel16, 0x30);
    uint32_t v;
    __asm__ volatile("movw $0x0c, %%ax; movw %%ax, %%fs; movl %%fs:(%1), %0; movw $0x10, %%ax; movw %%ax, %%fs"
                     : "=r"(v) : "r"(&ldt[1]) : "eax");
    check("fs = LDT selector 0x0c; read through it", v, (uint32_t)ldt[1]);
    __asm__ volatile("movw $0x38, %%ax; movw %%ax, %%gs; movl %%gs:(%1), %0; movw $0x10, %%ax; movw %%ax, %%gs"
                     : "=r"(v) : "r"((uint32_t)&ldt[1] - 0x1000) : "eax");
    check("gs = base 0x1000 segment; read through it", v, (uint32_t)ldt[1]);
    __asm__ volatile("lldt %w0" :: "r"(0));

    sel = 0xFFFFFFFF;
    __asm__ volatile("str %0" : "+r"(sel));
    check("str r32", sel, SEL_TSS);
    /* ltr needs an available TSS: clear the busy bit gdt_init's ltr set, load it again */
    big_gdt[5] &= ~(2ULL << 40);
    __asm__ volatile("ltr %w0" :: "r"(SEL_TSS) : "memory");
    check("ltr marks the TSS busy (type 0xb)", (uint32_t)(big_gdt[5] >> 40) & 0xF, 0xB);

    /* lgdt with a 16-bit operand: only 24 bits of base */
    struct dtr odd = { 0x17, 0xAB123456 };
    __asm__ volatile("lgdtw %1; sgdt %0; lgdt %2" : "=m"(g) : "m"(odd), "m"(t));
    check("lgdtw base (24 bits)", g.base, 0x00123456);
    __asm__ volatile("lgdt %0" :: "m"(t));
}

/* ---- control and debug registers: mov crN, smsw, lmsw, clts, mov drN */
extern char f_cr1[], f_drd[];
static void control_cases(void)
{
    uint32_t cr0, v;
    __asm__ volatile("movl %%cr0, %0" : "=r"(cr0));
    check("mov cr0 (PE, ET)", cr0, 0x11);
    uint32_t msw;
    __asm__ volatile("smsw %0" : "=r"(msw));
    check("smsw r32 (low word; the SDM leaves the rest undefined)", msw & 0xFFFF, cr0 & 0xFFFF);
    uint16_t msw16 = 0;
    __asm__ volatile("smsw %0" : "=m"(msw16));
    check("smsw m16", msw16, cr0 & 0xFFFF);
    __asm__ volatile("lmsw %w1; smsw %0" : "=r"(msw) : "r"(0x0008 | 1));
    check("lmsw 9 (TS); smsw", msw, cr0 | 8);
    __asm__ volatile("clts; smsw %0" : "=r"(msw));
    check("clts; smsw", msw, cr0);
    __asm__ volatile("lmsw %w1; smsw %0" : "=r"(msw) : "r"(0));
    check("lmsw 0 cannot clear PE", msw & 1, 1);
    __asm__ volatile("movl %1, %%cr0; movl %%cr0, %0; movl %2, %%cr0" : "=&r"(v) : "r"(cr0 | 0x10000), "r"(cr0));
    check("mov cr0 |= WP", v, cr0 | 0x10000);
    __asm__ volatile("movl %1, %%cr2; movl %%cr2, %0" : "=r"(v) : "r"(0x12345678));
    check("mov cr2", v, 0x12345678);
    __asm__ volatile("movl %1, %%cr3; movl %%cr3, %0" : "=r"(v) : "r"(0x00200000));
    check("mov cr3 (paging off)", v, 0x00200000);
    __asm__ volatile("movl %1, %%cr4; movl %%cr4, %0; movl %2, %%cr4" : "=&r"(v) : "r"(0x10), "r"(0));
    check("mov cr4 = PSE", v, 0x10);
    __asm__ volatile(FAULT_INSN("f_cr1", ".byte 0x0f, 0x20, 0xc8") ::: "eax");   /* mov eax, cr1 */
    expect_fault("mov eax, cr1", f_cr1, 6, 0);

    __asm__ volatile("movl %1, %%db0; movl %%db0, %0" : "=r"(v) : "r"(0x1000));
    check("mov dr0", v, 0x1000);
    __asm__ volatile("movl %%db6, %0" : "=r"(v));
    check("mov dr6 (reset value)", v, 0xFFFF0FF0);
    __asm__ volatile("movl %1, %%db7; movl %%db7, %0" : "=r"(v) : "r"(0));
    check("mov dr7 = 0", v, 0x400);
    __asm__ volatile("movl %%cr4, %%eax; orl $8, %%eax; movl %%eax, %%cr4\n"   /* CR4.DE: dr4/dr5 are #UD */
                     FAULT_INSN("f_drd", ".byte 0x0f, 0x21, 0xe0") "\t"          /* mov eax, dr4 */
                     "movl %%cr4, %%eax; andl $~8, %%eax; movl %%eax, %%cr4" ::: "eax");
    expect_fault("mov eax, dr4 with CR4.DE", f_drd, 6, 0);

    __asm__ volatile("invlpg (%0); invd; wbinvd" :: "r"(0x1000) : "memory");
    kprintf("invlpg, invd, wbinvd: ok\n");
}

/* ---- MSRs, rdtsc */
static uint64_t rdmsr(uint32_t i) { uint32_t a, d; __asm__ volatile("rdmsr" : "=a"(a), "=d"(d) : "c"(i)); return (uint64_t)d << 32 | a; }
static void wrmsr(uint32_t i, uint64_t v) { __asm__ volatile("wrmsr" :: "c"(i), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))); }
static void msr_cases(void)
{
    wrmsr(0x174, SEL_KCODE);
    wrmsr(0x175, 0x12345678);
    wrmsr(0x176, 0x9ABCDEF0);
    check("wrmsr/rdmsr SYSENTER_CS", (uint32_t)rdmsr(0x174), SEL_KCODE);
    check("wrmsr/rdmsr SYSENTER_ESP", (uint32_t)rdmsr(0x175), 0x12345678);
    check("wrmsr/rdmsr SYSENTER_EIP", (uint32_t)rdmsr(0x176), 0x9ABCDEF0);
    uint32_t a1, d1, a2, d2;
    __asm__ volatile("rdtsc" : "=a"(a1), "=d"(d1));
    for (volatile int k = 0; k < 1000; k++) { }
    __asm__ volatile("rdtsc" : "=a"(a2), "=d"(d2));
    uint64_t t1 = (uint64_t)d1 << 32 | a1, t2 = (uint64_t)d2 << 32 | a2;
    check("rdtsc increases", t2 > t1, 1);
}

/* ---- segment registers: push, pop, mov, lds/les/lfs/lgs/lss, far jmp/call/ret, lar/lsl/verr/verw */
extern char f_popds[], f_movcs[], f_farcs[];
__asm__(".text\nfar_target:\n\tmovl $0x600d, %eax\n\tlret\n"
        "far_target_pop:\n\tmovl $0xbeef, %eax\n\tlret $4\n");
extern char far_target_pop[];

static struct __attribute__((packed)) { uint32_t off; uint16_t sel; } fp, fc;   /* static: not addressed through ESP */
static void segment_cases(void)
{
    uint32_t v = 0xFFFFFFFF;
    __asm__ volatile("pushl %%ds; popl %0" : "=r"(v));
    check("push ds; pop", v, SEL_KDATA);
    __asm__ volatile("pushl %%cs; popl %0" : "=r"(v));
    check("push cs; pop", v, SEL_KCODE);
    v = 0xFFFFFFFF;
    __asm__ volatile("movl %%ss, %0" : "+r"(v));
    check("mov r32, ss (zero-extended)", v, SEL_KDATA);
    uint32_t m = 0xAAAAAAAA;
    __asm__ volatile("movw %%ds, %0" : "+m"(m));
    check("mov m16, ds (one word)", m, 0xAAAA0000 | SEL_KDATA);
    __asm__ volatile("pushl $0x10; popl %%es; movl %%es, %0" : "=r"(v));
    check("pop es", v, SEL_KDATA);
    __asm__ volatile("movl $0x50, %%eax; pushl %%eax\n" FAULT_INSN("f_popds", "popl %%ds") "\taddl $4, %%esp" ::: "eax");
    expect_fault("pop ds = 0x50 (past the GDT limit)", f_popds, 13, 0x50);
    __asm__ volatile(FAULT_INSN("f_movcs", ".byte 0x8e, 0xc8") ::: "eax");   /* mov cs, ax */
    expect_fault("mov cs, ax", f_movcs, 6, 0);

    uint32_t r;
    fp.off = 0x1234;
    fp.sel = SEL_KDATA;
    __asm__ volatile("lesl %1, %0" : "=r"(r) : "m"(fp));
    check("les offset", r, 0x1234);
    __asm__ volatile("lfsl %2, %0; movl %%fs, %1" : "=r"(r), "=r"(v) : "m"(fp));
    check("lfs selector", v, SEL_KDATA);
    uint32_t esp0, esp1;
    __asm__ volatile("movl %%esp, %0" : "=r"(esp0));
    fp.off = esp0;
    __asm__ volatile("movl %%esp, %%edx; lssl %1, %%esp; movl %%esp, %0; movl %%edx, %%esp" : "=r"(esp1) : "m"(fp) : "edx");
    check_addr("lss esp - the esp loaded", esp1, esp0);

    __asm__ volatile("ljmp $0x08, $1f; 1:");
    kprintf("ljmp 0x08: ok\n");
    __asm__ volatile("lcall $0x08, $far_target" : "=a"(r) :: "memory");
    check("lcall 0x08; lret", r, 0x600d);
    fc.off = (uint32_t)far_target_pop;
    fc.sel = SEL_KCODE;
    __asm__ volatile("movl %%esp, %%ebx; pushl $0; lcall *%1; movl %%esp, %%ecx; movl %%ebx, %%esp; subl %%ecx, %%ebx"
                     : "=a"(r), "+m"(fc), "=b"(v) :: "ecx", "memory");
    check("lcall m16:32; lret 4", r, 0xbeef);
    check("lret 4 dropped the argument", v, 0);
    fc.sel = 0x50;
    __asm__ volatile(FAULT_INSN("f_farcs", "ljmp *%0") :: "m"(fc));
    expect_fault("ljmp 0x50 (past the GDT limit)", f_farcs, 13, 0x50);

    uint32_t z;
    __asm__ volatile("larl %2, %0; setz %b1" : "=r"(r), "=q"(z) : "r"(SEL_KCODE));
    /* without the accessed bit: real CPUs set it when CS is loaded, QEMU's far jump does not */
    check("lar 0x08 (accessed bit masked)", r & ~0x100, (uint32_t)(big_gdt[1] >> 32) & 0x00F0FE00);
    __asm__ volatile("lsll %2, %0; setz %b1" : "=r"(r), "=q"(z) : "r"(SEL_KDATA));
    check("lsl 0x10", r, 0xFFFFFFFF);
    __asm__ volatile("lsll %2, %0; setz %b1" : "=r"(r), "=q"(z) : "r"(SEL_TSS));
    check("lsl tss", r, (uint32_t)big_gdt[5] & 0xFFFF);
    __asm__ volatile("movl $0x77, %0; larl %2, %0; setz %b1" : "=r"(r), "=q"(z) : "r"(0x50));
    check("lar 0x50 (past the limit): ZF", z & 1, 0);
    check("lar 0x50: destination unchanged", r, 0x77);
    __asm__ volatile("verr %w1; setz %b0" : "=q"(z) : "r"(SEL_KCODE));
    check("verr 0x08", z & 1, 1);
    __asm__ volatile("verw %w1; setz %b0" : "=q"(z) : "r"(SEL_KCODE));
    check("verw 0x08 (code)", z & 1, 0);
    __asm__ volatile("verw %w1; setz %b0" : "=q"(z) : "r"(SEL_UDATA));
    check("verw 0x23 (user data)", z & 1, 1);
    __asm__ volatile("verr %w1; setz %b0" : "=q"(z) : "r"(SEL_TSS));
    check("verr tss (system)", z & 1, 0);
}

/* ---- sysexit to ring 3 and sysenter back */
static uint8_t user_stack[4096] __attribute__((aligned(16)));
static uint8_t kstack[4096] __attribute__((aligned(16)));
static volatile uint32_t seen_cs, seen_ss, back_cs, back_ss;
void sysenter_entry(void);
void user_sysenter(void);
__asm__(".text\n"
        "user_sysenter:\n\t"
        "movl %cs, %eax; movl %eax, seen_cs\n\t"     /* ring 3: user pages are not rewritten */
        "movl %ss, %eax; movl %eax, seen_ss\n\t"
        "rdtsc; movl %eax, user_tsc; movl %edx, user_tsc + 4\n\t"   /* rdtsc at CPL 3 */
        "sysenter\n"
        "sysenter_entry:\n\t"
        "movl %cs, %eax; movl %eax, back_cs\n\t"
        "movl %ss, %eax; movl %eax, back_ss\n\t"
        "movl $0x10, %eax; movl %eax, %ds; movl %eax, %es\n\t"
        "movl saved_esp, %esp\n\t"
        "ret\n");
uint32_t saved_esp;
volatile uint64_t user_tsc;
static void sysenter_cases(void)
{
    wrmsr(0x174, SEL_KCODE);
    wrmsr(0x175, (uint32_t)(kstack + sizeof kstack));
    wrmsr(0x176, (uint32_t)sysenter_entry);
    uint32_t a, d;
    __asm__ volatile("rdtsc" : "=a"(a), "=d"(d));
    uint64_t kernel_tsc = (uint64_t)d << 32 | a;
    __asm__ volatile("pushl $1f; movl %%esp, saved_esp; movl %0, %%ecx; movl $user_sysenter, %%edx; sysexit; 1:"
                     :: "r"(user_stack + sizeof user_stack) : "eax", "ecx", "edx", "memory");
    check("sysexit: ring-3 cs", seen_cs, SEL_UCODE);
    check("sysexit: ring-3 ss", seen_ss, SEL_UDATA);
    check("sysenter: cs", back_cs, SEL_KCODE);
    check("sysenter: ss", back_ss, SEL_KDATA);
    check("rdtsc at CPL 3 comes after the kernel's", user_tsc > kernel_tsc, 1);
}

/* ---- self-modifying code, reading code back, invalid opcodes */
static uint8_t code_buf[64] __attribute__((aligned(16)));
extern char rewritten_here[], f_ud2[], f_bad[], f_lock[];
__asm__(".text\nrewritten_here:\n\tcli\n\tsgdt gdt_probe\n\tret\n");
struct dtr gdt_probe;
static void code_cases(void)
{
    /* read back instructions full mode rewrites: fa (cli), 0f 01 05 (sgdt m32) */
    ((void (*)(void))rewritten_here)();   /* run it first, so that full mode has rewritten it */
    const uint8_t *p = (const uint8_t *)rewritten_here;
    check("read back cli", p[0], 0xFA);
    check("read back sgdt", (uint32_t)p[1] | p[2] << 8 | p[3] << 16, 0x05010F);

    /* run code, rewrite it, run it again: the new code must run */
    uint32_t (*fn)(void) = (uint32_t (*)(void))code_buf;
    static const uint8_t v1[] = { 0xB8, 1, 0, 0, 0, 0xC3 };                 /* mov eax, 1; ret */
    static const uint8_t v2[] = { 0x9C, 0x58, 0x25, 0, 2, 0, 0, 0xC3 };     /* pushf; pop eax; and eax, 0x200; ret */
    static const uint8_t v3[] = { 0xFB, 0x9C, 0x58, 0xFA, 0x25, 0, 2, 0, 0, 0xC3 };  /* sti; pushf; pop eax; cli; and; ret */
    memcpy(code_buf, v1, sizeof v1);
    check("code in a buffer", fn(), 1);
    code_buf[1] = 2;
    check("rewritten immediate", fn(), 2);
    memcpy(code_buf, v2, sizeof v2);
    check("new code: pushf (IF clear)", fn(), 0);
    memcpy(code_buf, v3, sizeof v3);
    check("new code: sti; pushf", fn(), 0x200);
    check("read back new code", code_buf[0], 0xFB);

    __asm__ volatile(FAULT_INSN("f_ud2", "ud2"));
    expect_fault("ud2", f_ud2, 6, 0);
    __asm__ volatile(FAULT_INSN("f_bad", ".byte 0x0f, 0xff, 0xc0"));   /* ud0 eax, eax */
    expect_fault("ud0", f_bad, 6, 0);
    __asm__ volatile(FAULT_INSN("f_lock", ".byte 0xf0, 0x90"));  /* lock nop */
    expect_fault("lock nop", f_lock, 6, 0);
}

/* ---- with paging on, where linear and physical addresses differ: the stores and the stack go where the tables say */
static uint32_t pt1[1024] __attribute__((aligned(4096)));
static uint8_t target[4096] __attribute__((aligned(4096)));
static void paging_cases(void)
{
    paging_identity_4m(PTE_P | PTE_W);
    page_dir[1] = (uint32_t)pt1 | PTE_P | PTE_W;   /* linear 0x400000 -> target */
    pt1[0] = (uint32_t)target | PTE_P | PTE_W;
    paging_enable();
    struct dtr *at = (struct dtr *)0x400010;
    __asm__ volatile("sgdt %0" : "=m"(*at));
    struct dtr *phys = (struct dtr *)(target + 0x10);
    check_addr("paging: sgdt through linear 0x400010 reaches its page (base - &big_gdt)", phys->base, (uint32_t)big_gdt);
    uint32_t f, esp;
    __asm__ volatile("movl %%esp, %1; movl $0x400800, %%esp; pushl $0x2d7; popfl; pushfl; popl %0; movl %1, %%esp"
                     : "=&r"(f), "=&r"(esp) :: "memory");
    check("paging: popf/pushf on a stack at linear 0x400800", f, 0x2d7);
    check("paging: what pushf stored, read through the physical page", *(uint32_t *)(target + 0x7fc), 0x2d7);
    __asm__ volatile("pushl $2; popfl");
    uint32_t cr0;
    __asm__ volatile("movl %%cr0, %0; andl $0x7fffffff, %0; movl %0, %%cr0" : "=r"(cr0));   /* paging off again */
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    (void)magic; (void)mbi;
    serial_init();
    /* Nothing but the instructions under test may change what is printed: the 8259s masked before the first sti
     * (SeaBIOS leaves IRQ 0 unmasked at vector 8, and a BIOS tick there would land as a "double fault"). */
    outb(0x21, 0xFF);
    outb(0xA1, 0xFF);
    kprintf("sensitive: what kernel code observes from each sensitive instruction\n");
    gdt_init();
    idt_init();
    isr_register(6, on_fault);
    isr_register(13, on_fault);
    flag_cases();
    table_cases();
    control_cases();
    msr_cases();
    segment_cases();
    sysenter_cases();
    code_cases();
    paging_cases();
    kprintf("sensitive: %s\n", fails ? "FAIL" : "pass");
    return fails != 0;
}
