package popek.memory;

import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static popek.memory.PageWalker.FETCH;
import static popek.memory.PageWalker.READ;
import static popek.memory.PageWalker.WRITE;

/**
 * The page walker against the rules of the Intel SDM vol. 3, chapter 4: 32-bit paging (4.3) with 4 KiB pages and
 * PSE 4 MiB pages (PSE-36 high bits, bit 21 reserved), PAE paging (4.4) with 4 KiB and 2 MiB pages, reserved bits
 * (4.7: RSVD, which comes with P), execute-disable (4.6, EFER.NXE; the I/D bit of the error code), U/S and R/W as the
 * AND of the levels with CR0.WP for supervisor writes (4.6), and A/D (4.8). One table of cases per paging mode; each
 * case builds its own tables.
 */
class PageWalkerTest {
    private static final int PG = 0x80000001, WP = 1 << 16;
    private static final int PSE = 0x10, PAE = 0x20;
    private static final long NXE = 1 << 11;
    private static final long P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, XD = 1L << 63;

    private final GuestMemory ram = new GuestMemory(8L << 20);
    private final PageWalker walker = new PageWalker(ram);

    @AfterEach
    void close() { ram.close(); }

    /** A translation to {@code physical}, or a #PF with error code {@code error} (when {@code physical} is -1). */
    record Expect(long physical, int error) {
        static Expect at(long physical) { return new Expect(physical, -1); }

        static Expect fault(int error) { return new Expect(-1, error); }

        @Override public String toString() { return physical >= 0 ? String.format("-> %#x", physical) : String.format("#PF(%#x)", error); }
    }

    record Case(String name, Consumer<GuestMemory> tables, int cr0, int cr3, int cr4, long efer, int access, boolean user,
                Expect expect) {
        @Override public String toString() { return name + " " + expect; }
    }

    private long translate(Case c, int linear) {
        c.tables().accept(ram);
        return walker.translate(c.cr0(), c.cr3(), c.cr4(), c.efer(), linear, c.access(), c.user());
    }

    private void check(Case c, int linear) {
        long p = translate(c, linear);
        if (c.expect().physical() >= 0) {
            assertEquals(c.expect().physical(), p, c.name());
        } else {
            assertEquals(PageWalker.FAULT, p, c.name());
            assertEquals(c.expect().error(), walker.faultErrorCode(), c.name() + String.format(": error code %#x", walker.faultErrorCode()));
        }
    }

    // ---------------------------------------------------------------- 32-bit paging

    /** 32-bit: the page directory at 0x1000, linear 0x00401234 through PDE 1 (at 0x1004) and PTE 1 of the table at 0x2000. */
    private static final int PD32 = 0x1000, PT32 = 0x2000, L32 = 0x00401234;

    private static Consumer<GuestMemory> t32(long pde, long pte) {
        return m -> {
            m.write32(PD32 + 4, (int) pde);
            m.write32(PT32 + 4, (int) pte);
        };
    }

    private static Consumer<GuestMemory> table32(long pdeFlags, long pteFlags) { return t32(PT32 | pdeFlags, 0x5000 | pteFlags); }

    private static Case c32(String name, Consumer<GuestMemory> t, int cr0, int cr4, int access, boolean user, Expect e) {
        return new Case(name, t, cr0, PD32, cr4, 0, access, user, e);
    }

