/* Para build only: pv_init, the PV trap table, event dispatch, time, page-table updates, console and exit. */
#ifdef PARA
#include "pvlib.h"

volatile uint32_t pv_upcalls, pv_events_dropped;

/* --- the trap table ------------------------------------------------------------------------------------------ */

static struct pv_trap_info traps[256];  /* kept sorted by vector; ntraps used */
static uint32_t ntraps;

static void trap_put(int vec, uint32_t eip, int dpl, int flags)
{
    uint32_t i = 0;
    while (i < ntraps && traps[i].vector < vec)
        i++;
    if (i == ntraps || traps[i].vector != vec) {
        for (uint32_t j = ntraps; j > i; j--)
            traps[j] = traps[j - 1];
        ntraps++;
    }
    traps[i].vector = (uint8_t)vec;
    traps[i].flags = (uint8_t)((dpl & 3) | (flags & PV_TRAP_MASK_EVENTS));
    traps[i].cs = SEL_KCODE;
    traps[i].eip = eip;
}

int pv_trap_load(void)
{
    return hypercall2(HC_SET_TRAP_TABLE, (uint32_t)traps, ntraps);
}

void pv_trap_set(int vec, int dpl, int flags)
{
    trap_put(vec & 0xFF, (uint32_t)(isr_stubs + 16 * (vec & 0xFF)), dpl, flags);
    pv_trap_load();
}

void pv_trap_set_handler(int vec, void (*entry)(void), int dpl, int flags)
{
    trap_put(vec & 0xFF, (uint32_t)entry, dpl, flags);
    pv_trap_load();
}

void pv_trap_clear(int vec)
{
    for (uint32_t i = 0; i < ntraps; i++)
        if (traps[i].vector == (vec & 0xFF)) {
            for (ntraps--; i < ntraps; i++)
                traps[i] = traps[i + 1];
            break;
        }
    pv_trap_load();
}

void pv_trap_defaults(void)
{
    ntraps = 0;
    for (int v = 0; v < 48; v++)
        trap_put(v, (uint32_t)(isr_stubs + 16 * v), 0, PV_TRAP_MASK_EVENTS);
    trap_put(USER_RET_VEC, (uint32_t)(isr_stubs + 16 * USER_RET_VEC), 3, PV_TRAP_MASK_EVENTS);
    pv_trap_load();
}

/* --- setup --------------------------------------------------------------------------------------------------- */

int pv_init(void)
{
    pv_irq_disable();                   /* the kernel runs masked until it asks for events */
    int32_t v = hypercall0(HC_VERSION);
    if (v < 0 || ((uint32_t)v >> 16) != (POPEK_PV_ABI >> 16)) {
        kprintf("pv: hypervisor ABI 0x%08x, this guest needs major %u\n", (uint32_t)v, POPEK_PV_ABI >> 16);
        pv_exit(EXIT_FAIL);
    }
    hypercall2(HC_SET_CALLBACK, SEL_KCODE, (uint32_t)pv_upcall_entry);
    idt_init();                         /* the para idt_init: pv_trap_defaults + the USER_RET_VEC handler */
    return 0;
}

/* --- events -------------------------------------------------------------------------------------------------- */

static pv_event_handler_t event_handlers[32];

void pv_event_register(uint32_t event_bit, pv_event_handler_t h)
{
    for (int i = 0; i < 32; i++)
        if (event_bit & 1u << i)
            event_handlers[i] = h;
}

struct regs *pv_upcall_dispatch(struct regs *r)
{
    pv_upcalls++;
    /* Clear the summary flag before taking the bits: an event raised after the exchange sets it again. */
    while (pv_shared.upcall_pending) {
        pv_shared.upcall_pending = 0;
        uint32_t bits = 0;
        __asm__ volatile("lock xchgl %0, %1" : "+r"(bits), "+m"(pv_shared.pending) :: "memory");
        for (int i = 0; bits; i++, bits >>= 1) {
            if (!(bits & 1))
                continue;
            if (event_handlers[i])
                r = event_handlers[i](r, 1u << i);
            else
                pv_events_dropped++;
        }
    }
    return r;
}

