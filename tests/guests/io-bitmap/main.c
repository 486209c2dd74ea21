/* io-bitmap: port I/O at CPL 3 with IOPL 0 goes through the TSS I/O bitmap. The TSS here has one that allows
 * COM1 (0x3f8-0x3ff) and port 0x80 and nothing else: ring-3 code writes a line to COM1 with out and with rep outsb,
 * reads port 0x80 back (in, and rep insb), then out to 0x81 and a 16-bit in from 0x7f (0x80 is allowed, 0x7f is not) raise #GP(0). */
#include "guest.h"

static uint8_t user_stack[4096] __attribute__((aligned(16)));
static struct __attribute__((packed, aligned(16))) {
    struct tss t;
    uint8_t bitmap[0x400 / 8];   /* ports 0x000-0x3ff; the rest lie past the limit, so they are denied */
    uint8_t end;                 /* the 0xff the SDM asks for after the bitmap */
} iotss;

const char io_msg[] = "ring 3: rep outsb to COM1\n";
volatile uint32_t got80 = 0x12345;
volatile uint8_t insbuf[8] = {1, 2, 3, 4, 5, 6, 7, 8};
volatile uint32_t ins_left = 99;   /* the in from 0x80 overwrites it */
uint32_t ring3_io(void);
__asm__(".text\n"
        "ring3_io:\n\t"
        "movw $0x3f8, %dx\n\t"
        "movb $'r', %al; outb %al, %dx\n\t"          /* allowed: COM1 */
        "movb $'3', %al; outb %al, %dx\n\t"
        "movb $10, %al; outb %al, %dx\n\t"
        "movl $io_msg, %esi; movl $26, %ecx; cld\n\t"
        "rep outsb\n\t"                               /* allowed, 26 times */
        "movb $0x5a, %al; outb %al, $0x80\n\t"        /* allowed: the POST port */
        "inb $0x80, %al; movzbl %al, %eax; movl %eax, got80\n\t"
        "movw $0x80, %dx; movl $insbuf, %edi; movl $4, %ecx\n\t"
        "rep insb\n\t"                               /* allowed, 4 times */
        "movl %ecx, ins_left\n"
        FAULT_INSN("io_81", "outb %al, $0x81")        /* not allowed */
        FAULT_INSN("io_7f", "inw $0x7f, %ax")         /* 0x7f is denied even though 0x80 is allowed */
        "\tmovl $0x600d, %eax\n\t"
        "ret\n");
extern char io_81[], io_7f[];

static int faults, fails;
static struct regs *on_gp(struct regs *r)
{
    const char *want = faults == 0 ? io_81 : io_7f;
    int ok = r->eip == (uint32_t)want && r->err == 0 && (r->cs & 3) == 3;
    kprintf("#GP at cpl %u, err=0x%x, %s: %s\n", r->cs & 3, r->err, faults == 0 ? "out 0x81" : "in ax, 0x7f", ok ? "ok" : "FAIL");
    fails += !ok;
    faults++;
    if (!fixup_resume(r)) debug_exit(EXIT_FAIL);
    return r;
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    (void)magic; (void)mbi;
    serial_init();
    kprintf("io-bitmap: ring-3 port I/O through the TSS I/O bitmap\n");
    gdt_init();
    idt_init();
    isr_register(13, on_gp);

    memset(&iotss, 0xFF, sizeof iotss);
    memset(&iotss.t, 0, sizeof iotss.t);
    iotss.t.ss0 = tss.ss0;
    iotss.t.esp0 = tss.esp0;
    iotss.t.iomap_base = sizeof iotss.t;
    iotss.bitmap[0x3F8 / 8] = 0x00;                 /* 0x3f8-0x3ff */
    iotss.bitmap[0x80 / 8] &= (uint8_t)~1;          /* 0x80 */
    gdt_set(5, (uint32_t)&iotss, sizeof iotss - 1, 0x89, 0x0);
    __asm__ volatile("ltr %w0" :: "r"(SEL_TSS) : "memory");

    uint32_t v = user_call(ring3_io, user_stack + sizeof user_stack);
    int ok = v == 0x600d && faults == 2 && !fails && got80 != 0x12345;
    kprintf("port 0x80 read back at cpl 3: 0x%x\n", got80);
    kprintf("rep insb from 0x80: %02x %02x %02x %02x %02x, ecx=%u\n", insbuf[0], insbuf[1], insbuf[2], insbuf[3], insbuf[4], ins_left);
    ok = ok && ins_left == 0 && insbuf[4] == 5;
    kprintf("io-bitmap: %s\n", ok ? "pass" : "FAIL");
    return !ok;
}
