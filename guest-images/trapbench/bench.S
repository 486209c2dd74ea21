/* trapbench loops (every class but syscall_int80, which is in user.user.S) and the bare handlers they
 * trap into. Each loop: esi counts n iterations down (n >= 1); the body is the class's instructions plus
 * "decl %esi; jnz 1b", aligned on 16 bytes; the window between the two markers holds nothing else. */
#include "guest.h"
#include "bench.h"
#ifdef PARA
#include "pvlib.h"
#define UPCALL_PENDING  pv_shared
#define UPCALL_MASK     (pv_shared + 1)
#define TIME_LO         (pv_shared + 8)
#define TIME_HI         (pv_shared + 12)
#define HYPERCALL(nr)   call hypercall_page + 32 * (nr)
#endif

/* uint64_t bench_NAME(uint32_t n, uint32_t a, uint32_t b): esi = n, ebx = a, edi = b.
 * Returns the TSC cycles from just before the start marker to just after the end marker.
 * EFLAGS (IF) is restored on return. */
.macro ENTER name
    .text
    .globl bench_\name
    .balign 16
bench_\name:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    pushfl
    movl 24(%esp), %esi
    movl 28(%esp), %ebx
    movl 32(%esp), %edi
.endm

.macro BEGIN id
    rdtsc
    pushl %edx
    pushl %eax
    MARK \id, MARK_START
    .balign 16
.endm

.macro LEAVE id
    MARK \id, MARK_END
    rdtsc
    subl (%esp), %eax
    sbbl 4(%esp), %edx
    addl $8, %esp
    popfl
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret
.endm

ENTER compute
    xorl %ebx, %ebx
    xorl %ecx, %ecx
    BEGIN C_COMPUTE
1:  addl %esi, %ecx                     /* one iteration: add, xor, rotate on registers */
    xorl %ecx, %ebx
    roll $5, %ebx
    decl %esi
    jnz 1b
    LEAVE C_COMPUTE

#ifdef PARA
/* Para build: each class's para-virtual equivalent (README.md, "The para-virtual build"). */
ENTER cli_sti
    BEGIN C_CLI_STI
1:  movb $1, UPCALL_MASK                /* one iteration: mask; unmask, and the unmask's test of upcall_pending */
    movb $0, UPCALL_MASK
    cmpb $0, UPCALL_PENDING
    jne 3f
2:  decl %esi
    jnz 1b
    LEAVE C_CLI_STI
3:  HYPERCALL(HC_YIELD)                 /* an event came while masked (none is armed here) */
    jmp 2b

ENTER pushf_popf
    BEGIN C_PUSHF_POPF
1:  movb UPCALL_MASK, %al               /* one iteration: read the mask; restore it */
    movb %al, UPCALL_MASK
    decl %esi
    jnz 1b
    LEAVE C_PUSHF_POPF

ENTER out_null
    BEGIN C_OUT_NULL
1:  HYPERCALL(HC_VERSION)               /* one iteration: the null hypercall */
    decl %esi
    jnz 1b
    LEAVE C_OUT_NULL
#else
ENTER cli_sti
    BEGIN C_CLI_STI
1:  cli                                 /* one iteration: cli; sti (PIC masks every IRQ) */
    sti
    decl %esi
    jnz 1b
    LEAVE C_CLI_STI

ENTER pushf_popf
    BEGIN C_PUSHF_POPF
1:  pushfl                              /* one iteration: pushfl; popfl */
    popfl
    decl %esi
    jnz 1b
    LEAVE C_PUSHF_POPF

ENTER out_null
    BEGIN C_OUT_NULL                    /* leaves al = 0 */
1:  outb %al, $NULL_PORT                /* one iteration: outb of 0 to port 0x80 */
    decl %esi
    jnz 1b
    LEAVE C_OUT_NULL
#endif

ENTER in_null
    BEGIN C_IN_NULL
1:  inb $NULL_PORT, %al                 /* one iteration: inb from port 0x80 */
    decl %esi
    jnz 1b
    LEAVE C_IN_NULL

#ifdef PARA
ENTER mov_cr3                           /* ebx = the current CR3 */
    BEGIN C_MOV_CR3
1:  HYPERCALL(HC_NEW_BASEPTR)           /* one iteration: HC_NEW_BASEPTR of its own value (full TLB flush) */
    decl %esi
    jnz 1b
    LEAVE C_MOV_CR3

ENTER invlpg                            /* ebx = a mapped page */
    BEGIN C_INVLPG
1:  HYPERCALL(HC_TLB_FLUSH)             /* one iteration: HC_TLB_FLUSH of that page */
    decl %esi
    jnz 1b
    LEAVE C_INVLPG
#else
ENTER mov_cr3                           /* ebx = the current CR3 */
    BEGIN C_MOV_CR3
1:  movl %ebx, %cr3                     /* one iteration: mov to CR3 of its own value (full TLB flush) */
    decl %esi
    jnz 1b
    LEAVE C_MOV_CR3

ENTER invlpg                            /* ebx = a mapped page */
    BEGIN C_INVLPG
1:  invlpg (%ebx)                       /* one iteration: invlpg of that page */
    decl %esi
    jnz 1b
    LEAVE C_INVLPG
#endif

ENTER lidt_sidt                         /* ebx = a 6-byte IDTR buffer */
    BEGIN C_LIDT_SIDT
1:  sidt (%ebx)                         /* one iteration: sidt to the buffer; lidt from it */
    lidt (%ebx)
    decl %esi
    jnz 1b
    LEAVE C_LIDT_SIDT

ENTER rdmsr_wrmsr                       /* ebx = the MSR index */
    movl %ebx, %ecx
    BEGIN C_RDMSR_WRMSR
