/* ata-pio: the primary ATA channel in PIO mode with IRQ 14 through the PICs. Needs a raw disk of at least 64
 * sectors whose byte o of sector s is (s * 7 + o) & 0xff (tests build one; run-by-hand notes in tests/guests/README.md).
 * IDENTIFY; READ SECTORS of two sectors by insw and of one by insl; WRITE SECTORS of sector 2 (by outsw), read back;
 * a read past the end (an ATA error); an absent slave (never ready); with "readonly" on the command line, the write must fail (ABRT). */
#include "guest.h"

#define DATA 0x1F0
#define ERROR 0x1F1
#define COUNT 0x1F2
#define LBA0 0x1F3
#define LBA1 0x1F4
#define LBA2 0x1F5
#define DEVICE 0x1F6
#define STATUS 0x1F7
#define ALT 0x3F6

static volatile int irqs;
static int fails;

static struct regs *on_irq14(struct regs *r)
{
    irqs++;
    (void)inb(STATUS);                  /* acknowledge the drive */
    pic_eoi(14);
    return r;
}

/* Waits for the IRQ 14 after count 'before', then returns the status. The count is checked with interrupts off and
 * sti; hlt sleeps atomically (the sti shadow), so an interrupt between the check and the hlt cannot be lost. */
static uint8_t wait_irq(int before)
{
    for (int spins = 0;; spins++) {
        cli();
        if (irqs != before) break;
        if (spins > 1000000) {
            kprintf("no interrupt (status 0x%02x)\n", inb(ALT));
            debug_exit(EXIT_FAIL);
        }
        sti_hlt();
    }
    sti();
    return inb(ALT);
}

static void select_lba(uint32_t lba, uint8_t count)
{
    outb(COUNT, count);
    outb(LBA0, lba);
    outb(LBA1, lba >> 8);
    outb(LBA2, lba >> 16);
    outb(DEVICE, 0xE0 | ((lba >> 24) & 0x0F));
}

static void check(const char *what, int ok)
{
    kprintf("%s: %s\n", what, ok ? "ok" : "FAIL");
    fails += !ok;
}

static uint16_t buf[256];

/* rep ins/outs change EDI/ESI and ECX: they are in-out operands, or the compiler reuses their old values. */
static void insw_sector(void) { void *d = buf; int n = 256; __asm__ volatile("cld; rep insw" : "+D"(d), "+c"(n) : "d"(DATA) : "memory"); }
static void insl_sector(void) { void *d = buf; int n = 128; __asm__ volatile("cld; rep insl" : "+D"(d), "+c"(n) : "d"(DATA) : "memory"); }
static void outsw_sector(void) { const void *p = buf; int n = 256; __asm__ volatile("cld; rep outsw" : "+S"(p), "+c"(n) : "d"(DATA) : "memory"); }

static int sector_is(uint32_t s)
{
    const uint8_t *b = (const uint8_t *)buf;
    for (int o = 0; o < 512; o++)
        if (b[o] != (uint8_t)(s * 7 + o)) return 0;
    return 1;
}

