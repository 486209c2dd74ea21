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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static popek.cpu.TestCpu.CODE;
import static popek.cpu.TestCpu.FREE;

/**
 * The segment checks of an emulated instruction's memory operand, against the Intel SDM (vol. 3A, 5.3 limit checking
 * and 5.4 type checking; vol. 2, each instruction's Protected Mode Exceptions): an offset past the limit, or inside an
 * expand-down segment's limit, is #GP(0), or #SS(0) through SS; a store to read-only data or to code, and a load
 * from execute-only code, are #GP(0); a null DS..GS is #GP(0). Every check comes before anything is read or written.
 * (Found by the differential tester: seed 20261208, cases 81256 and 99776, where full mode stored smsw's word
 * through FS or GS at offset 0xfffffffc, far past the segment's limit.)
 */
class MemoryOperandSegmentTest {
    private TestCpu cpu;
    /** GDT slots for the segments under test. */
    private static final int SMALL = FREE, READ_ONLY = FREE + 8, DOWN = FREE + 16, DOWN16 = FREE + 24, CODE_RO = FREE + 32,
            EXECUTE_ONLY = FREE + 40;
    /** SMALL's limit: its last byte. */
    private static final int LIMIT = 0x1FFFF;
    /** Where the stores go when they are allowed (a data page nothing else uses). */
    private static final int TARGET = 0x30000;

    @BeforeEach
    void open() {
        cpu = new TestCpu();
        cpu.descriptor(SMALL, TestCpu.segment(0, LIMIT, 0x12, 0, true, false));
        cpu.descriptor(READ_ONLY, TestCpu.segment(0, 0xFFFFF, 0x10, 0, true, true));
        cpu.descriptor(DOWN, TestCpu.segment(0, 0xFFFF, 0x16, 0, true, false));                 // expand-down, B set
        cpu.descriptor(DOWN16, TestCpu.segment(0, 0xFFF, 0x16, 0, true, false) & ~(1L << 54)); // expand-down, B clear
        cpu.descriptor(CODE_RO, TestCpu.segment(0, 0xFFFFF, 0x1A, 0, true, true));
        cpu.descriptor(EXECUTE_ONLY, TestCpu.segment(0, 0xFFFFF, 0x18, 0, true, true));
        cpu.ram.write16(TARGET, 0x5A5A);
    }

    @AfterEach
    void close() { cpu.close(); }

    private TestCpu segment(int reg, int selector) {
        cpu.uc.setReg(reg, selector);
        cpu.refresh();
        return cpu;
    }

    /** {@code gs:} + the instruction with a [disp32] memory operand (ModRM mod 00, r/m 101) at {@code offset}. */
    private static int[] gs(int[] opcode, int regField, int offset) {
        int[] b = new int[opcode.length + 6];
        b[0] = 0x65;
        System.arraycopy(opcode, 0, b, 1, opcode.length);
        b[opcode.length + 1] = (regField << 3) | 5;
        for (int i = 0; i < 4; i++) b[opcode.length + 2 + i] = (offset >>> (8 * i)) & 0xFF;
        return b;
    }