1:  rdmsr                               /* one iteration: rdmsr; wrmsr of the same value (ecx = 0x174) */
    wrmsr
    decl %esi
    jnz 1b
    LEAVE C_RDMSR_WRMSR

#ifdef PARA
ENTER pagefault                         /* ebx = the page (not present on entry); pf_map/pf_unmap filled */
    movl %ebx, %ebp                     /* BEGIN clobbers eax and edx only; a hypercall only eax */
    movl $pf_unmap, %ebx
    movl $1, %ecx
    BEGIN C_PAGEFAULT
    .globl tb_pf_load
1:
tb_pf_load:
    movl (%ebp), %eax                   /* one iteration: load -> #PF (pf_entry: HC_MMU_UPDATE sets P, iret), */
    HYPERCALL(HC_MMU_UPDATE)            /* load again; HC_MMU_UPDATE clears P (and flushes the TLB) */
    decl %esi
    jnz 1b
    LEAVE C_PAGEFAULT

ENTER hlt_timer                         /* the callback is tick_upcall */
    BEGIN C_HLT_TIMER
1:  movb $1, UPCALL_MASK                /* one iteration: mask; HC_SET_TIMER(now + period); HC_BLOCK (unmasks), */
2:  movl TIME_HI, %ecx                  /* woken by the timer event (tick_upcall: count, unmask, iret). Masked */
    movl TIME_LO, %ebx                  /* while arming, or an early event is taken before HC_BLOCK, which */
    cmpl TIME_HI, %ecx                  /* then waits for a timer no longer set */
    jne 2b                              /* Popek updated the time between the two loads: read again */
    addl $(1000000000 / HLT_HZ), %ebx
    adcl $0, %ecx
    HYPERCALL(HC_SET_TIMER)
    HYPERCALL(HC_BLOCK)
    decl %esi
    jnz 1b
    LEAVE C_HLT_TIMER
#else
ENTER pagefault                         /* ebx = the page (not present on entry), edi = its PTE */
    BEGIN C_PAGEFAULT
1:  movl (%ebx), %eax                   /* one iteration: load -> #PF (pf_entry sets P, invlpg, iret), load again, */
    andl $~PG_PRESENT, (%edi)           /* clear P, invlpg */
    invlpg (%ebx)
    decl %esi
    jnz 1b
    LEAVE C_PAGEFAULT

ENTER hlt_timer                         /* PIT at HLT_HZ, IRQ 0 the only one unmasked */
    BEGIN C_HLT_TIMER
1:  sti                                 /* one iteration: sti; hlt, woken by IRQ 0 (tick_entry: EOI, iret) */
    hlt
    decl %esi
    jnz 1b
    LEAVE C_HLT_TIMER
#endif

/* int 0x80 (DPL 3): return at once. */
    .globl sys_entry
    .balign 16
sys_entry:
    iretl

#ifdef PARA
/* #PF during the para pagefault class: if it is the loop's load (the saved EIP: no CR2 read, which would
 * trap), map the page with HC_MMU_UPDATE (pf_map: P set; it flushes the TLB), count, return to retry the load;
 * anything else goes to the library's stub and its C handler. Registered without PV_TRAP_MASK_EVENTS. */
    .globl pf_entry
    .balign 16
pf_entry:
    cmpl $tb_pf_load, 4(%esp)           /* above the error code */
    jne 9f
    pushl %ebx
    pushl %ecx
    movl $pf_map, %ebx
    movl $1, %ecx
    HYPERCALL(HC_MMU_UPDATE)            /* eax clobbered: the load is retried and sets it again */
    incl pf_count
    popl %ecx
    popl %ebx
    addl $4, %esp                       /* error code */
    iretl
9:  jmp isr_stubs + 14 * 16

/* The event upcall during hlt_timer (HC_SET_CALLBACK): take the pending bits, count a timer event, unmask,
 * return (to just after HC_BLOCK's entry in the hypercall page). */
    .globl tick_upcall
    .balign 16
tick_upcall:
    pushl %eax
    movb $0, UPCALL_PENDING
    xorl %eax, %eax
    lock xchgl %eax, pv_shared + 4      /* pending */
    testl $PV_EV_TIMER, %eax
    jz 1f
    incl ticks
1:  popl %eax
    movb $0, UPCALL_MASK
    iretl
#else
/* #PF during the pagefault class: if CR2 is pf_va, set P in *pf_pte, invlpg, count, return to retry
 * the access; anything else goes to the library's stub (a full frame) and its C handler. */
    .globl pf_entry
    .balign 16
pf_entry:
    pushl %eax
    movl %cr2, %eax
    cmpl pf_va, %eax
    jne 9f
    pushl %edx
    movl pf_pte, %edx
    orl $PG_PRESENT, (%edx)
    invlpg (%eax)
    incl pf_count
    popl %edx
    popl %eax
    addl $4, %esp                       /* error code */
    iretl
9:  popl %eax
    jmp isr_stubs + 14 * 16
#endif

/* IRQ 0: count, EOI, return. */
    .globl tick_entry
    .balign 16
tick_entry:
    pushl %eax
    incl ticks
    movb $0x20, %al
    outb %al, $0x20
    popl %eax
    iretl

    .data
    .globl pf_va, pf_pte, pf_count, ticks
    .balign 4
pf_va:    .long 0
pf_pte:   .long 0
pf_count: .long 0
ticks:    .long 0
#ifdef PARA
    .globl pf_map, pf_unmap
pf_map:   .long 0, 0                    /* struct pv_mmu_update: the PTE with P set */
pf_unmap: .long 0, 0                    /* and with P clear */
#endif
