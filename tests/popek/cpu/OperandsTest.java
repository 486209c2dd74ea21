package popek.cpu;

import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import popek.engine.X86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static popek.cpu.TestCpu.CODE;
import static popek.cpu.TestCpu.FREE;

/**
 * Operands' decoding of the instructions full mode rewrites, against the Intel SDM (vol. 2, chapter 2: prefixes,
 * ModR/M and SIB in 32- and 16-bit addressing, displacements, immediates), and the linear address of the memory
 * operand with its default or overriding segment.
 */
class OperandsTest {
    private TestCpu cpu;

    @BeforeEach
    void open() {
        cpu = new TestCpu();
        cpu.uc.setReg(X86.EAX, 0x1000);
        cpu.uc.setReg(X86.EBX, 0x2000);
        cpu.uc.setReg(X86.ECX, 0x30);
        cpu.uc.setReg(X86.ESI, 0x20);
        cpu.uc.setReg(X86.EBP, 0x8000);
        // FS based at 0x100000, SS at 0x200000: an operand's segment shows in its address.
        cpu.descriptor(FREE, TestCpu.segment(0x100000, 0xFFFFF, 0x12, 0, true, true));
        cpu.descriptor(FREE + 8, TestCpu.segment(0x200000, 0xFFFFF, 0x12, 0, true, true));
        cpu.uc.setReg(X86.FS, FREE);
        cpu.uc.setReg(X86.SS, FREE + 8);
        cpu.refresh();
    }

    @AfterEach
    void close() { cpu.close(); }

    private Operands decode(boolean code32, int... bytes) {
        java.util.Arrays.fill(cpu.op.bytes, (byte) 0);
        for (int i = 0; i < bytes.length; i++) cpu.op.bytes[i] = (byte) bytes[i];
        cpu.op.decode(CODE, code32);
        return cpu.op;
    }

