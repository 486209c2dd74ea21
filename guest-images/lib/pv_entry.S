/* Para build only: the ELF note that marks the image para-virtualised, the hypercall and shared-info pages it
 * names, and the event upcall entry (same struct regs frame as the isr stubs, then pv_upcall_dispatch). */
#ifdef PARA
#include "pvlib.h"

/* The note (pv.h section 1): name "Popek\0" padded to 8, type POPEK_NOTE_PARA, desc = abi, hypercall page,
 * shared-info page. lib/link.ld keeps .note.popek so the linker gives it a PT_NOTE. */
    .section .note.popek, "a", @note
    .balign 4
    .long 6                             /* namesz, with the NUL */
    .long 12                            /* descsz: 3 u32 */
    .long POPEK_NOTE_PARA
    .asciz "Popek"
    .balign 4
    .long POPEK_PV_ABI
    .long hypercall_page                /* physical = linear: loaded at 1 MiB, paging off at boot */
    .long pv_shared
    .balign 4

/* Both pages in the bss: Popek fills them after loading, and nothing in the guest zeroes the bss. The
 * hypercall page is executed at CPL 0; 32-bit paging without PAE has no NX, so bss memory can run. */
    .section .bss.pv_pages, "aw", @nobits
    .balign 4096
    .globl hypercall_page, pv_shared
hypercall_page:
    .skip 4096
pv_shared:
    .skip 4096

/* The upcall: entered as through a 32-bit interrupt gate (EFLAGS, CS, EIP; from CPL 3 first SS, ESP), no
 * error code, upcall_mask already 1. Builds the isr frame (vector PV_UPCALL_VECTOR), lets the dispatcher pick
 * the frame to resume, unmasks (with HC_YIELD if an event is already pending again) and irets. An event that
 * arrives between the unmask and the iret may be delivered right there, on this stack below the frame being
 * popped: that nests correctly. */
    .text
    .globl pv_upcall_entry
    .balign 16
pv_upcall_entry:
    pushl $0                            /* err */
    pushl $PV_UPCALL_VECTOR
    ISR_SAVE
    pushl %esp                          /* struct regs * */
    call pv_upcall_dispatch
    movl %eax, %esp                     /* a handler may switch to another task's frame */
    movb $0, pv_shared + 1              /* upcall_mask = 0 */
    cmpb $0, pv_shared                  /* an event came after the dispatcher's last look: have it now */
    je 1f                               /* (nested below this frame; EAX is restored by the popal) */
    call hypercall_page + 32 * HC_YIELD
1:  ISR_RESTORE
    iretl
#endif
