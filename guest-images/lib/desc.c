/* GDT (kernel/user code+data, TSS), TSS (ss0/esp0) and IDT setup helpers. */
#include "guest.h"

uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(8)));
uint64_t idt[256] __attribute__((aligned(8)));
struct tss tss __attribute__((aligned(16)));
static uint8_t ring0_stack[8192] __attribute__((aligned(16)));   /* default TSS.esp0 stack */

struct dtr { uint16_t limit; uint32_t base; } __attribute__((packed));

void gdt_set(int i, uint32_t base, uint32_t limit, uint8_t access, uint8_t gran)
{
    gdt[i] = (uint64_t)(limit & 0xFFFF)
           | (uint64_t)(base & 0xFFFFFF) << 16
           | (uint64_t)access << 40
           | (uint64_t)((limit >> 16) & 0xF) << 48
           | (uint64_t)(gran & 0xF) << 52
           | (uint64_t)(base >> 24) << 56;
}

void tss_set_esp0(uint32_t esp0)
{
    tss.esp0 = esp0;
}

void gdt_init(void)
{
    gdt_set(0, 0, 0, 0, 0);
    gdt_set(1, 0, 0xFFFFF, 0x9A, 0xC);  /* 0x08 ring 0 code: present, DPL 0, exec/read; 4 KiB gran, 32-bit */
    gdt_set(2, 0, 0xFFFFF, 0x92, 0xC);  /* 0x10 ring 0 data: read/write */
    gdt_set(3, 0, 0xFFFFF, 0xFA, 0xC);  /* 0x18 ring 3 code: DPL 3 */
    gdt_set(4, 0, 0xFFFFF, 0xF2, 0xC);  /* 0x20 ring 3 data: DPL 3 */
    memset(&tss, 0, sizeof tss);
    tss.ss0 = SEL_KDATA;
    tss.esp0 = (uint32_t)(ring0_stack + sizeof ring0_stack);
    tss.iomap_base = sizeof tss;        /* no I/O bitmap: ring 3 port access -> #GP */
    gdt_set(5, (uint32_t)&tss, sizeof tss - 1, 0x89, 0x0);  /* 0x28 32-bit TSS (available), byte gran */

    struct dtr d = { sizeof gdt - 1, (uint32_t)gdt };
#ifdef PARA
    uint32_t data = SEL_UDATA;          /* the para kernel's data segment: see ISR_SAVE in guest.h */
#else
    uint32_t data = SEL_KDATA;
#endif
    __asm__ volatile(
        "lgdt %0\n\t"
        "ljmp %1, $1f\n"
        "1:\n\t"
        "movw %w2, %%ds\n\t"
        "movw %w2, %%es\n\t"
        "movw %w2, %%fs\n\t"
        "movw %w2, %%gs\n\t"
        "movw %w3, %%ss\n\t"
        "ltr %w4"
        :: "m"(d), "i"(SEL_KCODE), "r"(data), "r"(SEL_KDATA), "r"(SEL_TSS) : "memory");
}

#ifdef PARA
#include "pvlib.h"
#endif

void idt_gate(int vec, int dpl)
{
#ifdef PARA
    pv_trap_set(vec, dpl, PV_TRAP_MASK_EVENTS);     /* the trap table stands in for the IDT */
    return;
#endif
    uint32_t off = (uint32_t)(isr_stubs + 16 * vec);
    idt[vec] = (uint64_t)(off & 0xFFFF)
             | (uint64_t)SEL_KCODE << 16
             | (uint64_t)(0x8E | (dpl & 3) << 5) << 40    /* present, 32-bit interrupt gate */
             | (uint64_t)(off >> 16) << 48;
}

void idt_set_present(int vec, int present)
{
    if (present)
        idt[vec] |= 1ULL << 47;
    else
        idt[vec] &= ~(1ULL << 47);
}

void idt_load(const void *base, uint16_t limit)
{
    struct dtr d = { limit, (uint32_t)base };
    __asm__ volatile("lidt %0" :: "m"(d) : "memory");
}

static struct regs *user_ret_handler(struct regs *r)
{
    extern void user_resume(uint32_t v) __attribute__((noreturn));
    user_resume(r->eax);
}

void idt_init(void)
{
#ifdef PARA
    pv_trap_defaults();                 /* the same vectors, in the PV trap table; no lidt */
    isr_register(USER_RET_VEC, user_ret_handler);
    return;
#endif
    memset(idt, 0, sizeof idt);
    for (int v = 0; v < 48; v++)
        idt_gate(v, 0);
    idt_gate(USER_RET_VEC, 3);
    isr_register(USER_RET_VEC, user_ret_handler);
    idt_load(idt, sizeof idt - 1);
}
