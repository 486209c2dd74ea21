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
import static org.junit.jupiter.api.Assertions.assertTrue;
import static popek.cpu.TestCpu.CODE;
import static popek.cpu.TestCpu.FREE;
import static popek.cpu.TestCpu.LDT_SEL;
import static popek.cpu.TestCpu.TSS_SEL;
import static popek.cpu.TestCpu.code;
import static popek.cpu.TestCpu.data;

/**
 * The segment instructions SegmentOps emulates, against the Intel SDM (vol. 2: MOV and POP to a segment register,
 * LDS/LES/LFS/LGS/LSS, LAR, LSL, VERR/VERW, LLDT, LTR, SYSENTER, SYSEXIT): which selectors load and which fault, with
 * what; what the inspecting instructions report at each privilege.
 */
class SegmentLoadTest {
    private static final long EXECUTE_ONLY_0 = TestCpu.segment(0, 0xFFFFF, 0x18, 0, true, true);
    private static final long CONFORMING_0 = TestCpu.segment(0, 0xFFFFF, 0x1E, 0, true, true);
    private static final long DATA_1 = TestCpu.segment(0, 0xFFFFF, 0x12, 1, true, true);
    private static final long READ_ONLY_0 = TestCpu.segment(0, 0xFFFFF, 0x10, 0, true, true);
    private static final long ABSENT_DATA_0 = TestCpu.notPresent(TestCpu.segment(0, 0xFFFFF, 0x12, 0, true, true));
    private static final long STACK_16_0 = TestCpu.segment(0, 0xFFFF, 0x12, 0, true, false) & ~(1L << 54);

    private TestCpu cpu;

    @BeforeEach
    void open() { cpu = new TestCpu(); }

    @AfterEach
    void close() { cpu.close(); }

    // ---------------------------------------------------------------- DS, ES, FS, GS

    /** mov ds, ax: at CPL {1}, selector {2} (the descriptor at FREE as given); the fault, or -1 if it loads. */
    static Stream<Arguments> dataLoads() {
        return Stream.of(
                Arguments.of("null, at CPL 3", 3, 0, 0L, -1, 0),
                Arguments.of("past the GDT", 0, 0x100, 0L, Vectors.GP, 0x100),
                Arguments.of("an LDT selector with no LDT", 0, 0x0C, 0L, Vectors.GP, 0x0C),
                Arguments.of("a TSS", 0, TSS_SEL, 0L, Vectors.GP, TSS_SEL),
                Arguments.of("execute-only code", 0, FREE, EXECUTE_ONLY_0, Vectors.GP, FREE),
                Arguments.of("readable code", 0, code(0), 0L, -1, 0),
                Arguments.of("DPL 0 data at CPL 3", 3, data(0), 0L, Vectors.GP, data(0)),
                Arguments.of("DPL 3 data with RPL 0 at CPL 3", 3, data(3) & ~3, 0L, -1, 0),
                Arguments.of("DPL 1 data with RPL 2 at CPL 1", 1, FREE | 2, DATA_1, Vectors.GP, FREE),
                Arguments.of("DPL 0 conforming code at CPL 3", 3, FREE | 3, CONFORMING_0, -1, 0),
                Arguments.of("not present", 0, FREE, ABSENT_DATA_0, Vectors.NP, FREE));
    }

    @ParameterizedTest(name = "mov ds, {0}")
    @MethodSource("dataLoads")
    void movToADataSegmentRegister(String what, int cpl, int selector, long free, int vector, int error) {
        cpu.ring(cpl);
        if (free != 0) cpu.descriptor(FREE, free);
        cpu.uc.setReg(X86.EAX, selector);
        Outcome r = cpu.emulate(0x8E, 0xD8);
        if (vector < 0) {
            assertEquals(Kind.CONTINUE, r.kind(), r.toString());
            assertEquals(selector, cpu.selector(X86.DS));
            assertEquals(CODE + 2, cpu.eip());
        } else {
            assertEquals(Outcome.fault(vector, error), r);
            assertEquals(data(cpl), cpu.selector(X86.DS));
            assertEquals(CODE, cpu.eip());
        }
    }

