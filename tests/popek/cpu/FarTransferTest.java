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
import static popek.cpu.TestCpu.CODE;
import static popek.cpu.TestCpu.FREE;
import static popek.cpu.TestCpu.code;
import static popek.cpu.TestCpu.data;

/**
 * Far returns, jumps and calls against the Intel SDM (vol. 2, RET: RETURN-TO-SAME-PRIVILEGE-LEVEL and
 * RETURN-TO-OUTER-PRIVILEGE-LEVEL with the immediate released from both stacks; JMP and CALL: the far forms to a
 * code segment at the same privilege). {@code lret} to an outer ring is how a kernel can enter user code without
 * {@code iret}.
 */
class FarTransferTest {
    private TestCpu cpu;

    @BeforeEach
    void open() { cpu = new TestCpu(); }

    @AfterEach
    void close() { cpu.close(); }

    private static int[] bytes(int opcode, int... rest) {
        int[] b = new int[rest.length + 1];
        b[0] = opcode;
        System.arraycopy(rest, 0, b, 1, rest.length);
        return b;
    }

    /** A 32-bit little-endian immediate's bytes followed by a 16-bit one's: a ptr16:32. */
    private static int[] ptr(int offset, int selector) {
        return new int[] {offset & 0xFF, offset >>> 8 & 0xFF, offset >>> 16 & 0xFF, offset >>> 24, selector & 0xFF, selector >>> 8};
    }

    private static int[] concat(int first, int[] rest) { return bytes(first, rest); }

    // ---------------------------------------------------------------- lret

    @Test
    void lretToTheSameRingPopsEipAndCs() {
        int esp = cpu.esp();
        cpu.stack(0x4321, code(0));
        assertEquals(Kind.CONTINUE, cpu.emulate(0xCB).kind());
        assertEquals(0x4321, cpu.eip());
        assertEquals(code(0), cpu.selector(X86.CS));
        assertEquals(esp, cpu.esp());
    }

    @Test
    void lretWithAnImmediateReleasesItsParameters() {
        int esp = cpu.esp();
        cpu.stack(0x4321, code(0), 0xAAAA, 0xBBBB);
        assertEquals(Kind.CONTINUE, cpu.emulate(0xCA, 8, 0).kind());
        assertEquals(esp, cpu.esp());
        assertEquals(0x4321, cpu.eip());
    }

    @Test
    void lret16PopsWords() {
        int esp = cpu.esp();
        cpu.stack16(0x4321, code(0));
        cpu.emulate(0x66, 0xCB);
        assertEquals(0x4321, cpu.eip());
        assertEquals(esp, cpu.esp());
    }

    /** From every inner ring to every outer one: CPL, CS, SS:ESP from the frame, DS..GS nulled where not allowed. */
    static Stream<Arguments> outerReturns() {
        return Stream.of(Arguments.of(0, 3), Arguments.of(0, 1), Arguments.of(0, 2), Arguments.of(1, 2),
                Arguments.of(1, 3), Arguments.of(2, 3));
    }

    @ParameterizedTest(name = "lret from ring {0} to ring {1}")
    @MethodSource("outerReturns")
    void lretToAnOuterRingLoadsItsStackAndNullsMorePrivilegedSegments(int from, int to) {
        cpu.ring(from);
        cpu.uc.setReg(X86.ES, data(to));   // allowed at both rings: kept
        cpu.stack(0x4000, code(to), 0x5000, data(to));
        assertEquals(Kind.CONTINUE, cpu.emulate(0xCB).kind());
        assertEquals(to, cpu.cpl());
        assertEquals(code(to), cpu.selector(X86.CS));
        assertEquals(data(to), cpu.selector(X86.SS));
        assertEquals(0x5000, cpu.esp());
        assertEquals(0x4000, cpu.eip());
        assertEquals(0, cpu.selector(X86.DS), "DS held ring " + from + " data");
        assertEquals(0, cpu.selector(X86.FS));
        assertEquals(0, cpu.selector(X86.GS));
        assertEquals(data(to), cpu.selector(X86.ES));
    }

