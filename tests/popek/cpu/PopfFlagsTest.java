package popek.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import popek.cpu.TestCpu.Kind;
import popek.engine.X86;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What {@code popf} and {@code pushf} do to EFLAGS at every CPL and IOPL, against the Intel SDM (vol. 2, POPF/POPFD
 * and PUSHF/PUSHFD, Operation and Description): IF changes only when CPL &lt;= IOPL and IOPL only at CPL 0, and
 * otherwise both are silently kept, with no fault (Robin &amp; Irvine's sensitive-but-unprivileged case at the heart of
 * Popek &amp; Goldberg); VM, VIF and VIP never change; popfd clears RF; the 16-bit form changes only the low word; pushf
 * stores VM and RF as 0. ({@code iret}'s share of the same rule: {@link IretTest}.)
 */
class PopfFlagsTest {
    private static final int ARITH = 0x0CD5;   // CF PF AF ZF SF DF OF
    private static final int VIF = 1 << 19, VIP = 1 << 20;
    /** The bits no instruction can set: 3, 5, 15 and 22-31 (bit 1 always reads 1). */
    private static final int RESERVED = (1 << 3) | (1 << 5) | (1 << 15) | 0xFFC00000;
    /** Everything set in the value popped, so every bit that may change does. */
    private static final int POPPED = -1;

    private TestCpu cpu;

    @AfterEach
    void close() {
        if (cpu != null) cpu.close();
    }

    /** CPL 0-3 x IOPL 0-3 x IF before 0 or 1: 32 rows. */
    static Stream<Arguments> privileges() {
        List<Arguments> rows = new ArrayList<>();
        for (int cpl = 0; cpl < 4; cpl++) {
            for (int iopl = 0; iopl < 4; iopl++) {
                for (int ifBefore = 0; ifBefore < 2; ifBefore++) rows.add(Arguments.of(cpl, iopl, ifBefore == 1));
            }
        }
        return rows.stream();
    }

    /** The SDM's POPF (32-bit operand) in a few lines: which bits of the popped value reach EFLAGS. */
    private static int sdmPopfd(int old, int popped, int cpl) {
        int iopl = (old & X86.FLAG_IOPL) >>> 12;
        int changes = ARITH | X86.FLAG_TF | X86.FLAG_NT | X86.FLAG_AC | X86.FLAG_ID;
        if (cpl <= iopl) changes |= X86.FLAG_IF;
        if (cpl == 0) changes |= X86.FLAG_IOPL;
        return ((old & ~changes) | (popped & changes) | 2) & ~X86.FLAG_RF & ~RESERVED;
    }

    /** POPF with a 16-bit operand: the low word only, IF and IOPL as for popfd; the high word, RF included, as it was. */
    private static int sdmPopf16(int old, int popped, int cpl) {
        int iopl = (old & X86.FLAG_IOPL) >>> 12;
        int changes = ARITH | X86.FLAG_TF | X86.FLAG_NT;
        if (cpl <= iopl) changes |= X86.FLAG_IF;
        if (cpl == 0) changes |= X86.FLAG_IOPL;
        return ((old & ~changes) | (popped & changes) | 2) & ~RESERVED;
    }

    private void start(int cpl, int iopl, boolean ifBefore, int extra) {
        cpu = new TestCpu().ring(cpl);
        cpu.flags((iopl << 12) | (ifBefore ? X86.FLAG_IF : 0) | extra);
    }

    @ParameterizedTest(name = "popfd at CPL {0}, IOPL {1}, IF {2}")
    @MethodSource("privileges")
    void popfdKeepsIfAndIoplSilentlyWhereTheSdmSays(int cpl, int iopl, boolean ifBefore) {
        start(cpl, iopl, ifBefore, VIF | VIP | X86.FLAG_RF);
        int old = cpu.flags(), esp = cpu.esp();
        cpu.stack(POPPED & ~X86.FLAG_VM);   // (VM set in the image would mean nothing here either way)
        var r = cpu.emulate(0x9D);
        assertEquals(!ifBefore && (cpl <= iopl) ? Kind.INTERRUPT_WINDOW : Kind.CONTINUE, r.kind(), r.toString());
        assertEquals(hex(sdmPopfd(old, POPPED & ~X86.FLAG_VM, cpl)), hex(cpu.flags()));
        assertEquals(esp, cpu.esp());
        assertEquals(TestCpu.CODE + 1, cpu.eip());
    }

    @ParameterizedTest(name = "popfd clearing IF at CPL {0}, IOPL {1}, IF {2}")
    @MethodSource("privileges")
    void popfdOfZeroClearsOnlyWhatItMay(int cpl, int iopl, boolean ifBefore) {
        start(cpl, iopl, ifBefore, ARITH | X86.FLAG_NT | VIF | VIP);
        int old = cpu.flags();
        cpu.stack(0);
        assertEquals(Kind.CONTINUE, cpu.emulate(0x9D).kind());
        assertEquals(hex(sdmPopfd(old, 0, cpl)), hex(cpu.flags()));
    }

    @ParameterizedTest(name = "popf (16-bit) at CPL {0}, IOPL {1}, IF {2}")
    @MethodSource("privileges")
    void popf16ChangesTheLowWordOnly(int cpl, int iopl, boolean ifBefore) {
        start(cpl, iopl, ifBefore, X86.FLAG_AC);
        int old = cpu.flags(), esp = cpu.esp();
        cpu.stack16(0xFFFF);
        cpu.emulate(0x66, 0x9D);
        assertEquals(hex(sdmPopf16(old, 0xFFFF, cpl)), hex(cpu.flags()));
        assertEquals(esp, cpu.esp());
    }

    @ParameterizedTest(name = "pushfd at CPL {0}, IOPL {1}, IF {2}")
    @MethodSource("privileges")
    void pushfdStoresTheFlagsWithVmAndRfClear(int cpl, int iopl, boolean ifBefore) {
        start(cpl, iopl, ifBefore, ARITH | X86.FLAG_RF | X86.FLAG_AC);
        int old = cpu.flags(), esp = cpu.esp();
        assertEquals(Kind.CONTINUE, cpu.emulate(0x9C).kind());
        assertEquals(esp - 4, cpu.esp());
        assertEquals(hex(old & ~(X86.FLAG_RF | X86.FLAG_VM)), hex(cpu.at(cpu.esp(), 0)));
        assertEquals(old, cpu.flags());
    }

    @Test
    void pushf16StoresTheLowWord() {
        start(0, 0, true, ARITH);
        int old = cpu.flags(), esp = cpu.esp();
        cpu.emulate(0x66, 0x9C);
        assertEquals(esp - 2, cpu.esp());
        assertEquals(old & 0xFFFF, cpu.ram.read16(cpu.esp()));
    }

    /** The pure merge itself, for the two cases Robin &amp; Irvine made famous. */
    @Test
    void mergeAtCplThreeWithIoplZeroKeepsIfAndIopl() {
        int old = X86.FLAG_IF | 2;
        int merged = SegmentOps.mergeFlags(old, 0x3000 | ARITH, 3, SegmentOps.FLAG_POPF_MASK);
        assertEquals(X86.FLAG_IF, merged & X86.FLAG_IF, "IF kept");
        assertEquals(0, merged & X86.FLAG_IOPL, "IOPL kept");
        assertEquals(ARITH, merged & ARITH, "the arithmetic flags loaded");
    }

    private static String hex(int v) { return String.format("%08x", v); }
}
