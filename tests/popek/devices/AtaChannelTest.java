package popek.devices;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ATA channel at register level, against a real image file. */
class AtaChannelTest {
    private static final int DATA = 0x1F0, ERROR = 0x1F1, COUNT = 0x1F2, LBA0 = 0x1F3, LBA1 = 0x1F4, LBA2 = 0x1F5,
            DEVICE = 0x1F6, STATUS = 0x1F7, ALT = 0x3F6;
    private static final int SECTORS = 64;

    @TempDir Path dir;
    private final RecordingLine irq = new RecordingLine();
    private final AtaChannel ata = new AtaChannel(irq);
    private DiskImage disk;
    private Path file;

    /** A disk whose sector i holds bytes (i * 7 + offset) & 0xFF. */
    private void disk(boolean readOnly) throws Exception {
        byte[] image = new byte[SECTORS * 512];
        for (int s = 0; s < SECTORS; s++) for (int o = 0; o < 512; o++) image[s * 512 + o] = (byte) (s * 7 + o);
        file = Files.write(dir.resolve("disk.img"), image);
        disk = DiskImage.open(file, readOnly);
        ata.attach(0, disk);
    }

    @AfterEach
    void close() throws Exception {
        if (disk != null) disk.close();
    }

    private void select(long lba, int count) {
        ata.write(COUNT, 1, count);
        ata.write(LBA0, 1, (int) lba);
        ata.write(LBA1, 1, (int) (lba >> 8));
        ata.write(LBA2, 1, (int) (lba >> 16));
        ata.write(DEVICE, 1, 0xE0 | (int) ((lba >> 24) & 0x0F));
    }

    private byte[] readSector(int width) {
        byte[] b = new byte[512];
        for (int i = 0; i < 512; i += width) {
            int v = ata.read(DATA, width);
            for (int k = 0; k < width; k++) b[i + k] = (byte) (v >>> (8 * k));
        }
        return b;
    }

    private byte[] fileSector(int s) throws Exception {
        byte[] all = Files.readAllBytes(file);
        return java.util.Arrays.copyOfRange(all, s * 512, s * 512 + 512);
    }

    /**
     * Selecting the other drive in the middle of a write moves no data to it (found by popek fuzz: with no slave the
     * data port wrote to a missing disk, an internal error); back on the master, the transfer goes on where it was.
     */
    @Test
    void aTransferStaysWithItsDrive() throws Exception {
        disk(false);
        select(3, 1);
        ata.write(STATUS, 1, AtaChannel.WRITE_SECTORS);
        for (int i = 0; i < 100; i++) ata.write(DATA, 2, 0x1111);
        ata.write(DEVICE, 1, 0xF0);                      // the slave, which is not there
        for (int i = 0; i < 300; i++) ata.write(DATA, 2, 0x2222);
        assertEquals(0, ata.read(DATA, 2));
        ata.write(DEVICE, 1, 0xE0);
        for (int i = 100; i < 256; i++) ata.write(DATA, 2, 0x3333);
        byte[] s = fileSector(3);
        assertEquals(0x11, s[0]);
        assertEquals(0x11, s[199]);
        assertEquals(0x33, s[200]);
        assertEquals(0x33, s[511]);
        assertEquals(0x50, ata.read(STATUS, 1), "done");
    }

    @Test
    void identifyDescribesTheDisk() throws Exception {
        disk(false);
        ata.write(DEVICE, 1, 0xA0);
        ata.write(STATUS, 1, AtaChannel.IDENTIFY);
        assertEquals(0x58, ata.read(ALT, 1));   // DRDY DSC DRQ
        assertEquals(1, irq.risingEdges());
        int[] w = new int[256];
        for (int i = 0; i < 256; i++) w[i] = ata.read(DATA, 2);
        assertEquals(0x0040, w[0]);
        assertEquals(SECTORS, w[60] | w[61] << 16);
        assertEquals(0x0200, w[49] & 0x0200, "LBA");
        StringBuilder model = new StringBuilder();
        for (int i = 27; i < 47; i++) model.append((char) (w[i] >> 8)).append((char) (w[i] & 0xFF));
        assertEquals("POPEK HARDDISK", model.toString().trim());
        assertEquals(0x50, ata.read(STATUS, 1));
        assertFalse(irq.high(), "reading the status acknowledges the interrupt");
    }

    @Test
    void readSectorsByWordsAndByDwordsWithAnInterruptPerSector() throws Exception {
        disk(false);
        select(5, 3);
        ata.write(STATUS, 1, AtaChannel.READ_SECTORS);
        assertEquals(1, irq.risingEdges());
        assertEquals(0x58, ata.read(STATUS, 1));   // the host acknowledges, then takes the sector
        assertArrayEquals(fileSector(5), readSector(2));
        assertEquals(2, irq.risingEdges());
        assertEquals(0x58, ata.read(STATUS, 1));
        assertArrayEquals(fileSector(6), readSector(4));
        ata.read(STATUS, 1);
        assertArrayEquals(fileSector(7), readSector(2));
        assertEquals(3, irq.risingEdges());
        assertEquals(0x50, ata.read(STATUS, 1), "done: no DRQ");
        assertEquals(3, ata.transferredSectors());
    }

