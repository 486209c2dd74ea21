/* tinyos: a small teaching kernel: GDT/TSS/IDT, PIC+PIT, paging, four ring 3 tasks under a
 * preemptive round-robin scheduler with int 0x80 system calls, and fault handling that kills tasks.
 *
 * Serial output (exit: debug-exit 0x10 -> status 33 when every check passes, 0x11 -> 35 otherwise,
 * 0x12 -> 37 on a kernel panic). Lines WITHOUT a "[X] " tag are printed in exactly this order:
 *
 *   tinyos: booting
 *   gdt: kernel code 0x08, kernel data 0x10, user code 0x1b, user data 0x23, tss 0x28
 *   tss: ss0 0x10, esp0 = the running task's kernel stack, no I/O bitmap
 *   idt: exceptions 0-31, irqs 0x20-0x2f, syscall int 0x80 (dpl 3)
 *   pic: irq 0-7 -> 0x20-0x27, irq 8-15 -> 0x28-0x2f
 *   pit: 100 Hz (divisor 11932)
 *   timer: 10 ticks
 *   paging: on, identity map 0-4 MiB, kernel pages supervisor-only, user pages u/s=1
 *   sched: 4 tasks (A, B, C, D), round robin, 1 tick time slice; entering ring 3 via iret
 *   ... the tagged task lines below, interleaved ...
 *   sched: all tasks finished
 *   summary: task A exited with code 1 (preempted: yes, yielded: yes)
 *   summary: task B exited with code 2 (preempted: yes, yielded: yes)
 *   summary: task C killed by page fault
 *   summary: task D killed by general protection fault
 *   tinyos: all checks passed, debug-exit 0x10
 *
 * The para-virtualised build (-DPARA, tinyos-para.elf, for `--mode para`) prints the same lines except the
 * two that describe the platform, as it has neither PIC nor PIT:
 *
 *   pic: none, events by upcall (shared-info page), masked by upcall_mask stores
 *   pit: none, 100 Hz from one-shot HC_SET_TIMER re-armed each tick (period 10000000 ns)
 *
 * It takes the timer as PV_EV_TIMER events, waits with HC_BLOCK instead of sti; hlt, masks events with stores to
 * the shared-info page instead of cli/sti, exits with HC_EXIT and prints through the PV console (the library
 * does those last two). Its page-table entries are all written before paging is on; CR3 is loaded with
 * HC_NEW_BASEPTR and paging is turned on once, by a (trapped) mov to CR0.
 *
 * Lines tagged "[A] ".."[D] " come from the tasks (via SYS_WRITE) and from the kernel on their
 * behalf. How the four tasks interleave depends on timing: a test should check that each tag's
 * lines appear in this order (order-independent across tags), between the "sched: 4 tasks" line
 * and "sched: all tasks finished":
 *
 *   [A] started, my id is 1                [B] started, my id is 2
 *   [A] round 1: spinning for 3 ticks      [B] round 1: spinning for 3 ticks
 *   [A] round 2: spinning for 3 ticks      [B] round 2: spinning for 3 ticks
 *   [A] round 3: spinning for 3 ticks      [B] round 3: spinning for 3 ticks
 *   [A] yielding                           [B] yielding
 *   [A] back from yield                    [B] back from yield
 *   [A] calling exit(1)                    [B] calling exit(2)
 *   [A] exited with code 1                 [B] exited with code 2
 *
 *   [C] started, my id is 3
 *   [C] reading kernel memory at 0x00100000
 *   [C] page fault: cr2=0x00100000 err=0x5 (present, read, user): task killed
 *
 *   [D] started, my id is 4
 *   [D] executing cli at cpl 3
 *   [D] general protection fault: err=0x0: task killed
 */
#include "guest.h"
#include "syscall.h"
#ifdef PARA
#include "pvlib.h"

#define TICK_NS 10000000u               /* 100 Hz */
static uint64_t next_tick_ns;
#endif

#define NTASKS 4

enum state { RUNNABLE, EXITED, KILLED };
struct task {
    char name;
    uint32_t id;
    enum state state;
    struct regs *frame;                 /* saved context, on this task's kernel stack */
    int exit_code, killed_by;           /* exception vector */
    uint32_t preemptions, yields;
    uint8_t kstack[4096] __attribute__((aligned(16)));
};

static struct task tasks[NTASKS];
static struct task *current;            /* NULL until the first task runs */
static volatile uint32_t ticks;
volatile uint32_t user_ticks __attribute__((section(".user.shared"), aligned(4096)));

extern uint8_t user_stacks[NTASKS][4096];
void task_worker(void), task_pagefault(void), task_gp(void);

static uint32_t kstack_top(struct task *t) { return (uint32_t)(t->kstack + sizeof t->kstack); }

