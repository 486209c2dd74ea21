package popek.devices;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The primary ATA channel of a PC (ports 0x1F0-0x1F7 and 0x3F6, IRQ 14) with up to two hard disks (master and
 * slave), in PIO mode, as ATA/ATAPI-6 describes it: IDENTIFY DEVICE, READ SECTORS and WRITE SECTORS with 28-bit LBA
 * or CHS addresses, the status, error and alternate-status registers, nIEN and software reset. Sector data moves
 * through the 16-bit data port, a word at a time or two words at a time (32-bit accesses, as {@code insl} makes).
 *
 * <p>Errors are the drive's, never the host's: an address past the end of the disk is IDNF, a write to a read-only
 * disk or an unknown command is ABRT, a failing host read or write is UNC; each sets ERR in the status and
 * interrupts as a finished command does.
 */
public final class AtaChannel implements PortDevice {
    public static final int BASE = 0x1F0, CONTROL = 0x3F6, IRQ = 14;

    // Status bits.
    static final int BSY = 0x80, DRDY = 0x40, DSC = 0x10, DRQ = 0x08, ERR = 0x01;
    // Error bits.
    static final int UNC = 0x40, IDNF = 0x10, ABRT = 0x04;
    // Device control bits.
    private static final int NIEN = 0x02, SRST = 0x04;
    // Commands.
    static final int READ_SECTORS = 0x20, READ_SECTORS_NO_RETRY = 0x21, WRITE_SECTORS = 0x30,
            WRITE_SECTORS_NO_RETRY = 0x31, IDENTIFY = 0xEC, FLUSH_CACHE = 0xE7, SET_FEATURES = 0xEF,
            INITIALIZE_PARAMETERS = 0x91, RECALIBRATE = 0x10;
    private static final int HEADS = 16, SECTORS_PER_TRACK = 63;

    private final DiskImage[] disks = new DiskImage[2];
    private final IrqLine irq;

    // The task-file registers (shared by both drives, as on the real bus).
    private int features, sectorCount, lbaLow, lbaMid, lbaHigh, device = 0xA0, control;
    private final int[] status = new int[2], error = new int[2];

    // The transfer under way.
    private final byte[] buffer = new byte[DiskImage.SECTOR];
    private int bufferPos = -1;            // next byte of the buffer the data port moves; -1 when no transfer
    private boolean writing;
    /**
     * The drive the transfer in progress belongs to. The data port moves its data only while that drive is selected:
     * a guest that selects the other drive mid-transfer talks to a drive with no transfer (as in QEMU), and never
     * sends one drive's sectors to the other's disk (found by popek fuzz: a missing slave was written to).
     */
    private int transferDrive;
    private long nextLba;
    private int sectorsLeft;
    private long transferredSectors;

    public AtaChannel(IrqLine irq) {
        this.irq = irq;
        reset();
    }

    /** Attaches {@code disk} as the master (0) or slave (1). */
    public void attach(int drive, DiskImage disk) { disks[drive] = disk; reset(); }

    public void register(PortBus bus) {
        bus.register(BASE, 8, this);
        bus.register(CONTROL, 1, this);
    }

    private int selected() { return (device >>> 4) & 1; }

    private DiskImage disk() { return disks[selected()]; }

    // ---------------------------------------------------------------- registers

    @Override
    public int read(int port, int size) {
        if (port == BASE) return readData(size);
        if (disk() == null) return 0;   // no device answers: the bus reads as 0 (what QEMU returns too)
        return switch (port) {
            case BASE + 1 -> error[selected()];
            case BASE + 2 -> sectorCount;
            case BASE + 3 -> lbaLow;
            case BASE + 4 -> lbaMid;
            case BASE + 5 -> lbaHigh;
            case BASE + 6 -> device;
            case BASE + 7 -> {
                irq.set(false);   // reading the status acknowledges the interrupt
                yield status[selected()];
            }
            case CONTROL -> status[selected()];   // alternate status: no acknowledge
            default -> PortBus.allOnes(size);
        };
    }

