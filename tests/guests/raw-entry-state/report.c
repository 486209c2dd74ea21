/* raw-entry-state's printing half (entry.S saved the registers before anything changed them). */
#include "guest.h"

struct entry_state {
    uint32_t eax, ebx, ecx, edx, esi, edi, ebp, esp, eflags;
    uint32_t cs, ds, es, fs, gs, ss;
    uint32_t cr0, cr4;
};
extern uint8_t gdtr[8], idtr[8];

void report(const struct entry_state *s)
{
    kprintf("raw-entry-state: the registers at a Multiboot kernel's first instruction\n");
    kprintf("eax=%08x ebx=%08x ecx=%08x edx=%08x\n", s->eax, s->ebx, s->ecx, s->edx);
    kprintf("esi=%08x edi=%08x ebp=%08x esp=%08x\n", s->esi, s->edi, s->ebp, s->esp);
    kprintf("eflags=%08x\n", s->eflags);
    kprintf("cs=%04x ds=%04x es=%04x fs=%04x gs=%04x ss=%04x\n", s->cs & 0xFFFF, s->ds & 0xFFFF, s->es & 0xFFFF,
            s->fs & 0xFFFF, s->gs & 0xFFFF, s->ss & 0xFFFF);
    kprintf("cr0=%08x cr4=%08x\n", s->cr0, s->cr4);
    kprintf("gdtr limit=%04x base=%08x\n", gdtr[0] | gdtr[1] << 8,
            gdtr[2] | gdtr[3] << 8 | gdtr[4] << 16 | (uint32_t)gdtr[5] << 24);
    kprintf("idtr limit=%04x base=%08x\n", idtr[0] | idtr[1] << 8,
            idtr[2] | idtr[3] << 8 | idtr[4] << 16 | (uint32_t)idtr[5] << 24);
}
