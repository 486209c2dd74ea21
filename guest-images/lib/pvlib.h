/* The guest library's para-virtual support (built into libguest-para.a when -DPARA): hypercall wrappers, the
 * shared-info page, events by upcall, the trap table, the PV console and the PV block device. The ABI itself is
 * pv.h; this header is what a guest written against the library calls.
 *
 * What the para build of the library changes by itself (so guest code written for the unmodified build keeps
 * working): serial_init()/serial_putc() (and so kprintf) write to the PV console ring; debug_exit() is pv_exit();
 * idt_init()/idt_gate() fill the PV trap table instead of an IDT; paging_enable() loads CR3 with
 * HC_NEW_BASEPTR and paging_set() after paging is on goes through HC_MMU_UPDATE.
 *
 * Boot order in a para guest:
 *     serial_init();          console ring (kprintf before it still works: one HC_CONSOLE_WRITE per byte)
 *     pv_init();              ABI check, events masked, upcall entry, default trap table (as idt_init)
 *     gdt_init();             unchanged (the TSS still gives the ring 3 -> 0 stack for traps and upcalls)
 *     pv_event_register(PV_EV_TIMER, on_tick); pv_set_timer(...); pv_irq_enable();
 *
 * Event masking: the kernel starts with events masked (pv_init). Traps from the default table mask events on
 * entry (like the interrupt gates of the unmodified build) and the common return path unmasks them when it
 * returns to CPL 3 (user code always runs with events on, as with IF=1 in an unmodified guest). A trap taken
 * at CPL 0 returns with events still masked: code that faults on purpose at CPL 0 with events on should
 * register that vector with pv_trap_set(vec, dpl, 0) (trap-gate semantics: the mask is left as it was).
 * The upcall always returns with events unmasked (it only ever interrupts unmasked code).
 */
#ifndef PVLIB_H
#define PVLIB_H
#include "pv.h"
#include "guest.h"

#define PV_UPCALL_VECTOR 0x100  /* struct regs.vector of an upcall frame (not an IDT vector) */

#ifndef __ASSEMBLER__

/* pv_entry.S: the two pages the ELF note names (page-aligned, in the bss, identity-mapped by paging). */
extern uint8_t hypercall_page[4096];
extern struct pv_shared_info pv_shared;     /* the first bytes of the 4 KiB shared-info page */
void pv_upcall_entry(void);                 /* the HC_SET_CALLBACK entry: frame, pv_upcall_dispatch, iret */

/* --- hypercalls ----------------------------------------------------------------------------------------------
 * hypercallN(nr, a1..aN): a1..a5 in EBX ECX EDX ESI EDI, result in EAX (>= 0, or -PV_E*). nr must be a
 * compile-time constant (the call is direct: `call hypercall_page + 32 * nr`). Only EAX is clobbered. */
#define PV_HC_ASM(nr) "call hypercall_page + %c[off]"
#define PV_HC_OFF(nr) [off] "i"(32 * (nr))

static inline __attribute__((always_inline)) int32_t hypercall0(const uint32_t nr)
{
    int32_t r;
    __asm__ volatile(PV_HC_ASM(nr) : "=a"(r) : PV_HC_OFF(nr) : "memory");
    return r;
}
static inline __attribute__((always_inline)) int32_t hypercall1(const uint32_t nr, uint32_t a1)
{
    int32_t r;
    __asm__ volatile(PV_HC_ASM(nr) : "=a"(r) : PV_HC_OFF(nr), "b"(a1) : "memory");
    return r;
}
static inline __attribute__((always_inline)) int32_t hypercall2(const uint32_t nr, uint32_t a1, uint32_t a2)
{
    int32_t r;
    __asm__ volatile(PV_HC_ASM(nr) : "=a"(r) : PV_HC_OFF(nr), "b"(a1), "c"(a2) : "memory");
    return r;
}
static inline __attribute__((always_inline)) int32_t hypercall3(const uint32_t nr, uint32_t a1, uint32_t a2,
                                                                uint32_t a3)
{
    int32_t r;
    __asm__ volatile(PV_HC_ASM(nr) : "=a"(r) : PV_HC_OFF(nr), "b"(a1), "c"(a2), "d"(a3) : "memory");
    return r;
}
static inline __attribute__((always_inline)) int32_t hypercall4(const uint32_t nr, uint32_t a1, uint32_t a2,
                                                                uint32_t a3, uint32_t a4)
{
    int32_t r;
    __asm__ volatile(PV_HC_ASM(nr) : "=a"(r) : PV_HC_OFF(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4) : "memory");
    return r;
}
static inline __attribute__((always_inline)) int32_t hypercall5(const uint32_t nr, uint32_t a1, uint32_t a2,
                                                                uint32_t a3, uint32_t a4, uint32_t a5)
{
    int32_t r;
    __asm__ volatile(PV_HC_ASM(nr) : "=a"(r) : PV_HC_OFF(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4), "D"(a5)
                     : "memory");
    return r;
}