    /** 32-bit code: bytes, length, the memory operand's linear address (-1: a register operand). */
    static Stream<Arguments> memoryOperands32() {
        int ss = 0x200000, fs = 0x100000;
        return Stream.of(
                Arguments.of("sgdt [0x3000]", new int[] {0x0F, 0x01, 0x05, 0x00, 0x30, 0x00, 0x00}, 7, 0x3000),
                Arguments.of("sgdt [eax]", new int[] {0x0F, 0x01, 0x00}, 3, 0x1000),
                Arguments.of("sgdt [esp+8] (SS)", new int[] {0x0F, 0x01, 0x44, 0x24, 0x08}, 5, ss + TestCpu.stackTop(0) + 8),
                Arguments.of("sgdt [ebx+ecx*4+0x100]", new int[] {0x0F, 0x01, 0x84, 0x8B, 0x00, 0x01, 0x00, 0x00}, 8, 0x2000 + 0xC0 + 0x100),
                Arguments.of("sgdt [ecx*8+0x2000] (no base)", new int[] {0x0F, 0x01, 0x04, 0xCD, 0x00, 0x20, 0x00, 0x00}, 8, 0x2180),
                Arguments.of("sgdt [ebp-4] (SS)", new int[] {0x0F, 0x01, 0x45, 0xFC}, 4, ss + 0x8000 - 4),
                Arguments.of("sgdt ds:[ebp-4]", new int[] {0x3E, 0x0F, 0x01, 0x45, 0xFC}, 5, 0x8000 - 4),
                Arguments.of("sgdt fs:[eax]", new int[] {0x64, 0x0F, 0x01, 0x00}, 4, fs + 0x1000),
                Arguments.of("sgdt [esi+0x12345678]", new int[] {0x0F, 0x01, 0x86, 0x78, 0x56, 0x34, 0x12}, 7, 0x12345698),
                Arguments.of("addr16 sgdt [0x3000]", new int[] {0x67, 0x0F, 0x01, 0x06, 0x00, 0x30}, 6, 0x3000),
                Arguments.of("addr16 sgdt [bx+si]", new int[] {0x67, 0x0F, 0x01, 0x00}, 4, 0x2020),
                Arguments.of("addr16 sgdt [bp+si-2] (SS)", new int[] {0x67, 0x0F, 0x01, 0x42, 0xFE}, 5, ss + 0x801E),
                Arguments.of("addr16 sgdt [bx+0x7FFF]", new int[] {0x67, 0x0F, 0x01, 0x87, 0xFF, 0x7F}, 6, 0x9FFF),
                Arguments.of("lar eax, ecx", new int[] {0x0F, 0x02, 0xC1}, 3, -1),
                Arguments.of("mov ds, [eax]", new int[] {0x8E, 0x18}, 2, 0x1000),
                Arguments.of("ljmp far [eax+4]", new int[] {0xFF, 0x68, 0x04}, 3, 0x1004));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("memoryOperands32")
    void theMemoryOperandsAddressAndTheInstructionsLength(String what, int[] bytes, int length, int address) {
        Operands op = decode(true, bytes);
        assertEquals(length, op.length);
        assertEquals(CODE + length, op.next());
        assertEquals(address >= 0, op.isMemory());
        if (address >= 0) assertEquals(address, op.address(1, false));
    }

    @Test
    void sixteenBitAddressingWrapsAtSixtyFourKilobytes() {
        cpu.uc.setReg(X86.EBX, 0xFFF0);
        assertEquals(0x10, decode(true, 0x67, 0x0F, 0x01, 0x00).address(1, false));   // [bx+si] = 0x10010 & 0xFFFF
    }

    @Test
    void prefixesChooseOperandAndAddressSizeRelativeToTheCodeSegment() {
        Operands op = decode(true, 0x66, 0xEA, 0x34, 0x12, 0x08, 0x00);   // ljmp 0x8:0x1234 (ptr16:16)
        assertEquals(false, op.opsize32);
        assertEquals(6, op.length);
        assertEquals(0x1234, op.imm16(0));
        assertEquals(0x08, op.imm16(2));

        op = decode(false, 0xEA, 0x34, 0x12, 0x08, 0x00);   // the same, in 16-bit code
        assertEquals(false, op.opsize32);
        assertEquals(5, op.length);

        op = decode(false, 0x66, 0xEA, 0x78, 0x56, 0x34, 0x12, 0x08, 0x00);   // ptr16:32 in 16-bit code
        assertEquals(true, op.opsize32);
        assertEquals(8, op.length);
        assertEquals(0x12345678, op.imm32(0));
        assertEquals(0x08, op.imm16(4));

        op = decode(false, 0x0F, 0x01, 0x06, 0x00, 0x30);   // sgdt [0x3000] with 16-bit addressing by default
        assertEquals(false, op.addrsize32);
        assertEquals(5, op.length);
        assertEquals(0x3000, op.address(1, false));
        op = decode(false, 0x67, 0x0F, 0x01, 0x05, 0x00, 0x30, 0x00, 0x00);
        assertEquals(true, op.addrsize32);
        assertEquals(8, op.length);
    }

    @Test
    void immediatesAndRepeats() {
        Operands op = decode(true, 0xCA, 0x08, 0x00);   // retf 8
        assertEquals(3, op.length);
        assertEquals(8, op.imm16(0));
        op = decode(true, 0xE6, 0x80);   // out 0x80, al
        assertEquals(0x80, op.imm8());
        op = decode(true, 0xF3, 0x6E);   // rep outsb
        assertTrue(op.rep);
        assertEquals(2, op.length);
        op = decode(true, 0xF0, 0x2E, 0x0F, 0x01, 0x00);   // lock cs: sgdt [eax]
        assertEquals(X86.SEG_CS, op.segOverride);
        assertEquals(0x0F01, op.opcode);
        assertEquals(5, op.length);
    }

    /** The longest instruction the CPU runs is 15 bytes, prefixes included; a longer one is #GP(0). */
    @Test
    void fifteenBytesAreAnInstructionSixteenAreNot() {
        int[] fifteen = new int[15];
        java.util.Arrays.fill(fifteen, 0x3E);
        fifteen[14] = 0xFA;   // fourteen ds: prefixes and cli
        Operands op = decode(true, fifteen);
        assertEquals(0xFA, op.opcode);
        assertEquals(15, op.length);

        int[] sixteen = new int[16];
        java.util.Arrays.fill(sixteen, 0x3E);
        sixteen[15] = 0xFA;
        GuestFault f = assertThrows(GuestFault.class, () -> decode(true, sixteen));
        assertEquals(Vectors.GP, f.vector);
        int[] longModrm = {0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x0F, 0x01, 0x05, 0x00, 0x30, 0x00, 0x00};
        f = assertThrows(GuestFault.class, () -> decode(true, longModrm));   // 17 bytes
        assertEquals(Vectors.GP, f.vector);
    }
}
