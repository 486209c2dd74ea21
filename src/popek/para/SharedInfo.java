package popek.para;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import popek.memory.GuestMemory;

/**
 * The shared-info page (pv.h, struct pv_shared_info) in guest RAM: Popek raises events into it and keeps its clock;
 * the guest masks and takes events with plain stores. Accessed straight in RAM (no engine call, no allocation), and
 * not through {@link GuestMemory}'s watched writes: the page holds no code.
 */
public final class SharedInfo implements EventSink {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment ram;
    private final long base;

    public SharedInfo(GuestMemory ram, long base) {
        this.ram = ram.segment();
        this.base = base;
    }

    /** Zeroes the page and fills in what the guest reads once: the ABI, RAM and disk sizes, the TSC rate. */
    public void initialise(long ramBytes, long diskSectors, long tscKhz) {
        ram.asSlice(base, 4096).fill((byte) 0);
        ram.set(ValueLayout.JAVA_INT, base + PvAbi.SI_ABI, PvAbi.VERSION);
        ram.set(ValueLayout.JAVA_INT, base + PvAbi.SI_RAM_BYTES, (int) Math.min(ramBytes, 0xFFFFFFFFL));
        ram.set(ValueLayout.JAVA_LONG, base + PvAbi.SI_DISK_SECTORS, diskSectors);
        ram.set(ValueLayout.JAVA_INT, base + PvAbi.SI_TSC_KHZ, (int) tscKhz);
    }

    /** The guest's view of the virtual time. */
    public void time(long nanos) { ram.set(ValueLayout.JAVA_LONG, base + PvAbi.SI_TIME_NS, nanos); }

    /** Sets event bits and upcall_pending (atomically on the pending word: the guest takes it with lock xchg). */
    @Override
    public void raise(int bits) {
        if (bits == 0) return;
        INT.getAndBitwiseOr(ram, base + PvAbi.SI_PENDING, bits);
        ram.set(ValueLayout.JAVA_BYTE, base + PvAbi.SI_UPCALL_PENDING, (byte) 1);
    }

    public int pending() { return ram.get(ValueLayout.JAVA_INT, base + PvAbi.SI_PENDING); }

    public boolean masked() { return ram.get(ValueLayout.JAVA_BYTE, base + PvAbi.SI_UPCALL_MASK) != 0; }

    public void mask(boolean on) { ram.set(ValueLayout.JAVA_BYTE, base + PvAbi.SI_UPCALL_MASK, (byte) (on ? 1 : 0)); }

    /** Counts malformed ring contents for the guest to see. */
    public void ringErrors(int total) { ram.set(ValueLayout.JAVA_INT, base + PvAbi.SI_RING_ERRORS, total); }
}