    static Stream<Case> thirtyTwoBit() {
        long all = P | RW | US;
        return Stream.of(
                c32("a 4 KiB page", table32(all, all), PG, 0, READ, false, Expect.at(0x5234)),
                c32("paging off: linear is physical", table32(0, 0), 0x11, 0, WRITE, true, Expect.at(L32)),
                c32("PDE not present, read", table32(0, all), PG, 0, READ, false, Expect.fault(0)),
                c32("PDE not present, write", table32(0, all), PG, 0, WRITE, false, Expect.fault(2)),
                c32("PDE not present, user read", table32(0, all), PG, 0, READ, true, Expect.fault(4)),
                c32("PDE not present, user write", table32(0, all), PG, 0, WRITE, true, Expect.fault(6)),
                c32("PTE not present", table32(all, 0), PG, 0, READ, false, Expect.fault(0)),
                c32("no I/D bit without PAE and NXE", table32(all, 0), PG, 0, FETCH, false, Expect.fault(0)),
                c32("user read, PDE supervisor", table32(P | RW, all), PG, 0, READ, true, Expect.fault(5)),
                c32("user read, PTE supervisor", table32(all, P | RW), PG, 0, READ, true, Expect.fault(5)),
                c32("supervisor read of a user page", table32(all, all), PG, 0, READ, false, Expect.at(0x5234)),
                c32("user write, PDE read-only", table32(P | US, all), PG, 0, WRITE, true, Expect.fault(7)),
                c32("user write, PTE read-only", table32(all, P | US), PG, 0, WRITE, true, Expect.fault(7)),
                c32("user read of a read-only page", table32(P | US, P | US), PG, 0, READ, true, Expect.at(0x5234)),
                c32("supervisor write, read-only, WP=0", table32(P | US, P), PG, 0, WRITE, false, Expect.at(0x5234)),
                c32("supervisor write, PDE read-only, WP=1", table32(P | US, all), PG | WP, 0, WRITE, false, Expect.fault(3)),
                c32("supervisor write, PTE read-only, WP=1", table32(all, P | US), PG | WP, 0, WRITE, false, Expect.fault(3)),
                c32("PS ignored without CR4.PSE", table32(all | PS, all), PG, 0, READ, false, Expect.at(0x5234)),
                c32("a 4 MiB page", t32(0x00C00000 | all | PS, 0), PG, PSE, READ, false, Expect.at(0x00C01234)),
                c32("a 4 MiB page, PAT (bit 12) set", t32(0x00C01000 | all | PS, 0), PG, PSE, READ, false, Expect.at(0x00C01234)),
                c32("PSE-36: bits 20:13 are physical 39:32", t32(0x00C00000 | (0x12L << 13) | all | PS, 0), PG, PSE, READ,
                        false, Expect.at(0x12_00C0_1234L)),
                c32("a 4 MiB page, bit 21 reserved", t32(0x00C00000 | (1L << 21) | all | PS, 0), PG, PSE, READ, false, Expect.fault(9)),
                c32("a 4 MiB page, bit 21 reserved, user write", t32(0x00C00000 | (1L << 21) | all | PS, 0), PG, PSE, WRITE, true,
                        Expect.fault(0xF)),
                c32("a 4 MiB page, user read of a supervisor page", t32(0x00C00000 | P | RW | PS, 0), PG, PSE, READ, true,
                        Expect.fault(5)),
                c32("a 4 MiB page, supervisor write, read-only, WP=1", t32(0x00C00000 | P | PS, 0), PG | WP, PSE, WRITE, false,
                        Expect.fault(3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("thirtyTwoBit")
    void thirtyTwoBitPaging(Case c) { check(c, L32); }

    // ---------------------------------------------------------------- PAE paging

    /**
     * PAE: the PDPT at 0x3000, linear 0x40201234 through PDPTE 1 (at 0x3008), PDE 1 of the directory at 0x4000 (at
     * 0x4008) and PTE 1 of the table at 0x6000 (at 0x6008).
     */
    private static final int PDPT = 0x3000, PD = 0x4000, PT = 0x6000, L = 0x40201234;

    private static Consumer<GuestMemory> pae(long pdpte, long pde, long pte) {
        return m -> {
            m.write64(PDPT + 8, pdpte);
            m.write64(PD + 8, pde);
            m.write64(PT + 8, pte);
        };
    }

    private static Consumer<GuestMemory> pae4k(long pdeFlags, long pte) { return pae(PD | P, PT | pdeFlags, pte); }

    private static Consumer<GuestMemory> pae2m(long pde) { return pae(PD | P, pde, 0); }

    private static Case cp(String name, Consumer<GuestMemory> t, int cr0, long efer, int access, boolean user, Expect e) {
        return new Case(name, t, cr0, PDPT, PAE, efer, access, user, e);
    }

    static Stream<Case> pae() {
        long all = P | RW | US;
        return Stream.of(
                cp("a 4 KiB page", pae4k(all, 0x5000 | all), PG, 0, READ, false, Expect.at(0x5234)),
                cp("a 4 KiB page above 4 GiB (MAXPHYADDR 40)", pae4k(all, 0x12_3456_7000L | all), PG, 0, READ, false,
                        Expect.at(0x12_3456_7234L)),
                cp("a 2 MiB page", pae2m(0x00600000 | all | PS), PG, 0, READ, false, Expect.at(0x00601234)),
                cp("a 2 MiB page, PAT (bit 12) set", pae2m(0x00601000 | all | PS), PG, 0, READ, false, Expect.at(0x00601234)),
                cp("a 2 MiB page, CR4.PSE irrelevant", pae2m(0x00600000 | all | PS), PG, 0, WRITE, false, Expect.at(0x00601234)),
                cp("a 2 MiB page, bit 13 reserved", pae2m(0x00600000 | (1L << 13) | all | PS), PG, 0, READ, false, Expect.fault(9)),
                cp("a 2 MiB page, bit 20 reserved, write", pae2m(0x00600000 | (1L << 20) | all | PS), PG, 0, WRITE, false,
                        Expect.fault(0xB)),
                cp("PDPTE not present", pae(0, PT | all, 0x5000 | all), PG, 0, READ, false, Expect.fault(0)),
                cp("PDPTE bit 1 (no R/W at this level) reserved", pae(PD | P | RW, PT | all, 0x5000 | all), PG, 0, READ, false,
                        Expect.fault(9)),
                cp("PDPTE bit 2 (no U/S) reserved", pae(PD | P | US, PT | all, 0x5000 | all), PG, 0, READ, true, Expect.fault(0xD)),
                cp("PDPTE bit 5 reserved", pae(PD | P | A, PT | all, 0x5000 | all), PG, 0, READ, false, Expect.fault(9)),
                cp("PDPTE bit 63 reserved even with NXE", pae(PD | P | XD, PT | all, 0x5000 | all), PG, NXE, READ, false,
                        Expect.fault(9)),
                cp("PDPTE bit 40 reserved", pae(PD | P | (1L << 40), PT | all, 0x5000 | all), PG, 0, READ, false, Expect.fault(9)),
                cp("PDPTE bits 11:9 ignored", pae(PD | P | 0xE00, PT | all, 0x5000 | all), PG, 0, READ, false, Expect.at(0x5234)),
                cp("PDE bit 40 reserved", pae4k(all | (1L << 40), 0x5000 | all), PG, 0, READ, false, Expect.fault(9)),
                cp("PDE reserved, its PTE not present: RSVD first", pae4k(all | (1L << 45), 0), PG, 0, READ, false, Expect.fault(9)),
                cp("PDE not present: its reserved bits unchecked", pae4k(1L << 45, 0x5000 | all), PG, 0, READ, false,
                        Expect.fault(0)),
                cp("PTE bit 45 reserved", pae4k(all, 0x5000 | all | (1L << 45)), PG, 0, WRITE, false, Expect.fault(0xB)),
                cp("PTE bit 52 reserved (PAE: 62:MAXPHYADDR)", pae4k(all, 0x5000 | all | (1L << 52)), PG, 0, READ, false,
                        Expect.fault(9)),
                cp("PTE bit 62 reserved", pae4k(all, 0x5000 | all | (1L << 62)), PG, 0, READ, true, Expect.fault(0xD)),
                cp("XD without NXE: reserved, read", pae4k(all, 0x5000 | all | XD), PG, 0, READ, false, Expect.fault(9)),
                cp("XD without NXE: reserved, fetch (no I/D)", pae4k(all, 0x5000 | all | XD), PG, 0, FETCH, false, Expect.fault(9)),
                cp("XD in a PDE without NXE: reserved", pae4k(all | XD, 0x5000 | all), PG, 0, READ, false, Expect.fault(9)),
                cp("NXE: an XD page reads", pae4k(all, 0x5000 | all | XD), PG, NXE, READ, false, Expect.at(0x5234)),
                cp("NXE: an XD page writes", pae4k(all, 0x5000 | all | XD), PG, NXE, WRITE, true, Expect.at(0x5234)),
                cp("NXE: fetch from an XD page", pae4k(all, 0x5000 | all | XD), PG, NXE, FETCH, false, Expect.fault(0x11)),
                cp("NXE: user fetch from an XD page", pae4k(all, 0x5000 | all | XD), PG, NXE, FETCH, true, Expect.fault(0x15)),
                cp("NXE: XD in the PDE covers its PTEs", pae4k(all | XD, 0x5000 | all), PG, NXE, FETCH, false, Expect.fault(0x11)),
                cp("NXE: XD on a 2 MiB page", pae2m(0x00600000 | all | PS | XD), PG, NXE, FETCH, false, Expect.fault(0x11)),
                cp("NXE: fetch from an executable page", pae4k(all, 0x5000 | all), PG, NXE, FETCH, false, Expect.at(0x5234)),
                cp("NXE: fetch, not present: I/D set", pae4k(all, 0), PG, NXE, FETCH, false, Expect.fault(0x10)),
                cp("no NXE: fetch, not present: no I/D", pae4k(all, 0), PG, 0, FETCH, false, Expect.fault(0)),
                cp("user read, PDE supervisor", pae4k(P | RW, 0x5000 | all), PG, 0, READ, true, Expect.fault(5)),
                cp("user read, PTE supervisor", pae4k(all, 0x5000 | P | RW), PG, 0, READ, true, Expect.fault(5)),
                cp("user write, PDE read-only", pae4k(P | US, 0x5000 | all), PG, 0, WRITE, true, Expect.fault(7)),
                cp("user write, PTE read-only", pae4k(all, 0x5000 | P | US), PG, 0, WRITE, true, Expect.fault(7)),
                cp("supervisor write, read-only, WP=0", pae4k(P, 0x5000 | P), PG, 0, WRITE, false, Expect.at(0x5234)),
                cp("supervisor write, read-only, WP=1", pae4k(all, 0x5000 | P | US), PG | WP, 0, WRITE, false, Expect.fault(3)),
                cp("a 2 MiB page, user write, read-only", pae2m(0x00600000 | P | US | PS), PG, 0, WRITE, true, Expect.fault(7)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pae")
    void paePaging(Case c) { check(c, L); }

    // ---------------------------------------------------------------- what a translation reports, and A/D

    @Test
    void aReadSetsAccessedAtEveryLevelAndAWriteSetsDirtyOnTheLeafOnly() {
        t32(PT32 | P | RW, 0x5000 | P | RW).accept(ram);
        assertEquals(0x5234, walker.translate(PG, PD32, 0, 0, L32, READ, false));
        assertEquals(PT32 | P | RW | A, ram.read32(PD32 + 4));
        assertEquals(0x5000 | P | RW | A, ram.read32(PT32 + 4));
        assertTrue(walker.lastWritable());
        assertFalse(walker.lastDirty(), "a read leaves D clear, so shadow paging maps the page read-only until the first write");
        assertEquals(0x5234, walker.translate(PG, PD32, 0, 0, L32, WRITE, false));
        assertEquals(PT32 | P | RW | A, ram.read32(PD32 + 4), "D is never set in a PDE that points to a table");
        assertEquals(0x5000 | P | RW | A | D, ram.read32(PT32 + 4));
        assertTrue(walker.lastDirty());
    }

    @Test
    void aLargePagesAccessedAndDirtyBitsAreInItsDirectoryEntry() {
        t32(0x00C00000 | P | RW | PS, 0).accept(ram);
        walker.translate(PG, PD32, PSE, 0, L32, READ, false);
        assertEquals(0x00C00000 | P | RW | PS | A, ram.read32(PD32 + 4));
        walker.translate(PG, PD32, PSE, 0, L32, WRITE, false);
        assertEquals(0x00C00000 | P | RW | PS | A | D, ram.read32(PD32 + 4));

        pae2m(0x00600000 | P | RW | PS).accept(ram);
        walker.translate(PG, PDPT, PAE, 0, L, WRITE, false);
        assertEquals(0x00600000 | P | RW | PS | A | D, ram.read64(PD + 8));
        assertEquals(PD | P, ram.read64(PDPT + 8), "a PAE PDPTE has no accessed bit");
    }

    @Test
    void paeSetsAccessedAndDirtyAndReportsExecutability() {
        pae4k(P | RW, 0x5000 | P | RW | XD).accept(ram);
        walker.translate(PG, PDPT, PAE, NXE, L, WRITE, false);
        assertEquals(PT | P | RW | A, ram.read64(PD + 8));
        assertEquals(0x5000 | P | RW | XD | A | D, ram.read64(PT + 8));
        assertFalse(walker.lastExecutable());
        assertTrue(walker.lastWritable() && walker.lastDirty());
        ram.write64(PT + 8, 0x5000 | P);
        walker.translate(PG, PDPT, PAE, NXE, L, READ, false);
        assertTrue(walker.lastExecutable());
        assertTrue(walker.lastWritable(), "supervisor, WP=0: writable whatever R/W says");
        walker.translate(PG | WP, PDPT, PAE, NXE, L, READ, false);
        assertFalse(walker.lastWritable(), "WP=1: R/W=0 binds the supervisor too");
    }

    @Test
    void aFaultingWalkChangesNoEntry() {
        t32(PT32 | P | RW, 0x5000 | P).accept(ram);
        assertEquals(PageWalker.FAULT, walker.translate(PG, PD32, 0, 0, L32, READ, true));
        assertEquals(PT32 | P | RW, ram.read32(PD32 + 4));
        assertEquals(0x5000 | P, ram.read32(PT32 + 4));
    }

    @Test
    void tablesOutsideRamAreNotPresent() {
        ram.write32(PD32 + 4, (int) (0x7FFF_F000L | P | RW));   // a page table at 2 GiB, far past 8 MiB of RAM
        assertEquals(PageWalker.FAULT, walker.translate(PG, PD32, 0, 0, L32, READ, false));
        assertEquals(0, walker.faultErrorCode());
    }

    @Test
    void thePdptesTheCpuLoadsAtMovCr3AreCheckedForReservedBits() {
        assertTrue(walker.pdptesValid(PDPT), "four not-present entries are valid");
        ram.write64(PDPT + 8, PD | P);
        ram.write64(PDPT + 16, PD | (1L << 40));   // not present: its other bits are not checked
        assertTrue(walker.pdptesValid(PDPT));
        for (long bad : new long[] {RW, US, A, D, PS, 1L << 8, 1L << 40, 1L << 52, XD}) {
            ram.write64(PDPT + 24, PD | P | bad);
            assertFalse(walker.pdptesValid(PDPT), String.format("bit %d", Long.numberOfTrailingZeros(bad)));
        }
        ram.write64(PDPT + 24, PD | P | 0xE00 | 0x18);   // 11:9 ignored, PWT and PCD allowed
        assertTrue(walker.pdptesValid(PDPT));
        assertTrue(walker.pdptesValid(PDPT | 0x1F), "CR3 bits 4:0 are not part of the PDPT's address");
        assertFalse(walker.pdptesValid(0x7FFFFFE0), "a PDPT outside RAM");
    }
}