    /** Every emulated instruction with a memory operand: its opcode, ModRM reg field, operand bytes, and whether it stores. */
    static Stream<Arguments> instructions() {
        return Stream.of(
                Arguments.of("sgdt", new int[] {0x0F, 0x01}, 0, 6, true),
                Arguments.of("sidt", new int[] {0x0F, 0x01}, 1, 6, true),
                Arguments.of("smsw m", new int[] {0x0F, 0x01}, 4, 2, true),
                Arguments.of("sldt m", new int[] {0x0F, 0x00}, 0, 2, true),
                Arguments.of("str m", new int[] {0x0F, 0x00}, 1, 2, true),
                Arguments.of("mov m, ds", new int[] {0x8C}, 3, 2, true),
                Arguments.of("lgdt", new int[] {0x0F, 0x01}, 2, 6, false),
                Arguments.of("lidt", new int[] {0x0F, 0x01}, 3, 6, false),
                Arguments.of("lmsw m", new int[] {0x0F, 0x01}, 6, 2, false),
                Arguments.of("lldt m", new int[] {0x0F, 0x00}, 2, 2, false),
                Arguments.of("verr m", new int[] {0x0F, 0x00}, 4, 2, false),
                Arguments.of("verw m", new int[] {0x0F, 0x00}, 5, 2, false),
                Arguments.of("lar eax, m", new int[] {0x0F, 0x02}, 0, 2, false),
                Arguments.of("lsl eax, m", new int[] {0x0F, 0x03}, 0, 2, false),
                Arguments.of("mov es, m", new int[] {0x8E}, 0, 2, false),
                Arguments.of("les eax, m", new int[] {0xC4}, 0, 6, false),
                Arguments.of("lfs eax, m", new int[] {0x0F, 0xB4}, 0, 6, false),
                Arguments.of("jmp far m", new int[] {0xFF}, 5, 6, false),
                Arguments.of("call far m", new int[] {0xFF}, 3, 6, false),
                Arguments.of("idiv dword m", new int[] {0xF7}, 7, 4, false));
    }

