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
import popek.cpu.TestCpu.Outcome;
import popek.devices.PortDevice;
import popek.engine.X86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static popek.cpu.TestCpu.CODE;
import static popek.cpu.TestCpu.TSS;
import static popek.cpu.TestCpu.TSS_SEL;

/**
 * The system instructions SensitiveEmulator emulates, against the Intel SDM (vol. 2, each instruction's Operation and
 * Protected Mode Exceptions; vol. 1, 19.5 for I/O permission): privileged ones fault at CPL &gt; 0, IOPL-sensitive ones
 * at CPL &gt; IOPL, the sensitive-but-unprivileged ones show the guest's own state at any CPL; the I/O bitmap, and a
 * string I/O instruction that faults part way.
 */
class SensitiveEmulatorTest {
    private TestCpu cpu;
    private final List<String> io = new ArrayList<>();

    @BeforeEach
    void open() {
        cpu = new TestCpu();
        cpu.ports.register(0x40, 0x40, new PortDevice() {
            @Override public int read(int port, int size) {
                io.add("in " + Integer.toHexString(port) + "/" + size);
                return 0x44332211;
            }

            @Override public void write(int port, int size, int value) {
                io.add("out " + Integer.toHexString(port) + "/" + size + "=" + Integer.toHexString(value));
            }
        });
    }

    @AfterEach
    void close() { cpu.close(); }

    /** The instruction ran (what it then asks of the run loop is the loop's business). */
    private static void assertRan(Outcome r) {
        assertTrue(r.kind() == Kind.CONTINUE || r.kind() == Kind.INTERRUPT_WINDOW, r.toString());
    }

    // ---------------------------------------------------------------- privilege

