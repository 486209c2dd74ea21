/* Leaving the VM: isa-debug-exit (port 0xF4) and ACPI PM power-off (port 0x604). */
#include "guest.h"

void halt_forever(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

#ifdef PARA
#include "pvlib.h"

void debug_exit(uint8_t code)
{
    pv_exit(code);                      /* HC_EXIT: the same status, (code << 1) | 1 */
}
#else
void debug_exit(uint8_t code)
{
    outb(DEBUG_EXIT_PORT, code);        /* exit status (code << 1) | 1 */
    halt_forever();
}
#endif

void power_off(void)
{
    outw(0x604, 0x2000);                /* PM1a_CNT: SLP_EN with SLP_TYP 0 (QEMU i440fx/piix4) */
    /* QEMU acts on the request asynchronously (a few instructions later): wait before
     * declaring failure, so the failure message cannot leak out on success. */
    for (int i = 0; i < 200000; i++)      /* ~20 ms under QEMU TCG */
        io_wait();
    kprintf("power-off: port 0x604 did not stop the machine\n");
    debug_exit(EXIT_FAIL);
}