/* --- time ------------------------------------------------------------------------------------------------- */

uint64_t pv_time_ns(void)
{
    /* Popek may update the 64-bit value at an exit between our two 32-bit loads: read until stable. */
    const volatile uint32_t *t = (const volatile uint32_t *)((uint8_t *)&pv_shared + 8);   /* time_ns */
    uint32_t hi, lo;
    do {
        hi = t[1];
        lo = t[0];
    } while (hi != t[1]);
    return (uint64_t)hi << 32 | lo;
}

int pv_set_timer(uint64_t deadline_ns)
{
    return hypercall2(HC_SET_TIMER, (uint32_t)deadline_ns, (uint32_t)(deadline_ns >> 32));
}

/* --- memory management ---------------------------------------------------------------------------------------- */

int pv_mmu_update(const struct pv_mmu_update *u, uint32_t n)
{
    return hypercall2(HC_MMU_UPDATE, (uint32_t)u, n);
}

int pv_pte_set(volatile uint32_t *pte, uint32_t val)
{
    struct pv_mmu_update u = { (uint32_t)pte, val };
    return hypercall2(HC_MMU_UPDATE, (uint32_t)&u, 1);
}

/* --- console ------------------------------------------------------------------------------------------------- */

static struct pv_console_ring console_ring __attribute__((aligned(4096)));
static int console_attached;

int pv_console_write(const char *buf, uint32_t n)
{
    uint32_t done = 0;
    while (done < n) {
        uint32_t chunk = n - done > 4096 ? 4096 : n - done;
        int32_t r = hypercall2(HC_CONSOLE_WRITE, (uint32_t)(buf + done), chunk);
        if (r <= 0)
            return done ? (int)done : r;
        done += (uint32_t)r;
    }
    return (int)done;
}

int pv_console_attach(void)
{
    int32_t r = hypercall2(HC_RING_ATTACH, PV_RING_CONSOLE, (uint32_t)&console_ring);
    console_attached = r > 0;
    return r;
}

void pv_console_flush(void)
{
    if (console_attached && console_ring.out_prod != console_ring.out_cons)
        hypercall0(HC_CONSOLE_NOTIFY);
}

void pv_console_putc(char c)
{
    if (!console_attached) {
        pv_console_write(&c, 1);
        return;
    }
    uint32_t old = pv_irq_save();       /* an upcall handler may print too: one writer at a time */
    if (console_ring.out_prod - console_ring.out_cons >= PV_CONSOLE_OUT_SIZE) {
        hypercall0(HC_CONSOLE_NOTIFY);
        if (console_ring.out_prod - console_ring.out_cons >= PV_CONSOLE_OUT_SIZE) {
            pv_console_write(&c, 1);    /* Popek took nothing: still never lose or hang on a byte */
            pv_irq_restore(old);
            return;
        }
    }
    console_ring.out[console_ring.out_prod % PV_CONSOLE_OUT_SIZE] = c;
    __asm__ volatile("" ::: "memory");  /* the byte before the index that publishes it */
    console_ring.out_prod++;
    if (c == '\n')
        hypercall0(HC_CONSOLE_NOTIFY);
    pv_irq_restore(old);
}

int pv_console_peek(void)
{
    return console_attached && console_ring.in_cons != console_ring.in_prod;
}

int pv_console_getc(void)
{
    if (!console_attached || console_ring.in_cons == console_ring.in_prod)
        return -1;
    char c = console_ring.in[console_ring.in_cons % PV_CONSOLE_IN_SIZE];
    __asm__ volatile("" ::: "memory");
    console_ring.in_cons++;
    return (uint8_t)c;
}

/* --- exit ---------------------------------------------------------------------------------------------------- */

void pv_exit(uint8_t code)
{
    pv_console_flush();
    hypercall1(HC_EXIT, code);
    for (;;)                            /* HC_EXIT does not return; if it did, stop here */
        __asm__ volatile("cli; hlt");
}
#endif
