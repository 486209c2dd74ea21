/* cmos-rtc: CMOS/RTC at 0x70/0x71: NVRAM byte write/read-back, a consistent read of the time
 * (UIP, BCD or binary per status B) with range checks, and the seconds advancing (PIT-timed). */
#include "guest.h"

static volatile uint32_t ticks;
static int fails;

static uint8_t cmos_read(uint8_t reg)  { outb(0x70, reg); return inb(0x71); }
static void cmos_write(uint8_t reg, uint8_t v) { outb(0x70, reg); outb(0x71, v); }

static struct regs *on_timer(struct regs *r)
{
    ticks++;
    pic_eoi(0);
    return r;
}

static void check(const char *what, int ok)
{
    kprintf("%s: %s\n", what, ok ? "ok" : "FAIL");
    fails += !ok;
}

struct rtc_time { uint32_t sec, min, hour, day, mon, year; };

static uint32_t bcd(uint8_t v, int is_bcd) { return is_bcd ? (v >> 4) * 10u + (v & 0xF) : v; }

/* Reads the time twice until both reads agree, each outside an update cycle (UIP clear). */
static void rtc_read(struct rtc_time *t)
{
    uint8_t b = cmos_read(0x0B);
    int is_bcd = !(b & 0x04);
    struct rtc_time a;
    do {
        while (cmos_read(0x0A) & 0x80)
            ;
        a.sec = cmos_read(0x00); a.min = cmos_read(0x02); a.hour = cmos_read(0x04);
        a.day = cmos_read(0x07); a.mon = cmos_read(0x08); a.year = cmos_read(0x09);
        while (cmos_read(0x0A) & 0x80)
            ;
        t->sec = cmos_read(0x00); t->min = cmos_read(0x02); t->hour = cmos_read(0x04);
        t->day = cmos_read(0x07); t->mon = cmos_read(0x08); t->year = cmos_read(0x09);
    } while (memcmp(&a, t, sizeof a) != 0);
    uint8_t h = (uint8_t)t->hour;
    t->hour = bcd(h & 0x7F, is_bcd);
    if (!(b & 0x02))                    /* 12-hour mode: bit 7 = PM, 12 AM = hour 0 */
        t->hour = t->hour % 12 + ((h & 0x80) ? 12 : 0);
    t->sec = bcd((uint8_t)t->sec, is_bcd);   t->min = bcd((uint8_t)t->min, is_bcd);
    t->day = bcd((uint8_t)t->day, is_bcd);   t->mon = bcd((uint8_t)t->mon, is_bcd);
    t->year = bcd((uint8_t)t->year, is_bcd);
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    (void)magic; (void)mbi;
    serial_init();
    gdt_init();
    idt_init();
    pic_remap(IRQ_BASE, IRQ_BASE + 8);
    isr_register(IRQ_BASE, on_timer);
    pit_set_hz(100);
    pic_unmask(0);
    kprintf("cmos-rtc: CMOS NVRAM and real-time clock\n");

    cmos_write(0x7E, 0xA5);
    uint8_t a = cmos_read(0x7E);
    cmos_write(0x7E, 0x5A);
    uint8_t b = cmos_read(0x7E);
    check("nvram byte 0x7e write/read-back", a == 0xA5 && b == 0x5A);

    struct rtc_time t0, t1;
    rtc_read(&t0);
    check("time fields in range", t0.sec < 60 && t0.min < 60 && t0.hour < 24 && t0.day >= 1 &&
                                  t0.day <= 31 && t0.mon >= 1 && t0.mon <= 12 && t0.year < 100);
    sti();
    uint32_t start = ticks;
    do {
        rtc_read(&t1);
    } while (t1.sec == t0.sec && ticks - start < 300);
    cli();
    check("seconds advance within 3 s (PIT time)", t1.sec == (t0.sec + 1) % 60);
    kprintf("cmos-rtc: %s\n", fails ? "FAIL" : "pass");
    return fails;
}
