package popek.engine;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The two fields of Unicorn 2.1.1's {@code struct uc_struct} that Popek needs and Unicorn has no API for. They are
 * found by the fields next to them, whose values are known (include/uc_priv.h of 2.1.1: target_page_size = 4096,
 * target_page_align = 4095, qemu_host_page_size = qemu_real_host_page_size = 4096, cpu_context_size = the saved
 * context's size less 24, init_done = 1), and the engine is refused unless that signature appears exactly once and
 * the use_exits field we set reads back as 1.
 *
 * <ul>
 * <li>{@code no_exit_request}: Unicorn checks for a pending stop after every guest memory access, and when it finds
 * one it leaves the translation block and sets EIP back to the block's first instruction, so everything the block did
 * before that access runs a second time on restart (measured: 3,131 stops from another thread during a loop of
 * {@code inc ecx; mov [m], ecx; dec edx; jnz} added 2,361 extra increments; a stop requested from an OUT hook ran the
 * OUT twice). With the flag set when code is translated (Unicorn sets it only for ARM IT blocks) only the check at
 * the start of each block remains, where EIP is exact.</li>
 * <li>{@code invalid_addr}: the exact address of an access a TLB-fill hook refused, which the hook itself only sees
 * page-aligned; the guest's CR2 must be exact.</li>
 * </ul>
 */
final class EngineStruct {
    /** How far into uc_struct to look: the fields sit ~1.5 KiB in; the struct is larger than 12 KiB (its jmp_bufs). */
    private static final long SCAN_BYTES = 8192;
    /** uc_struct offsets back from target_page_size (UC_MAX_NESTED_LEVEL 64 exit slots lie between). */
    private static final long USE_EXITS_BEFORE = 556, INVALID_ADDR_BEFORE = 568;
    private static final long NO_EXIT_REQUEST_AFTER = 50, INIT_DONE_AFTER = 51;

    private final MemorySegment struct;
    private final long invalidAddress;

    /** Finds the fields in the engine at {@code uc}; throws NativeLibraryException if the layout is not 2.1.1's. */
    EngineStruct(MemorySegment uc, long contextSize) {
        struct = uc.reinterpret(SCAN_BYTES);
        long found = -1;
        for (long t = 0; t + 56 <= SCAN_BYTES; t += 8) {
            if (struct.get(JAVA_INT, t) == 4096 && struct.get(JAVA_INT, t + 4) == 4095 && struct.get(JAVA_LONG, t + 8) == 4096
                    && struct.get(JAVA_LONG, t + 16) == 4096 && struct.get(JAVA_INT, t + 32) == contextSize - 24
                    && struct.get(JAVA_BYTE, t + INIT_DONE_AFTER) == 1) {
                if (found >= 0) throw layout("its page-size fields appear twice");
                found = t;
            }
        }
        if (found < 0) throw layout("its page-size fields are not where 2.1.1 keeps them");
        if (found < USE_EXITS_BEFORE || struct.get(JAVA_INT, found - USE_EXITS_BEFORE) != 1) throw layout("use_exits");
        struct.set(JAVA_BYTE, found + NO_EXIT_REQUEST_AFTER, (byte) 1);
        invalidAddress = found - INVALID_ADDR_BEFORE;
    }

    private static NativeLibraryException layout(String what) {
        return new NativeLibraryException("this libunicorn's internal layout is not Unicorn 2.1.1's (" + what
                + "), which Popek relies on to make engine stops exact; use Debian 13's libunicorn2t64 2.1.1");
    }

    /** uc_struct.invalid_addr, as a 32-bit guest-linear address. */
    long invalidAddress() { return struct.get(JAVA_LONG, invalidAddress) & 0xFFFFFFFFL; }
}
