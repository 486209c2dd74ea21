package popek.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import popek.cpu.TestCpu.Kind;
import popek.cpu.TestCpu.Source;
import popek.engine.X86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static popek.cpu.TestCpu.CODE;
import static popek.cpu.TestCpu.FREE;
import static popek.cpu.TestCpu.TSS;
import static popek.cpu.TestCpu.TSS_SEL;
import static popek.cpu.TestCpu.code;
import static popek.cpu.TestCpu.data;
import static popek.cpu.TestCpu.handler;
import static popek.cpu.TestCpu.stackTop;

/**
 * Delivery of exceptions, software interrupts and external interrupts through the IDT, against the Intel SDM (vol. 2,
 * INT n/INTO/INT3/INT1, Operation: PROTECTED-MODE, TRAP-OR-INTERRUPT-GATE, INTER-PRIVILEGE-LEVEL-INTERRUPT,
 * INTRA-PRIVILEGE-LEVEL-INTERRUPT; vol. 3A, 6.12-6.15): the frame and the stack switch, each check with its fault
 * (#GP, #NP, #TS, #SS) and error code, whose EXT bit says whether the event came from outside the program (an
 * external interrupt or an exception: set; int n, int3, into: clear), the escalation to #DF (table 6-5) and the
 * triple fault.
 */
class InterruptDeliveryTest {
    private TestCpu cpu;

    @BeforeEach
    void open() { cpu = new TestCpu(); }

    @AfterEach
    void close() { cpu.close(); }

    // ---------------------------------------------------------------- the frame

    @Test
    void anInterruptGateAtTheSameRingPushesEflagsCsEipAndClearsIf() {
        cpu.flags(X86.FLAG_IF | X86.FLAG_TF | X86.FLAG_NT | X86.FLAG_RF | X86.FLAG_CF);
        int flags = cpu.flags();
        assertEquals(Kind.DELIVERED, cpu.deliver(0x20, Source.EXTERNAL, 0, 0x1234).kind());
        int esp = cpu.esp();
        assertEquals(stackTop(0) - 12, esp);
        assertEquals(0x1234, cpu.at(esp, 0));
        assertEquals(code(0), cpu.at(esp, 1));
        assertEquals(flags, cpu.at(esp, 2));
        assertEquals(handler(0x20), cpu.eip());
        assertEquals(X86.FLAG_CF | 2, cpu.flags(), "IF, TF, NT and RF cleared");
    }

    /**
     * At the same privilege the frame goes on the stack SS's hidden part describes, whatever the table now says of
     * SS's selector (here a 16-bit segment based at 0x10000, which made Popek push at 0x1fff4 and leave ESP
     * 0x9fff4, where the handler found no frame: a GDT moved under a running kernel, seed 20261207 case
     * 54156 of the differential tester, in both modes). And CS is loaded from the table even with its selector
     * unchanged: the handler runs in the code segment the table now holds (here based at 0x1000).
     */
    @Test
    void theSamePrivilegeFrameGoesOnTheCachedStackAndCsComesFromTheTable() {
        cpu.descriptor(data(0), TestCpu.segment(0x10000, 0xFFFF, 0x12, 0, true, false) & ~(1L << 54));
        cpu.descriptor(code(0), TestCpu.segment(0x1000, 0xFFFFF, 0x1A, 0, true, true));
        assertEquals(Kind.DELIVERED, cpu.deliver(0x20, Source.EXTERNAL, 0, 0x1234).kind());
        assertEquals(stackTop(0) - 12, cpu.esp());
        assertEquals(0x1234, cpu.at(stackTop(0) - 12, 0), "EIP where ESP points, in the flat stack SS still has");
        assertEquals(code(0), cpu.at(stackTop(0) - 12, 1));
        long[] caches = new long[40];
        cpu.uc.context().segmentCaches(caches);
        assertEquals(0x1000, caches[4 * X86.SEG_CS + 1], "CS's base, from the table");
        assertEquals(0, caches[4 * X86.SEG_SS + 1], "SS untouched");
    }