    @Test
    void writeSectorsReachTheFileExactlyAndNothingElse() throws Exception {
        disk(false);
        byte[] before = Files.readAllBytes(file);
        select(10, 2);
        ata.write(STATUS, 1, AtaChannel.WRITE_SECTORS);
        assertEquals(0x58, ata.read(ALT, 1));
        assertEquals(0, irq.risingEdges(), "the first sector is asked for without an interrupt");
        for (int i = 0; i < 256; i++) ata.write(DATA, 2, 0xA000 + i);
        assertEquals(1, irq.risingEdges());
        assertEquals(0x58, ata.read(STATUS, 1));
        for (int i = 0; i < 128; i++) ata.write(DATA, 4, 0x11223344 + i);
        assertEquals(2, irq.risingEdges(), "an interrupt after each sector written");
        assertEquals(0x50, ata.read(STATUS, 1));
        disk.flush();
        byte[] after = Files.readAllBytes(file);
        for (int i = 0; i < after.length; i++) {
            int s = i / 512, o = i % 512;
            int want = s == 10 ? ((0xA000 + o / 2) >>> (8 * (o % 2))) & 0xFF
                    : s == 11 ? ((0x11223344 + o / 4) >>> (8 * (o % 4))) & 0xFF : before[i] & 0xFF;
            assertEquals(want, after[i] & 0xFF, "byte " + i);
        }
    }

    @Test
    void aReadPastTheEndIsIdnfAndAWriteToAReadOnlyDiskIsAbrt() throws Exception {
        disk(true);
        select(SECTORS - 1, 2);
        ata.write(STATUS, 1, AtaChannel.READ_SECTORS);
        assertEquals(0x51, ata.read(STATUS, 1));
        assertEquals(AtaChannel.IDNF, ata.read(ERROR, 1));
        assertEquals(1, irq.risingEdges());
        byte[] before = Files.readAllBytes(file);
        select(0, 1);
        ata.write(STATUS, 1, AtaChannel.WRITE_SECTORS);
        assertEquals(0x51, ata.read(STATUS, 1));
        assertEquals(AtaChannel.ABRT, ata.read(ERROR, 1));
        for (int i = 0; i < 256; i++) ata.write(DATA, 2, 0xFFFF);
        assertArrayEquals(before, Files.readAllBytes(file));
        ata.write(STATUS, 1, 0x77);   // no such command
        assertEquals(AtaChannel.ABRT, ata.read(ERROR, 1));
    }

    @Test
    void chsAddressesUseTheReportedGeometry() throws Exception {
        disk(false);
        // cylinder 0, head 0, sector 9 is LBA 8
        ata.write(COUNT, 1, 1);
        ata.write(LBA0, 1, 9);
        ata.write(LBA1, 1, 0);
        ata.write(LBA2, 1, 0);
        ata.write(DEVICE, 1, 0xA0);
        ata.write(STATUS, 1, AtaChannel.READ_SECTORS);
        assertArrayEquals(fileSector(8), readSector(2));
        ata.write(LBA0, 1, 0);   // sector 0 does not exist in CHS
        ata.write(STATUS, 1, AtaChannel.READ_SECTORS);
        assertEquals(AtaChannel.IDNF, ata.read(ERROR, 1));
    }

    @Test
    void nienSilencesTheInterruptAndAnAbsentSlaveReadsZero() throws Exception {
        disk(false);
        ata.write(ALT, 1, 0x02);
        select(0, 1);
        ata.write(STATUS, 1, AtaChannel.READ_SECTORS);
        assertEquals(0, irq.risingEdges());
        assertEquals(0x58, ata.read(STATUS, 1));
        ata.write(DEVICE, 1, 0xB0);   // the slave: nothing there
        assertEquals(0, ata.read(STATUS, 1));
        ata.write(STATUS, 1, AtaChannel.IDENTIFY);
        assertEquals(0, ata.read(STATUS, 1));
    }

    @Test
    void aSoftwareResetLeavesTheAtaSignature() throws Exception {
        disk(false);
        ata.write(LBA0, 1, 0x55);
        ata.write(ALT, 1, 0x04);
        ata.write(ALT, 1, 0x00);
        assertEquals(1, ata.read(COUNT, 1));
        assertEquals(1, ata.read(LBA0, 1));
        assertEquals(0, ata.read(LBA1, 1));
        assertEquals(0, ata.read(LBA2, 1));
        assertEquals(0x50, ata.read(STATUS, 1));
        assertTrue(disk.sectors() == SECTORS);
    }
}
