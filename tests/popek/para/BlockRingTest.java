package popek.para;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static popek.para.PvAbi.*;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.devices.DiskImage;
import popek.memory.GuestMemory;

/** The PV block ring driven as a guest would, over RAM and a real image file. */
class BlockRingTest {
    private static final long RING = 0x10000, BUF = 0x20000;
    private static final int SECTORS = 256;

    @TempDir Path dir;
    private final GuestMemory ram = new GuestMemory(1 << 20);
    private int raised;
    private DiskImage disk;
    private Path file;
    private BlockRing ring;

    private void open(boolean readOnly) throws Exception {
        file = dir.resolve("disk.img");
        byte[] image = new byte[SECTORS * 512];
        for (int i = 0; i < image.length; i++) image[i] = (byte) (i / 512 * 7 + i % 512);
        Files.write(file, image);
        disk = DiskImage.open(file, readOnly);
        ring = new BlockRing(ram, bits -> raised |= bits, disk);
        assertEquals(BLK_RING_SIZE, ring.attach(RING));
    }

    @AfterEach
    void close() throws Exception {
        if (disk != null) disk.close();
        ram.close();
    }

    private int produced;

    /** Puts a request in the next slot (not yet visible: publish() advances req_prod). */
    private void request(long id, int op, int sectors, long buffer, long sector) {
        long slot = RING + BLK_REQ + (long) (produced++ & (BLK_RING_SIZE - 1)) * BLK_REQ_BYTES;
        ram.write64(slot + REQ_ID, id);
        ram.write8(slot + REQ_OP, op);
        ram.write16(slot + REQ_SECTORS, sectors);
        ram.write32(slot + REQ_BUFFER, (int) buffer);
        ram.write64(slot + REQ_SECTOR, sector);
    }

    private void publish() { ram.write32(RING + BLK_REQ_PROD, produced); }

    private long rspId(int i) { return ram.read64(RING + BLK_RSP + (long) (i & (BLK_RING_SIZE - 1)) * BLK_RSP_BYTES + RSP_ID); }

    private int rspStatus(int i) { return ram.read32(RING + BLK_RSP + (long) (i & (BLK_RING_SIZE - 1)) * BLK_RSP_BYTES + RSP_STATUS); }

    private static byte expected(long sector, int offset) { return (byte) (sector * 7 + offset); }

    @Test
    void aBatchIsServedInOneKickInSectorOrderAndMatchedById() throws Exception {
        open(false);
        request(100, BLK_READ, 2, BUF, 40);
        request(101, BLK_READ, 1, BUF + 0x1000, 3);
        request(102, BLK_READ, 4, BUF + 0x2000, 17);
        publish();
        assertEquals(3, ring.kick());
        assertEquals(3, ram.read32(RING + BLK_RSP_PROD));
        assertEquals(3, ram.read32(RING + BLK_REQ_CONS));
        assertEquals(EV_BLOCK, raised);
        // Sector order: 3, 17, 40, whatever order the requests came in; each response names its request.
        assertEquals(101, rspId(0));
        assertEquals(102, rspId(1));
        assertEquals(100, rspId(2));
        for (int i = 0; i < 3; i++) assertEquals(0, rspStatus(i));
        assertEquals(expected(40, 5), (byte) ram.read8(BUF + 5));
        assertEquals(expected(41, 0), (byte) ram.read8(BUF + 512));
        assertEquals(expected(3, 511), (byte) ram.read8(BUF + 0x1000 + 511));
        assertEquals(expected(20, 9), (byte) ram.read8(BUF + 0x2000 + 3 * 512 + 9));
        assertEquals(0, ring.errors());
    }

