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

void paging_set(uint32_t start, uint32_t end, uint32_t flags)
{
    for (uint32_t a = start & ~0xFFFu; a < end && a < 0x400000; a += 4096) {
        page_table0[a >> 12] = a | flags;
        invlpg(a);
    }
}

void paging_enable(void)
{
    write_cr3((uint32_t)page_dir);
    write_cr0(read_cr0() | 0x80000000u);   /* PG (WP left clear: ring 0 may write read-only pages) */
}
