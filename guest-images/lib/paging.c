/* Paging helpers: identity map 0-4 MiB with one page table of 4 KiB pages; per-range flags. */
#include "guest.h"

uint32_t page_dir[1024] __attribute__((aligned(4096)));
uint32_t page_table0[1024] __attribute__((aligned(4096)));

void paging_identity_4m(uint32_t flags)
{
    memset(page_dir, 0, sizeof page_dir);
    /* The PDE is permissive; each PTE decides (effective rights are the AND of both levels). */
    page_dir[0] = (uint32_t)page_table0 | PTE_P | PTE_W | PTE_U;
    for (uint32_t i = 0; i < 1024; i++)
        page_table0[i] = i << 12 | flags;
    page_table0[0] = 0;                 /* catch null pointer accesses */
}

#ifdef PARA
#include "pvlib.h"
static int paging_on;                   /* after paging_enable the tables are changed by HC_MMU_UPDATE */
#endif

void paging_set(uint32_t start, uint32_t end, uint32_t flags)
{
#ifdef PARA
    if (paging_on) {
        struct pv_mmu_update batch[64];
        uint32_t n = 0;
        for (uint32_t a = start & ~0xFFFu; a < end && a < 0x400000; a += 4096) {
            batch[n].ptr = (uint32_t)&page_table0[a >> 12];
            batch[n].val = a | flags;
            if (++n == 64) {
                pv_mmu_update(batch, n);        /* flushes the TLB */
                n = 0;
            }
        }
        if (n)
            pv_mmu_update(batch, n);
        return;
    }
#endif
    for (uint32_t a = start & ~0xFFFu; a < end && a < 0x400000; a += 4096) {
        page_table0[a >> 12] = a | flags;
#ifndef PARA                            /* para: only before paging is on, when there is no TLB to flush */
        invlpg(a);
#endif
    }
}

void paging_enable(void)
{
#ifdef PARA
    pv_new_baseptr((uint32_t)page_dir);
    write_cr0(read_cr0() | 0x80000000u);   /* once, at boot: trapped and emulated like any privileged write */
    paging_on = 1;
    return;
#endif
    write_cr3((uint32_t)page_dir);
    write_cr0(read_cr0() | 0x80000000u);   /* PG (WP left clear: ring 0 may write read-only pages) */
}
