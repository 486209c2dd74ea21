/* hello: greets over COM1, echoes the Multiboot command line and memory size, then powers off (exit 0). */
#include "guest.h"

int kmain(uint32_t magic, struct mb_info *mbi)
{
    serial_init();
    kprintf("Hello from a Popek guest!\n");
    if (magic != MB_BOOT_MAGIC) {
        kprintf("bad multiboot magic 0x%08x\n", magic);
        return 1;
    }
    if (mbi->flags & MB_INFO_CMDLINE)
        kprintf("cmdline: %s\n", (const char *)mbi->cmdline);
    else
        kprintf("cmdline: (none)\n");
    if (mbi->flags & MB_INFO_MEMORY)
        kprintf("mem_upper: %u KiB\n", mbi->mem_upper);
    else
        kprintf("mem_upper: (none)\n");
    kprintf("Bye.\n");
    power_off();
}