    @Override
    public void write(int port, int size, int value) {
        switch (port) {
            case BASE -> writeData(size, value);
            case BASE + 1 -> features = value & 0xFF;
            case BASE + 2 -> sectorCount = value & 0xFF;
            case BASE + 3 -> lbaLow = value & 0xFF;
            case BASE + 4 -> lbaMid = value & 0xFF;
            case BASE + 5 -> lbaHigh = value & 0xFF;
            case BASE + 6 -> device = value & 0xFF | 0xA0;   // bits 7 and 5 always read as 1
            case BASE + 7 -> command(value & 0xFF);
            case CONTROL -> {
                boolean resetting = (control & SRST) != 0;
                control = value & 0xFF;
                if ((control & NIEN) != 0) irq.set(false);
                if (resetting && (control & SRST) == 0) reset();
            }
            default -> { }
        }
    }

    /** After power-on or a software reset: the signature of an ATA device in the task file, drives ready. */
    private void reset() {
        sectorCount = 1;
        lbaLow = 1;
        lbaMid = 0;
        lbaHigh = 0;
        device = 0xA0;
        bufferPos = -1;
        for (int d = 0; d < 2; d++) {
            status[d] = disks[d] == null ? 0 : DRDY | DSC;
            error[d] = disks[d] == null ? 0 : 0x01;   // diagnostic code: no error
        }
        irq.set(false);
    }

    // ---------------------------------------------------------------- commands

    private void command(int cmd) {
        int d = selected();
        if (disks[d] == null) return;            // nothing listens on this drive select
        irq.set(false);
        bufferPos = -1;
        error[d] = 0;
        switch (cmd) {
            case IDENTIFY -> {
                identify(disks[d]);
                startTransfer(false, 0, 0);
                raiseDataRequest();
            }
            case READ_SECTORS, READ_SECTORS_NO_RETRY -> {
                long lba = address();
                int count = sectorCount == 0 ? 256 : sectorCount;
                if (lba < 0 || lba + count > disks[d].sectors()) {
                    fail(IDNF);
                    return;
                }
                startTransfer(false, lba, count);
                if (loadSector()) raiseDataRequest();
            }
            case WRITE_SECTORS, WRITE_SECTORS_NO_RETRY -> {
                long lba = address();
                int count = sectorCount == 0 ? 256 : sectorCount;
                if (disks[d].readOnly()) {
                    fail(ABRT);
                    return;
                }
                if (lba < 0 || lba + count > disks[d].sectors()) {
                    fail(IDNF);
                    return;
                }
                startTransfer(true, lba, count);
                status[d] = DRDY | DSC | DRQ;    // the first sector is asked for without an interrupt
            }
            case FLUSH_CACHE -> {
                try {
                    disks[d].flush();
                    complete();
                } catch (UncheckedIOException e) {
                    fail(UNC);
                }
            }
            case SET_FEATURES, INITIALIZE_PARAMETERS, RECALIBRATE -> complete();
            default -> fail(ABRT);
        }
    }

    /** The sector the task file addresses: LBA (device bit 6) or CHS with the geometry IDENTIFY reports; -1 if invalid. */
    private long address() {
        if ((device & 0x40) != 0) return ((long) (device & 0x0F) << 24) | (lbaHigh << 16) | (lbaMid << 8) | lbaLow;
        int cylinder = (lbaHigh << 8) | lbaMid, head = device & 0x0F, sector = lbaLow;
        if (sector == 0 || sector > SECTORS_PER_TRACK) return -1;
        return ((long) cylinder * HEADS + head) * SECTORS_PER_TRACK + sector - 1;
    }

    private void startTransfer(boolean write, long lba, int count) {
        writing = write;
        transferDrive = selected();
        nextLba = lba;
        sectorsLeft = count;
        bufferPos = 0;
    }

    /** Reads the next sector of a READ into the buffer; false (and the command failed) if the host could not. */
    private boolean loadSector() {
        try {
            disks[transferDrive].read(nextLba, buffer);
            return true;
        } catch (UncheckedIOException e) {
            fail(UNC);
            return false;
        }
    }

