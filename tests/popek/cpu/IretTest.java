package popek.cpu;

import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import popek.cpu.TestCpu.Kind;
import popek.cpu.TestCpu.Outcome;
import popek.engine.X86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static popek.cpu.TestCpu.FREE;
import static popek.cpu.TestCpu.code;
import static popek.cpu.TestCpu.data;

/**
 * {@code iret} in protected mode against the Intel SDM (vol. 2, IRET/IRETD, Operation: PROTECTED-MODE-RETURN,
 * RETURN-TO-SAME-PRIVILEGE-LEVEL, RETURN-TO-OUTER-PRIVILEGE-LEVEL): how EFLAGS is merged by the old CPL and IOPL,
 * the checks on the returned CS and SS with the fault and error code of each, the data segment registers an outer
 * return nulls, and the forms Popek does not emulate (a task return, virtual-8086 mode).
 */
class IretTest {
    private static final int ARITH = 0x0CD5;
    private static final int VIF = 1 << 19, VIP = 1 << 20;
    private static final int RESERVED = (1 << 3) | (1 << 5) | (1 << 15) | 0xFFC00000;

    private TestCpu cpu;

    @BeforeEach
    void open() { cpu = new TestCpu(); }

    @AfterEach
    void close() { cpu.close(); }

    // ---------------------------------------------------------------- flags

    /** The SDM's IRET (32-bit operand, no VM): as popfd, plus RF; at CPL 0 also VIF and VIP; by the old CPL and IOPL. */
    private static int sdmIretd(int old, int popped, int cpl) {
        int iopl = (old & X86.FLAG_IOPL) >>> 12;
        int changes = ARITH | X86.FLAG_TF | X86.FLAG_NT | X86.FLAG_AC | X86.FLAG_ID | X86.FLAG_RF;
        if (cpl <= iopl) changes |= X86.FLAG_IF;
        if (cpl == 0) changes |= X86.FLAG_IOPL | VIF | VIP;
        return ((old & ~changes) | (popped & changes) | 2) & ~RESERVED;
    }

    /** Every bit set but VM (which in the image at CPL 0 would be a return to virtual-8086 mode). */
    private static final int POPPED = ~X86.FLAG_VM;

    @ParameterizedTest(name = "iretd to the same ring at CPL {0}, IOPL {1}, IF {2}")
    @MethodSource("popek.cpu.PopfFlagsTest#privileges")
    void toTheSameRingMergesFlagsAsTheSdmSays(int cpl, int iopl, boolean ifBefore) {
        cpu.ring(cpl).flags(iopl << 12 | (ifBefore ? X86.FLAG_IF : 0));
        int old = cpu.flags(), esp = cpu.esp();
        cpu.stack(0x12345, code(cpl), POPPED);
        Outcome r = cpu.emulate(0xCF);
        assertEquals(!ifBefore && cpl <= iopl ? Kind.INTERRUPT_WINDOW : Kind.CONTINUE, r.kind(), r.toString());
        assertEquals(hex(sdmIretd(old, POPPED, cpl)), hex(cpu.flags()));
        assertEquals(0x12345, cpu.eip());
        assertEquals(esp, cpu.esp());
        assertEquals(cpl, cpu.cpl());
    }

    static Stream<Arguments> innerPrivileges() {
        return PopfFlagsTest.privileges().filter(a -> (int) a.get()[0] < 3);
    }