    /** The operand's last byte past the limit: #GP(0), and a store leaves memory alone. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("instructions")
    void anOperandEndingPastTheLimitIsAGeneralProtectionFault(String what, int[] opcode, int reg, int size, boolean store) {
        segment(X86.GS, SMALL);
        for (int offset : new int[] {LIMIT - size + 2, LIMIT + 1, 0xFFFFFFFC, -size + 1}) {
            cpu.uc.setReg(X86.EIP, CODE);
            cpu.ram.write64(LIMIT + 1 - 8, 0x0123456789ABCDEFL);
            assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(gs(opcode, reg, offset)), what + " at gs:0x" + Integer.toHexString(offset));
            assertEquals(CODE, cpu.eip());
            assertEquals(0x0123456789ABCDEFL, cpu.ram.read64(LIMIT + 1 - 8), "nothing written");
        }
    }

    /** The operand's last byte at the limit: the check passes (the instruction may fault for its own reasons). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("instructions")
    void anOperandEndingAtTheLimitPassesTheCheck(String what, int[] opcode, int reg, int size, boolean store) {
        segment(X86.GS, SMALL);
        int offset = LIMIT - size + 1;
        // Something each can load: a far pointer 8:0, selector 8 (KCODE) in the last word, a divisor of 0x80000.
        cpu.ram.write64(LIMIT + 1 - 8, 0x0008000000000000L);
        int before = cpu.ram.read16(offset);
        Outcome r = cpu.emulate(gs(opcode, reg, offset));
        assertNotEquals(Outcome.fault(Vectors.GP, 0), r, what);
        assertNotEquals(Outcome.fault(Vectors.SS, 0), r, what);
        if (store) assertNotEquals(before, cpu.ram.read16(offset), what + " stored");
    }

    /** Found by the tester: smsw through GS, whose limit is 0x1ffff, at 0xfffffffc (seed 20261208, case 81256). */
    @Test
    void smswFarPastTheLimitStoresNothing() {
        segment(X86.GS, SMALL);
        cpu.ram.write16(0x1FFFE, 0x5A5A);
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(0x65, 0x0F, 0x01, 0x25, 0xFC, 0xFF, 0xFF, 0xFF));
        cpu.uc.setReg(X86.EIP, CODE);
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(0x65, 0x0F, 0x01, 0x25, 0x00, 0x00, 0x02, 0x00), "gs:[0x20000]");
        cpu.uc.setReg(X86.EIP, CODE);
        assertEquals(Kind.CONTINUE, cpu.emulate(0x65, 0x0F, 0x01, 0x25, 0xFE, 0xFF, 0x01, 0x00).kind(), "gs:[0x1fffe], the last word");
        assertEquals(cpu.reg(X86.CR0) & 0xFFFF, cpu.ram.read16(0x1FFFE));
    }

    /**
     * Seed 20261208, case 99776: FS still holds what real mode left in it (base 0, limit 0xffff, writable data) after
     * CR0.PE is set; smsw fs:[0xfffffffc] is past that limit.
     */
    @Test
    void aSegmentLeftByRealModeKeepsItsLimit() {
        cpu.uc.context().loadSegment(X86.SEG_FS, 0, 0, 0xFFFF, 0x9300);
        cpu.refresh();
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(0x64, 0x0F, 0x01, 0x25, 0xFC, 0xFF, 0xFF, 0xFF));
        cpu.uc.setReg(X86.EIP, CODE);
        assertEquals(Kind.CONTINUE, cpu.emulate(0x64, 0x0F, 0x01, 0x25, 0xFE, 0xFF, 0x00, 0x00).kind(), "0xfffe..0xffff is inside");
        assertEquals(cpu.reg(X86.CR0) & 0xFFFF, cpu.ram.read16(0xFFFE));
    }

    @Test
    void theCheckComesBeforeTheStoreWhicheverAddressingIsUsed() {
        segment(X86.DS, SMALL);
        cpu.uc.setReg(X86.EBX, LIMIT - 1);
        cpu.uc.setReg(X86.ESI, 1);
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(0x0F, 0x01, 0x24, 0x33), "smsw [ebx+esi]: 0x1ffff..0x20000");
        cpu.uc.setReg(X86.EIP, CODE);
        cpu.uc.setReg(X86.ESI, 0);
        assertEquals(Kind.CONTINUE, cpu.emulate(0x0F, 0x01, 0x24, 0x33).kind());
    }

    /** SS's limit, through [ebp] (SS by default) or an ss: override: #SS(0), not #GP. */
    @Test
    void anOperandPastTheStackSegmentsLimitIsAStackFault() {
        cpu.uc.setReg(X86.SS, SMALL);
        cpu.uc.setReg(X86.ESP, 0x1F000);
        cpu.refresh();
        cpu.uc.setReg(X86.EBP, LIMIT);
        assertEquals(Outcome.fault(Vectors.SS, 0), cpu.emulate(0x0F, 0x01, 0x65, 0x00), "smsw [ebp]");
        cpu.uc.setReg(X86.EIP, CODE);
        assertEquals(Outcome.fault(Vectors.SS, 0), cpu.emulate(0x36, 0x0F, 0x01, 0x05, 0x00, 0x00, 0x02, 0x00), "sgdt ss:[0x20000]");
        cpu.uc.setReg(X86.EIP, CODE);
        assertEquals(Kind.CONTINUE, cpu.emulate(0x36, 0x0F, 0x01, 0x05, 0xFA, 0xFF, 0x01, 0x00).kind(), "sgdt ss:[0x1fffa]");
    }

    /** Expand-down: the valid offsets are above the limit, up to 4 GiB (B set) or 64 KiB (B clear). */
    @Test
    void anExpandDownSegmentAllowsOnlyWhatIsAboveItsLimit() {
        segment(X86.ES, DOWN);
        int[] sgdtAt = {0x26, 0x0F, 0x01, 0x05};
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(concat(sgdtAt, 0xFFFF)), "at the limit");
        cpu.uc.setReg(X86.EIP, CODE);
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(concat(sgdtAt, 0x100)), "below it");
        cpu.uc.setReg(X86.EIP, CODE);
        assertEquals(Kind.CONTINUE, cpu.emulate(concat(sgdtAt, 0x10000)).kind(), "just above it");
        segment(X86.ES, DOWN16);
        cpu.uc.setReg(X86.EIP, CODE);
        assertEquals(Kind.CONTINUE, cpu.emulate(concat(sgdtAt, 0xFFFA)).kind(), "up to 0xffff with B clear");
        cpu.uc.setReg(X86.EIP, CODE);
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(concat(sgdtAt, 0xFFFB)), "past 0xffff with B clear");
        cpu.uc.setReg(X86.EIP, CODE);
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(concat(sgdtAt, 0xFFF)), "at its limit 0xfff");
    }

    /** Type checks: stores need writable data; loads need data or readable code. */
    @Test
    void storesNeedWritableDataAndLoadsReadableSegments() {
        int[] sgdtEs = {0x26, 0x0F, 0x01, 0x05}, lmswEs = {0x26, 0x0F, 0x01, 0x35};
        for (int sel : new int[] {READ_ONLY, CODE_RO}) {
            segment(X86.ES, sel).uc.setReg(X86.EIP, CODE);
            assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(concat(new int[] {0x26, 0x0F, 0x01, 0x25}, TARGET)), "smsw to 0x" + Integer.toHexString(sel));
            assertEquals(0x5A5A, cpu.ram.read16(TARGET));
            cpu.uc.setReg(X86.EIP, CODE);
            assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(concat(sgdtEs, TARGET)), "sgdt to 0x" + Integer.toHexString(sel));
            cpu.ram.write16(TARGET, cpu.reg(X86.CR0) & 0xFFFF);
            cpu.uc.setReg(X86.EIP, CODE);
            assertEquals(Kind.CONTINUE, cpu.emulate(concat(lmswEs, TARGET)).kind(), "lmsw from 0x" + Integer.toHexString(sel));
            cpu.ram.write16(TARGET, 0x5A5A);
        }
        // CS override: code is never writable; an execute-only CS cannot be read through either.
        cpu.uc.setReg(X86.EIP, CODE);
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(concat(new int[] {0x2E, 0x0F, 0x01, 0x25}, TARGET)), "smsw cs:");
        cpu.uc.context().loadSegment(X86.SEG_CS, EXECUTE_ONLY, 0, 0xFFFFFFFF, (int) (cpu.descriptorAt(EXECUTE_ONLY) >>> 32));
        cpu.refresh();
        cpu.uc.setReg(X86.EIP, CODE);
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(concat(new int[] {0x2E, 0x0F, 0x01, 0x35}, TARGET)), "lmsw cs: execute-only");
    }

    /** A null selector in DS..GS: any access through it is #GP(0). */
    @Test
    void anAccessThroughANullSegmentIsAGeneralProtectionFault() {
        for (int nul : new int[] {0, 3}) {
            segment(X86.FS, nul).uc.setReg(X86.EIP, CODE);
            assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(concat(new int[] {0x64, 0x0F, 0x01, 0x25}, TARGET)), "smsw fs: " + nul);
            cpu.uc.setReg(X86.EIP, CODE);
            assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(concat(new int[] {0x64, 0x0F, 0x00, 0x15}, TARGET)), "lldt fs: " + nul);
        }
        assertEquals(0x5A5A, cpu.ram.read16(TARGET));
    }

    /** ins and outs (rewritten in user code) check ES:EDI and DS:ESI each time round. */
    @Test
    void stringIoChecksItsSegments() {
        cpu.ports.register(0x44, 0x44, new popek.devices.PortDevice() {
            @Override public int read(int port, int size) { return 0x77; }

            @Override public void write(int port, int size, int value) { }
        });
        cpu.uc.setReg(X86.EDX, 0x44);
        segment(X86.ES, READ_ONLY).uc.setReg(X86.EDI, TARGET);
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(0x6C), "insb into read-only ES");
        assertEquals(0x5A, cpu.ram.read8(TARGET));
        segment(X86.ES, SMALL).uc.setReg(X86.EDI, LIMIT - 1);
        cpu.uc.setReg(X86.ECX, 3);
        cpu.uc.setReg(X86.EIP, CODE);
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(0xF3, 0x6C), "rep insb across the limit");
        assertEquals(1, cpu.reg(X86.ECX), "two bytes went in before the third faulted");
        assertEquals(LIMIT + 1, cpu.reg(X86.EDI));
        segment(X86.DS, SMALL).uc.setReg(X86.ESI, LIMIT);
        cpu.uc.setReg(X86.EIP, CODE);
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(0x6F), "outsd from DS at its limit");
        cpu.uc.setReg(X86.EIP, CODE);
        assertTrue(cpu.emulate(0x6E).kind() == Kind.CONTINUE, "outsb from DS at its limit");
    }

    private static int[] concat(int[] head, int disp32) {
        int[] b = java.util.Arrays.copyOf(head, head.length + 4);
        for (int i = 0; i < 4; i++) b[head.length + i] = (disp32 >>> (8 * i)) & 0xFF;
        return b;
    }
}
