/* kbd-echo: a line typed on the PC keyboard (8042, scan code set 1, IRQ 1) echoed to COM1, upper-cased.
 * The controller is checked first (self-test 0x55, keyboard reset 0xFA 0xAA, identify 0xFA 0xAB 0x83, A20 via the
 * output port and port 0x92); then each make code is decoded (shift included) until Enter. */
#include "guest.h"

static const char plain[0x3A] = {
    0, 27, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', 8, '\t',
    'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\n', 0, 'a', 's',
    'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`', 0, '\\', 'z', 'x', 'c', 'v',
    'b', 'n', 'm', ',', '.', '/', 0, '*', 0, ' ',
};

static volatile uint8_t codes[256];
static volatile unsigned head, tail;

static struct regs *on_kbd(struct regs *r)
{
    codes[head++ & 255] = inb(0x60);
    pic_eoi(1);
    return r;
}

static uint8_t next_code(void)
{
    for (;;) {
        cli();
        if (tail != head) break;
        sti_hlt();
    }
    sti();
    return codes[tail++ & 255];
}

static uint8_t poll_byte(void)
{
    for (int i = 0; i < 100000; i++)
        if (inb(0x64) & 1) return inb(0x60);
    kprintf("no byte from the 8042\n");
    debug_exit(EXIT_FAIL);
}

static int fails;
static void check(const char *what, int ok)
{
    kprintf("%s: %s\n", what, ok ? "ok" : "FAIL");
    fails += !ok;
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    (void)magic; (void)mbi;
    serial_init();
    kprintf("kbd-echo: type a line on the keyboard\n");
    gdt_init();
    idt_init();

    outb(0x64, 0xAD);                   /* keyboard off while we talk to the controller */
    outb(0x64, 0x60);                   /* configuration: no interrupts while we poll */
    outb(0x60, 0x54);
    outb(0x64, 0xAA);
    check("controller self-test", poll_byte() == 0x55);
    outb(0x60, 0xF5);                   /* keyboard: stop scanning while we ask it things */
    check("keyboard: scanning off", poll_byte() == 0xFA);
    outb(0x60, 0xF2);
    check("keyboard identify", poll_byte() == 0xFA && poll_byte() == 0xAB && poll_byte() == 0x83);
    outb(0x64, 0xD1);
    outb(0x60, 0x01);                   /* A20 off */
    outb(0x64, 0xD0);
    check("A20 off through the output port", (poll_byte() & 2) == 0 && (inb(0x92) & 2) == 0);
    outb(0x92, 0x02);                   /* A20 on again, the fast way */
    outb(0x64, 0xD0);
    check("A20 on through port 0x92", (poll_byte() & 2) != 0);

    isr_register(IRQ_BASE + 1, on_kbd);
    pic_remap(IRQ_BASE, IRQ_BASE + 8);
    pic_unmask(1);
    outb(0x64, 0x60);
    outb(0x60, 0x45);                   /* keyboard interrupt on, translation */
    outb(0x64, 0xAE);                   /* keyboard on */
    sti();
    outb(0x60, 0xF4);                   /* scanning on: keys may come */

    char line[80];
    int n = 0, shift = 0;
    for (;;) {
        uint8_t c = next_code();
        if (c == 0x2A || c == 0x36) { shift = 1; continue; }
        if (c == 0xAA || c == 0xB6) { shift = 0; continue; }
        if (c & 0x80 || c >= sizeof plain || !plain[c]) continue;   /* break codes, keys without a character */
        char ch = plain[c];
        if (ch == '\n') break;
        if (ch >= 'a' && ch <= 'z') ch -= 32;                      /* echoed upper-cased */
        else if (shift && ch == '1') ch = '!';
        if (n < 79) line[n++] = ch;
    }
    line[n] = 0;
    kprintf("typed: %s\n", line);
    kprintf("kbd-echo: %s\n", fails ? "FAIL" : "pass");
    return fails != 0;
}