/* Next runnable task after cur in round-robin order (cur itself last), or NULL. */
static struct task *pick_next(struct task *cur)
{
    for (int i = 1; i <= NTASKS; i++) {
        struct task *t = &tasks[(cur - tasks + i) % NTASKS];
        if (t->state == RUNNABLE)
            return t;
    }
    return NULL;
}

static struct regs *switch_to(struct regs *r, struct task *next)
{
    current->frame = r;
    current = next;
    tss_set_esp0(kstack_top(next));     /* where the CPU puts the next ring 3 -> 0 frame */
    return next->frame;
}

static void __attribute__((noreturn)) all_done(void)
{
    kprintf("sched: all tasks finished\n");
    /* Expected: A and B exit with their id after being preempted and yielding; C dies of a page
     * fault, D of a general protection fault. */
    int ok = 1;
    for (int i = 0; i < NTASKS; i++) {
        struct task *t = &tasks[i];
        if (t->state == EXITED) {
            kprintf("summary: task %c exited with code %d (preempted: %s, yielded: %s)\n", t->name,
                    t->exit_code, t->preemptions ? "yes" : "no", t->yields ? "yes" : "no");
            ok &= i < 2 && t->exit_code == (int)t->id && t->preemptions > 0 && t->yields > 0;
        } else {
            kprintf("summary: task %c killed by %s\n", t->name,
                    t->killed_by == 14 ? "page fault" : t->killed_by == 13 ? "general protection fault"
                                                                           : exception_name(t->killed_by));
            ok &= (i == 2 && t->killed_by == 14) || (i == 3 && t->killed_by == 13);
        }
    }
    kprintf("tinyos: %s, debug-exit 0x%x\n", ok ? "all checks passed" : "CHECKS FAILED",
            ok ? EXIT_PASS : EXIT_FAIL);
    debug_exit(ok ? EXIT_PASS : EXIT_FAIL);
}

/* The current task is gone: run the next one, or finish. */
static struct regs *end_current(struct regs *r, enum state how)
{
    current->state = how;
    struct task *next = pick_next(current);
    if (!next)
        all_done();
    return switch_to(r, next);
}

static struct regs *on_timer(struct regs *r)
{
    ticks++;
    user_ticks = ticks;                 /* a read-only page for ring 3; CR0.WP=0 lets ring 0 write */
#ifdef PARA
    /* A periodic tick from a one-shot timer: the next deadline one period after the last, unless time has
     * already run past it (a long exit), then one period from now. */
    next_tick_ns += TICK_NS;
    uint64_t now = pv_time_ns();
    if (next_tick_ns <= now)
        next_tick_ns = now + TICK_NS;
    pv_set_timer(next_tick_ns);
#else
    pic_eoi(0);
#endif
    if (current && (r->cs & 3) == 3) {  /* preempt only ring 3 (the kernel runs with IF=0) */
        struct task *next = pick_next(current);
        if (next && next != current) {
            current->preemptions++;
            return switch_to(r, next);
        }
    }
    return r;
}

#ifdef PARA
static struct regs *on_timer_event(struct regs *r, uint32_t event)
{
    (void)event;
    return on_timer(r);
}
#endif

/* A user pointer is valid if the whole string lies in the user region. */
static int user_string_ok(uint32_t p)
{
    for (uint32_t a = p; a >= (uint32_t)__user_start && a < (uint32_t)__user_end; a++)
        if (*(const char *)a == 0)
            return a - p < 200;
    return 0;
}

static struct regs *on_syscall(struct regs *r)
{
    switch (r->eax) {
    case SYS_WRITE:
        if (!user_string_ok(r->ebx)) {
            kprintf("[%c] write: bad pointer 0x%08x\n", current->name, r->ebx);
            r->eax = (uint32_t)-1;
            return r;
        }
        kprintf("[%c] %s\n", current->name, (const char *)r->ebx);
        r->eax = 0;
        return r;
    case SYS_GETID:
        r->eax = current->id;
        return r;
    case SYS_YIELD: {
        current->yields++;
        r->eax = 0;
        struct task *next = pick_next(current);
        return next != current ? switch_to(r, next) : r;
    }
    case SYS_EXIT:
        current->exit_code = (int)r->ebx;
        kprintf("[%c] exited with code %d\n", current->name, current->exit_code);
        return end_current(r, EXITED);
    default:
        kprintf("[%c] unknown system call %u\n", current->name, r->eax);
        r->eax = (uint32_t)-1;
        return r;
    }
}

/* Exceptions: from ring 3 they kill the task; in the kernel they are fatal. */
static struct regs *on_exception(struct regs *r)
{
    if ((r->cs & 3) != 3) {
        kprintf("PANIC: %s in the kernel: err=0x%x eip=0x%08x cr2=0x%08x\n",
                exception_name((int)r->vector), r->err, r->eip, read_cr2());
        debug_exit(EXIT_PANIC);
    }
    if (r->vector == 14)
        kprintf("[%c] page fault: cr2=0x%08x err=0x%x (%s, %s, %s): task killed\n", current->name,
                read_cr2(), r->err, r->err & 1 ? "present" : "not present",
                r->err & 2 ? "write" : "read", r->err & 4 ? "user" : "supervisor");
    else if (r->vector == 13)
        kprintf("[%c] general protection fault: err=0x%x: task killed\n", current->name, r->err);
    else
        kprintf("[%c] %s: err=0x%x eip=0x%08x: task killed\n", current->name,
                exception_name((int)r->vector), r->err, r->eip);
    current->killed_by = (int)r->vector;
    return end_current(r, KILLED);
}