    @Test
    void aTrapGateKeepsIf() {
        cpu.gate(0x30, 0x0F, 0, code(0), handler(0x30), true);
        cpu.flags(X86.FLAG_IF | X86.FLAG_TF);
        cpu.deliver(0x30, Source.EXTERNAL, 0, CODE);
        assertEquals(X86.FLAG_IF | 2, cpu.flags(), "IF kept, TF cleared");
    }

    @Test
    void anExceptionWithAnErrorCodePushesIt() {
        cpu.deliver(Vectors.GP, Source.EXCEPTION, 0x1234, CODE);
        assertEquals(stackTop(0) - 16, cpu.esp());
        assertEquals(0x1234, cpu.at(cpu.esp(), 0));
        assertEquals(CODE, cpu.at(cpu.esp(), 1));
    }

    @Test
    void int3AndIntNPushNoErrorCodeEvenForAnExceptionsVector() {
        cpu.gate(Vectors.GP, 0x0E, 3, code(0), handler(Vectors.GP), true);
        cpu.ram.write(CODE, new byte[] {(byte) 0xCD, 0x0D});
        cpu.ring(3);
        assertEquals(Kind.DELIVERED, cpu.deliver(Vectors.GP, Source.SOFTWARE, 0, CODE + 2).kind());
        assertEquals(stackTop(0) - 20, cpu.esp());
        assertEquals(CODE + 2, cpu.at(cpu.esp(), 0));
    }

    /** From ring {@code from} to a handler in ring {@code to}: the TSS's stack for that ring, and the outer SS:ESP. */
    static Stream<Arguments> ringChanges() {
        return Stream.of(Arguments.of(3, 0), Arguments.of(3, 1), Arguments.of(3, 2), Arguments.of(2, 0),
                Arguments.of(2, 1), Arguments.of(1, 0));
    }

    @ParameterizedTest(name = "from ring {0} to ring {1}")
    @MethodSource("ringChanges")
    void aMorePrivilegedHandlerRunsOnTheStackTheTssNames(int from, int to) {
        cpu.gate(0x20, 0x0E, 0, code(to), handler(0x20), true);
        cpu.ring(from).flags(X86.FLAG_IF);
        int oldEsp = cpu.esp();
        assertEquals(Kind.DELIVERED, cpu.deliver(0x20, Source.EXTERNAL, 0, 0x4444).kind());
        assertEquals(to, cpu.cpl());
        assertEquals(code(to), cpu.selector(X86.CS));
        assertEquals(data(to), cpu.selector(X86.SS));
        int esp = cpu.esp();
        assertEquals(stackTop(to) - 20, esp);
        assertEquals(0x4444, cpu.at(esp, 0));
        assertEquals(code(from), cpu.at(esp, 1));
        assertEquals(X86.FLAG_IF | 2, cpu.at(esp, 2));
        assertEquals(oldEsp, cpu.at(esp, 3));
        assertEquals(data(from), cpu.at(esp, 4));
        assertEquals(data(from), cpu.selector(X86.DS), "DS is not the CPU's to change on an interrupt");
    }

    @Test
    void aConformingHandlerRunsAtTheInterruptedRingOnItsStack() {
        cpu.descriptor(FREE, TestCpu.segment(0, 0xFFFFF, 0x1E, 0, true, true));
        cpu.gate(0x20, 0x0E, 0, FREE, handler(0x20), true);
        cpu.ring(3);
        cpu.deliver(0x20, Source.EXTERNAL, 0, CODE);
        assertEquals(3, cpu.cpl());
        assertEquals(FREE | 3, cpu.selector(X86.CS));
        assertEquals(stackTop(3) - 12, cpu.esp());
    }

    // ---------------------------------------------------------------- the gate's DPL

