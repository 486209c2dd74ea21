package popek.fuzz;

import org.junit.jupiter.api.Test;

import popek.cpu.StopReason;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The tester's own model of a memory operand's segment checks (SDM vol. 3A, 5.3 and 5.4), which decides whether a
 * divergence is QEMU's missing checks: the operand it decodes from an instruction's bytes, and the fault it expects
 * in a given state.
 */
class SegmentChecksTest {
    private static final int ES = 0, SS = 2, DS = 3, GS = 5;

    private static SegmentChecks.Access decode(int bits, int... bytes) {
        byte[] code = new byte[bytes.length + 8];
        for (int i = 0; i < bytes.length; i++) code[i] = (byte) bytes[i];
        return SegmentChecks.decode(code, 0, bits);
    }

    @Test
    void decodesTheOperandsOfTheEmulatedInstructions() {
        assertEquals(new SegmentChecks.Access(GS, -1, -1, 0, -4, true, 2, true),
                decode(32, 0x65, 0x0F, 0x01, 0x25, 0xFC, 0xFF, 0xFF, 0xFF), "smsw gs:[0xfffffffc]");
        assertEquals(new SegmentChecks.Access(SS, 4, -1, 0, 8, true, 6, false), decode(32, 0x0F, 0x01, 0x54, 0x24, 0x08), "lgdt [esp+8]");
        assertEquals(new SegmentChecks.Access(SS, 5, 6, 0, 2, false, 6, true), decode(16, 0x0F, 0x01, 0x42, 0x02), "sgdt [bp+si+2]");
        assertEquals(new SegmentChecks.Access(DS, -1, -1, 0, 0x1234, false, 2, true), decode(16, 0x8C, 0x1E, 0x34, 0x12), "mov [0x1234], ds");
        assertEquals(new SegmentChecks.Access(DS, 3, 1, 2, 0x10, true, 6, false), decode(32, 0xC4, 0x44, 0x8B, 0x10), "les eax, [ebx+ecx*4+0x10]");
        assertEquals(4, decode(32, 0x66, 0xC4, 0x03).size(), "les ax, [ebx]: a 16:16 pointer");
        assertEquals(new SegmentChecks.Access(ES, 7, -1, 0, 0, true, 1, true), decode(32, 0xF3, 0x6C), "rep insb: es:[edi]");
        assertEquals(new SegmentChecks.Access(GS, 6, -1, 0, 0, true, 4, false), decode(32, 0x65, 0x6F), "outsd gs:[esi]");
        assertNull(decode(32, 0x0F, 0x01, 0x3D, 0, 0, 0, 0), "invlpg accesses nothing");
        assertNull(decode(32, 0x0F, 0x01, 0xE0), "smsw eax: no memory operand");
        assertNull(decode(32, 0x8B, 0x05, 0, 0, 0, 0), "mov eax, [m]: not emulated");
    }

    /** A state with segment register {@code seg} holding {@code limit} and {@code flags}, EBX = {@code ebx}. */
    private static FinalState state(int seg, long limit, int flags, int ebx, boolean protectedMode) {
        long[] segments = new long[40];
        for (int s = 0; s < 6; s++) {
            segments[4 * s + 2] = 0xFFFFFFFFL;
            segments[4 * s + 3] = 0xCF9300;
        }
        segments[4 * seg + 2] = limit;
        segments[4 * seg + 3] = flags;
        int[] gprs = new int[8];
        gprs[3] = ebx;
        return new FinalState(new StopReason(StopReason.Cause.HALTED_FOREVER, ""), gprs, 0, 2, segments, 0,
                new int[] {protectedMode ? 0x11 : 0x10, 0, 0, 0}, new long[4], null);
    }

    private static final int DATA = 0x409300, DATA_RO = 0x409100, DOWN = 0x409700, DOWN16 = 0x009700, CODE_RO = 0xCF9B00,
            CODE_XO = 0xCF9900;

    @Test
    void expectsTheFaultTheSdmNames() {
        var store2 = new SegmentChecks.Access(DS, 3, -1, 0, 0, true, 2, true);
        var load2 = new SegmentChecks.Access(DS, 3, -1, 0, 0, true, 2, false);
        assertEquals(0, SegmentChecks.fault(store2, state(DS, 0x1FFFF, DATA, 0x1FFFE, true)), "the last word");
        assertEquals(13, SegmentChecks.fault(store2, state(DS, 0x1FFFF, DATA, 0x1FFFF, true)), "one byte past");
        assertEquals(13, SegmentChecks.fault(store2, state(DS, 0x1FFFF, DATA, -2, true)), "0xfffffffe");
        assertEquals(13, SegmentChecks.fault(store2, state(DS, 0xFFFFFFFFL, DATA, -1, true)), "past 4 GiB");
        assertEquals(12, SegmentChecks.fault(new SegmentChecks.Access(SS, 3, -1, 0, 0, true, 2, true),
                state(SS, 0xFFFF, DATA, 0x10000, true)), "through SS: #SS");
        assertEquals(13, SegmentChecks.fault(store2, state(DS, 0xFFFF, DOWN, 0xFFFF, true)), "expand-down: at the limit");
        assertEquals(0, SegmentChecks.fault(store2, state(DS, 0xFFFF, DOWN, 0x10000, true)), "expand-down: above it");
        assertEquals(13, SegmentChecks.fault(store2, state(DS, 0xFFF, DOWN16, 0xFFFF, true)), "expand-down, B clear: past 64 KiB");
        assertEquals(13, SegmentChecks.fault(store2, state(DS, 0xFFFFFFFFL, DATA_RO, 0x100, true)), "read-only data");
        assertEquals(0, SegmentChecks.fault(load2, state(DS, 0xFFFFFFFFL, DATA_RO, 0x100, true)));
        assertEquals(13, SegmentChecks.fault(store2, state(DS, 0xFFFFFFFFL, CODE_RO, 0x100, true)), "code");
        assertEquals(0, SegmentChecks.fault(load2, state(DS, 0xFFFFFFFFL, CODE_RO, 0x100, true)), "readable code");
        assertEquals(13, SegmentChecks.fault(load2, state(DS, 0xFFFFFFFFL, CODE_XO, 0x100, true)), "execute-only code");
        assertEquals(13, SegmentChecks.fault(load2, state(DS, 0, 0, 0x100, true)), "a null selector");
        assertEquals(0, SegmentChecks.fault(store2, state(DS, 0xFFFF, DATA_RO, 0x100, false)), "real mode: no type checks");
        assertEquals(13, SegmentChecks.fault(store2, state(DS, 0xFFFF, DATA, 0xFFFF, false)), "but the limit");
    }
}
