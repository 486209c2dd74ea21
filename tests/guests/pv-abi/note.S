/* pv-abi's PV note (pv.h, part 1) and the two pages it names, in the bss. */
    .section .note.popek, "a", @note
    .p2align 2
    .long 6                     /* namesz: "Popek" and its NUL */
    .long 12                    /* descsz */
    .long 0x50560001            /* POPEK_NOTE_PARA */
    .asciz "Popek"
    .p2align 2
    .long 0x00010000            /* POPEK_PV_ABI */
    .long hypercall_page
    .long shared_info

    .section .bss
    .p2align 12
    .globl hypercall_page, shared_info
hypercall_page:
    .skip 4096
shared_info:
    .skip 4096
