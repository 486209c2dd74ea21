package popek.cpu;

import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import popek.engine.X86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GuestAccess, the VMM's reads and writes on the guest's behalf by linear address: translated through the guest's
 * page tables, faulting as the CPU would (#PF with CR2 and the SDM's error code, vol. 3A 4.7; #GP for memory that is
 * not RAM), page-crossing accesses, writes checked whole before any byte lands, and its own small TLB, which keeps a
 * translation until the guest flushes it but never lets a write skip setting the Dirty bit.
 */
class GuestAccessTest {
    private static final int P = 1, W = 2, U = 4, A = 0x20, D = 0x40;
    private TestCpu cpu;
    private GuestAccess mem;

    @BeforeEach
    void open() {
        cpu = new TestCpu();
        mem = cpu.mem;
    }

    @AfterEach
    void close() { cpu.close(); }

    private void pageFault(int errorCode, int cr2, Executable access) {
        GuestFault f = assertThrows(GuestFault.class, access);
        assertEquals(Vectors.PF, f.vector, "#PF");
        assertEquals(errorCode, f.errorCode, "the error code");
        assertEquals(cr2, cpu.reg(X86.CR2), "CR2");
    }

    @Test
    void withPagingOffLinearIsPhysical() {
        cpu.ram.write32(0x3000, 0x11223344);
        assertEquals(0x11223344, mem.read32(0x3000, false));
        mem.write16(0x3002, 0xAABB, true);
        assertEquals(0xAABB3344, cpu.ram.read32(0x3000));
    }

    @Test
    void withPagingOnAddressesAreTranslated() {
        cpu.paging();
        cpu.pte(0x5000, 0x9000 | P | W | U);
        cpu.ram.write32(0x9010, 0xCAFE);
        assertEquals(0xCAFE, mem.read32(0x5010, false));
        mem.write8(0x5011, 0x77, true);
        assertEquals(0x77FE, cpu.ram.read16(0x9010));
    }

    /** The access, the PTE, and the #PF error code it gets (SDM 4.7: P, W/R, U/S). */
    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of("supervisor read, not present", false, false, 0, 0),
                Arguments.of("supervisor write, not present", true, false, 0, W),
                Arguments.of("user read, not present", false, true, 0, U),
                Arguments.of("user read of a supervisor page", false, true, P | W, P | U),
                Arguments.of("user write to a read-only page", true, true, P | U, P | W | U));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void aFailedTranslationIsAPageFaultWithCr2AndItsErrorCode(String what, boolean write, boolean user, int pte, int error) {
        cpu.paging();
        cpu.pte(0x5000, pte == 0 ? 0 : 0x5000 | pte);
        pageFault(error, 0x5678, () -> {
            if (write) mem.write32(0x5678, 1, user);
            else mem.read32(0x5678, user);
        });
    }

    @Test
    void supervisorWritesToReadOnlyPagesFaultOnlyWithWp() {
        cpu.paging();
        cpu.pte(0x5000, 0x5000 | P | U);
        mem.write32(0x5000, 0x1234, false);   // CR0.WP clear: allowed
        assertEquals(0x1234, cpu.ram.read32(0x5000));
        cpu.uc.setReg(X86.CR0, cpu.reg(X86.CR0) | X86.CR0_WP);
        mem.refresh();
        pageFault(P | W, 0x5004, () -> mem.write32(0x5004, 1, false));
    }

    @Test
    void anAccessAcrossIntoAMissingPageFaultsThere() {
        cpu.paging();
        cpu.pte(0x6000, 0);
        cpu.ram.write32(0x5FFC, 0x44332211);
        pageFault(0, 0x6000, () -> mem.read32(0x5FFE, false));
        assertEquals(0x2211, mem.read16(0x5FFC, false), "the page before is readable");
    }

    @Test
    void aWriteAcrossIntoAMissingPageWritesNothing() {
        cpu.paging();
        cpu.pte(0x6000, 0);
        cpu.ram.write32(0x5FFC, 0);
        pageFault(W, 0x6000, () -> mem.write32(0x5FFE, 0xFFFFFFFF, false));
        assertEquals(0, cpu.ram.read32(0x5FFC), "no byte of it landed in the page that is there");
        pageFault(W, 0x6000, () -> mem.write16(0x5FFF, 0xFFFF, false));
        assertEquals(0, cpu.ram.read32(0x5FFC));
    }

    @Test
    void aWriteAcrossTwoPresentPagesGoesToBothFrames() {
        cpu.paging();
        cpu.pte(0x5000, 0x9000 | P | W);
        cpu.pte(0x6000, 0xB000 | P | W);
        mem.write32(0x5FFE, 0xDDCCBBAA, false);
        assertEquals(0xBBAA, cpu.ram.read16(0x9FFE));
        assertEquals(0xDDCC, cpu.ram.read16(0xB000));
        assertEquals(0xDDCCBBAA, mem.read32(0x5FFE, false));
    }

    /**
     * An access the VMM makes for the guest to a page with no RAM behind it stops the machine, naming the address, as
     * Unicorn stops it when the guest's own access does (the same stop in every mode, not a fault the guest takes).
     */
    @Test
    void memoryThatIsNotRamStopsTheMachine() {
        cpu.paging();
        cpu.pte(0x5000, 0x7FFF0000 | P | W);
        NoMemory m = assertThrows(NoMemory.class, () -> mem.read32(0x5004, false));
        assertEquals(0x7FFF0004L, m.address);
        assertFalse(m.write);
        m = assertThrows(NoMemory.class, () -> mem.write32(0x5008, 1, false));
        assertEquals(0x7FFF0008L, m.address);
        assertTrue(m.write);
    }

    @Test
    void theFirstWriteSetsDirtyEvenAfterAReadCachedTheTranslation() {
        cpu.paging();
        cpu.pte(0x5000, 0x5000 | P | W);
        mem.read32(0x5000, false);
        assertEquals(P | W | A, cpu.pte(0x5000) & 0xFFF, "a read sets Accessed only");
        mem.write32(0x5000, 1, false);
        assertEquals(P | W | A | D, cpu.pte(0x5000) & 0xFFF, "the write set Dirty although the read was cached");
    }

    @Test
    void aCachedTranslationLastsUntilTheGuestFlushes() {
        cpu.paging();
        cpu.pte(0x5000, 0x9000 | P | W);
        cpu.ram.write32(0x9000, 1);
        cpu.ram.write32(0xA000, 2);
        assertEquals(1, mem.read32(0x5000, false));
        cpu.ram.write32(TestCpu.PAGE_TABLE + 4 * 5, 0xA000 | P | W | A);   // no invlpg yet: the CPU may still use the old one
        assertEquals(1, mem.read32(0x5000, false));
        mem.refresh();   // what an emulated invlpg or mov cr3 does
        assertEquals(2, mem.read32(0x5000, false));
    }

    @Test
    void aSupervisorTranslationIsNotReusedForUserAccess() {
        cpu.paging();
        cpu.pte(0x5000, 0x5000 | P | W);
        mem.read32(0x5000, false);
        pageFault(P | U, 0x5000, () -> mem.read32(0x5000, true));
    }

    @Test
    void fetchingInstructionBytesStopsAtAMissingPageAndNeverThrows() {
        cpu.paging();
        cpu.pte(0x6000, 0);
        cpu.ram.write(0x5FFD, new byte[] {1, 2, 3});
        byte[] into = new byte[8];
        assertEquals(3, mem.fetch(0x5FFD, into, 8));
        assertEquals(3, into[2]);
        assertEquals(0, mem.fetch(0x6000, into, 8));
    }
}