    @ParameterizedTest(name = "iretd from CPL {0} out to ring 3, IOPL {1}, IF {2}")
    @MethodSource("innerPrivileges")
    void toAnOuterRingMergesByTheOldCplAndIopl(int cpl, int iopl, boolean ifBefore) {
        cpu.ring(cpl).flags(iopl << 12 | (ifBefore ? X86.FLAG_IF : 0));
        int old = cpu.flags();
        cpu.stack(0x4000, code(3), POPPED, 0x5000, data(3));
        Outcome r = cpu.emulate(0xCF);
        assertEquals(!ifBefore && cpl <= iopl ? Kind.INTERRUPT_WINDOW : Kind.CONTINUE, r.kind(), r.toString());
        assertEquals(hex(sdmIretd(old, POPPED, cpl)), hex(cpu.flags()));
        assertEquals(3, cpu.cpl());
        assertEquals(code(3), cpu.selector(X86.CS));
        assertEquals(data(3), cpu.selector(X86.SS));
        assertEquals(0x5000, cpu.esp());
        assertEquals(0x4000, cpu.eip());
    }

    @Test
    void iret16PopsWordsAndChangesTheLowWordOfEflags() {
        cpu.flags(X86.FLAG_AC | X86.FLAG_RF);
        int old = cpu.flags(), esp = cpu.esp();
        cpu.stack16(0x1234, code(0), 0xFFFF);
        assertEquals(Kind.INTERRUPT_WINDOW, cpu.emulate(0x66, 0xCF).kind());
        assertEquals(hex((old & 0xFFFF0000) | (0xFFFF & 0x7FD5) | 2), hex(cpu.flags()));
        assertEquals(0x1234, cpu.eip());
        assertEquals(esp, cpu.esp());
    }

    // ---------------------------------------------------------------- segments

    @Test
    void anOuterReturnNullsTheDataSegmentsTheNewRingMayNotUse() {
        int conformingCode = FREE;
        cpu.descriptor(conformingCode, TestCpu.segment(0, 0xFFFFF, 0x1E, 0, true, true));   // readable, conforming, DPL 0
        cpu.uc.setReg(X86.ES, data(3));
        cpu.uc.setReg(X86.FS, 0);
        cpu.uc.setReg(X86.GS, conformingCode);
        cpu.stack(0x4000, code(3), 2, 0x5000, data(3));
        assertEquals(Kind.CONTINUE, cpu.emulate(0xCF).kind());
        assertEquals(0, cpu.selector(X86.DS), "DS held ring 0 data");
        assertEquals(data(3), cpu.selector(X86.ES), "ES held ring 3 data");
        assertEquals(0, cpu.selector(X86.FS), "FS was null");
        assertEquals(conformingCode, cpu.selector(X86.GS), "GS held conforming code");
    }

    @Test
    void aConformingCodeSegmentMayBeMorePrivilegedThanTheRingReturnedTo() {
        cpu.descriptor(FREE, TestCpu.segment(0, 0xFFFFF, 0x1E, 0, true, true));
        cpu.stack(0x4000, FREE | 3, 2, 0x5000, data(3));
        assertEquals(Kind.CONTINUE, cpu.emulate(0xCF).kind());
        assertEquals(3, cpu.cpl());
        assertEquals(FREE | 3, cpu.selector(X86.CS));
    }

    @Test
    void fromRingOneToRingTwoUsesRingTwosStack() {
        cpu.ring(1).stack(0x4000, code(2), 2, 0x6000, data(2));
        assertEquals(Kind.CONTINUE, cpu.emulate(0xCF).kind());
        assertEquals(2, cpu.cpl());
        assertEquals(data(2), cpu.selector(X86.SS));
        assertEquals(0x6000, cpu.esp());
        assertEquals(0, cpu.selector(X86.DS), "DS held ring 1 data");
    }

    // ---------------------------------------------------------------- faults

