/* Interrupt entry: 256 stubs (16 bytes apart) -> common frame -> isr_dispatch(); user_call() for ring 3. */
#include "guest.h"
#ifdef PARA
#include "pvlib.h"
#define UPCALL_PENDING pv_shared
#define UPCALL_MASK (pv_shared + 1)
#endif

/* Vectors for which the CPU pushes an error code: 8, 10-14, 17, 21, 29, 30. */
#define HAS_ERR(n) ((n) == 8 || ((n) >= 10 && (n) <= 14) || (n) == 17 || (n) == 21 || (n) == 29 || (n) == 30)

    .text
    .balign 16
    .globl isr_stubs
isr_stubs:
    vec = 0
    .rept 256
    .balign 16
    .if !HAS_ERR(vec)
    pushl $0                            /* dummy error code: every frame has the same layout */
    .endif
    pushl $vec
    jmp isr_common
    vec = vec + 1
    .endr

isr_common:
    ISR_SAVE
    pushl %esp                          /* struct regs * */
    call isr_dispatch
    movl %eax, %esp                     /* the handler may switch to another frame */
isr_return:
#ifdef PARA
    /* Returning to CPL 3 is the para build's "iret restores IF=1": user code runs with events on. The
     * store comes before the pops, so an upcall it lets in nests below this frame. */
    testb $3, 60(%esp)                  /* the frame's CS */
    jz 1f
    movb $0, UPCALL_MASK
    cmpb $0, UPCALL_PENDING             /* an event came while masked: have it delivered now (nested below */
    je 1f                               /* this frame; EAX is restored by the popal) */
    call hypercall_page + 32 * HC_YIELD
1:
#endif
    ISR_RESTORE
    iretl

    /* void isr_return_to(struct regs *frame) */
    .globl isr_return_to
isr_return_to:
    movl 4(%esp), %esp
    jmp isr_return

    /* uint32_t user_call(uint32_t (*fn)(void), void *user_stack_top) */
    .globl user_call
user_call:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    pushfl
#ifdef PARA
    movzbl UPCALL_MASK, %eax            /* ring 3 runs with the caller's mask (like its IF); restored on return */
    movl %eax, user_saved_mask
#endif
    movl %esp, user_saved_esp
    movl 24(%esp), %eax                 /* fn */
    movl 28(%esp), %ecx                 /* user stack top */
    subl $4, %ecx
    movl $user_return_trampoline, (%ecx)   /* fn's "ret" lands in the trampoline */
    pushl $SEL_UDATA                    /* ss */
    pushl %ecx                          /* esp */
    pushfl                              /* eflags (IOPL 0, caller's IF) */
    pushl $SEL_UCODE                    /* cs */
    pushl %eax                          /* eip */
#ifndef PARA                            /* (the para kernel runs on SEL_UDATA already: guest.h, ISR_SAVE) */
    movw $SEL_UDATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
#endif
    iretl

    /* void user_resume(uint32_t value): called at CPL 0 by the USER_RET_VEC handler */
    .globl user_resume
user_resume:
    movl 4(%esp), %eax
    movl user_saved_esp, %esp           /* abandon the ring 0 stack (TSS.esp0) frame */
#ifndef PARA
    movw $SEL_KDATA, %dx
    movw %dx, %ds
    movw %dx, %es
    movw %dx, %fs
    movw %dx, %gs
#else
    movl user_saved_mask, %edx          /* USER_RET_VEC masked events on entry */
    movb %dl, UPCALL_MASK
#endif
    popfl
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

    /* Runs at CPL 3, so it lives in the user region (mapped U/S=1 when paging is on). */
    .section .user.text, "ax"
    .globl user_return_trampoline
user_return_trampoline:
    int $USER_RET_VEC                   /* eax = fn's return value */
    ud2

    .bss
    .balign 4
user_saved_esp: .long 0
#ifdef PARA
user_saved_mask: .long 0
#endif