    @Test
    void everyDataSegmentRegisterAndEveryForm() {
        cpu.uc.setReg(X86.EAX, data(3) & ~3);
        cpu.emulate(0x8E, 0xC0);   // mov es, ax
        cpu.emulate(0x8E, 0xE0);   // mov fs, ax
        cpu.emulate(0x8E, 0xE8);   // mov gs, ax
        assertEquals(data(3) & ~3, cpu.selector(X86.ES));
        assertEquals(data(3) & ~3, cpu.selector(X86.FS));
        assertEquals(data(3) & ~3, cpu.selector(X86.GS));

        int esp = cpu.esp();
        cpu.stack(0);
        assertEquals(Kind.CONTINUE, cpu.emulate(0x1F).kind());   // pop ds
        assertEquals(0, cpu.selector(X86.DS));
        assertEquals(esp, cpu.esp());
        cpu.stack(data(0));
        cpu.emulate(0x0F, 0xA9);   // pop gs
        assertEquals(data(0), cpu.selector(X86.GS));

        cpu.emulate(0x0F, 0xA0);   // push fs
        assertEquals(data(3) & ~3, cpu.at(cpu.esp(), 0));
        cpu.emulate(0x0E);   // push cs
        assertEquals(code(0), cpu.at(cpu.esp(), 0));
    }

    @Test
    void aFaultingPopLeavesEsp() {
        cpu.stack(0x100);
        int esp = cpu.esp();
        assertEquals(Outcome.fault(Vectors.GP, 0x100), cpu.emulate(0x07));   // pop es
        assertEquals(esp, cpu.esp());
    }

    @Test
    void movFromASegmentRegister() {
        cpu.uc.setReg(X86.EAX, 0xDEADBEEF);
        cpu.emulate(0x8C, 0xD8);   // mov eax, ds: zero-extended into the whole register
        assertEquals(data(0), cpu.reg(X86.EAX));
        cpu.uc.setReg(X86.EBX, 0xDEADBEEF);
        cpu.emulate(0x66, 0x8C, 0xCB);   // mov bx, cs: the low word only
        assertEquals(0xDEAD0000 | code(0), cpu.reg(X86.EBX));
        cpu.ram.write32(0x3000, 0xFFFFFFFF);
        cpu.emulate(0x8C, 0x1D, 0x00, 0x30, 0x00, 0x00);   // mov [0x3000], ds: a word to memory
        assertEquals(0xFFFF0000 | data(0), cpu.ram.read32(0x3000));
    }

    @Test
    void farPointerLoads() {
        cpu.ram.write32(0x3000, 0x11223344);
        cpu.ram.write16(0x3004, data(3) & ~3);
        cpu.emulate(0xC5, 0x05, 0x00, 0x30, 0x00, 0x00);   // lds eax, [0x3000]
        assertEquals(0x11223344, cpu.reg(X86.EAX));
        assertEquals(data(3) & ~3, cpu.selector(X86.DS));
        cpu.emulate(0x0F, 0xB4, 0x1D, 0x00, 0x30, 0x00, 0x00);   // lfs ebx, [0x3000]
        assertEquals(data(3) & ~3, cpu.selector(X86.FS));
        cpu.ram.write16(0x3004, data(0));
        // lss esp, [0x3000]: no interrupt shadow (the SDM gives one to mov ss and pop ss only)
        assertEquals(Kind.CONTINUE, cpu.emulate(0x0F, 0xB2, 0x25, 0x00, 0x30, 0x00, 0x00).kind());
        assertEquals(0x11223344, cpu.esp());

        cpu.ram.write16(0x3004, 0x100);
        cpu.uc.setReg(X86.ECX, 7);
        assertEquals(Outcome.fault(Vectors.GP, 0x100), cpu.emulate(0xC4, 0x0D, 0x00, 0x30, 0x00, 0x00));   // les ecx
        assertEquals(7, cpu.reg(X86.ECX), "nothing loaded when the segment faults");
    }

    // ---------------------------------------------------------------- SS