/* --- setup --------------------------------------------------------------------------------------------------- */
/* Masks events, checks HC_VERSION (major 1: else prints why and exits EXIT_FAIL), registers pv_upcall_entry with
 * HC_SET_CALLBACK and loads the default trap table (pv_trap_defaults). Returns 0. */
int pv_init(void);

/* --- the trap table (HC_SET_TRAP_TABLE replaces the IDT) ------------------------------------------------------
 * Each call below updates the library's table and reloads it with one HC_SET_TRAP_TABLE. Handlers given as
 * vectors run the library's isr stub, so isr_register() handlers work as in the unmodified build. */
void pv_trap_defaults(void);                        /* vectors 0-47 dpl 0, USER_RET_VEC dpl 3, all masking */
void pv_trap_set(int vec, int dpl, int flags);      /* the isr stub for vec; flags 0 or PV_TRAP_MASK_EVENTS */
void pv_trap_set_handler(int vec, void (*entry)(void), int dpl, int flags);   /* a bare handler of the guest's */
void pv_trap_clear(int vec);                        /* no entry: an exception or int n there stops the guest */
int  pv_trap_load(void);                            /* reload explicitly (the setters already do) -> hc result */

/* --- events ---------------------------------------------------------------------------------------------------
 * The upcall takes the pending bits and calls, for each set bit with a handler, handler(frame, bit); a handler
 * returns the frame to resume (normally r; another task's frame to switch, as isr handlers do). Bits without a
 * handler are dropped (counted in pv_events_dropped). Handlers run with events masked. */
typedef struct regs *(*pv_event_handler_t)(struct regs *r, uint32_t event);
void pv_event_register(uint32_t event_bit, pv_event_handler_t h);    /* PV_EV_TIMER, PV_EV_CONSOLE, PV_EV_BLOCK */
struct regs *pv_upcall_dispatch(struct regs *r);                    /* called by pv_upcall_entry */
extern volatile uint32_t pv_upcalls, pv_events_dropped;

/* Masking: plain stores to the shared-info page, never a trap. */
static inline void pv_irq_disable(void)
{
    pv_shared.upcall_mask = 1;
    __asm__ volatile("" ::: "memory");
}
static inline void pv_irq_enable(void)
{
    __asm__ volatile("" ::: "memory");
    pv_shared.upcall_mask = 0;
    __asm__ volatile("" ::: "memory");
    if (pv_shared.upcall_pending)       /* an event came while masked: have it delivered now */
        hypercall0(HC_YIELD);
}
static inline uint32_t pv_irq_save(void)    /* masks; returns the old mask (1: was masked) */
{
    uint32_t old = pv_shared.upcall_mask;
    pv_irq_disable();
    return old;
}
static inline void pv_irq_restore(uint32_t old)
{
    if (old)
        pv_irq_disable();
    else
        pv_irq_enable();
}
static inline int pv_irq_masked(void) { return pv_shared.upcall_mask != 0; }

