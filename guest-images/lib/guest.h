/* Shared guest library API: selectors, exit codes, serial, printf, GDT/IDT/TSS, PIC/PIT, paging, ring 3. */
#ifndef GUEST_H
#define GUEST_H
#include "multiboot.h"

/* GDT layout set up by entry.S (first three) and gdt_init() (all six). */
#define SEL_KCODE   0x08
#define SEL_KDATA   0x10
#define SEL_UCODE   0x1B        /* GDT index 3, RPL 3 */
#define SEL_UDATA   0x23        /* GDT index 4, RPL 3 */
#define SEL_TSS     0x28
#define GDT_ENTRIES 6

/* isa-debug-exit (port 0xF4): the VM exits with status (code << 1) | 1. */
#define DEBUG_EXIT_PORT 0xF4
#define EXIT_PASS   0x10        /* exit status 33 */
#define EXIT_FAIL   0x11        /* exit status 35 */
#define EXIT_PANIC  0x12        /* exit status 37: unexpected exception/interrupt */

#define IRQ_BASE      0x20      /* PIC master -> 0x20..0x27, slave -> 0x28..0x2F */
#define USER_RET_VEC  0x81      /* DPL 3 gate: ring 3 code returns to user_call()'s caller */
#define COM1          0x3F8

#ifdef __ASSEMBLER__
/* The interrupt frame (struct regs) below a vector and an error code already pushed: the general registers and the
 * data segments saved, the kernel's data segments loaded (stubs.S isr_common, pv_entry.S's upcall).
 * The para build touches no segment register: its kernel runs on the flat ring 3 data segment all the time
 * (SEL_UDATA, loaded once by gdt_init; SS stays SEL_KDATA), which the kernel may use and ring 3 keeps on an iret, so there is
 * nothing to save or reload. Each segment move is a trap on Popek's full-virtualisation engine, twelve per
 * interrupt here; the frame keeps their four slots so struct regs is the same in both builds. */
.macro ISR_SAVE
    pushal
#ifdef PARA
    subl $16, %esp
#else
    pushl %ds
    pushl %es
    pushl %fs
    pushl %gs
    movw $SEL_KDATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
#endif
    cld
.endm
/* ...and back, down to the interrupted code's own frame (the vector and error code dropped). */
.macro ISR_RESTORE
#ifdef PARA
    addl $16, %esp
#else
    popl %gs
    popl %fs
    popl %es
    popl %ds
#endif
    popal
    addl $8, %esp
.endm
#endif

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include "io.h"

/* entry.S */
extern uint32_t mb_magic;               /* EAX at entry */
extern struct mb_info *mb_info;         /* EBX at entry */
extern uint8_t *linux_params;           /* a Linux-protocol guest (linux-*): ESI at entry, the zero page; else NULL */
extern uint32_t linux_entry_regs[7];    /* ... and its EBX, EDI, EBP, CS, DS, SS and EFLAGS at entry */
int kmain(uint32_t magic, struct mb_info *mbi);   /* each guest defines it; 0 -> debug-exit PASS */

/* serial.c: COM1, 115200 8N1, FIFO left disabled (16450 mode: no received byte is ever dropped) */
void serial_init(void);
void serial_putc(char c);
void serial_puts(const char *s);
int  serial_rx_ready(void);
char serial_getc(void);                 /* polls LSR.DR */

/* printf.c: %s %c %d %i %u %x %X %p %%, flags '0' '-', width */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);

/* string.c (the compiler may emit calls to these) */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* cmdline.c: the words of a command line. next_word: the next space-separated word of *s (advancing *s past it)
 * and its length, or NULL at the end; word_is: are the n bytes at s the word w? */
const char *next_word(const char **s, size_t *len);
int word_is(const char *s, size_t n, const char *w);

/* exit.c */
void debug_exit(uint8_t code) __attribute__((noreturn));
void power_off(void) __attribute__((noreturn));   /* outw(0x604, 0x2000); debug-exit FAIL if it returns */
void halt_forever(void) __attribute__((noreturn));