    static Stream<Arguments> stackLoads() {
        return Stream.of(
                Arguments.of("null", 0, 0, 0L, Vectors.GP, 0),
                Arguments.of("RPL not CPL", 0, data(0) | 1, 0L, Vectors.GP, data(0)),
                Arguments.of("DPL not CPL", 0, data(3) & ~3, 0L, Vectors.GP, data(3) & ~3),
                Arguments.of("read-only", 0, FREE, READ_ONLY_0, Vectors.GP, FREE),
                Arguments.of("code", 0, code(0), 0L, Vectors.GP, code(0)),
                Arguments.of("not present", 0, FREE, ABSENT_DATA_0, Vectors.SS, FREE),
                Arguments.of("past the GDT", 0, 0x100, 0L, Vectors.GP, 0x100),
                Arguments.of("ring 3's at CPL 3", 3, data(3), 0L, -1, 0));
    }

    @ParameterizedTest(name = "mov ss, {0}")
    @MethodSource("stackLoads")
    void movToSs(String what, int cpl, int selector, long free, int vector, int error) {
        cpu.ring(cpl);
        if (free != 0) cpu.descriptor(FREE, free);
        cpu.uc.setReg(X86.EAX, selector);
        Outcome r = cpu.emulate(0x8E, 0xD0);
        if (vector < 0) {
            assertEquals(Kind.SHADOW, r.kind(), "no interrupt until after the next instruction");
            assertEquals(selector, cpu.selector(X86.SS));
        } else {
            assertEquals(Outcome.fault(vector, error), r);
            assertEquals(data(cpl), cpu.selector(X86.SS));
        }
    }

    @Test
    void popSsHoldsInterruptsForOneInstruction() {
        cpu.stack(data(0));
        assertEquals(Kind.SHADOW, cpu.emulate(0x17).kind());
    }

    /** A 16-bit stack segment loads like any other (the SDM's way back to real mode loads one), with mov ss's shadow. */
    @Test
    void aSixteenBitStackSegmentLoads() {
        cpu.descriptor(FREE, STACK_16_0);
        cpu.uc.setReg(X86.EAX, FREE);
        assertEquals(Kind.SHADOW, cpu.emulate(0x8E, 0xD0).kind());
        assertEquals(FREE, cpu.selector(X86.SS));
    }

    // ---------------------------------------------------------------- lar, lsl, verr, verw

    /** What lar, lsl, verr and verw say of a selector at a CPL: ZF for each, in that order. */
    static Stream<Arguments> inspections() {
        long callGate = TestCpu.system(0, 0, 0x0C, 3);
        long interruptGate = TestCpu.system(0, 0, 0x0E, 3);
        long reserved = TestCpu.system(0, 0, 0x08, 3);
        return Stream.of(
                Arguments.of("ring 0 code at CPL 0", 0, code(0), 0L, true, true, true, false),
                Arguments.of("ring 0 code at CPL 3", 3, code(0), 0L, false, false, false, false),
                Arguments.of("ring 0 data with RPL 3 at CPL 0", 0, data(0) | 3, 0L, false, false, false, false),
                Arguments.of("ring 3 data at CPL 3", 3, data(3), 0L, true, true, true, true),
                Arguments.of("read-only data", 0, FREE, READ_ONLY_0, true, true, true, false),
                Arguments.of("execute-only code", 0, FREE, EXECUTE_ONLY_0, true, true, false, false),
                Arguments.of("conforming code at CPL 3", 3, FREE | 3, CONFORMING_0, true, true, true, false),
                Arguments.of("the TSS", 0, TSS_SEL, 0L, true, true, false, false),
                Arguments.of("the LDT", 0, LDT_SEL, 0L, true, true, false, false),
                Arguments.of("a call gate", 3, FREE | 3, callGate, true, false, false, false),
                Arguments.of("an interrupt gate", 3, FREE | 3, interruptGate, false, false, false, false),
                Arguments.of("a reserved system type", 3, FREE | 3, reserved, false, false, false, false),
                Arguments.of("null", 0, 0, 0L, false, false, false, false),
                Arguments.of("past the GDT", 0, 0x100, 0L, false, false, false, false));
    }

