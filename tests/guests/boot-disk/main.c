/*
 * boot-disk, stage 2 (sectors 1..N, loaded by the boot sector): reports what the BIOS (or Popek) handed the boot
 * sector, turns paging on with a second linear mapping of a page, then reads a sector by ATA PIO and writes another
 * one, reading it back. The host checks afterwards that the written sector is on the disk image and nothing else.
 */
#include "guest.h"

struct bootinfo {
    uint8_t drive, pad;
    uint16_t msw, base_kib, ebda_segment, cs;
    uint8_t port92, a20_probe;
} __attribute__((packed));
extern struct bootinfo bootinfo;

#define READ_LBA  40        /* byte o of sector s is (s * 7 + o) & 0xff (the test's disk image) */
#define WRITE_LBA 41

static uint32_t pd[1024] __attribute__((aligned(4096)));
static uint32_t pt[1024] __attribute__((aligned(4096)));
static volatile uint32_t target[1024] __attribute__((aligned(4096)));
static uint16_t sector[256];
static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        kprintf("FAIL: %s\n", what);
        failures++;
    }
}

static int ata_wait(void)
{
    uint8_t s;
    while ((s = inb(0x1F7)) & 0x80) { }
    return s;
}

static int ata_command(uint32_t lba, uint8_t command)
{
    outb(0x3F6, 0x02);                          /* nIEN: this stage polls */
    outb(0x1F6, 0xE0 | ((lba >> 24) & 0x0F));
    outb(0x1F2, 1);
    outb(0x1F3, lba);
    outb(0x1F4, lba >> 8);
    outb(0x1F5, lba >> 16);
    outb(0x1F7, command);
    uint8_t s = ata_wait();
    return (s & 0x01) ? -1 : (s & 0x08) ? 0 : -1;
}

static int read_sector(uint32_t lba)
{
    if (ata_command(lba, 0x20) < 0) return -1;
    for (int i = 0; i < 256; i++) sector[i] = inw(0x1F0);
    return 0;
}

static int write_sector(uint32_t lba)
{
    if (ata_command(lba, 0x30) < 0) return -1;
    for (int i = 0; i < 256; i++) outw(0x1F0, sector[i]);
    uint8_t s = ata_wait();
    return (s & 0x01) ? -1 : 0;
}

void boot_main(void)
{
    serial_init();
    kprintf("boot-disk: sector 0 ran at %x:7c00 in real mode (CR0.PE %d), boot drive %x\n",
            bootinfo.cs, bootinfo.msw & 1, bootinfo.drive);
    kprintf("bios data area: %u KiB base memory, EBDA at segment %x\n", bootinfo.base_kib, bootinfo.ebda_segment);
    kprintf("a20: port 0x92 bit 1 %s, 1 MiB apart %s\n", (bootinfo.port92 & 2) ? "set" : "clear",
            bootinfo.a20_probe == 0x11 ? "distinct" : "the same byte");
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    kprintf("protected mode: CR0.PE %d, cs %x, stage 2 loaded by PIO\n", (int)(read_cr0() & 1), cs);

    /* Paging: the first 4 MiB identity-mapped, and linear 0xC0000000 a second name for 'target'. */
    for (int i = 0; i < 1024; i++) pt[i] = (i << 12) | 3;
    pd[0] = (uint32_t)pt | 3;
    static uint32_t high[1024] __attribute__((aligned(4096)));
    high[0] = (uint32_t)target | 3;
    pd[0xC0000000u >> 22] = (uint32_t)high | 3;
    write_cr3((uint32_t)pd);
    write_cr0(read_cr0() | 0x80000000u);
    *(volatile uint32_t *)0xC0000010u = 0xC0FFEE;
    kprintf("paging: on, a store through 0xc0000010 reads back %x through its identity mapping\n", target[4]);

    check(read_sector(READ_LBA) == 0, "read sector 40");
    int good = 1;
    const uint8_t *b = (const uint8_t *)sector;
    for (int o = 0; o < 512; o++) good &= b[o] == (uint8_t)(READ_LBA * 7 + o);
    kprintf("disk: sector %d read by PIO %s\n", READ_LBA, good ? "holds its pattern" : "is WRONG");
    check(good, "sector 40's pattern");

    for (int i = 0; i < 256; i++) sector[i] = 0xB000 + i;
    check(write_sector(WRITE_LBA) == 0, "write sector 41");
    for (int i = 0; i < 256; i++) sector[i] = 0;
    check(read_sector(WRITE_LBA) == 0, "read sector 41 back");
    good = 1;
    for (int i = 0; i < 256; i++) good &= sector[i] == 0xB000 + i;
    kprintf("disk: sector %d written and read back %s\n", WRITE_LBA, good ? "the same" : "DIFFERENT");
    check(good, "sector 41 read back");

    kprintf("%s\n", failures ? "boot-disk: FAILED" : "boot-disk: passed");
    debug_exit(failures ? EXIT_FAIL : EXIT_PASS);
}