    /**
     * Each check of PROTECTED-MODE-RETURN and RETURN-TO-OUTER-PRIVILEGE-LEVEL that fails, from CPL {@code cpl}, with
     * {@code cs} and {@code ss} in the frame (and the descriptor at FREE made as {@code free} describes).
     */
    static Stream<Arguments> badFrames() {
        long readOnlyData3 = TestCpu.segment(0, 0xFFFFF, 0x10, 3, true, true);
        long absentCode0 = TestCpu.notPresent(TestCpu.segment(0, 0xFFFFF, 0x1A, 0, true, true));
        long absentData3 = TestCpu.notPresent(TestCpu.segment(0, 0xFFFFF, 0x12, 3, true, true));
        long conforming3 = TestCpu.segment(0, 0xFFFFF, 0x1E, 3, true, true);
        return Stream.of(
                Arguments.of("CS null", 0, 0, data(3), 0L, Vectors.GP, 0),
                Arguments.of("CS past the GDT", 0, 0x100, data(3), 0L, Vectors.GP, 0x100),
                Arguments.of("CS a data segment", 0, data(0), data(0), 0L, Vectors.GP, data(0)),
                Arguments.of("CS RPL below CPL", 1, code(0), data(0), 0L, Vectors.GP, code(0)),
                Arguments.of("CS non-conforming, DPL not RPL", 0, code(0) | 3, data(3), 0L, Vectors.GP, code(0)),
                Arguments.of("CS conforming, DPL above RPL", 0, FREE | 1, data(1), conforming3, Vectors.GP, FREE),
                Arguments.of("CS not present", 0, FREE, data(0), absentCode0, Vectors.NP, FREE),
                Arguments.of("SS null", 0, code(3), 0, 0L, Vectors.GP, 0),
                Arguments.of("SS null with RPL 3", 0, code(3), 3, 0L, Vectors.GP, 0),
                Arguments.of("SS past the GDT", 0, code(3), 0x103, 0L, Vectors.GP, 0x100),
                Arguments.of("SS RPL not CS RPL", 0, code(3), data(3) & ~3 | 2, 0L, Vectors.GP, data(3) & ~3),
                Arguments.of("SS DPL not CS RPL", 0, code(3), data(0) | 3, 0L, Vectors.GP, data(0)),
                Arguments.of("SS read-only", 0, code(3), FREE | 3, readOnlyData3, Vectors.GP, FREE),
                Arguments.of("SS a code segment", 0, code(3), code(3), 0L, Vectors.GP, code(3) & ~3),
                Arguments.of("SS not present", 0, code(3), FREE | 3, absentData3, Vectors.SS, FREE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFrames")
    void aBadFrameFaultsBeforeAnythingChanges(String what, int cpl, int cs, int ss, long free, int vector, int error) {
        cpu.ring(cpl);
        if (free != 0) cpu.descriptor(FREE, free);
        cpu.stack(0x4000, cs, 2, 0x5000, ss);
        int esp = cpu.esp(), flags = cpu.flags(), eip = cpu.eip();
        assertEquals(TestCpu.Outcome.fault(vector, error), cpu.emulate(0xCF));
        assertEquals(esp, cpu.esp());
        assertEquals(eip, cpu.eip());
        assertEquals(flags, cpu.flags());
        assertEquals(code(cpl), cpu.selector(X86.CS));
        assertEquals(data(cpl), cpu.selector(X86.SS));
        assertEquals(cpl, cpu.cpl());
    }

    @Test
    void aTaskReturnIsNotEmulated() {
        cpu.flags(X86.FLAG_NT).stack(0x4000, code(0), 2);
        assertEquals(Kind.UNSUPPORTED, cpu.emulate(0xCF).kind());
    }

    @Test
    void aReturnToVirtual8086ModeIsNotEmulated() {
        cpu.stack(0x4000, 0x1234, X86.FLAG_VM | 2, 0x5000, 0x1234, 0, 0, 0, 0);
        assertEquals(Kind.UNSUPPORTED, cpu.emulate(0xCF).kind());
    }

    @Test
    void vmInTheImageAtCplAboveZeroIsIgnored() {
        cpu.ring(3).stack(0x4000, code(3), X86.FLAG_VM | 2);
        assertEquals(Kind.CONTINUE, cpu.emulate(0xCF).kind());
        assertEquals(0, cpu.flags() & X86.FLAG_VM);
        assertEquals(0x4000, cpu.eip());
    }

    private static String hex(int v) { return String.format("%08x", v); }
}