/* "throughput": read the whole disk, 256 sectors a command, by rep insl, polling (nIEN set): for measuring. */
static void throughput(void)
{
    static uint32_t big[256 * 128];
    outb(ALT, 0x02);
    outb(DEVICE, 0xA0);
    outb(STATUS, 0xEC);
    while (!(inb(ALT) & 0x08)) { }
    insw_sector();
    uint32_t sectors = buf[60] | (uint32_t)buf[61] << 16;
    uint32_t done = 0, wrong = 0;
    while (done + 256 <= sectors) {
        select_lba(done, 0);             /* 0 means 256 */
        outb(STATUS, 0x20);
        for (int s = 0; s < 256; s++) {
            while ((inb(ALT) & 0x88) != 0x08) { }
            void *d = big + s * 128;
            int n = 128;
            __asm__ volatile("cld; rep insl" : "+D"(d), "+c"(n) : "d"(DATA) : "memory");
        }
        for (int s = 0; s < 256; s++) wrong += big[s * 128] != done + s;   /* each sector starts with its LBA */
        done += 256;
    }
    kprintf("throughput: read %u sectors, %u not as expected\n", done, wrong);
    debug_exit(EXIT_PASS);
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    (void)magic;
    serial_init();
    if ((mbi->flags & MB_INFO_CMDLINE) && strlen((const char *)mbi->cmdline) >= 10
        && memcmp((const char *)mbi->cmdline + strlen((const char *)mbi->cmdline) - 10, "throughput", 10) == 0)
        throughput();
    int readonly = (mbi->flags & MB_INFO_CMDLINE) && strlen((const char *)mbi->cmdline) >= 8
        && memcmp((const char *)mbi->cmdline + strlen((const char *)mbi->cmdline) - 8, "readonly", 8) == 0;
    kprintf("ata-pio: primary channel, PIO, IRQ 14%s\n", readonly ? ", read-only disk" : "");
    gdt_init();
    idt_init();
    isr_register(IRQ_BASE + 14, on_irq14);
    pic_remap(IRQ_BASE, IRQ_BASE + 8);
    pic_unmask(2);
    pic_unmask(14);
    outb(ALT, 0);                        /* nIEN clear: interrupts on */

    outb(DEVICE, 0xA0);
    int n = irqs;
    outb(STATUS, 0xEC);                  /* IDENTIFY DEVICE */
    uint8_t st = wait_irq(n);
    check("identify: DRQ", (st & 0x89) == 0x08);
    insw_sector();
    char model[41];
    for (int i = 0; i < 20; i++) {
        model[2 * i] = (char)(buf[27 + i] >> 8);
        model[2 * i + 1] = (char)buf[27 + i];
    }
    model[40] = 0;
    for (int i = 39; i >= 0 && model[i] == ' '; i--) model[i] = 0;
    uint32_t sectors = buf[60] | (uint32_t)buf[61] << 16;
    kprintf("model: %s\n", model);
    kprintf("sectors (LBA28): %u\n", sectors);
    check("identify: a fixed disk with LBA", (buf[0] & 0x8000) == 0 && (buf[49] & 0x0200));

    select_lba(0, 2);
    n = irqs;
    outb(STATUS, 0x20);                  /* READ SECTORS: 0 and 1 */
    wait_irq(n);
    n = irqs;
    insw_sector();
    check("read sector 0 (insw)", sector_is(0));
    wait_irq(n);
    insw_sector();
    check("read sector 1 (insw)", sector_is(1));
    check("read: done, no DRQ", (inb(STATUS) & 0x89) == 0);

    select_lba(3, 1);
    n = irqs;
    outb(STATUS, 0x20);
    wait_irq(n);
    insl_sector();
    check("read sector 3 (insl)", sector_is(3));

    for (int i = 0; i < 256; i++) buf[i] = (uint16_t)(0x5700 + i);
    select_lba(2, 1);
    n = irqs;
    outb(STATUS, 0x30);                  /* WRITE SECTORS: 2 */
    if (readonly) {
        st = wait_irq(n);
        check("write to a read-only disk: ERR", (st & 0x01) != 0);
        check("write to a read-only disk: ABRT", inb(ERROR) == 0x04);
    } else {
        for (int spins = 0; !(inb(ALT) & 0x08); spins++)
            if (spins > 100000) { kprintf("write: no DRQ\n"); debug_exit(EXIT_FAIL); }
        outsw_sector();
        st = wait_irq(n);
        check("write sector 2 (outsw): done", (st & 0x89) == 0);
        select_lba(2, 1);
        n = irqs;
        outb(STATUS, 0x20);
        wait_irq(n);
        insw_sector();
        int same = 1;
        for (int i = 0; i < 256; i++) same &= buf[i] == (uint16_t)(0x5700 + i);
        check("read back sector 2", same);
    }

    select_lba(sectors, 1);              /* just past the last sector */
    n = irqs;
    outb(STATUS, 0x20);
    st = wait_irq(n);
    check("read past the end: ERR", (st & 0x01) != 0);
    uint8_t err = inb(ERROR);
    /* ATA says IDNF (0x10); QEMU answers ABRT (0x04): either is an error the driver sees */
    check("read past the end: IDNF or ABRT", err == 0x10 || err == 0x04);

    outb(DEVICE, 0xB0);
    check("no slave: not ready", (inb(STATUS) & 0x40) == 0);
    outb(DEVICE, 0xA0);

    kprintf("interrupts: %d\n", irqs);
    kprintf("ata-pio: %s\n", fails ? "FAIL" : "pass");
    return fails != 0;
}