    @Test
    void intNThroughAGateMorePrivilegedThanTheCallerIsGpWithoutExt() {
        cpu.ram.write(CODE, new byte[] {(byte) 0xCD, (byte) 0x80});
        cpu.ring(3);
        assertEquals(Kind.DELIVERED, cpu.deliver(0x80, Source.SOFTWARE, 0, CODE + 2).kind());
        assertEquals(handler(Vectors.GP), cpu.eip());
        assertEquals(0x80 * 8 + 2, cpu.at(cpu.esp(), 0));
        assertEquals(CODE, cpu.at(cpu.esp(), 1), "the #GP points at the int instruction");
    }

    @Test
    void int3ThroughAGateMorePrivilegedThanTheCallerPointsAtTheInt3() {
        cpu.ram.write8(CODE, 0xCC);
        cpu.ring(3);
        cpu.deliver(Vectors.BP, Source.SOFTWARE, 0, CODE + 1);
        assertEquals(handler(Vectors.GP), cpu.eip());
        assertEquals(Vectors.BP * 8 + 2, cpu.at(cpu.esp(), 0));
        assertEquals(CODE, cpu.at(cpu.esp(), 1));
    }

    @Test
    void exceptionsAndExternalInterruptsIgnoreTheGatesDpl() {
        cpu.ring(3);
        assertEquals(Kind.DELIVERED, cpu.deliver(0x20, Source.EXTERNAL, 0, CODE).kind());
        assertEquals(handler(0x20), cpu.eip());
        cpu.ring(3);
        assertEquals(Kind.DELIVERED, cpu.deliver(Vectors.UD, Source.EXCEPTION, 0, CODE).kind());
        assertEquals(handler(Vectors.UD), cpu.eip());
    }

    // ---------------------------------------------------------------- each check, its fault and error code

    /** The event each source delivers here (its frame returns to CODE, where an int 0x80 is for the software one). */
    private static int vectorOf(Source s) {
        return switch (s) {
            // A benign exception (a fault delivering it is delivered as it is), above #GP's vector so that #GP can
            // still be delivered when the IDT's limit leaves this one out.
            case EXCEPTION -> Vectors.XM;
            case SOFTWARE -> 0x80;
            case EXTERNAL -> 0x20;
        };
    }

    /** SDM 6.13: EXT is set when the event is external to the program (an interrupt, or an exception). */
    private static int ext(Source s) { return s == Source.SOFTWARE ? 0 : 1; }

    private int deliverBroken(Source s) {
        int v = vectorOf(s);
        cpu.ram.write(CODE, new byte[] {(byte) 0xCD, (byte) 0x80});
        var r = cpu.deliver(v, s, 0, s == Source.SOFTWARE ? CODE + 2 : CODE);
        assertEquals(Kind.DELIVERED, r.kind(), r.toString());
        return v;
    }

    /** A check of the gate or its code segment, made broken for vector v; the fault and its error code. */
    interface Breakage {
        /** Breaks the delivery of {@code v}; returns the error code without EXT. */
        int apply(TestCpu cpu, int v);
    }