    /** Instructions that are #GP(0) at CPL &gt; 0 (whatever IOPL), with a form that does no harm at CPL 0. */
    static Stream<Arguments> privileged() {
        return Stream.of(
                Arguments.of("hlt", new int[] {0xF4}),
                Arguments.of("lgdt", new int[] {0x0F, 0x01, 0x15, 0x00, 0x30, 0x00, 0x00}),
                Arguments.of("lidt", new int[] {0x0F, 0x01, 0x1D, 0x00, 0x30, 0x00, 0x00}),
                Arguments.of("lmsw", new int[] {0x0F, 0x01, 0xF0}),
                Arguments.of("clts", new int[] {0x0F, 0x06}),
                Arguments.of("mov eax, cr0", new int[] {0x0F, 0x20, 0xC0}),
                Arguments.of("mov cr0, eax", new int[] {0x0F, 0x22, 0xC0}),
                Arguments.of("mov eax, dr7", new int[] {0x0F, 0x21, 0xF8}),
                Arguments.of("invlpg", new int[] {0x0F, 0x01, 0x38}),
                Arguments.of("invd", new int[] {0x0F, 0x08}),
                Arguments.of("wbinvd", new int[] {0x0F, 0x09}),
                Arguments.of("rdmsr", new int[] {0x0F, 0x32}),
                Arguments.of("wrmsr", new int[] {0x0F, 0x30}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("privileged")
    void privilegedInstructionsFaultAboveCplZeroWhateverIopl(String what, int[] bytes) {
        cpu.ram.write16(0x3000, cpu.reg(X86.EAX) & 0xFFFF);   // what lgdt/lidt would load: harmless
        cpu.uc.setReg(X86.EAX, cpu.reg(X86.CR0));
        cpu.uc.setReg(X86.ECX, 0x174);   // an MSR Unicorn has
        for (int cpl = 1; cpl < 4; cpl++) {
            cpu.ring(cpl).iopl(3);
            assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(bytes), what + " at CPL " + cpl);
            assertEquals(CODE, cpu.eip());
        }
        cpu.ring(0).iopl(0);
        cpu.uc.setReg(X86.EAX, cpu.reg(X86.CR0));
        cpu.uc.setReg(X86.EDX, 0);
        Outcome r = cpu.emulate(bytes);
        assertTrue(r.kind() != Kind.FAULT, what + " at CPL 0: " + r);
        assertEquals(CODE + bytes.length, cpu.eip());
    }

    @ParameterizedTest(name = "cli and sti at CPL {0}, IOPL {1}")
    @MethodSource("popek.cpu.PopfFlagsTest#privileges")
    void cliAndStiAreIoplSensitive(int cpl, int iopl, boolean ifBefore) {
        cpu.ring(cpl).flags(iopl << 12 | (ifBefore ? X86.FLAG_IF : 0));
        Outcome cli = cpu.emulate(0xFA);
        if (cpl > iopl) {
            assertEquals(Outcome.fault(Vectors.GP, 0), cli);
            assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(0xFB));
            assertEquals(ifBefore, (cpu.flags() & X86.FLAG_IF) != 0);
            return;
        }
        assertEquals(Kind.CONTINUE, cli.kind());
        assertEquals(0, cpu.flags() & X86.FLAG_IF);
        cpu.uc.setReg(X86.EIP, CODE);
        assertEquals(Kind.SHADOW, cpu.emulate(0xFB).kind(), "sti that sets IF: no interrupt until after the next");
        assertEquals(X86.FLAG_IF, cpu.flags() & X86.FLAG_IF);
        cpu.uc.setReg(X86.EIP, CODE);
        assertEquals(Kind.CONTINUE, cpu.emulate(0xFB).kind(), "sti with IF already set: no shadow");
    }

    @Test
    void hltAtCplZeroHalts() {
        assertEquals(Kind.HALT, cpu.emulate(0xF4).kind());
        assertEquals(CODE + 1, cpu.eip());
    }

    // ---------------------------------------------------------------- the guest's own state, at any CPL

    @Test
    void sgdtAndSidtStoreTheGuestsTablesAtAnyCpl() {
        cpu.ring(3);
        cpu.emulate(0x0F, 0x01, 0x05, 0x00, 0x30, 0x00, 0x00);   // sgdt [0x3000]
        assertEquals(TestCpu.GDT_LIMIT, cpu.ram.read16(0x3000));
        assertEquals(TestCpu.GDT, cpu.ram.read32(0x3002));
        cpu.uc.setReg(X86.EIP, CODE);
        cpu.emulate(0x0F, 0x01, 0x0D, 0x00, 0x30, 0x00, 0x00);   // sidt [0x3000]
        assertEquals(TestCpu.IDT_LIMIT, cpu.ram.read16(0x3000));
        assertEquals(TestCpu.IDT, cpu.ram.read32(0x3002));
    }

    @Test
    void lgdtLoadsBaseAndLimitAndA16BitOperandKeeps24BitsOfBase() {
        cpu.ram.write16(0x3000, 0x1FF);
        cpu.ram.write32(0x3002, 0xAB123456);
        cpu.emulate(0x0F, 0x01, 0x1D, 0x00, 0x30, 0x00, 0x00);   // lidt [0x3000]
        assertEquals(0xAB123456L, cpu.uc.readTable(X86.IDTR));
        assertEquals(0x1FF, cpu.uc.tableLimit());
        cpu.uc.setReg(X86.EIP, CODE);
        cpu.emulate(0x66, 0x0F, 0x01, 0x1D, 0x00, 0x30, 0x00, 0x00);   // o16 lidt
        assertEquals(0x123456L, cpu.uc.readTable(X86.IDTR));
    }

    @Test
    void smswShowsTheGuestsCr0AndLmswCannotClearPe() {
        cpu.ring(3);
        cpu.emulate(0x0F, 0x01, 0xE0);   // smsw eax
        assertEquals(cpu.reg(X86.CR0), cpu.reg(X86.EAX));
        cpu.ram.write32(0x3000, 0xFFFFFFFF);
        cpu.uc.setReg(X86.EIP, CODE);
        cpu.emulate(0x0F, 0x01, 0x25, 0x00, 0x30, 0x00, 0x00);   // smsw [0x3000]: a word
        assertEquals(0xFFFF0000 | (cpu.reg(X86.CR0) & 0xFFFF), cpu.ram.read32(0x3000));

        cpu.ring(0);
        cpu.uc.setReg(X86.EAX, X86.CR0_TS);   // lmsw ax with PE clear and TS set
        cpu.emulate(0x0F, 0x01, 0xF0);
        assertEquals(X86.CR0_PE | X86.CR0_TS, cpu.reg(X86.CR0) & 0xF, "PE stays, TS set");
        cpu.uc.setReg(X86.EIP, CODE);
        cpu.emulate(0x0F, 0x06);   // clts
        assertEquals(0, cpu.reg(X86.CR0) & X86.CR0_TS);
    }

    // ---------------------------------------------------------------- control and debug registers

    @Test
    void movToControlRegistersChecksWhatTheSdmForbids() {
        cpu.uc.setReg(X86.EAX, X86.CR0_PG | X86.CR0_ET);   // PG without PE
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(0x0F, 0x22, 0xC0));
        cpu.uc.setReg(X86.EAX, X86.CR0_PE | X86.CR0_NW);   // NW without CD
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(0x0F, 0x22, 0xC0));
        cpu.uc.setReg(X86.EAX, 1 << 20);   // a CR4 bit the virtual CPU does not have
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(0x0F, 0x22, 0xE0));
        cpu.uc.setReg(X86.EAX, X86.CR0_PE);   // ET reads as 1 whatever is written
        assertEquals(Kind.CONTINUE, cpu.emulate(0x0F, 0x22, 0xC0).kind());
        assertEquals(X86.CR0_PE | X86.CR0_ET, cpu.reg(X86.CR0));
        cpu.uc.setReg(X86.EIP, CODE);
        cpu.uc.setReg(X86.EBX, 0x1234000);
        cpu.emulate(0x0F, 0x22, 0xD3);   // mov cr2, ebx
        cpu.uc.setReg(X86.EIP, CODE);
        cpu.emulate(0x0F, 0x20, 0xD1);   // mov ecx, cr2
        assertEquals(0x1234000, cpu.reg(X86.ECX));
    }

    @Test
    void debugRegistersFourAndFiveAliasSixAndSevenUnlessDe() {
        cpu.uc.setReg(X86.EAX, 0);
        cpu.emulate(0x0F, 0x23, 0xF8);   // mov dr7, eax
        cpu.uc.setReg(X86.EIP, CODE);
        cpu.emulate(0x0F, 0x21, 0xE8);   // mov eax, dr5 = dr7
        assertEquals(0x400, cpu.reg(X86.EAX), "DR7 bit 10 reads as 1");
        cpu.uc.setReg(X86.EIP, CODE);
        cpu.emulate(0x0F, 0x21, 0xE0);   // mov eax, dr4 = dr6
        assertEquals(0xFFFF0FF0, cpu.reg(X86.EAX));
        cpu.uc.setReg(X86.CR4, X86.CR4_DE);
        cpu.uc.setReg(X86.EIP, CODE);
        assertEquals(Outcome.fault(Vectors.UD, 0), cpu.emulate(0x0F, 0x21, 0xE0));
    }

    // ---------------------------------------------------------------- time and MSRs

    @Test
    void rdtscIsPrivilegedOnlyWithTsd() {
        cpu.ring(3);
        assertEquals(Kind.CONTINUE, cpu.emulate(0x0F, 0x31).kind());
        cpu.ring(0);
        cpu.uc.setReg(X86.CR4, X86.CR4_TSD);
        cpu.uc.setReg(X86.EIP, CODE);
        assertEquals(Kind.CONTINUE, cpu.emulate(0x0F, 0x31).kind());
        cpu.ring(3);
        cpu.uc.setReg(X86.EIP, CODE);
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(0x0F, 0x31));
    }

    @Test
    void theTscMsrIsTheVirtualTsc() {
        cpu.uc.setReg(X86.ECX, 0x10);
        cpu.uc.setReg(X86.EAX, 0);
        cpu.uc.setReg(X86.EDX, 0x100);   // 2^40
        cpu.emulate(0x0F, 0x30);   // wrmsr
        cpu.uc.setReg(X86.EIP, CODE);
        cpu.emulate(0x0F, 0x31);   // rdtsc
        long t = (cpu.reg(X86.EAX) & 0xFFFFFFFFL) | ((long) cpu.reg(X86.EDX) << 32);
        assertEquals(1L << 40, t, "the clock (manual) did not move: exactly what was written");
    }

    @Test
    void rdpmcAndLegacySyscallAreInvalid() {
        assertEquals(Outcome.fault(Vectors.UD, 0), cpu.emulate(0x0F, 0x33), "rdpmc: no counters");
        cpu.ring(3);
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(0x0F, 0x33), "rdpmc at CPL 3 without CR4.PCE");
        assertEquals(Outcome.fault(Vectors.UD, 0), cpu.emulate(0x0F, 0x05), "syscall");
    }

    // ---------------------------------------------------------------- port I/O

    @Test
    void atCplZeroPortIoReachesTheDevice() {
        cpu.uc.setReg(X86.EAX, 0xAABBCCDD);
        assertRan(cpu.emulate(0xE6, 0x42));   // out 0x42, al
        cpu.uc.setReg(X86.EDX, 0x44);
        assertEquals(Kind.CONTINUE, cpu.emulate(0xED).kind());   // in eax, dx
        assertEquals(0x44332211, cpu.reg(X86.EAX));
        cpu.emulate(0xEC);   // in al, dx
        assertEquals(0x44332211, cpu.reg(X86.EAX), "the low byte replaced only");
        cpu.uc.setReg(X86.EAX, 0xAABBCCDD);
        cpu.emulate(0xEC);
        assertEquals(0xAABBCC11, cpu.reg(X86.EAX));
        assertEquals(List.of("out 42/1=dd", "in 44/4", "in 44/1", "in 44/1"), io);
    }

    /** At CPL 3 with IOPL 0: the bitmap decides, every byte of a wider access checked. */
    static Stream<Arguments> bitmap() {
        return Stream.of(
                Arguments.of("byte, its bit clear", 0x44, 1, -1, true),
                Arguments.of("byte, its bit set", 0x44, 1, 0x44, false),
                Arguments.of("dword, the last byte's bit set", 0x44, 4, 0x47, false),
                Arguments.of("dword across a map byte, the far bit set", 0x46, 4, 0x49, false),
                Arguments.of("dword across a map byte, all clear", 0x46, 4, 0x4A, true),
                Arguments.of("word, the next port's bit set", 0x4F, 2, 0x50, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bitmap")
    void theIoBitmapDecidesAboveIopl(String what, int port, int size, int setBit, boolean allowed) {
        cpu.ring(3);
        if (setBit >= 0) cpu.ram.write8(TSS + 0x68 + setBit / 8, 1 << (setBit % 8));
        cpu.uc.setReg(X86.EDX, port);
        int[] insn = size == 1 ? new int[] {0xEE} : size == 2 ? new int[] {0x66, 0xEF} : new int[] {0xEF};
        Outcome r = cpu.emulate(insn);
        if (allowed) {
            assertRan(r);
            assertEquals(1, io.size());
        } else {
            assertEquals(Outcome.fault(Vectors.GP, 0), r);
            assertEquals(List.of(), io);
        }
    }

    @Test
    void ioplThreeAllowsEveryPortWhateverTheMap() {
        cpu.ring(3).iopl(3);
        cpu.ram.fill(TSS + 0x68, 0x2000, (byte) 0xFF);
        cpu.uc.setReg(X86.EDX, 0x44);
        assertRan(cpu.emulate(0xEE));
        assertEquals(List.of("out 44/1=0"), io);
    }

    @Test
    void aTssTooSmallOrATaskRegisterThatIsNullForbidsEveryPort() {
        cpu.ring(3);
        cpu.uc.setReg(X86.EDX, 0x44);
        cpu.uc.setTable(X86.TR, TSS, 0x66, TSS_SEL, 0x8900);
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(0xEE));
        cpu.uc.setTable(X86.TR, 0, 0, 0, 0);
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(0xEE));
    }

    /**
     * SDM vol. 1, 19.5.2: the CPU reads two bytes of the map for every access, so both must lie within the TSS limit
     * (hence the all-ones byte after a full map): a port whose map byte is the last one within the limit faults.
     */
    @Test
    void theMapIsReadTwoBytesAtATime() {
        cpu.ring(3);
        cpu.uc.setTable(X86.TR, TSS, 0x68 + 15, TSS_SEL, 0x8900);   // map bytes 0-15: ports 0-127
        cpu.uc.setReg(X86.EDX, 0x70);   // byte 14: it and byte 15 are within the limit
        assertRan(cpu.emulate(0xEE));
        assertEquals(1, io.size());
        cpu.uc.setReg(X86.EDX, 0x78);   // byte 15, the last: the second byte read is past the limit
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(0xEE));
        cpu.uc.setReg(X86.EDX, 0x80);   // past the map
        assertEquals(Outcome.fault(Vectors.GP, 0), cpu.emulate(0xEE));
    }

    @Test
    void aRepStringOutThatFaultsPartWayIsRestartable() {
        cpu.paging();
        cpu.ram.write(0x3FFE, new byte[] {1, 2});
        cpu.pte(0x4000, 0);   // the page after 0x3FFF is not present
        cpu.uc.setReg(X86.ESI, 0x3FFE);
        cpu.uc.setReg(X86.ECX, 4);
        cpu.uc.setReg(X86.EDX, 0x44);
        Outcome r = cpu.emulate(0xF3, 0x6E);   // rep outsb
        assertEquals(Vectors.PF, r.vector(), r.toString());
        assertEquals(List.of("out 44/1=1", "out 44/1=2"), io);
        assertEquals(0x4000, cpu.reg(X86.ESI), "ESI says how far it got");
        assertEquals(0x4000, cpu.reg(X86.CR2));
        assertEquals(2, cpu.reg(X86.ECX), "ECX the bytes left");
        assertEquals(CODE, cpu.eip(), "EIP still on the instruction");
    }

    @Test
    void aRepStringInWithDfSetGoesDown() {
        cpu.flags(1 << 10);
        cpu.uc.setReg(X86.EDI, 0x3003);
        cpu.uc.setReg(X86.ECX, 3);
        cpu.uc.setReg(X86.EDX, 0x44);
        assertEquals(Kind.CONTINUE, cpu.emulate(0xF3, 0x6C).kind());   // rep insb
        assertEquals(0x3000, cpu.reg(X86.EDI));
        assertEquals(0, cpu.reg(X86.ECX));
        assertEquals(0x111111, cpu.ram.read32(0x3001) & 0xFFFFFF);
        assertEquals(CODE + 2, cpu.eip());
    }
}
