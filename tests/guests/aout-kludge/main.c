/* aout-kludge: a flat-binary kernel booted through the Multiboot a.out kludge (header flag bit 16):
 * the loader must copy the file to load_addr up to load_end_addr, zero up to bss_end_addr and jump
 * to entry_addr. Prints a line, checks magic, data and bss, exits via debug-exit. */
#include "guest.h"

char aout_data[] = "a.out kludge: data follows text in the flat image";
uint32_t aout_bss[8192];                /* 32 KiB the loader must zero (not in the file) */

int kmain(uint32_t magic, struct mb_info *mbi)
{
    (void)mbi;
    serial_init();
    kprintf("aout-kludge: hello from a flat binary loaded through the a.out kludge\n");
    int ok_magic = magic == MB_BOOT_MAGIC;
    int ok_data = memcmp(aout_data, "a.out kludge: data follows text in the flat image", sizeof aout_data) == 0;
    uint32_t nonzero = 0;
    for (uint32_t i = 0; i < sizeof aout_bss / 4; i++)
        nonzero |= aout_bss[i];
    kprintf("magic 0x2badb002: %s\n", ok_magic ? "ok" : "FAIL");
    kprintf("data intact: %s\n", ok_data ? "ok" : "FAIL");
    kprintf("bss zeroed: %s\n", nonzero == 0 ? "ok" : "FAIL");
    int ok = ok_magic && ok_data && nonzero == 0;
    kprintf("aout-kludge: %s\n", ok ? "pass" : "FAIL");
    return !ok;
}