    static Stream<Arguments> gateChecks() {
        List<Arguments> rows = new ArrayList<>();
        Object[][] checks = {
                {"vector past the IDT's limit", Vectors.GP, (Breakage) (c, v) -> {
                    c.uc.setTable(X86.IDTR, TestCpu.IDT, v * 8 - 1, 0, 0);
                    return v * 8 + 2;
                }},
                {"not an interrupt, trap or task gate", Vectors.GP, (Breakage) (c, v) -> {
                    c.gate(v, 0x0C, 3, code(0), handler(v), true);
                    return v * 8 + 2;
                }},
                {"gate not present", Vectors.NP, (Breakage) (c, v) -> {
                    c.gate(v, 0x0E, 3, code(0), handler(v), false);
                    return v * 8 + 2;
                }},
                {"null code selector", Vectors.GP, (Breakage) (c, v) -> {
                    c.gate(v, 0x0E, 3, 0, handler(v), true);
                    return 0;
                }},
                {"code selector past the GDT", Vectors.GP, (Breakage) (c, v) -> {
                    c.gate(v, 0x0E, 3, 0x100, handler(v), true);
                    return 0x100;
                }},
                {"code selector to data", Vectors.GP, (Breakage) (c, v) -> {
                    c.gate(v, 0x0E, 3, data(0), handler(v), true);
                    return data(0);
                }},
                {"code segment less privileged than the CPL", Vectors.GP, (Breakage) (c, v) -> {
                    c.ring(2);
                    c.gate(v, 0x0E, 3, code(3), handler(v), true);
                    return code(3) & ~3;
                }},
                {"code segment not present", Vectors.NP, (Breakage) (c, v) -> {
                    c.descriptor(FREE, TestCpu.notPresent(TestCpu.segment(0, 0xFFFFF, 0x1A, 0, true, true)));
                    c.gate(v, 0x0E, 3, FREE, handler(v), true);
                    return FREE;
                }},
        };
        for (Source s : Source.values()) {
            for (Object[] c : checks) rows.add(Arguments.of(c[0], s, c[1], c[2]));
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("gateChecks")
    void aBrokenGateOrHandlerSegmentFaultsWithExtForEventsFromOutside(String what, Source s, int fault, Breakage b) {
        int v = vectorOf(s);
        cpu.gate(v, 0x0E, 3, code(0), handler(v), true);   // DPL 3: int n may use it
        int error = b.apply(cpu, v);
        int cpl = cpu.cpl();
        deliverBroken(s);
        assertEquals(handler(fault), cpu.eip(), "delivered as " + Vectors.name(fault));
        assertEquals(error | ext(s), cpu.at(cpu.esp(), 0), "the error code");
        assertEquals(CODE, cpu.at(cpu.esp(), 1), "the fault points at the interrupted instruction");
        assertEquals(code(cpl), cpu.at(cpu.esp(), 2));
    }

    /** From ring 3, the checks of the ring-0 stack the TSS names. */
    static Stream<Arguments> stackChecks() {
        List<Arguments> rows = new ArrayList<>();
        Object[][] checks = {
                {"TSS too short for ESP0 and SS0", Vectors.TS, (Breakage) (c, v) -> {
                    c.uc.setTable(X86.TR, TSS, 8, TSS_SEL, 0x8900);
                    return TSS_SEL;
                }},
                {"SS0 null", Vectors.TS, (Breakage) (c, v) -> {
                    c.ram.write16(TSS + 8, 0);
                    return 0;
                }},
                {"SS0 past the GDT", Vectors.TS, (Breakage) (c, v) -> {
                    c.ram.write16(TSS + 8, 0x100);
                    return 0x100;
                }},
                {"SS0 with RPL 3", Vectors.TS, (Breakage) (c, v) -> {
                    c.ram.write16(TSS + 8, data(0) | 3);
                    return data(0);
                }},
                {"SS0 with DPL 3", Vectors.TS, (Breakage) (c, v) -> {
                    c.ram.write16(TSS + 8, data(3) & ~3);
                    return data(3) & ~3;
                }},
                {"SS0 read-only", Vectors.TS, (Breakage) (c, v) -> {
                    c.descriptor(FREE, TestCpu.segment(0, 0xFFFFF, 0x10, 0, true, true));
                    c.ram.write16(TSS + 8, FREE);
                    return FREE;
                }},
                {"SS0 not present", Vectors.SS, (Breakage) (c, v) -> {
                    c.descriptor(FREE, TestCpu.notPresent(TestCpu.segment(0, 0xFFFFF, 0x12, 0, true, true)));
                    c.ram.write16(TSS + 8, FREE);
                    return FREE;
                }},
        };
        for (Source s : Source.values()) {
            for (Object[] c : checks) rows.add(Arguments.of(c[0], s, c[1], c[2]));
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("stackChecks")
    void aBrokenInnerStackIsTsOrSsWithExtForEventsFromOutside(String what, Source s, int fault, Breakage b) {
        int v = vectorOf(s);
        cpu.gate(v, 0x0E, 3, code(0), handler(v), true);
        // The faults' own handlers run in ring 3, on the stack there, so that they can be delivered at all.
        for (int f = Vectors.TS; f <= Vectors.GP; f++) cpu.gate(f, 0x0E, 0, code(3), handler(f), true);
        cpu.ring(3);
        int error = b.apply(cpu, v);
        deliverBroken(s);
        assertEquals(handler(fault), cpu.eip(), "delivered as " + Vectors.name(fault));
        assertEquals(3, cpu.cpl());
        assertEquals(stackTop(3) - 16, cpu.esp());
        assertEquals(error | ext(s), cpu.at(cpu.esp(), 0), "the error code");
        assertEquals(CODE, cpu.at(cpu.esp(), 1));
    }

    // ---------------------------------------------------------------- #DF and the triple fault

    @Test
    void aContributoryFaultWhileDeliveringAContributoryOneIsADoubleFault() {
        cpu.gate(Vectors.GP, 0x0E, 0, code(0), handler(Vectors.GP), false);
        assertEquals(Kind.DELIVERED, cpu.deliver(Vectors.GP, Source.EXCEPTION, 0, CODE).kind());
        assertEquals(handler(Vectors.DF), cpu.eip());
        assertEquals(0, cpu.at(cpu.esp(), 0), "#DF's error code is 0");
        assertEquals(CODE, cpu.at(cpu.esp(), 1));
    }

    @Test
    void aFaultWhileDeliveringABenignExceptionIsDeliveredAsItIs() {
        cpu.gate(Vectors.UD, 0x0E, 0, code(0), handler(Vectors.UD), false);
        cpu.deliver(Vectors.UD, Source.EXCEPTION, 0, CODE);
        assertEquals(handler(Vectors.NP), cpu.eip());
        assertEquals(Vectors.UD * 8 + 2 + 1, cpu.at(cpu.esp(), 0));
    }

    @Test
    void aGpWhileDeliveringAPageFaultIsADoubleFault() {
        cpu.gate(Vectors.PF, 0x0E, 0, 0x100, handler(Vectors.PF), true);
        cpu.deliver(Vectors.PF, Source.EXCEPTION, 2, CODE);
        assertEquals(handler(Vectors.DF), cpu.eip());
    }

    @Test
    void aPageFaultWhileDeliveringAGpIsDeliveredAsItIs() {
        cpu.paging();
        cpu.pte(stackTop(0) - 4, 0);   // the ring-0 stack's page is gone
        cpu.gate(Vectors.PF, 0x0E, 0, code(3), handler(Vectors.PF), true);   // #PF is handled in ring 3
        cpu.ring(3);
        assertEquals(Kind.DELIVERED, cpu.deliver(Vectors.GP, Source.EXCEPTION, 0, CODE).kind());
        assertEquals(handler(Vectors.PF), cpu.eip());
        assertEquals(3, cpu.cpl());
        assertEquals(0x2, cpu.at(cpu.esp(), 0), "a supervisor write to a page that is not present");
        assertEquals((stackTop(0) - 4) >>> 12, cpu.reg(X86.CR2) >>> 12);
        assertEquals(CODE, cpu.at(cpu.esp(), 1));
    }

    /** CR2 names the first push that faults (SS's, at the top, then down), as the CPU and QEMU push in that order. */
    @Test
    void aFaultingPushReportsItsOwnAddressInCr2() {
        cpu.paging();
        cpu.gate(Vectors.PF, 0x0E, 0, code(3), handler(Vectors.PF), true);   // #PF is handled in ring 3
        cpu.ram.write32(TSS + 4, 0x90008);   // ESP0: the frame straddles pages 0x8F000 and 0x90000
        cpu.pte(0x90000, 0);
        cpu.ring(3);
        cpu.deliver(0x20, Source.EXTERNAL, 0, CODE);
        assertEquals(handler(Vectors.PF), cpu.eip());
        assertEquals(0x90004, cpu.reg(X86.CR2), "the first push, SS's");

        cpu.pte(0x90000, 0x90000 | 7);
        cpu.pte(0x8F000, 0);
        cpu.ring(3);
        cpu.deliver(0x20, Source.EXTERNAL, 0, CODE);
        assertEquals(handler(Vectors.PF), cpu.eip());
        assertEquals(0x8FFFC, cpu.reg(X86.CR2), "the first push below the page boundary, EFLAGS'");
    }

    @Test
    void aPageFaultWhileDeliveringAPageFaultIsADoubleFaultAndOneMoreIsATripleFault() {
        cpu.paging();
        cpu.pte(stackTop(0) - 4, 0);
        assertEquals(Kind.TRIPLE_FAULT, cpu.deliver(Vectors.PF, Source.EXCEPTION, 0, CODE).kind(),
                "#PF, then #PF pushing its frame (#DF), then #PF pushing #DF's: shutdown");
    }

    @Test
    void aFaultWhileDeliveringTheDoubleFaultIsATripleFault() {
        cpu.gate(Vectors.GP, 0x0E, 0, code(0), handler(Vectors.GP), false);
        cpu.gate(Vectors.DF, 0x0E, 0, code(0), handler(Vectors.DF), false);
        assertEquals(Kind.TRIPLE_FAULT, cpu.deliver(Vectors.GP, Source.EXCEPTION, 0, CODE).kind());
    }

    @Test
    void softwareInterruptsNeverEscalateToADoubleFault() {
        // The double-fault guest's case: int3 with its gate absent is #NP; with #NP's gate absent too, #NP while
        // delivering #NP is the double fault.
        cpu.ram.write8(CODE, 0xCC);
        cpu.gate(Vectors.BP, 0x0E, 3, code(0), handler(Vectors.BP), false);
        cpu.deliver(Vectors.BP, Source.SOFTWARE, 0, CODE + 1);
        assertEquals(handler(Vectors.NP), cpu.eip());
        assertEquals(Vectors.BP * 8 + 2, cpu.at(cpu.esp(), 0));

        cpu.ring(0);
        cpu.uc.setReg(X86.EIP, CODE);
        cpu.gate(Vectors.NP, 0x0E, 0, code(0), handler(Vectors.NP), false);
        cpu.deliver(Vectors.BP, Source.SOFTWARE, 0, CODE + 1);
        assertEquals(handler(Vectors.DF), cpu.eip());
    }

    @Test
    void anExternalInterruptWhoseDeliveryFaultsNeverEscalates() {
        cpu.gate(0x20, 0x0E, 0, code(0), handler(0x20), false);
        cpu.gate(Vectors.NP, 0x0E, 0, code(0), handler(Vectors.NP), true);
        cpu.deliver(0x20, Source.EXTERNAL, 0, CODE);
        assertEquals(handler(Vectors.NP), cpu.eip());
    }

    // ---------------------------------------------------------------- what Popek does not emulate

    @Test
    void taskGatesAndSixteenBitGatesAreNotEmulated() {
        cpu.gate(0x20, 0x05, 0, TSS_SEL, 0, true);
        assertEquals(Kind.UNSUPPORTED, cpu.deliver(0x20, Source.EXTERNAL, 0, CODE).kind());
        cpu.gate(0x21, 0x06, 0, code(0), handler(0x21), true);
        assertEquals(Kind.UNSUPPORTED, cpu.deliver(0x21, Source.EXTERNAL, 0, CODE).kind());
    }
}