    @ParameterizedTest(name = "lar, lsl, verr, verw of {0}")
    @MethodSource("inspections")
    void inspectingASelectorNeverFaults(String what, int cpl, int selector, long free, boolean lar, boolean lsl,
                                        boolean verr, boolean verw) {
        cpu.ring(cpl);
        if (free != 0) cpu.descriptor(FREE, free);
        cpu.uc.setReg(X86.ECX, selector);
        cpu.uc.setReg(X86.EAX, 0x5A5A5A5A);
        long d = cpu.descriptorAt(selector);
        check("lar", lar, cpu.emulate(0x0F, 0x02, 0xC1), Descriptor.high(d) & 0x00F0FF00);
        check("lsl", lsl, cpu.emulate(0x0F, 0x03, 0xC1), Descriptor.limit(d));
        check("verr", verr, cpu.emulate(0x0F, 0x00, 0xE1), null);
        check("verw", verw, cpu.emulate(0x0F, 0x00, 0xE9), null);
    }

    private void check(String insn, boolean valid, Outcome r, Integer eax) {
        assertEquals(Kind.CONTINUE, r.kind(), insn + ": " + r);
        assertEquals(valid, (cpu.flags() & X86.FLAG_ZF) != 0, insn + ": ZF");
        if (eax != null) {
            if (valid) assertEquals(eax.intValue(), cpu.reg(X86.EAX), insn + ": the result");
            else assertEquals(0x5A5A5A5A, cpu.reg(X86.EAX), insn + ": the result register untouched");
        }
        cpu.uc.setReg(X86.EAX, 0x5A5A5A5A);
        cpu.uc.setReg(X86.EIP, CODE);
    }

    @Test
    void lslAppliesTheGranularity() {
        cpu.uc.setReg(X86.ECX, data(0));
        cpu.emulate(0x0F, 0x03, 0xC1);
        assertEquals(0xFFFFFFFF, cpu.reg(X86.EAX));
        cpu.uc.setReg(X86.ECX, TSS_SEL);
        cpu.emulate(0x0F, 0x03, 0xC1);
        assertEquals(0x67 + 0x2000 + 1, cpu.reg(X86.EAX));
    }

    // ---------------------------------------------------------------- lldt, ltr, sldt, str

    @Test
    void lldtLoadsTheLdtAndSldtReadsItBack() {
        cpu.uc.setReg(X86.ECX, LDT_SEL);
        assertEquals(Kind.CONTINUE, cpu.emulate(0x0F, 0x00, 0xD1).kind());
        assertEquals(0x7000, cpu.uc.readTable(X86.LDTR));
        assertEquals(0xFF, cpu.uc.tableLimit());
        cpu.emulate(0x0F, 0x00, 0xC0);   // sldt eax
        assertEquals(LDT_SEL, cpu.reg(X86.EAX));
        // A segment in the LDT now loads.
        cpu.ram.write64(0x7000 + 8, TestCpu.segment(0, 0xFFFFF, 0x12, 0, true, true));
        cpu.uc.setReg(X86.EAX, 0x0C);
        assertEquals(Kind.CONTINUE, cpu.emulate(0x8E, 0xD8).kind());
        assertEquals(0x0C, cpu.selector(X86.DS));
        // A null selector leaves no LDT.
        cpu.uc.setReg(X86.ECX, 0);
        cpu.emulate(0x0F, 0x00, 0xD1);
        cpu.emulate(0x0F, 0x00, 0xC0);
        assertEquals(0, cpu.reg(X86.EAX));
    }

    static Stream<Arguments> badLldt() {
        return Stream.of(
                Arguments.of("at CPL 1", 1, LDT_SEL, 0L, Vectors.GP, 0),
                Arguments.of("an LDT selector", 0, LDT_SEL | 4, 0L, Vectors.GP, LDT_SEL | 4),
                Arguments.of("not an LDT", 0, TSS_SEL, 0L, Vectors.GP, TSS_SEL),
                Arguments.of("not present", 0, FREE, TestCpu.notPresent(TestCpu.system(0x7000, 0xFF, 0x02, 0)), Vectors.NP, FREE));
    }

    @ParameterizedTest(name = "lldt {0}")
    @MethodSource("badLldt")
    void aBadLldtFaults(String what, int cpl, int selector, long free, int vector, int error) {
        cpu.ring(cpl);
        if (free != 0) cpu.descriptor(FREE, free);
        cpu.uc.setReg(X86.ECX, selector);
        assertEquals(Outcome.fault(vector, error), cpu.emulate(0x0F, 0x00, 0xD1));
    }