/* --- time -------------------------------------------------------------------------------------------------- */
uint64_t pv_time_ns(void);                  /* the virtual time as of Popek's last exit (a consistent 64-bit read) */
int pv_set_timer(uint64_t deadline_ns);     /* one-shot at an absolute virtual time; 0 cancels */
/* Waits for an event: HC_BLOCK unmasks, waits and delivers it (through the upcall) before returning. Returns
 * with events UNmasked, like sti; hlt. The "no lost wake-up" idiom:
 *     pv_irq_disable(); while (!done) { pv_block(); pv_irq_disable(); } */
static inline void pv_block(void) { hypercall0(HC_BLOCK); }
static inline void pv_yield(void) { hypercall0(HC_YIELD); }

/* --- memory management --------------------------------------------------------------------------------------
 * Addresses are physical; the library's page tables identity-map low memory, so &pte works as its address. */
int pv_mmu_update(const struct pv_mmu_update *u, uint32_t n);   /* -> n, or -PV_EINVAL (nothing applied) */
int pv_pte_set(volatile uint32_t *pte, uint32_t val);           /* one entry -> 1 or -PV_EINVAL */
static inline int pv_tlb_flush(uint32_t va) { return hypercall1(HC_TLB_FLUSH, va); }  /* or PV_FLUSH_ALL */
static inline int pv_new_baseptr(uint32_t cr3) { return hypercall1(HC_NEW_BASEPTR, cr3); }

/* --- console ------------------------------------------------------------------------------------------------- */
int  pv_console_write(const char *buf, uint32_t n);     /* direct HC_CONSOLE_WRITE (split into <= 4096) -> n */
int  pv_console_attach(void);                           /* HC_RING_ATTACH the ring -> ring bytes, or < 0 */
void pv_console_putc(char c);       /* into the ring; HC_CONSOLE_NOTIFY at '\n' and when full. No ring yet:
                                       an HC_CONSOLE_WRITE per byte. Safe from upcall handlers (masks events). */
void pv_console_flush(void);        /* one HC_CONSOLE_NOTIFY if bytes are waiting */
int  pv_console_getc(void);         /* the next input byte, or -1 if none (PV_EV_CONSOLE says more arrived) */
int  pv_console_peek(void);         /* 1 if an input byte is waiting */

/* --- exit ------------------------------------------------------------------------------------------------- */
void pv_exit(uint8_t code) __attribute__((noreturn));  /* flush the console, HC_EXIT: status (code << 1) | 1 */

/* --- PV block device ----------------------------------------------------------------------------------------
 * pv_blk_init(): HC_RING_ATTACH of the library's ring page -> 0, or < 0 (no device: -PV_E*). It registers a
 * PV_EV_BLOCK handler that does nothing but wake a waiter (replace it after pv_blk_init if you want your own).
 * pv_blk_rw(op, sector, buf, nsectors): PV_BLK_READ or PV_BLK_WRITE of nsectors from sector; buf is a
 * physically contiguous buffer (identity-mapped kernel memory). Split into requests of <= PV_BLOCK_MAX_SECTORS,
 * up to PV_BLOCK_RING_SIZE per batch, ONE HC_BLOCK_SUBMIT per batch; responses matched by id (any order). If a
 * batch is not complete when the submit returns, waits for PV_EV_BLOCK with pv_block() (the caller's mask is
 * restored). Returns 0, or the first negative status (-PV_EIO, -PV_EINVAL, -PV_EFAULT; -PV_ENOSYS: no ring).
 * pv_blk_flush(): a PV_BLK_FLUSH request. pv_blk_sectors(): the disk's size from the shared-info page. */
int pv_blk_init(void);
int pv_blk_rw(int op, uint64_t sector, void *buf, uint32_t nsectors);
int pv_blk_flush(void);
static inline uint64_t pv_blk_sectors(void) { return pv_shared.disk_sectors; }
extern uint32_t pv_blk_submits, pv_blk_requests;      /* hypercalls and requests made so far */

#endif
#endif
