package popek.fuzz.devices;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import popek.fuzz.harness.DiskCheck;
import popek.fuzz.harness.MultibootElf;
import popek.para.PvAbi;

/**
 * The device fuzzer's guest: a Multiboot ELF32 kernel (with Popek's PV note for para mode) loaded at 1 MiB. Its
 * code sets up an IDT whose every gate returns at once, runs the generated accesses and leaves through debug-exit.
 * The areas the generated code and hypercalls point into are fixed, so that a disk can only ever be written with
 * the marker bytes or zeros ({@link DiskCheck}): disk writes come from the marker area or the zero area, disk reads
 * go only to the read area, and nothing else writes either.
 */
final class GuestLayout {
    static final int LOAD = 0x100000;
    static final int HEADER = LOAD;                    // the Multiboot header, first in the segment
    static final int STUB_IRET = LOAD + 0x10;          // iret
    static final int STUB_ERROR = LOAD + 0x14;         // add esp, 4; iret (vectors that push an error code)
    static final int STUB_CALLBACK = LOAD + 0x20;      // the para upcall: clear pending and the mask, iret
    static final int IDT = LOAD + 0x800, IDTR = LOAD + 0xFF8;
    static final int ENTRY = LOAD + 0x1000;
    static final int CODE_END = LOAD + 0xB000;
    static final int HYPERCALL_PAGE = LOAD + 0xB000, SHARED_INFO = LOAD + 0xC000;
    static final int CONSOLE_RING = LOAD + 0xD000, BLOCK_RING = LOAD + 0xE000;
    /** Arguments of hypercalls that read tables (trap table, MMU updates, console bytes). */
    static final int ARGS = LOAD + 0xF000, PAGE_TABLE = LOAD + 0xF800;
    /** Filled with the marker word by the guest's first instructions (so the file need not hold it). */
    static final int MARKER = LOAD + 0x10000, MARKER_END = LOAD + 0x20000;
    static final int READ = LOAD + 0x20000, READ_END = LOAD + 0x30000;
    /** RAM from here to its end is never written by the loader: zeros. */
    static final int ZERO = LOAD + 0x30000;
    static final int MEM_BYTES = ZERO - LOAD;
    static final int RAM = 8 << 20;

    private GuestLayout() {}

    /** The code that fills the marker area: {@code mov edi, MARKER; mov ecx, n; mov ax, marker; rep stosw}. */
    static void fillMarker(Code c) {
        c.movImm(7, MARKER).movImm(1, (MARKER_END - MARKER) / 2).raw(0x66, 0xB8).imm16(DiskCheck.MARKER_WORD).raw(0xF3, 0x66, 0xAB);
    }

    /** The ELF image: the stubs, the IDT and the code (at {@link #ENTRY}) in the segment; the PV note when {@code para}. */
    static byte[] image(byte[] code, boolean para) {
        if (ENTRY + code.length > CODE_END) throw new IllegalArgumentException("code too long: " + code.length);
        // The file holds the segment up to the code's end; the rest is zero-filled.
        ByteBuffer f = ByteBuffer.allocate(ENTRY + code.length - LOAD).order(ByteOrder.LITTLE_ENDIAN);
        f.put(STUB_IRET - LOAD, (byte) 0xCF);
        f.put(STUB_ERROR - LOAD, (byte) 0x83).put(STUB_ERROR - LOAD + 1, (byte) 0xC4).put(STUB_ERROR - LOAD + 2, (byte) 4)
                .put(STUB_ERROR - LOAD + 3, (byte) 0xCF);
        byte[] callback = new Code(STUB_CALLBACK)
                .store(SHARED_INFO + PvAbi.SI_PENDING, 4, 0).store(SHARED_INFO + PvAbi.SI_UPCALL_PENDING, 1, 0)
                .store(SHARED_INFO + PvAbi.SI_UPCALL_MASK, 1, 0).raw(0xCF).bytes();
        f.put(STUB_CALLBACK - LOAD, callback);
        f.put(ENTRY - LOAD, code);
        for (int v = 0; v < 256; v++) {   // interrupt gates, selector 0x08, to the stub that fits the vector
            int stub = v == 8 || (v >= 10 && v <= 14) || v == 17 ? STUB_ERROR : STUB_IRET;
            f.putInt(IDT - LOAD + 8 * v, 0x00080000 | (stub & 0xFFFF)).putInt(IDT - LOAD + 8 * v + 4, (stub & 0xFFFF0000) | 0x8E00);
        }
        f.putShort(IDTR - LOAD, (short) 0x7FF).putInt(IDTR - LOAD + 2, IDT);
        return MultibootElf.image(LOAD, ENTRY, f.array(), MEM_BYTES, 0x3,
                para ? new MultibootElf.ParaPages(HYPERCALL_PAGE, SHARED_INFO) : null);
    }
}