    @Test
    void lretWithAnImmediateToAnOuterRingReleasesParametersFromBothStacks() {
        // SDM: ESP += imm after popping CS:EIP (the callee's stack), and again after loading SS:ESP (the caller's).
        cpu.stack(0x4000, code(3), 0x1111, 0x2222, 0x5000, data(3));
        assertEquals(Kind.CONTINUE, cpu.emulate(0xCA, 8, 0).kind());
        assertEquals(3, cpu.cpl());
        assertEquals(0x5008, cpu.esp());
        assertEquals(0x4000, cpu.eip());
    }

    static Stream<Arguments> badReturns() {
        long absentData3 = TestCpu.notPresent(TestCpu.segment(0, 0xFFFFF, 0x12, 3, true, true));
        long absentCode0 = TestCpu.notPresent(TestCpu.segment(0, 0xFFFFF, 0x1A, 0, true, true));
        return Stream.of(
                Arguments.of("CS null", 0, 0, data(3), 0L, Vectors.GP, 0),
                Arguments.of("CS RPL below CPL (an inner ring)", 3, code(0), data(0), 0L, Vectors.GP, code(0)),
                Arguments.of("CS a data segment", 0, data(3), data(3), 0L, Vectors.GP, data(3) & ~3),
                Arguments.of("CS non-conforming, DPL not RPL", 0, code(0) | 1, data(1), 0L, Vectors.GP, code(0)),
                Arguments.of("CS not present", 0, FREE, data(0), absentCode0, Vectors.NP, FREE),
                Arguments.of("SS null", 0, code(3), 0, 0L, Vectors.GP, 0),
                Arguments.of("SS RPL not CS RPL", 0, code(3), data(2), 0L, Vectors.GP, data(2) & ~3),
                Arguments.of("SS DPL not CS RPL", 0, code(3), data(2) | 3, 0L, Vectors.GP, data(2) & ~3),
                Arguments.of("SS not present", 0, code(3), FREE | 3, absentData3, Vectors.SS, FREE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badReturns")
    void aBadLretFaultsBeforeAnythingChanges(String what, int cpl, int cs, int ss, long free, int vector, int error) {
        cpu.ring(cpl);
        if (free != 0) cpu.descriptor(FREE, free);
        cpu.stack(0x4000, cs, 0x5000, ss);
        int esp = cpu.esp();
        assertEquals(Outcome.fault(vector, error), cpu.emulate(0xCB));
        assertEquals(esp, cpu.esp());
        assertEquals(CODE, cpu.eip());
        assertEquals(code(cpl), cpu.selector(X86.CS));
        assertEquals(cpl, cpu.cpl());
    }

    // ---------------------------------------------------------------- ljmp, lcall

    @Test
    void ljmpToTheSameRing() {
        int esp = cpu.esp();
        assertEquals(Kind.CONTINUE, cpu.emulate(concat(0xEA, ptr(0x12345678, code(0)))).kind());
        assertEquals(0x12345678, cpu.eip());
        assertEquals(code(0), cpu.selector(X86.CS));
        assertEquals(esp, cpu.esp());
    }

    @Test
    void ljmpThroughMemory() {
        cpu.ram.write32(0x3000, 0x2468);
        cpu.ram.write16(0x3004, code(0));
        assertEquals(Kind.CONTINUE, cpu.emulate(0xFF, 0x2D, 0x00, 0x30, 0x00, 0x00).kind());   // ljmp *0x3000
        assertEquals(0x2468, cpu.eip());
    }

    @Test
    void ljmpToConformingCodeKeepsTheCpl() {
        cpu.descriptor(FREE, TestCpu.segment(0, 0xFFFFF, 0x1E, 0, true, true));
        cpu.ring(3);
        assertEquals(Kind.CONTINUE, cpu.emulate(concat(0xEA, ptr(0x1000, FREE))).kind());
        assertEquals(FREE | 3, cpu.selector(X86.CS));
        assertEquals(3, cpu.cpl());
    }

    @Test
    void lcallPushesCsAndTheNextEip() {
        int esp = cpu.esp();
        assertEquals(Kind.CONTINUE, cpu.emulate(concat(0x9A, ptr(0x8888, code(0)))).kind());
        assertEquals(esp - 8, cpu.esp());
        assertEquals(CODE + 7, cpu.at(cpu.esp(), 0));
        assertEquals(code(0), cpu.at(cpu.esp(), 1) & 0xFFFF);
        assertEquals(0x8888, cpu.eip());
    }

    @Test
    void lcallThroughMemory() {
        cpu.ram.write32(0x3000, 0x2468);
        cpu.ram.write16(0x3004, code(0));
        assertEquals(Kind.CONTINUE, cpu.emulate(0xFF, 0x1D, 0x00, 0x30, 0x00, 0x00).kind());   // lcall *0x3000
        assertEquals(0x2468, cpu.eip());
        assertEquals(CODE + 6, cpu.at(cpu.esp(), 0));
    }

    @Test
    void lcallWhoseStackFaultsLeavesEspAsItWas() {
        cpu.paging();
        int esp = cpu.esp();
        cpu.pte(esp - 4, 0);   // the page the pushes would go to is not present
        Outcome r = cpu.emulate(concat(0x9A, ptr(0x8888, code(0))));
        assertEquals(Vectors.PF, r.vector(), r.toString());
        assertEquals(esp, cpu.esp());
        assertEquals(CODE, cpu.eip());
        assertEquals(esp - 4, cpu.reg(X86.CR2));
    }

    static Stream<Arguments> badTargets() {
        long absentCode0 = TestCpu.notPresent(TestCpu.segment(0, 0xFFFFF, 0x1A, 0, true, true));
        return Stream.of(
                Arguments.of("null", 0, 0, 0L, Vectors.GP, 0, false),
                Arguments.of("past the GDT", 0, 0x100, 0L, Vectors.GP, 0x100, false),
                Arguments.of("a data segment", 0, data(0), 0L, Vectors.GP, data(0), false),
                Arguments.of("non-conforming, DPL below CPL", 3, code(0) | 3, 0L, Vectors.GP, code(0), false),
                Arguments.of("non-conforming, DPL above CPL", 0, code(3) & ~3, 0L, Vectors.GP, code(3) & ~3, false),
                Arguments.of("RPL above CPL", 0, code(0) | 3, 0L, Vectors.GP, code(0), false),
                Arguments.of("not present", 0, FREE, absentCode0, Vectors.NP, FREE, false),
                Arguments.of("a call gate", 0, FREE, TestCpu.system(0, 0, 0x0C, 0), -1, 0, true),
                Arguments.of("a TSS", 0, TestCpu.TSS_SEL, 0L, -1, 0, true));
    }

    @ParameterizedTest(name = "ljmp and lcall to {0}")
    @MethodSource("badTargets")
    void aFarJumpOrCallToABadTargetFaults(String what, int cpl, int selector, long free, int vector, int error,
                                         boolean unsupported) {
        cpu.ring(cpl);
        if (free != 0) cpu.descriptor(FREE, free);
        int esp = cpu.esp();
        for (int opcode : new int[] {0xEA, 0x9A}) {
            Outcome r = cpu.emulate(concat(opcode, ptr(0x1000, selector)));
            assertEquals(unsupported ? Outcome.of(Kind.UNSUPPORTED) : Outcome.fault(vector, error), r);
            assertEquals(esp, cpu.esp());
            assertEquals(CODE, cpu.eip());
            assertEquals(code(cpl), cpu.selector(X86.CS));
        }
    }
}
