package popek.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Pic8259Test {
    private static final int MASTER_BASE = 0x20, SLAVE_BASE = 0x28;
    private static final int READ_IRR = 0x0A, READ_ISR = 0x0B, EOI = 0x20;

    private final PortBus bus = new PortBus();
    private final Pic8259 pic = new Pic8259();

    @BeforeEach
    void setUp() {
        pic.register(bus);
        initialise(0x11, 0x01);   // edge-triggered, cascade, ICW4 (8086 mode)
    }

    /** The ICW sequence Linux and xv6 send; IMR left all clear. */
    private void initialise(int icw1, int icw4) {
        out(0x20, icw1);
        out(0x21, MASTER_BASE);
        out(0x21, 1 << 2);   // a slave on IR2
        out(0x21, icw4);
        out(0xA0, icw1);
        out(0xA1, SLAVE_BASE);
        out(0xA1, 2);        // slave identity 2
        out(0xA1, icw4);
        out(0x21, 0x00);
        out(0xA1, 0x00);
    }

    private int in(int port) { return bus.read(port, 1); }

    private void out(int port, int value) { bus.write(port, 1, value); }

    private int masterIsr() {
        out(0x20, READ_ISR);
        return in(0x20);
    }

    private int masterIrr() {
        out(0x20, READ_IRR);
        return in(0x20);
    }

    @Test
    void raisedIrqIsPendingThenAcknowledgedIntoServiceThenEnded() {
        assertFalse(pic.hasPendingInterrupt());
        pic.irq(1).pulse();
        assertEquals(0x02, masterIrr());
        assertTrue(pic.hasPendingInterrupt());
        assertEquals(MASTER_BASE + 1, pic.acknowledge());
        assertEquals(0x00, masterIrr(), "acknowledge moved the edge request out of IRR");
        assertEquals(0x02, masterIsr());
        assertFalse(pic.hasPendingInterrupt());
        out(0x20, EOI);
        assertEquals(0x00, masterIsr());
    }

    @Test
    void inServiceBlocksLowerPrioritiesButNotHigherOnes() {
        pic.irq(3).pulse();
        pic.irq(5).pulse();
        assertEquals(MASTER_BASE + 3, pic.acknowledge(), "IR3 outranks IR5");
        assertFalse(pic.hasPendingInterrupt(), "IR5 waits while IR3 is in service");
        pic.irq(1).pulse();
        assertEquals(MASTER_BASE + 1, pic.acknowledge(), "IR1 nests over IR3");
        assertEquals(0x0A, masterIsr());
        out(0x20, EOI);   // ends IR1, the highest in service
        assertEquals(0x08, masterIsr());
        assertFalse(pic.hasPendingInterrupt());
        out(0x20, EOI);
        assertEquals(MASTER_BASE + 5, pic.acknowledge());
    }

    @Test
    void maskedRequestsStayInIrrUntilUnmasked() {
        out(0x21, 0x01);
        assertEquals(0x01, in(0x21));
        pic.irq(0).pulse();
        assertFalse(pic.hasPendingInterrupt());
        assertEquals(0x01, masterIrr());
        out(0x21, 0x00);
        assertTrue(pic.hasPendingInterrupt());
        assertEquals(MASTER_BASE, pic.acknowledge());
    }

    @Test
    void slaveIrqIsDeliveredThroughTheCascadeWithBothInService() {
        pic.irq(12).pulse();
        assertTrue(pic.hasPendingInterrupt());
        assertEquals(SLAVE_BASE + 4, pic.acknowledge());
        assertEquals(0x04, masterIsr(), "the master's IR2 is in service");
        out(0xA0, READ_ISR);
        assertEquals(0x10, in(0xA0));
        assertEquals(0x10 << 8 | 0x04, pic.isr());
        out(0xA0, EOI);
        out(0x20, EOI);
        assertEquals(0, pic.isr());
    }

    @Test
    void maskingTheCascadeHidesTheSlave() {
        out(0x21, 0x04);
        pic.irq(14).pulse();
        assertFalse(pic.hasPendingInterrupt());
        out(0x21, 0x00);
        assertEquals(SLAVE_BASE + 6, pic.acknowledge());
    }

    @Test
    void aRequestThatGoesAwayBeforeAcknowledgeIsSpuriousIrq7() {
        out(0x4D0, 0x08);   // IRQ3 level-triggered
        pic.irq(3).set(true);
        assertTrue(pic.hasPendingInterrupt());
        pic.irq(3).set(false);
        assertEquals(MASTER_BASE + 7, pic.acknowledge());
        assertEquals(0x00, masterIsr(), "a spurious IRQ7 is not put in service");
    }

    @Test
    void aSlaveRequestThatGoesAwayIsSpuriousIrq15WithTheCascadeInService() {
        out(0x4D1, 0x04);   // IRQ10 level-triggered
        pic.irq(10).set(true);
        assertTrue(pic.hasPendingInterrupt());
        pic.irq(10).set(false);
        assertEquals(SLAVE_BASE + 7, pic.acknowledge());
        assertEquals(0x04, masterIsr(), "the master acknowledged IR2, so the guest EOIs the master only");
        out(0xA0, READ_ISR);
        assertEquals(0x00, in(0xA0));
    }

    @Test
    void edgeInputsLatchOnlyOnARisingEdge() {
        pic.irq(4).set(true);
        assertEquals(MASTER_BASE + 4, pic.acknowledge());
        out(0x20, EOI);
        assertFalse(pic.hasPendingInterrupt(), "a line held high is one request");
        pic.irq(4).set(true);
        assertFalse(pic.hasPendingInterrupt());
        pic.irq(4).set(false);
        pic.irq(4).set(true);
        assertTrue(pic.hasPendingInterrupt());
    }

    @Test
    void levelInputsRequestWhileHighEvenAfterEoi() {
        initialise(0x19, 0x01);   // ICW1.LTIM: every input level-triggered
        pic.irq(5).set(true);
        assertEquals(MASTER_BASE + 5, pic.acknowledge());
        out(0x20, EOI);
        assertTrue(pic.hasPendingInterrupt(), "the device still asserts its line");
        pic.irq(5).set(false);
        assertFalse(pic.hasPendingInterrupt());
    }

    @Test
    void icw1ClearsTheMaskAndForgetsLatchedEdges() {
        out(0x21, 0xFF);
        pic.irq(6).pulse();
        initialise(0x11, 0x01);
        assertEquals(0x00, in(0x21));
        assertFalse(pic.hasPendingInterrupt());
    }

    @Test
    void autoEoiDoesNotSetIsr() {
        initialise(0x11, 0x03);
        pic.irq(1).pulse();
        assertEquals(MASTER_BASE + 1, pic.acknowledge());
        assertEquals(0x00, masterIsr());
        pic.irq(12).pulse();
        assertEquals(SLAVE_BASE + 4, pic.acknowledge());
        assertEquals(0, pic.isr());
    }

    @Test
    void specificEoiEndsTheNamedLevel() {
        pic.irq(3).pulse();
        pic.acknowledge();
        pic.irq(1).pulse();
        pic.acknowledge();
        out(0x20, 0x63);   // specific EOI, level 3
        assertEquals(0x02, masterIsr());
    }

    @Test
    void rotateOnEoiMakesTheServicedLevelTheLowest() {
        pic.irq(0).pulse();
        pic.acknowledge();
        out(0x20, 0xA0);   // rotate on non-specific EOI: IR0 becomes the lowest, IR1 the highest
        pic.irq(0).pulse();
        pic.irq(1).pulse();
        assertEquals(MASTER_BASE + 1, pic.acknowledge());
        out(0x20, 0x60 | 1);
        assertEquals(MASTER_BASE, pic.acknowledge());
    }

    @Test
    void setPriorityCommandChoosesTheLowestLevel() {
        out(0x20, 0xC0 | 4);   // IR4 lowest, so IR5 highest
        pic.irq(3).pulse();
        pic.irq(6).pulse();
        assertEquals(MASTER_BASE + 6, pic.acknowledge());
    }

    @Test
    void pollCommandAcknowledgesWithoutACpuCycle() {
        pic.irq(7).pulse();
        out(0x20, 0x0C);
        assertEquals(0x87, in(0x20));
        assertEquals(0x80, masterIsr());
        out(0x20, 0x0C);
        assertEquals(0x00, in(0x20), "nothing requesting");
    }

    @Test
    void elcrMasksTheInputsAPcWiresAsEdge() {
        bus.write(0x4D0, 2, 0xFFFF);   // outw: 0x4D0 then 0x4D1
        assertEquals(0xF8, in(0x4D0));
        assertEquals(0xDE, in(0x4D1));
        assertEquals(0xDEF8, pic.elcr());
        assertEquals(0xDEF8, bus.read(0x4D0, 2));
    }

    @Test
    void isaIrq2IsWiredToIrq9AndOutOfRangeLinesAreRejected() {
        pic.irq(2).pulse();
        assertEquals(SLAVE_BASE + 1, pic.acknowledge());
        assertThrows(IllegalArgumentException.class, () -> pic.irq(16));
    }

    @Test
    void aSlaveRequestStillUpAfterAcknowledgeIsNotLost() {
        initialise(0x11, 0x03);   // auto-EOI: the slave's output stays up with a second request
        pic.irq(12).pulse();
        pic.irq(14).pulse();
        assertEquals(SLAVE_BASE + 4, pic.acknowledge());
        assertTrue(pic.hasPendingInterrupt());
        assertEquals(SLAVE_BASE + 6, pic.acknowledge());
    }

    @Test
    void initialiseProgramsBiosVectorsWithEverythingButTheCascadeMasked() {
        Pic8259 fresh = new Pic8259();
        fresh.initialise(0x08, 0x70);
        assertEquals(0xFFFB, fresh.imr());
        fresh.writeByte(0x21, 0xFE);
        fresh.irq(0).pulse();
        assertEquals(0x08, fresh.acknowledge());
    }
}