    private void raiseDataRequest() {
        status[selected()] = DRDY | DSC | DRQ;
        bufferPos = 0;
        interrupt();
    }

    private void complete() {
        status[selected()] = DRDY | DSC;
        bufferPos = -1;
        interrupt();
    }

    private void fail(int errorBits) {
        error[selected()] = errorBits;
        status[selected()] = DRDY | DSC | ERR;
        bufferPos = -1;
        interrupt();
    }

    private void interrupt() {
        if ((control & NIEN) == 0) irq.set(true);
    }

    // ---------------------------------------------------------------- the data port

    private int readData(int size) {
        if (bufferPos < 0 || writing || selected() != transferDrive) return 0;
        int v = 0;
        for (int i = 0; i < size && bufferPos >= 0; i++) v |= (buffer[bufferPos++] & 0xFF) << (8 * i);
        if (bufferPos == DiskImage.SECTOR) sectorRead();
        return v;
    }

    private void sectorRead() {
        transferredSectors++;
        if (--sectorsLeft > 0) {
            nextLba++;
            if (loadSector()) raiseDataRequest();
        } else {
            status[selected()] = DRDY | DSC;   // done: the last sector needs no further interrupt
            bufferPos = -1;
        }
    }

    private void writeData(int size, int value) {
        if (bufferPos < 0 || !writing || selected() != transferDrive) return;
        for (int i = 0; i < size && bufferPos < DiskImage.SECTOR; i++) buffer[bufferPos++] = (byte) (value >>> (8 * i));
        if (bufferPos < DiskImage.SECTOR) return;
        try {
            disks[transferDrive].write(nextLba, buffer);
        } catch (UncheckedIOException e) {
            fail(UNC);
            return;
        }
        transferredSectors++;
        if (--sectorsLeft > 0) {
            nextLba++;
            raiseDataRequest();
        } else {
            complete();
        }
    }

    // ---------------------------------------------------------------- IDENTIFY DEVICE

    private void identify(DiskImage disk) {
        java.util.Arrays.fill(buffer, (byte) 0);
        long total = Math.min(disk.sectors(), 0x0FFF_FFFFL);
        int cylinders = (int) Math.min(16383, total / (HEADS * SECTORS_PER_TRACK));
        word(0, 0x0040);                       // a fixed, non-removable ATA device
        word(1, cylinders);
        word(3, HEADS);
        word(6, SECTORS_PER_TRACK);
        text(10, 20, "POPEK0001");             // serial number
        text(23, 8, "1.0");                    // firmware revision
        text(27, 40, "POPEK HARDDISK");        // model number
        word(47, 0x8000);                      // READ/WRITE MULTIPLE: not supported (0 sectors)
        word(49, 0x0200);                      // LBA supported
        word(53, 0x0001);                      // words 54-58 are valid
        word(54, cylinders);
        word(55, HEADS);
        word(56, SECTORS_PER_TRACK);
        long chs = (long) cylinders * HEADS * SECTORS_PER_TRACK;
        word(57, (int) chs);
        word(58, (int) (chs >>> 16));
        word(60, (int) total);                 // LBA28 capacity
        word(61, (int) (total >>> 16));
        word(80, 0x007E);                      // ATA-1 to ATA-6
        word(82, 0x4000);
        word(83, 0x4000);                      // no LBA48
        word(84, 0x4000);
    }

    private void word(int index, int value) {
        buffer[2 * index] = (byte) value;
        buffer[2 * index + 1] = (byte) (value >>> 8);
    }

    /** An ATA string: space-padded, two characters a word, the first in the high byte. */
    private void text(int index, int length, String s) {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) ' ');
        byte[] src = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(src, 0, b, 0, Math.min(src.length, length));
        for (int i = 0; i < length; i += 2) {
            buffer[2 * index + i] = b[i + 1];
            buffer[2 * index + i + 1] = b[i];
        }
    }

    /** Sectors moved through the data port since power-on. */
    public long transferredSectors() { return transferredSectors; }

}
