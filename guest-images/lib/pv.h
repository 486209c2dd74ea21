/* Popek's para-virtual interface, ABI version 1.0: what a guest built for `--mode para` sees.
 * The guest author's reference; README.md ("The para-virtual interface") says the same in prose.
 *
 * 1. The image says it is para-virtualised with an ELF note (PT_NOTE segment):
 *      name "Popek" (namesz 6), type POPEK_NOTE_PARA, desc = 3 u32: abi version (POPEK_PV_ABI),
 *      the physical address of a page-aligned 4 KiB page for the hypercall page, and of one for the
 *      shared-info page (both inside the loaded image or its bss). Popek fills the hypercall page and
 *      zeroes then initialises the shared-info page before the first instruction runs. A Multiboot image
 *      with the note runs only under --mode para; one without it never does.
 *    Boot is otherwise Multiboot's (EAX magic, EBX info, flat segments, paging off, CPL 0).
 *
 * 2. Hypercalls: `call hypercall_page + 32 * nr` from CPL 0, arguments in EBX, ECX, EDX, ESI, EDI,
 *    result in EAX (>= 0 success, < 0 a negated Linux errno below); only EAX is clobbered. The page's
 *    contents (the entry instruction) are Popek's choice and may change between Popek versions; guests
 *    must not look inside it. From CPL 1-3 every hypercall returns -PV_EPERM.
 *
 * 3. The shared-info page (struct pv_shared_info): per-vCPU event mask and pending bits, the virtual time.
 *    Events are delivered by an upcall to the callback set with HC_SET_CALLBACK, never through the PIC/IDT:
 *    when (pending != 0) and upcall_mask == 0 at an instruction boundary Popek sees, it sets upcall_mask = 1
 *    and enters the callback as through a 32-bit interrupt gate (EFLAGS, CS, EIP pushed; from CPL 3 first
 *    SS, ESP, with the stack from the TSS's ESP0/SS0; no error code). The callback takes the pending bits
 *    (e.g. `lock xchg` with 0), handles them, clears upcall_mask and returns with iret.
 *    Masking and unmasking are plain stores to upcall_mask: no trap. Popek notices an unmask at its next
 *    exit; a guest that unmasks while upcall_pending is set should make any hypercall (HC_YIELD) so the
 *    event is delivered at once.
 *
 * 4. I/O rings: one 4 KiB page each, attached with HC_RING_ATTACH, indices free-running u32 (taken
 *    modulo the ring size). Bad ring contents get an error response or -PV_EINVAL and a counter; never
 *    more than that.
 */
#ifndef POPEK_PV_H
#define POPEK_PV_H

#define POPEK_NOTE_NAME     "Popek"
#define POPEK_NOTE_PARA     0x50560001u     /* "PV" 1 */
#define POPEK_PV_ABI        0x00010000u     /* major << 16 | minor */

/* Hypercall numbers (slot nr of the hypercall page). */
#define HC_VERSION          0   /* -> POPEK_PV_ABI */
#define HC_EXIT             1   /* ebx = code: the VM exits with status (code << 1) | 1, as debug-exit; no return */
#define HC_CONSOLE_WRITE    2   /* ebx = linear address, ecx = length (<= 4096) -> bytes written */
#define HC_SET_CALLBACK     3   /* ebx = code selector, ecx = EIP of the event upcall -> 0 */
#define HC_SET_TRAP_TABLE   4   /* ebx = linear address of struct pv_trap_info[ecx], ecx <= 256 -> 0;
                                   replaces the IDT for exceptions and int n (a vector with no entry: the guest stops) */
#define HC_MMU_UPDATE       5   /* ebx = linear address of struct pv_mmu_update[ecx], ecx <= 4096 -> ecx.
                                   Each: *(u32 *)phys(ptr) = val. All validated before any is applied (ptr 4-aligned in
                                   RAM; a present val maps a frame in RAM, a 4 MiB one wholly in RAM); then the TLB is
                                   flushed. One bad entry: -PV_EINVAL, nothing applied. */
#define HC_TLB_FLUSH        6   /* ebx = linear address of the page to flush, or PV_FLUSH_ALL -> 0 */
#define HC_NEW_BASEPTR      7   /* ebx = CR3 value (page directory in RAM) -> 0; flushes the TLB */
#define HC_SET_TIMER        8   /* ebx:ecx = low:high of an absolute virtual time in ns (0 cancels): one-shot,
                                   raises PV_EV_TIMER when due -> 0 */
#define HC_YIELD            9   /* -> 0; delivers a pending unmasked event before returning */
#define HC_BLOCK            10  /* clears upcall_mask, waits until an event is pending, delivers it -> 0 */
#define HC_RING_ATTACH      11  /* ebx = PV_RING_CONSOLE or PV_RING_BLOCK, ecx = physical address of the ring page
                                   (4 KiB aligned, in RAM) -> ring size in entries (block) or bytes (console out) */
#define HC_CONSOLE_NOTIFY   12  /* the console ring's out buffer has new bytes -> bytes taken */
#define HC_BLOCK_SUBMIT     13  /* the block ring has new requests -> requests completed by this call */
#define HC_COUNT            14

