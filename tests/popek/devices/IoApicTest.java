package popek.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static popek.devices.IoApic.*;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IoApicTest {
    private static final int EDGE = 0, UNMASKED = 0;

    private final FakeClock clock = new FakeClock();
    private final LocalApic lapic = new LocalApic(clock, new InterruptController() {
        @Override
        public boolean hasPendingInterrupt() { return false; }

        @Override
        public int acknowledge() { return 0x27; }
    });
    private final IoApic ioapic = new IoApic(lapic, 2);

    @BeforeEach
    void setUp() {
        lapic.write(LocalApic.SVR, 4, 0x1FF);
        lapic.onLevelEoi(ioapic::endOfInterrupt);
    }

    private int reg(int index) {
        ioapic.write(IOREGSEL, 1, index);
        return ioapic.read(IOWIN, 4);
    }

    private void setReg(int index, int value) {
        ioapic.write(IOREGSEL, 1, index);
        ioapic.write(IOWIN, 4, value);
    }

    private int entryLow(int pin) { return reg(REG_TABLE + 2 * pin); }

    private void program(int pin, int low) { setReg(REG_TABLE + 2 * pin, low); }

    private boolean requested(int vector) {
        return (lapic.read(LocalApic.IRR + 0x10 * (vector >>> 5), 4) >>> (vector & 31) & 1) != 0;
    }

    private boolean levelInTmr(int vector) {
        return (lapic.read(LocalApic.TMR + 0x10 * (vector >>> 5), 4) >>> (vector & 31) & 1) != 0;
    }

    /** The CPU takes the interrupt and the handler ends it. */
    private int takeAndEnd() {
        int v = lapic.acknowledge();
        lapic.write(LocalApic.EOI, 4, 0);
        return v;
    }

    /** What a timer that owes ticks asks: is the last edge still short of the CPU? */
    @Test
    void aPinsRequestWaitsUntilTheCpuTakesItsVector() {
        IrqLine pin2 = ioapic.pin(2);
        program(2, UNMASKED | EDGE | 0x30);
        assertFalse(pin2.requestWaiting());
        pin2.pulse();
        assertTrue(pin2.requestWaiting(), "in the local APIC's IRR");
        assertEquals(0x30, lapic.acknowledge());
        assertFalse(pin2.requestWaiting(), "taken (in service)");
        pin2.pulse();
        assertTrue(pin2.requestWaiting(), "the next waits behind it");
        lapic.write(LocalApic.EOI, 4, 0);
        program(2, IoApic.MASKED | EDGE | 0x30);
        assertFalse(pin2.requestWaiting(), "a masked pin holds nothing for the timer to wait on");
    }

    // ---------------------------------------------------------------- registers

    @Test
    void ioregselSelectsAndReadsBack() {
        ioapic.write(IOREGSEL, 4, 0x1FF);
        assertEquals(0xFF, ioapic.read(IOREGSEL, 4), "8 bits");
        ioapic.write(IOREGSEL, 1, REG_VERSION);
        assertEquals(REG_VERSION, ioapic.read(IOREGSEL, 1));
        assertEquals(0x00170020, ioapic.read(IOWIN, 4));
        assertEquals(0, ioapic.read(IOWIN, 2), "IOWIN takes dword accesses only");
        assertEquals(0, ioapic.read(0x20, 4), "nothing else in the window");
    }

    @Test
    void idVersionAndArbitration() {
        assertEquals(0x02000000, reg(REG_ID));
        assertEquals(0x00170020, reg(REG_VERSION), "24 entries (max index 23), version 0x20");
        assertEquals(0x02000000, reg(REG_ARBITRATION));
        setReg(REG_ID, 0xFFFFFFFF);
        assertEquals(0x0F000000, reg(REG_ID), "bits 24-27");
        assertEquals(0x0F000000, reg(REG_ARBITRATION));
        setReg(REG_VERSION, 0);
        setReg(REG_ARBITRATION, 0);
        assertEquals(0x00170020, reg(REG_VERSION));
        assertEquals(0x0F000000, reg(REG_ARBITRATION));
        assertEquals(0, reg(0x03), "reserved");
    }

    @Test
    void everyEntryStartsMasked() {
        for (int n = 0; n < PINS; n++) {
            assertEquals(0x00010000, reg(REG_TABLE + 2 * n), "low " + n);
            assertEquals(0, reg(REG_TABLE + 2 * n + 1), "high " + n);
        }
        assertEquals(0, reg(REG_TABLE + 2 * PINS), "past the last entry");
    }

    @Test
    void entryWriteMasksLeaveStatusAndRemoteIrrToTheChip() {
        program(5, 0xFFFFFFFF);
        assertEquals(0x0001AFFF, entryLow(5), "no delivery status, no remote IRR, no reserved bits");
        setReg(REG_TABLE + 11, 0xFFFFFFFF);
        assertEquals(0xFF000000, reg(REG_TABLE + 11), "destination only");
        setReg(REG_TABLE + 2 * PINS, 0x30);
        assertEquals(0, reg(REG_TABLE + 2 * PINS));
    }

    @Test
    void pinNumbersOutsideTheChipAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ioapic.pin(24));
        assertThrows(IllegalArgumentException.class, () -> ioapic.pin(-1));
    }

    // ---------------------------------------------------------------- edge-triggered

    @Test
    void edgeDeliversOnTheRisingEdgeOnly() {
        program(1, EDGE | UNMASKED | 0x31);
        ioapic.pin(1).set(true);
        assertTrue(requested(0x31));
        assertFalse(levelInTmr(0x31));
        assertEquals(0x31, takeAndEnd());
        ioapic.pin(1).set(true);
        assertFalse(requested(0x31), "still high: no new edge");
        ioapic.pin(1).set(false);
        assertFalse(requested(0x31));
        ioapic.pin(1).pulse();
        assertTrue(requested(0x31));
        assertEquals(0x31, takeAndEnd());
        assertEquals(0, entryLow(1) & REMOTE_IRR);
    }

    @Test
    void anEdgeOnAMaskedPinIsDroppedNotHeld() {
        program(4, MASKED | 0x34);
        ioapic.pin(4).pulse();
        assertFalse(requested(0x34));
        program(4, 0x34);
        assertFalse(requested(0x34), "unmasking delivers no edge that came while masked (82093AA, QEMU)");
        ioapic.pin(4).pulse();
        assertTrue(requested(0x34), "an edge on the unmasked pin goes out");
        assertEquals(0x34, takeAndEnd());
    }

    @Test
    void activeLowEdgeFiresOnTheFallingLine() {
        program(6, 0x36);
        program(6, ACTIVE_LOW | 0x36);
        assertFalse(requested(0x36), "an idle (low) line becoming asserted by a polarity change is not an edge");
        ioapic.pin(6).set(true);
        assertFalse(requested(0x36), "rising is deassertion");
        ioapic.pin(6).set(false);
        assertTrue(requested(0x36), "falling is the edge");
        assertEquals(0x36, takeAndEnd());
    }

    // ---------------------------------------------------------------- level-triggered

    @Test
    void levelSetsRemoteIrrAndIsDeliveredAgainAfterEoiWhileStillHigh() {
        program(9, LEVEL | 0x49);
        ioapic.pin(9).set(true);
        assertTrue(requested(0x49));
        assertTrue(levelInTmr(0x49));
        assertEquals(REMOTE_IRR, entryLow(9) & REMOTE_IRR);
        assertEquals(0x49, lapic.acknowledge());
        ioapic.pin(9).set(true);
        assertFalse(requested(0x49), "Remote IRR holds it back until EOI");
        lapic.write(LocalApic.EOI, 4, 0);
        assertTrue(requested(0x49), "the line is still high: delivered again");
        assertEquals(REMOTE_IRR, entryLow(9) & REMOTE_IRR);
        assertEquals(0x49, lapic.acknowledge());
        ioapic.pin(9).set(false);
        lapic.write(LocalApic.EOI, 4, 0);
        assertFalse(requested(0x49));
        assertEquals(0, entryLow(9) & REMOTE_IRR, "EOI cleared Remote IRR");
        ioapic.pin(9).set(true);
        assertTrue(requested(0x49), "a new assertion goes out at once");
    }

    @Test
    void remoteIrrIsReadOnlyAndAnEdgeEntryHasNone() {
        program(9, LEVEL | REMOTE_IRR | 0x49);
        assertEquals(0, entryLow(9) & REMOTE_IRR, "the guest cannot set it");
        ioapic.pin(9).set(true);
        program(9, LEVEL | 0x4A);
        assertEquals(REMOTE_IRR, entryLow(9) & REMOTE_IRR, "nor clear it by rewriting the entry");
        program(9, EDGE | 0x4A);
        assertEquals(0, entryLow(9) & REMOTE_IRR, "an edge entry has nothing to wait for");
    }

    @Test
    void eoiOfAnotherVectorLeavesRemoteIrrAlone() {
        program(9, LEVEL | 0x49);
        program(10, LEVEL | 0x4A);
        ioapic.pin(9).set(true);
        ioapic.pin(10).set(true);
        ioapic.endOfInterrupt(0x4A);
        assertEquals(REMOTE_IRR, entryLow(9) & REMOTE_IRR);
        ioapic.pin(10).set(false);
        ioapic.endOfInterrupt(0x4A);
        assertEquals(0, entryLow(10) & REMOTE_IRR);
    }

    @Test
    void maskedLevelIsDeliveredWhenUnmaskedIfStillAsserted() {
        program(11, LEVEL | MASKED | 0x4B);
        ioapic.pin(11).set(true);
        assertFalse(requested(0x4B));
        assertEquals(0, entryLow(11) & REMOTE_IRR);
        program(11, LEVEL | 0x4B);
        assertTrue(requested(0x4B));
        assertEquals(0x4B, takeAndEnd());
        assertTrue(requested(0x4B), "EOI with the line high: again");
        lapic.acknowledge();
        ioapic.pin(11).set(false);
        program(11, LEVEL | MASKED | 0x4B);
        lapic.write(LocalApic.EOI, 4, 0);
        program(11, LEVEL | 0x4B);
        assertFalse(requested(0x4B), "a line that dropped while masked is no request");
    }

    @Test
    void activeLowLevelIsAssertedWhileTheLineIsLow() {
        program(16, LEVEL | ACTIVE_LOW | 0x50);
        assertTrue(requested(0x50), "an idle (low) line is asserted");
        assertEquals(0x50, lapic.acknowledge());
        ioapic.pin(16).set(true);
        lapic.write(LocalApic.EOI, 4, 0);
        assertFalse(requested(0x50), "high is deasserted");
        ioapic.pin(16).set(false);
        assertTrue(requested(0x50));
    }

    @Test
    void eoiRegisterEndsALevelVectorToo() {
        program(3, LEVEL | 0x43);
        ioapic.pin(3).set(true);
        assertEquals(0x43, lapic.acknowledge());
        ioapic.pin(3).set(false);
        ioapic.write(EOI, 4, 0x43);
        assertEquals(0, entryLow(3) & REMOTE_IRR);
    }

    @Test
    void extIntAndNmiEntriesDeliverNothingAndSetNoRemoteIrr() {
        program(0, LEVEL | 7 << 8 | 0x30);
        ioapic.pin(0).set(true);
        program(2, EDGE | 4 << 8 | 0x32);
        ioapic.pin(2).pulse();
        assertFalse(lapic.hasPendingInterrupt());
        assertEquals(0, entryLow(0) & REMOTE_IRR);
    }

    @Test
    void lowestPriorityGoesToTheOneApicWhateverTheDestination() {
        setReg(REG_TABLE + 2 * 7 + 1, 0x0F000000);
        program(7, 1 << 8 | 1 << 11 | 0x37);   // lowest priority, logical destination 0x0F
        ioapic.pin(7).pulse();
        assertTrue(requested(0x37));
    }

    @Test
    void illegalVectorIsRefusedByTheLocalApic() {
        program(8, 0x08);
        ioapic.pin(8).pulse();
        assertFalse(lapic.hasPendingInterrupt());
        lapic.write(LocalApic.ESR, 4, 0);
        assertEquals(LocalApic.ESR_RECEIVE_ILLEGAL_VECTOR, lapic.read(LocalApic.ESR, 4));
    }
}
