/* ATA PIO on the primary channel, master drive, polled (nIEN set: no IRQ 14), 28-bit LBA. For guests that
 * move data through the emulated disk (the unmodified counterpart of the PV block ring). */
#include "guest.h"

#define ATA_DATA    0x1F0
#define ATA_ERROR   0x1F1
#define ATA_COUNT   0x1F2
#define ATA_LBA0    0x1F3
#define ATA_LBA1    0x1F4
#define ATA_LBA2    0x1F5
#define ATA_DEVICE  0x1F6
#define ATA_CMD     0x1F7               /* write: command; read: status */
#define ATA_ALT     0x3F6               /* read: alternate status (no side effect); write: device control */

#define ST_ERR  0x01
#define ST_DRQ  0x08
#define ST_DF   0x20
#define ST_BSY  0x80

#define CMD_READ    0x20
#define CMD_WRITE   0x30
#define CMD_FLUSH   0xE7
#define CMD_IDENT   0xEC

#define SPIN_LIMIT  10000000            /* a drive that never answers is an error, not a hang */

/* Waits for BSY clear; then, if want_drq, for DRQ. Returns the status, or -1 on ERR/DF or a timeout. */
static int ata_wait(int want_drq)
{
    for (uint32_t spins = 0; spins < SPIN_LIMIT; spins++) {
        uint8_t st = inb(ATA_ALT);
        if (st & ST_BSY)
            continue;
        if (st & (ST_ERR | ST_DF))
            return -1;
        if (!want_drq || (st & ST_DRQ))
            return st;
    }
    return -1;
}

static void ata_select(uint32_t lba, uint32_t count)
{
    outb(ATA_ALT, 0x02);                /* nIEN: polled, the drive raises no interrupt */
    outb(ATA_COUNT, (uint8_t)count);    /* 0 means 256 */
    outb(ATA_LBA0, (uint8_t)lba);
    outb(ATA_LBA1, (uint8_t)(lba >> 8));
    outb(ATA_LBA2, (uint8_t)(lba >> 16));
    outb(ATA_DEVICE, (uint8_t)(0xE0 | ((lba >> 24) & 0x0F)));   /* LBA mode, master */
}

/* One command of 1..256 sectors. */
static int ata_command(uint8_t cmd, uint32_t lba, uint8_t *buf, uint32_t n)
{
    ata_select(lba, n & 0xFF);
    outb(ATA_CMD, cmd);
    for (uint32_t s = 0; s < n; s++) {
        if (ata_wait(1) < 0)
            return -1;
        void *p = buf + s * 512;
        int words = 128;
        if (cmd == CMD_READ)
            __asm__ volatile("cld; rep insl" : "+D"(p), "+c"(words) : "d"(ATA_DATA) : "memory");
        else
            __asm__ volatile("cld; rep outsl" : "+S"(p), "+c"(words) : "d"(ATA_DATA) : "memory");
    }
    return ata_wait(0) < 0 ? -1 : 0;
}

static int ata_rw(uint8_t cmd, uint32_t lba, void *buf, uint32_t nsectors)
{
    uint8_t *p = buf;
    if (lba >= (1u << 28) || nsectors > (1u << 28) - lba)
        return -1;
    while (nsectors) {
        uint32_t n = nsectors > 256 ? 256 : nsectors;
        if (ata_command(cmd, lba, p, n) < 0)
            return -1;
        lba += n;
        p += n * 512;
        nsectors -= n;
    }
    return 0;
}

int ata_read(uint32_t lba, void *buf, uint32_t nsectors)
{
    return ata_rw(CMD_READ, lba, buf, nsectors);
}

int ata_write(uint32_t lba, const void *buf, uint32_t nsectors)
{
    return ata_rw(CMD_WRITE, lba, (void *)buf, nsectors);
}

int ata_flush(void)
{
    outb(ATA_DEVICE, 0xE0);
    outb(ATA_CMD, CMD_FLUSH);
    return ata_wait(0) < 0 ? -1 : 0;
}

uint32_t ata_identify(void)
{
    uint16_t id[256];
    outb(ATA_ALT, 0x02);
    outb(ATA_DEVICE, 0xA0);
    if (inb(ATA_ALT) == 0xFF)           /* floating bus: no drive */
        return 0;
    outb(ATA_CMD, CMD_IDENT);
    if (ata_wait(1) < 0)
        return 0;
    void *p = id;
    int words = 256;
    __asm__ volatile("cld; rep insw" : "+D"(p), "+c"(words) : "d"(ATA_DATA) : "memory");
    return id[60] | (uint32_t)id[61] << 16;
}
