package popek.para;

import static popek.para.PvAbi.*;

import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import popek.devices.DiskImage;
import popek.memory.GuestMemory;

/**
 * The para-virtual block device: a ring of requests and responses in one guest page (pv.h's {@code pv_block_ring}),
 * served over the same {@link DiskImage} the emulated ATA disk uses, so what the guest writes reaches the file exactly.
 *
 * <p>One {@link #kick} (HC_BLOCK_SUBMIT) serves the whole batch the guest produced since the last one, in sector order
 * (a stable sort by first sector, as an elevator would), so responses can come in another order than the requests:
 * the guest matches them by id. Every transfer completes within the kick; the event is raised once per kick that
 * produced responses. Whatever the ring holds, the answer is an error response or -EINVAL and a count, never an
 * exception: indices more than a ring apart, buffers outside RAM, bad sizes and operations, sectors past the end.
 * Allocation-free per request (the batch arrays and the 64 KiB transfer buffer are made once).
 */
public final class BlockRing implements PvRing {
    private final GuestMemory ram;
    private final EventSink events;
    private final DiskImage disk;
    private final ByteBuffer transfer = ByteBuffer.allocateDirect(BLK_MAX_SECTORS * DiskImage.SECTOR);
    private final MemorySegment transferSegment = MemorySegment.ofBuffer(transfer);
    /** The batch being served: ring slot numbers, sorted by their first sector. */
    private final int[] order = new int[BLK_RING_SIZE];
    private final long[] firstSector = new long[BLK_RING_SIZE];
    private long page = -1;
    private long errors;

    public BlockRing(GuestMemory ram, EventSink events, DiskImage disk) {
        this.ram = ram;
        this.events = events;
        this.disk = disk;
    }

    @Override
    public int attach(long page) {
        int bad = PvRing.checkPage(ram, page);
        if (bad < 0) return bad;
        this.page = page;
        ram.write32(page + BLK_REQ_CONS, ram.read32(page + BLK_REQ_PROD));   // nothing outstanding at attach
        ram.write32(page + BLK_RSP_PROD, ram.read32(page + BLK_RSP_CONS));
        return BLK_RING_SIZE;
    }

    @Override
    public int kick() {
        if (page < 0) return -EINVAL;
        int reqProd = ram.read32(page + BLK_REQ_PROD);
        int reqCons = ram.read32(page + BLK_REQ_CONS);
        int rspProd = ram.read32(page + BLK_RSP_PROD);
        int rspCons = ram.read32(page + BLK_RSP_CONS);
        int waiting = reqProd - reqCons, unread = rspProd - rspCons;   // free-running: the differences are what count
        if (Integer.compareUnsigned(waiting, BLK_RING_SIZE) > 0 || Integer.compareUnsigned(unread, BLK_RING_SIZE) > 0) {
            errors++;
            return -EINVAL;
        }
        int n = Math.min(waiting, BLK_RING_SIZE - unread);   // only as many as there is response space for
        if (n == 0) return 0;
        for (int i = 0; i < n; i++) {
            int slot = (reqCons + i) & (BLK_RING_SIZE - 1);
            long sector = ram.read64(request(slot) + REQ_SECTOR);
            int at = i;   // insertion sort: stable, and n is at most 32
            while (at > 0 && Long.compareUnsigned(firstSector[at - 1], sector) > 0) {
                firstSector[at] = firstSector[at - 1];
                order[at] = order[at - 1];
                at--;
            }
            firstSector[at] = sector;
            order[at] = slot;
        }
        for (int i = 0; i < n; i++) {
            long req = request(order[i]);
            long rsp = page + BLK_RSP + (long) ((rspProd + i) & (BLK_RING_SIZE - 1)) * BLK_RSP_BYTES;
            int op = ram.read8(req + REQ_OP);
            int status = serve(op, ram.read16(req + REQ_SECTORS), ram.read32(req + REQ_BUFFER) & 0xFFFFFFFFL,
                    ram.read64(req + REQ_SECTOR));
            if (status != 0) errors++;
            ram.write64(rsp + RSP_ID, ram.read64(req + REQ_ID));
            ram.write32(rsp + RSP_STATUS, status);
            ram.write32(rsp + RSP_OP, op);
        }
        ram.write32(page + BLK_REQ_CONS, reqCons + n);
        ram.write32(page + BLK_RSP_PROD, rspProd + n);   // last: the guest reads rsp_prod, then the slots
        events.raise(EV_BLOCK);
        return n;
    }

    private long request(int slot) { return page + BLK_REQ + (long) slot * BLK_REQ_BYTES; }

    /** One request; returns its status. */
    private int serve(int op, int sectors, long buffer, long sector) {
        if (op == BLK_FLUSH) {
            try {
                disk.flush();
                return 0;
            } catch (UncheckedIOException e) {
                return -EIO;
            }
        }
        if (op != BLK_READ && op != BLK_WRITE) return -EINVAL;
        if (sectors == 0 || sectors > BLK_MAX_SECTORS) return -EINVAL;
        long bytes = (long) sectors * DiskImage.SECTOR;
        if (!ram.contains(buffer, bytes)) return -EFAULT;
        if (sector < 0 || sector > disk.sectors() - sectors) return -EIO;
        if (op == BLK_WRITE && disk.readOnly()) return -EIO;
        try {
            transfer.clear();
            if (op == BLK_READ) {
                disk.read(sector, sectors, transfer);
                ram.write(buffer, transferSegment, bytes);
            } else {
                ram.read(buffer, transferSegment, bytes);
                disk.write(sector, sectors, transfer);
            }
            return 0;
        } catch (UncheckedIOException e) {
            return -EIO;
        }
    }

    @Override
    public long errors() { return errors; }
}