    @Test
    void ltrLoadsTheTaskRegisterAndMarksTheTssBusy() {
        cpu.descriptor(FREE, TestCpu.system(0x9000, 0x67, 0x09, 0));
        cpu.uc.setReg(X86.ECX, FREE);
        assertEquals(Kind.CONTINUE, cpu.emulate(0x0F, 0x00, 0xD9).kind());
        assertEquals(0x9000, cpu.uc.readTable(X86.TR));
        assertEquals(FREE, cpu.uc.tableSelector());
        assertEquals(0x0B, Descriptor.type(cpu.descriptorAt(FREE)), "busy");
        cpu.emulate(0x0F, 0x00, 0xC8);   // str eax
        assertEquals(FREE, cpu.reg(X86.EAX));
        // Busy now: a second ltr of it faults.
        assertEquals(Outcome.fault(Vectors.GP, FREE), cpu.emulate(0x0F, 0x00, 0xD9));
    }

    static Stream<Arguments> badLtr() {
        return Stream.of(
                Arguments.of("at CPL 3", 3, TSS_SEL, 0L, Vectors.GP, 0),
                Arguments.of("null", 0, 0, 0L, Vectors.GP, 0),
                Arguments.of("an LDT selector", 0, TSS_SEL | 4, 0L, Vectors.GP, TSS_SEL | 4),
                Arguments.of("not a TSS", 0, LDT_SEL, 0L, Vectors.GP, LDT_SEL),
                Arguments.of("not present", 0, FREE, TestCpu.notPresent(TestCpu.system(0x9000, 0x67, 0x09, 0)), Vectors.NP, FREE));
    }

    @ParameterizedTest(name = "ltr {0}")
    @MethodSource("badLtr")
    void aBadLtrFaults(String what, int cpl, int selector, long free, int vector, int error) {
        cpu.ring(cpl);
        if (free != 0) cpu.descriptor(FREE, free);
        cpu.uc.setReg(X86.ECX, selector);
        assertEquals(Outcome.fault(vector, error), cpu.emulate(0x0F, 0x00, 0xD9));
    }

    // ---------------------------------------------------------------- sysenter, sysexit

    @Test
    void sysenterEntersRingZeroFromTheMsrs() {
        cpu.uc.setMsr(X86.MSR_SYSENTER_CS, code(0));
        cpu.uc.setMsr(X86.MSR_SYSENTER_ESP, 0x7777);
        cpu.uc.setMsr(X86.MSR_SYSENTER_EIP, 0x6666);
        cpu.ring(3).flags(X86.FLAG_IF | X86.FLAG_CF);
        assertEquals(Kind.CONTINUE, cpu.emulate(0x0F, 0x34).kind());
        assertEquals(0, cpu.cpl());
        assertEquals(code(0), cpu.selector(X86.CS));
        assertEquals(code(0) + 8, cpu.selector(X86.SS));
        assertEquals(0x7777, cpu.esp());
        assertEquals(0x6666, cpu.eip());
        assertEquals(X86.FLAG_CF | 2, cpu.flags(), "IF cleared, the rest kept");
    }

    @Test
    void sysexitReturnsToRingThree() {
        cpu.uc.setMsr(X86.MSR_SYSENTER_CS, code(0));
        cpu.uc.setReg(X86.EDX, 0x4444);
        cpu.uc.setReg(X86.ECX, 0x5555);
        assertEquals(Kind.CONTINUE, cpu.emulate(0x0F, 0x35).kind());
        assertEquals(3, cpu.cpl());
        assertEquals((code(0) + 16) | 3, cpu.selector(X86.CS));
        assertEquals((code(0) + 24) | 3, cpu.selector(X86.SS));
        assertEquals(0x5555, cpu.esp());
        assertEquals(0x4444, cpu.eip());
    }

    @Test
    void sysenterAndSysexitFaultWithoutSysenterCs() {
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(0x0F, 0x34));
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(0x0F, 0x35));
        cpu.uc.setMsr(X86.MSR_SYSENTER_CS, code(0));
        cpu.ring(3);
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(0x0F, 0x35), "sysexit at CPL 3");
        assertTrue(cpu.cpl() == 3);
    }
}
