/* triple-fault: prints a line, loads an empty IDT (limit 0) and executes ud2: #UD -> #GP -> #DF ->
 * shutdown. QEMU (-no-reboot) stops with status 0; a line after the fault means the test failed. */
#include "guest.h"

int kmain(uint32_t magic, struct mb_info *mbi)
{
    (void)magic; (void)mbi;
    serial_init();
    gdt_init();
    kprintf("triple-fault: loading an empty IDT and executing ud2\n");
    idt_load(0, 0);
    __asm__ volatile("ud2");
    kprintf("triple-fault: still running: FAIL\n");
    return 1;
}