    @Test
    void writesReachTheFileExactlyAndNothingElseOfIt() throws Exception {
        open(false);
        byte[] before = Files.readAllBytes(file);
        byte[] data = new byte[128 * 512];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 31 + 5);
        ram.write(BUF, data);
        request(7, BLK_WRITE, 128, BUF, 100);
        request(8, BLK_FLUSH, 0, 0, 0);
        publish();
        assertEquals(2, ring.kick());
        assertEquals(0, rspStatus(0));
        assertEquals(0, rspStatus(1));
        byte[] after = Files.readAllBytes(file);
        assertEquals(before.length, after.length);
        for (int i = 0; i < after.length; i++) {
            byte want = i >= 100 * 512 && i < 228 * 512 ? data[i - 100 * 512] : before[i];
            if (after[i] != want) throw new AssertionError("byte " + i + " of the image");
        }
        // And reads back the same through the ring.
        request(9, BLK_READ, 128, BUF + 0x40000, 100);
        publish();
        assertEquals(1, ring.kick());
        assertArrayEquals(data, ram.read(BUF + 0x40000, data.length));
    }

    @Test
    void badRequestsGetErrorResponsesAndAreCounted() throws Exception {
        open(false);
        request(1, 9, 1, BUF, 0);                   // unknown operation
        request(2, BLK_READ, 0, BUF, 1);            // no sectors
        request(3, BLK_READ, 129, BUF, 2);          // more than 64 KiB
        request(4, BLK_READ, 1, ram.size() - 100, 3);   // buffer runs past RAM
        request(5, BLK_READ, 2, BUF, SECTORS - 1);  // runs past the disk's end
        request(6, BLK_READ, 1, BUF, 5);            // good
        publish();
        assertEquals(6, ring.kick());
        int[] want = { -EINVAL, -EINVAL, -EINVAL, -EFAULT, -EIO, 0 };
        for (int i = 0; i < 6; i++) {
            int slot = -1;
            for (int j = 0; j < 6; j++) if (rspId(j) == i + 1) slot = j;
            assertEquals(want[i], rspStatus(slot), "request " + (i + 1));
        }
        assertEquals(5, ring.errors());
    }

    @Test
    void aReadOnlyDiskRefusesWrites() throws Exception {
        open(true);
        request(1, BLK_WRITE, 1, BUF, 0);
        publish();
        assertEquals(1, ring.kick());
        assertEquals(-EIO, rspStatus(0));
    }

    @Test
    void indicesMoreThanARingApartAreRefusedAndNothingIsTouched() throws Exception {
        open(false);
        ram.write32(RING + BLK_REQ_PROD, BLK_RING_SIZE + 1);
        assertEquals(-EINVAL, ring.kick());
        assertEquals(0, ram.read32(RING + BLK_REQ_CONS));
        assertEquals(0, ram.read32(RING + BLK_RSP_PROD));
        ram.write32(RING + BLK_REQ_PROD, -5);       // behind the consumer: as far out of range
        assertEquals(-EINVAL, ring.kick());
        assertEquals(2, ring.errors());
        assertEquals(0, raised);
    }

    @Test
    void onlyAsManyAreServedAsThereIsResponseSpaceFor() throws Exception {
        open(false);
        for (int i = 0; i < 30; i++) request(i, BLK_READ, 1, BUF, i);
        publish();
        assertEquals(30, ring.kick());
        for (int i = 30; i < 36; i++) request(i, BLK_READ, 1, BUF, i);
        publish();
        assertEquals(2, ring.kick());               // the guest has read no response: 2 slots left
        ram.write32(RING + BLK_RSP_CONS, 32);
        assertEquals(4, ring.kick());
        assertEquals(36, ram.read32(RING + BLK_RSP_PROD));
    }

    @Test
    void indicesWrapAtTwoToTheThirtyTwo() throws Exception {
        open(false);
        int start = -2;                             // 0xFFFFFFFE: the next two requests cross the wrap
        ram.write32(RING + BLK_REQ_PROD, start);
        ram.write32(RING + BLK_RSP_CONS, start);
        assertEquals(BLK_RING_SIZE, ring.attach(RING));
        produced = start;
        for (int i = 0; i < 4; i++) request(50 + i, BLK_READ, 1, BUF + i * 512L, 10 + i);
        publish();
        assertEquals(4, ring.kick());
        assertEquals(start + 4, ram.read32(RING + BLK_RSP_PROD));
        for (int i = 0; i < 4; i++) assertEquals(50 + i, rspId(start + i));
        assertEquals(expected(13, 1), (byte) ram.read8(BUF + 3 * 512 + 1));
    }

    @Test
    void aRingPageMustBeAlignedAndInRam() throws Exception {
        open(false);
        assertEquals(-EINVAL, ring.attach(RING + 8));
        assertEquals(-EFAULT, ring.attach(ram.size()));
        BlockRing fresh = new BlockRing(ram, bits -> { }, disk);
        assertEquals(-EINVAL, fresh.kick());        // never attached
    }
}
