/* loader: what the Multiboot ELF loader must provide: EAX magic, both PT_LOAD segments (text, data)
 * copied, the bss zeroed, and an info structure with memory sizes, command line and memory map. */
#include "guest.h"

/* Non-const, non-static, so it stays in .data (second PT_LOAD, its own page). */
char loader_data[] = "Popek loads ELF32 program headers: text, then data on its own page.";
uint32_t loader_bss[16384];             /* 64 KiB of bss: must read as zero */
static int fails;

static void check(const char *what, int ok)
{
    kprintf("%s: %s\n", what, ok ? "ok" : "FAIL");
    fails += !ok;
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    serial_init();
    kprintf("loader: Multiboot ELF loading and boot information\n");
    kprintf("magic: 0x%08x\n", magic);
    check("eax = 0x2badb002", magic == MB_BOOT_MAGIC);
    check("data segment intact",
          memcmp(loader_data, "Popek loads ELF32 program headers: text, then data on its own page.",
                 sizeof loader_data) == 0);
    uint32_t nonzero = 0;
    for (uint32_t i = 0; i < sizeof loader_bss / 4; i++)
        nonzero |= loader_bss[i];
    check("bss zeroed (64 KiB)", nonzero == 0);
    check("info: mem_lower/mem_upper present (flags bit 0)", mbi->flags & MB_INFO_MEMORY);
    check("info: mem_lower <= 640 KiB", mbi->mem_lower > 0 && mbi->mem_lower <= 640);
    check("info: mem_upper >= 3 MiB", mbi->mem_upper >= 3072);
    check("info: cmdline present (flags bit 2)", mbi->flags & MB_INFO_CMDLINE);
    if (mbi->flags & MB_INFO_CMDLINE)
        kprintf("cmdline: %s\n", (const char *)mbi->cmdline);
    check("info: memory map present (flags bit 6)", mbi->flags & MB_INFO_MMAP);
    int covers = 0;
    if (mbi->flags & MB_INFO_MMAP) {
        uint32_t p = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;
        for (; p < end; p += ((struct mb_mmap_entry *)p)->size + 4) {
            struct mb_mmap_entry *e = (struct mb_mmap_entry *)p;
            if (e->type == 1 && e->addr <= (uint32_t)__kernel_start && e->addr + e->len >= (uint32_t)__kernel_end)
                covers = 1;
        }
    }
    check("mmap: an available region holds the kernel", covers);
    kprintf("loader: %s\n", fails ? "FAIL" : "pass");
    return fails;
}
