/* Para build only: the PV block driver. Requests of <= PV_BLOCK_MAX_SECTORS, up to a ring's worth per batch, one
 * HC_BLOCK_SUBMIT per batch, responses matched by id (Popek serves a batch in sector order). */
#ifdef PARA
#include "pvlib.h"

static struct pv_block_ring blk_ring __attribute__((aligned(4096)));
static int blk_attached;
static uint64_t next_id = 1;
uint32_t pv_blk_submits, pv_blk_requests;

/* Responses are read by the waiter in collect(); the event itself only has to wake it. */
static struct regs *on_block_event(struct regs *r, uint32_t event)
{
    (void)event;
    return r;
}

int pv_blk_init(void)
{
    int32_t r = hypercall2(HC_RING_ATTACH, PV_RING_BLOCK, (uint32_t)&blk_ring);
    if (r < 0)
        return r;
    if (r < PV_BLOCK_RING_SIZE)         /* a smaller ring than the ABI's: not what this driver was built for */
        return -PV_EINVAL;
    blk_ring.req_prod = blk_ring.req_cons;      /* start from whatever indices Popek left (normally 0) */
    blk_ring.rsp_cons = blk_ring.rsp_prod;
    blk_attached = 1;
    pv_event_register(PV_EV_BLOCK, on_block_event);
    return 0;
}

/* Waits until nreq responses to the batch whose ids start at base are in; returns the first error or 0. */
static int collect(uint64_t base, uint32_t nreq)
{
    uint32_t seen = 0;                  /* one bit per request of the batch (nreq <= 32) */
    uint32_t all = nreq == 32 ? 0xFFFFFFFFu : (1u << nreq) - 1;
    int status = 0;
    uint32_t old = pv_irq_save();
    for (;;) {
        while (blk_ring.rsp_cons != blk_ring.rsp_prod) {
            __asm__ volatile("" ::: "memory");  /* the index before the slot it covers */
            const struct pv_block_response *rsp = &blk_ring.rsp[blk_ring.rsp_cons % PV_BLOCK_RING_SIZE];
            uint64_t k = rsp->id - base;
            if (k < nreq && !(seen & 1u << k)) {
                seen |= 1u << k;
                if (rsp->status < 0 && status == 0)
                    status = rsp->status;
            }
            blk_ring.rsp_cons++;
        }
        if (seen == all)
            break;
        pv_block();                     /* unmasks; returns once an event (PV_EV_BLOCK) was delivered */
        pv_irq_disable();
    }
    pv_irq_restore(old);
    return status;
}

/* One batch: n requests (n <= PV_BLOCK_RING_SIZE). */
static int batch(int op, uint64_t *sector, uint8_t **buf, uint32_t *left)
{
    uint64_t base = next_id;
    uint32_t n = 0;
    while (*left && n < PV_BLOCK_RING_SIZE) {
        uint32_t s = *left > PV_BLOCK_MAX_SECTORS ? PV_BLOCK_MAX_SECTORS : *left;
        struct pv_block_request *q = &blk_ring.req[blk_ring.req_prod % PV_BLOCK_RING_SIZE];
        q->id = next_id++;
        q->op = (uint8_t)op;
        q->_pad = 0;
        q->sectors = (uint16_t)s;
        q->buffer = (uint32_t)*buf;
        q->sector = *sector;
        q->_reserved = 0;
        __asm__ volatile("" ::: "memory");      /* the request before the index that publishes it */
        blk_ring.req_prod++;
        *sector += s;
        *buf += s * 512;
        *left -= s;
        n++;
    }
    pv_blk_requests += n;
    pv_blk_submits++;
    int32_t r = hypercall0(HC_BLOCK_SUBMIT);
    if (r < 0) {                        /* the ring was refused: nothing will answer these */
        blk_ring.req_prod -= n;
        return r;
    }
    return collect(base, n);
}

int pv_blk_rw(int op, uint64_t sector, void *buf, uint32_t nsectors)
{
    if (!blk_attached)
        return -PV_ENOSYS;
    if (op != PV_BLK_READ && op != PV_BLK_WRITE)
        return -PV_EINVAL;
    uint8_t *p = buf;
    int status = 0;
    while (nsectors && status == 0)
        status = batch(op, &sector, &p, &nsectors);
    return status;
}

int pv_blk_flush(void)
{
    if (!blk_attached)
        return -PV_ENOSYS;
    /* A FLUSH carries no sectors: batch() would queue nothing for left == 0, so build it here. */
    uint64_t base = next_id;
    struct pv_block_request *q = &blk_ring.req[blk_ring.req_prod % PV_BLOCK_RING_SIZE];
    q->id = next_id++;
    q->op = PV_BLK_FLUSH;
    q->_pad = 0;
    q->sectors = 0;
    q->buffer = 0;
    q->sector = 0;
    q->_reserved = 0;
    __asm__ volatile("" ::: "memory");
    blk_ring.req_prod++;
    pv_blk_requests++;
    pv_blk_submits++;
    int32_t r = hypercall0(HC_BLOCK_SUBMIT);
    if (r < 0) {
        blk_ring.req_prod--;
        return r;
    }
    return collect(base, 1);
}
#endif