/* A fresh task: a ring 3 interrupt frame at the top of its kernel stack, "returned" to by iret. */
static void task_create(int i, void (*entry)(void))
{
    struct task *t = &tasks[i];
    t->name = (char)('A' + i);
    t->id = (uint32_t)i + 1;
    t->state = RUNNABLE;
    struct regs *f = (struct regs *)(kstack_top(t) - sizeof(struct regs));
    memset(f, 0, sizeof *f);
    f->gs = f->fs = f->es = f->ds = SEL_UDATA;
    f->eip = (uint32_t)entry;
    f->cs = SEL_UCODE;
    f->eflags = 0x202;                  /* IF=1, IOPL 0 */
    f->useresp = (uint32_t)(user_stacks[i] + sizeof user_stacks[i]);
    f->userss = SEL_UDATA;
    t->frame = f;
}

int kmain(uint32_t magic, struct mb_info *mbi)
{
    (void)mbi;
    serial_init();
    kprintf("tinyos: booting\n");
    if (magic != MB_BOOT_MAGIC) {
        kprintf("PANIC: not booted by a Multiboot loader (eax=0x%08x)\n", magic);
        debug_exit(EXIT_PANIC);
    }
#ifdef PARA
    pv_init();                          /* events masked, upcall entry, the trap table */
#endif

    gdt_init();
    kprintf("gdt: kernel code 0x%02x, kernel data 0x%02x, user code 0x%02x, user data 0x%02x, tss 0x%02x\n",
            SEL_KCODE, SEL_KDATA, SEL_UCODE, SEL_UDATA, SEL_TSS);
    kprintf("tss: ss0 0x%02x, esp0 = the running task's kernel stack, no I/O bitmap\n", tss.ss0);

    idt_init();
    for (int v = 0; v < 32; v++)
        isr_register(v, on_exception);
    idt_gate(SYSCALL_VEC, 3);
    isr_register(SYSCALL_VEC, on_syscall);
    kprintf("idt: exceptions 0-31, irqs 0x20-0x2f, syscall int 0x%x (dpl 3)\n", SYSCALL_VEC);

#ifdef PARA
    pv_event_register(PV_EV_TIMER, on_timer_event);
    kprintf("pic: none, events by upcall (shared-info page), masked by upcall_mask stores\n");
    kprintf("pit: none, 100 Hz from one-shot HC_SET_TIMER re-armed each tick (period %u ns)\n", TICK_NS);
    next_tick_ns = pv_time_ns() + TICK_NS;
    pv_set_timer(next_tick_ns);
    pv_irq_disable();
    while (ticks < 10) {                /* test masked, then block (which unmasks): no lost wake-up */
        pv_block();
        pv_irq_disable();
    }
#else
    pic_remap(IRQ_BASE, IRQ_BASE + 8);
    kprintf("pic: irq 0-7 -> 0x20-0x27, irq 8-15 -> 0x28-0x2f\n");
    isr_register(IRQ_BASE + 0, on_timer);
    kprintf("pit: 100 Hz (divisor %u)\n", pit_set_hz(100));
    pic_unmask(0);
    cli();
    while (ticks < 10) {                /* test with IF=0, then sti; hlt: no lost wake-up */
        sti_hlt();
        cli();
    }
#endif
    kprintf("timer: 10 ticks\n");

    paging_identity_4m(PTE_P | PTE_W);  /* supervisor-only */
    paging_set((uint32_t)__user_start, (uint32_t)__user_shared_start, PTE_P | PTE_U);       /* code */
    paging_set((uint32_t)__user_shared_start, (uint32_t)__user_shared_end, PTE_P | PTE_U);  /* ticks */
    paging_set((uint32_t)__user_shared_end, (uint32_t)__user_end, PTE_P | PTE_W | PTE_U);  /* data */
    paging_enable();
    kprintf("paging: on, identity map 0-4 MiB, kernel pages supervisor-only, user pages u/s=1\n");

    task_create(0, task_worker);
    task_create(1, task_worker);
    task_create(2, task_pagefault);
    task_create(3, task_gp);
    kprintf("sched: %d tasks (A, B, C, D), round robin, 1 tick time slice; entering ring 3 via iret\n", NTASKS);
    current = &tasks[0];
    tss_set_esp0(kstack_top(current));
    isr_return_to(current->frame);      /* never returns: the last task's end calls all_done() */
}