/* Interrupt frame built by isr.S (lowest address first). useresp/userss only if the CPU came from ring 3. */
struct regs {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax;
    uint32_t vector, err;
    uint32_t eip, cs, eflags;
    uint32_t useresp, userss;
};
/* A handler returns the frame to resume: normally r, or another task's frame (context switch). */
typedef struct regs *(*isr_handler_t)(struct regs *r);

/* desc.c */
extern uint64_t gdt[GDT_ENTRIES];
extern uint64_t idt[256];
struct tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
} __attribute__((packed));
extern struct tss tss;
void gdt_set(int i, uint32_t base, uint32_t limit, uint8_t access, uint8_t gran);
void gdt_init(void);                    /* kernel/user code+data, TSS (ss0, esp0 = an 8 KiB lib stack), lgdt, ltr */
void tss_set_esp0(uint32_t esp0);
void idt_init(void);                    /* vectors 0-47 -> isr stubs (DPL 0), USER_RET_VEC (DPL 3), lidt */
void idt_gate(int vec, int dpl);        /* install the isr stub for vec as a 32-bit interrupt gate */
void idt_set_present(int vec, int present);
void idt_load(const void *base, uint16_t limit);

/* isr.c / isr.S */
void isr_register(int vec, isr_handler_t h);
struct regs *isr_dispatch(struct regs *r);
void isr_return_to(struct regs *frame) __attribute__((noreturn));   /* "iret" into a prepared frame */
const char *exception_name(int vec);
extern char isr_stubs[];                /* 256 stubs, 16 bytes apart */

/* Fault fix-ups: FAULT_INSN(label, insn) in an asm block marks insn; fixup_resume() skips it. */
#define FAULT_INSN(label, insn) \
    ".globl " label "\n" label ":\n\t" insn "\n" \
    ".pushsection .fixup, \"a\"\n\t.long " label ", 9999f\n.popsection\n9999:\n"
int fixup_resume(struct regs *r);       /* 1 if r->eip was a FAULT_INSN: r->eip = the next instruction */

/* user.S: run fn at CPL 3 on the given stack (IOPL 0, same IF as the caller); returns fn's return value
 * once it returns (through a trampoline doing int USER_RET_VEC) or user_return(v) is executed. */
uint32_t user_call(uint32_t (*fn)(void), void *user_stack_top);
#define user_return(v) __asm__ volatile("int %0" :: "i"(USER_RET_VEC), "a"(v))

/* pic.c: 8259 pair and 8254 channel 0 */
void pic_remap(uint8_t master_base, uint8_t slave_base);   /* all IRQs left masked */
void pic_unmask(int irq);
void pic_mask(int irq);
void pic_eoi(int irq);
uint16_t pic_read_irr(void);            /* slave << 8 | master */
uint16_t pic_read_isr(void);
uint16_t pit_set_hz(uint32_t hz);       /* mode 2, returns the divisor */
uint16_t pit_read_count(void);          /* latch + read channel 0 */

/* paging.c: one page directory + one page table: identity map of 0-4 MiB in 4 KiB pages */
#define PTE_P  0x001
#define PTE_W  0x002
#define PTE_U  0x004
extern uint32_t page_dir[1024];
extern uint32_t page_table0[1024];
void paging_identity_4m(uint32_t flags);                      /* page 0 left not present */
void paging_set(uint32_t start, uint32_t end, uint32_t flags); /* identity pages in [start,end) */
void paging_enable(void);

/* ata.c: primary channel master, PIO, polled (nIEN set), 28-bit LBA; 0 or -1 (ERR/DF, timeout, out of range) */
uint32_t ata_identify(void);            /* LBA28 sector count, 0 if no drive answers */
int ata_read(uint32_t lba, void *buf, uint32_t nsectors);
int ata_write(uint32_t lba, const void *buf, uint32_t nsectors);
int ata_flush(void);                    /* FLUSH CACHE */

/* Linker script symbols */
extern char __kernel_start[], __kernel_end[];
extern char __user_start[], __user_shared_start[], __user_shared_end[], __user_end[];
extern char __bss_start[], __bss_end[];

#endif
#endif