/* Errors (negated in EAX). */
#define PV_EPERM    1
#define PV_EIO      5
#define PV_EFAULT   14
#define PV_EINVAL   22
#define PV_ENOSYS   38

#define PV_FLUSH_ALL        0xFFFFFFFFu

/* Event bits in pv_shared_info.pending. */
#define PV_EV_TIMER     (1u << 0)   /* the HC_SET_TIMER deadline passed */
#define PV_EV_CONSOLE   (1u << 1)   /* console input arrived */
#define PV_EV_BLOCK     (1u << 2)   /* block responses were produced */

#define PV_RING_CONSOLE 0
#define PV_RING_BLOCK   1

#ifndef __ASSEMBLER__
#include <stdint.h>

struct pv_shared_info {                 /* at the note's shared-info address */
    volatile uint8_t  upcall_pending;   /* Popek sets it with a pending bit; the guest clears it */
    volatile uint8_t  upcall_mask;      /* 1: no upcall (the guest's cli); set by Popek on each upcall */
    uint16_t _pad0;
    volatile uint32_t pending;          /* PV_EV_* bits, set by Popek, taken by the guest (lock xchg/and) */
    volatile uint64_t time_ns;          /* virtual time since boot, as of Popek's last exit */
    uint32_t abi;                       /* POPEK_PV_ABI */
    uint32_t ram_bytes;                 /* guest RAM size */
    volatile uint64_t disk_sectors;     /* the block device's size in 512-byte sectors (0: no disk) */
    volatile uint32_t ring_errors;      /* malformed ring contents seen so far */
    uint32_t tsc_khz;                   /* the virtual TSC's rate */
} __attribute__((packed));

struct pv_trap_info {                   /* one per vector in HC_SET_TRAP_TABLE's array */
    uint8_t  vector;
    uint8_t  flags;                     /* bits 0-1: DPL (who may int n it); bit 2: PV_TRAP_MASK_EVENTS */
    uint16_t cs;                        /* handler code selector */
    uint32_t eip;                       /* handler; entered as through a 32-bit gate */
} __attribute__((packed));
#define PV_TRAP_MASK_EVENTS 0x04        /* set upcall_mask on entry (an interrupt gate's IF = 0) */

struct pv_mmu_update {
    uint32_t ptr;                       /* physical address of a PDE or PTE */
    uint32_t val;                       /* its new value */
} __attribute__((packed));

/* Console ring page: two byte rings. out: the guest produces, Popek consumes on HC_CONSOLE_NOTIFY;
 * in: Popek produces (raising PV_EV_CONSOLE), the guest consumes. */
#define PV_CONSOLE_OUT_SIZE 2048
#define PV_CONSOLE_IN_SIZE  1024
struct pv_console_ring {
    volatile uint32_t out_prod, out_cons, in_prod, in_cons;
    uint8_t _pad[256 - 16];
    volatile char out[PV_CONSOLE_OUT_SIZE];     /* at 0x100 */
    volatile char in[PV_CONSOLE_IN_SIZE];       /* at 0x900 */
};

/* Block ring page: PV_BLOCK_RING_SIZE request and response slots. The guest writes requests at req_prod
 * and advances it (keeping req_prod - rsp_cons <= PV_BLOCK_RING_SIZE), then HC_BLOCK_SUBMIT once per batch.
 * Popek serves the batch in sector order (an elevator), so responses come in any order: match them by id.
 * A request's buffer is guest-physical and contiguous (sectors * 512 bytes, wholly in RAM). */
#define PV_BLOCK_RING_SIZE  32
#define PV_BLOCK_MAX_SECTORS 128        /* 64 KiB per request */
#define PV_BLK_READ  0
#define PV_BLK_WRITE 1
#define PV_BLK_FLUSH 2
struct pv_block_request {               /* 32 bytes */
    uint64_t id;                        /* the guest's, echoed in the response */
    uint8_t  op;                        /* PV_BLK_* */
    uint8_t  _pad;
    uint16_t sectors;                   /* 1..PV_BLOCK_MAX_SECTORS (0 for FLUSH) */
    uint32_t buffer;                    /* physical address */
    uint64_t sector;                    /* first sector */
    uint64_t _reserved;
} __attribute__((packed));
struct pv_block_response {              /* 16 bytes */
    uint64_t id;
    int32_t  status;                    /* 0, or -PV_EIO / -PV_EINVAL / -PV_EFAULT */
    uint32_t op;
} __attribute__((packed));
struct pv_block_ring {
    volatile uint32_t req_prod;         /* guest */
    volatile uint32_t req_cons;         /* Popek: requests taken */
    volatile uint32_t rsp_prod;         /* Popek */
    volatile uint32_t rsp_cons;         /* guest */
    uint8_t _pad[64 - 16];
    struct pv_block_request req[PV_BLOCK_RING_SIZE];    /* at 0x40 */
    struct pv_block_response rsp[PV_BLOCK_RING_SIZE];   /* at 0x440 */
};
#endif
#endif
