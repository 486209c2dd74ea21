package popek.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static popek.devices.LocalApic.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LocalApicTest {
    /** The 8259 pair as LINT0 sees it: one vector it may be asking for. */
    private static final class FakePic implements InterruptController {
        boolean pending;
        int vector = 0x20;
        int acknowledged;

        @Override
        public boolean hasPendingInterrupt() { return pending; }

        @Override
        public int acknowledge() {
            acknowledged++;
            pending = false;
            return vector;
        }
    }

    private final FakeClock clock = new FakeClock();
    private final FakePic pic = new FakePic();
    private final LocalApic apic = new LocalApic(clock, pic);
    private final List<Integer> levelEois = new ArrayList<>();

    LocalApicTest() { apic.onLevelEoi(levelEois::add); }

    private int rd(int offset) { return apic.read(offset, 4); }

    private void wr(int offset, int value) { apic.write(offset, 4, value); }

    private void enable(int spuriousVector) { wr(SVR, SVR_ENABLED | spuriousVector); }

    private static boolean bit(int[] words, int vector) { return (words[vector >>> 5] >>> (vector & 31) & 1) != 0; }

    private int[] words(int base) {
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) w[i] = rd(base + 0x10 * i);
        return w;
    }

    private boolean inIrr(int vector) { return bit(words(IRR), vector); }

    private boolean inIsr(int vector) { return bit(words(ISR), vector); }

    private boolean inTmr(int vector) { return bit(words(TMR), vector); }

    private int latchedEsr() {
        wr(ESR, 0);
        return rd(ESR);
    }

    private void eoi() { wr(EOI, 0); }

    // ---------------------------------------------------------------- reset and write masks

    @Test
    void resetValuesAreWhatTheFirmwareLeaves() {
        assertEquals(0, rd(ID));
        assertEquals(0x00050014, rd(VERSION));
        assertEquals(0, rd(TPR));
        assertEquals(0, rd(APR));
        assertEquals(0, rd(PPR));
        assertEquals(0, rd(LDR));
        assertEquals(0xFFFFFFFF, rd(DFR));
        assertEquals(0x000000FF, rd(SVR));
        for (int i = 0; i < 8; i++) {
            assertEquals(0, rd(ISR + 0x10 * i));
            assertEquals(0, rd(TMR + 0x10 * i));
            assertEquals(0, rd(IRR + 0x10 * i));
        }
        assertEquals(0, rd(ESR));
        assertEquals(0, rd(ICR_LOW));
        assertEquals(0, rd(ICR_HIGH));
        assertEquals(0x00010000, rd(LVT_TIMER));
        assertEquals(0x00010000, rd(LVT_THERMAL));
        assertEquals(0x00010000, rd(LVT_PERF));
        assertEquals(0x00000700, rd(LVT_LINT0));
        assertEquals(0x00000400, rd(LVT_LINT1));
        assertEquals(0x00010000, rd(LVT_ERROR));
        assertEquals(0, rd(TICR));
        assertEquals(0, rd(TCCR));
        assertEquals(0, rd(TDCR));
        assertEquals(Timed.NEVER, apic.nextDeadline());
    }

    @Test
    void writableBitsOfEachRegister() {
        wr(ID, 0xFFFFFFFF);
        assertEquals(0xFF000000, rd(ID));
        wr(TPR, 0xFFFFFFFF);
        assertEquals(0xFF, rd(TPR));
        wr(LDR, 0xFFFFFFFF);
        assertEquals(0xFF000000, rd(LDR));
        wr(DFR, 0);
        assertEquals(0x0FFFFFFF, rd(DFR), "the model bits clear, the rest read as ones");
        wr(SVR, 0xFFFFFFFF);
        assertEquals(0x3FF, rd(SVR), "vector, enable, focus; EOI-broadcast suppression is not offered");
        wr(TDCR, 0xFFFFFFFF);
        assertEquals(0xB, rd(TDCR));
        wr(ICR_HIGH, 0xFFFFFFFF);
        assertEquals(0xFF000000, rd(ICR_HIGH));
        wr(ICR_LOW, 0xFFFFFFFF);   // ExtINT mode, all excluding self: sends nothing
        assertEquals(0x000CCFFF, rd(ICR_LOW), "delivery status and reserved bits read 0");
        wr(LVT_TIMER, 0xFFFFFFFF);
        assertEquals(0x000300FF, rd(LVT_TIMER));
        wr(LVT_THERMAL, 0xFFFFFFFF);
        assertEquals(0x000107FF, rd(LVT_THERMAL));
        wr(LVT_PERF, 0xFFFFFFFF);
        assertEquals(0x000107FF, rd(LVT_PERF));
        wr(LVT_LINT0, 0xFFFFFFFF);
        assertEquals(0x0001A7FF, rd(LVT_LINT0));
        wr(LVT_LINT1, 0xFFFFFFFF);
        assertEquals(0x0001A7FF, rd(LVT_LINT1));
        wr(LVT_ERROR, 0xFFFFFFFF);
        assertEquals(0x000100FF, rd(LVT_ERROR));
    }

    @Test
    void readOnlyRegistersIgnoreWrites() {
        apic.accept(0x40, false);
        wr(VERSION, 0);
        wr(PPR, 0xFF);
        wr(IRR + 0x20, 0);
        wr(ISR + 0x20, 0xFFFFFFFF);
        wr(TMR + 0x20, 0xFFFFFFFF);
        wr(TCCR, 1234);
        wr(APR, 0xFF);
        assertEquals(0x00050014, rd(VERSION));
        assertEquals(0, rd(PPR));
        assertEquals(1, rd(IRR + 0x20));
        assertEquals(0, rd(ISR + 0x20));
        assertEquals(0, rd(TMR + 0x20));
        assertEquals(0, rd(TCCR));
        assertEquals(0, rd(APR));
    }

    @Test
    void onlyAlignedDwordAccessesReachARegister() {
        wr(TPR, 0x35);
        assertEquals(0x35, rd(TPR));
        assertEquals(0, apic.read(TPR, 1), "a byte read of a register reads 0");
        assertEquals(0, apic.read(TPR, 2));
        assertEquals(0, apic.read(VERSION + 4, 4), "a dword inside a register's 16 bytes reads 0");
        apic.write(TPR, 1, 0x77);
        apic.write(TPR + 4, 4, 0x77);
        assertEquals(0x35, rd(TPR), "such writes are ignored");
        assertEquals(0, rd(0x3F0), "reserved");
        assertEquals(0, rd(0xFF0), "reserved");
        assertEquals(0, rd(EOI), "write-only");
        assertEquals(0, apic.read(SIZE, 4), "past the page");
    }

    @Test
    void lvtMaskBitsStaySetWhileSoftwareDisabledAndDisablingSetsThemAll() {
        wr(LVT_TIMER, 0x30);
        assertEquals(0x10030, rd(LVT_TIMER), "a disabled APIC keeps its LVT masked");
        enable(0xFF);
        wr(LVT_TIMER, 0x30);
        wr(LVT_LINT0, 0x700);
        wr(LVT_ERROR, 0xFE);
        assertEquals(0x30, rd(LVT_TIMER));
        wr(SVR, 0xFF);
        assertEquals(0x10030, rd(LVT_TIMER));
        assertEquals(0x10700, rd(LVT_LINT0));
        assertEquals(0x100FE, rd(LVT_ERROR));
        assertEquals(0x10400, rd(LVT_LINT1));
        enable(0xFF);
        assertEquals(0x10030, rd(LVT_TIMER), "enabling again does not unmask");
    }

    // ---------------------------------------------------------------- priority

    @Test
    void pprIsTprUnlessTheInServiceClassIsHigher() {
        enable(0xFF);
        wr(TPR, 0x45);
        assertEquals(0x45, rd(PPR), "nothing in service");
        apic.accept(0x61, false);
        assertEquals(0x61, apic.acknowledge());
        assertEquals(0x60, rd(PPR), "the in-service class, low nibble 0");
        wr(TPR, 0x65);
        assertEquals(0x65, rd(PPR), "same class: the TPR");
        wr(TPR, 0x72);
        assertEquals(0x72, rd(PPR));
        wr(TPR, 0);
        eoi();
        assertEquals(0, rd(PPR));
    }

    @Test
    void requestGoesFromIrrToIsrAndLeavesOnEoi() {
        enable(0xFF);
        assertFalse(apic.hasPendingInterrupt());
        apic.accept(0x41, false);
        assertTrue(inIrr(0x41));
        assertTrue(apic.hasPendingInterrupt());
        assertEquals(0x41, apic.acknowledge());
        assertFalse(inIrr(0x41));
        assertTrue(inIsr(0x41));
        assertFalse(apic.hasPendingInterrupt());
        eoi();
        assertFalse(inIsr(0x41));
        assertTrue(levelEois.isEmpty(), "an edge-triggered vector's EOI is not broadcast");
    }

    @Test
    void higherClassPreemptsAndSameOrLowerClassWaitsForEoi() {
        enable(0xFF);
        apic.accept(0x41, false);
        assertEquals(0x41, apic.acknowledge());
        apic.accept(0x4F, false);
        apic.accept(0x32, false);
        assertFalse(apic.hasPendingInterrupt(), "0x4F is in 0x41's class, 0x32 below it");
        apic.accept(0x51, false);
        assertTrue(apic.hasPendingInterrupt());
        assertEquals(0x51, apic.acknowledge(), "a higher class nests");
        assertTrue(inIsr(0x41) && inIsr(0x51));
        eoi();
        assertFalse(inIsr(0x51), "EOI ends the highest in service");
        assertTrue(inIsr(0x41));
        assertFalse(apic.hasPendingInterrupt());
        eoi();
        assertEquals(0x4F, apic.acknowledge(), "then the highest waiting vector");
        eoi();
        assertEquals(0x32, apic.acknowledge());
    }

    @Test
    void tprHoldsBackItsClassAndBelow() {
        enable(0xFF);
        wr(TPR, 0x50);
        apic.accept(0x55, false);
        assertFalse(apic.hasPendingInterrupt(), "class 5 is not above TPR class 5");
        apic.accept(0x60, false);
        assertTrue(apic.hasPendingInterrupt());
        assertEquals(0x60, apic.acknowledge());
        eoi();
        assertFalse(apic.hasPendingInterrupt());
        wr(TPR, 0x4F);
        assertEquals(0x55, apic.acknowledge());
    }

    @Test
    void acknowledgeWithNothingDeliverableGivesTheSpuriousVector() {
        enable(0xEF);
        wr(LVT_LINT0, 0x10700);   // keep the 8259 out of it
        assertEquals(0xEF, apic.acknowledge());
        assertEquals(0, rd(ISR + 0x70), "a spurious vector does not go in service");
        apic.accept(0x45, false);
        assertTrue(apic.hasPendingInterrupt());
        wr(TPR, 0x40);   // raised between INTR and INTA
        assertEquals(0xEF, apic.acknowledge());
        assertTrue(inIrr(0x45), "the held-back request stays requested");
        assertFalse(inIsr(0x45));
    }

    @Test
    void requestsWaitInIrrWhileSoftwareDisabled() {
        apic.accept(0x41, false);
        assertTrue(inIrr(0x41));
        assertFalse(apic.hasPendingInterrupt());
        enable(0xFF);
        assertTrue(apic.hasPendingInterrupt());
        assertEquals(0x41, apic.acknowledge());
    }

    @Test
    void levelTriggeredVectorsSetTmrAndTheirEoiIsBroadcast() {
        enable(0xFF);
        apic.accept(0x50, true);
        apic.accept(0x30, false);
        assertTrue(inTmr(0x50));
        assertFalse(inTmr(0x30));
        assertEquals(0x50, apic.acknowledge());
        eoi();
        assertEquals(List.of(0x50), levelEois, "the level-triggered vector's EOI is broadcast");
        assertEquals(0x30, apic.acknowledge());
        eoi();
        assertEquals(List.of(0x50), levelEois, "the edge-triggered one's is not");
        eoi();
        assertEquals(List.of(0x50), levelEois, "an EOI with nothing in service does nothing");
        apic.accept(0x50, false);
        assertFalse(inTmr(0x50), "TMR follows the trigger mode of the latest request");
    }

    // ---------------------------------------------------------------- errors

    @Test
    void illegalVectorIsDroppedAndLoggedAsReceiveError() {
        enable(0xFF);
        apic.accept(15, false);
        assertEquals(0, rd(IRR), "nothing requested");
        assertFalse(apic.hasPendingInterrupt());
        assertEquals(0, rd(ESR), "not visible until the ESR is written");
        assertEquals(ESR_RECEIVE_ILLEGAL_VECTOR, latchedEsr());
        assertEquals(0x40, ESR_RECEIVE_ILLEGAL_VECTOR);
        apic.accept(16, false);
        assertTrue(inIrr(16), "16 is the first legal vector");
    }

    @Test
    void esrWriteLatchesTheErrorsSinceTheLastWriteAndStartsAfresh() {
        enable(0xFF);
        apic.accept(3, false);
        assertEquals(0, rd(ESR));
        wr(ESR, 0xFFFFFFFF);   // the value written does not matter
        assertEquals(0x40, rd(ESR));
        assertEquals(0x40, rd(ESR), "reading does not clear it");
        wr(ICR_LOW, 1 << 18 | 7);   // a self-IPI with an illegal vector
        assertEquals(0x40, rd(ESR), "new errors wait for the next write");
        wr(ESR, 0);
        assertEquals(0x20, rd(ESR), "only the error since the last write");
        wr(ESR, 0);
        assertEquals(0, rd(ESR));
    }

    @Test
    void anErrorRaisesTheUnmaskedLvtErrorInterrupt() {
        enable(0xFF);
        apic.accept(2, false);
        assertFalse(apic.hasPendingInterrupt(), "LVT error masked");
        wr(LVT_ERROR, 0xFE);
        apic.accept(2, false);
        assertTrue(inIrr(0xFE));
        assertEquals(0xFE, apic.acknowledge());
    }

    // ---------------------------------------------------------------- ICR

    @Test
    void selfIpiByShorthandAndByDestination() {
        enable(0xFF);
        wr(ICR_LOW, 1 << 18 | 0x40);   // self
        assertTrue(inIrr(0x40));
        assertEquals(0, rd(ICR_LOW) & 0x1000, "delivery status: already sent");
        wr(ICR_LOW, 2 << 18 | 0x41);   // all including self
        assertTrue(inIrr(0x41));
        wr(ICR_LOW, 3 << 18 | 0x42);   // all excluding self
        assertFalse(inIrr(0x42));
        wr(ID, 0x03000000);
        wr(ICR_HIGH, 0x05000000);
        wr(ICR_LOW, 0x43);             // physical, to APIC 5
        assertFalse(inIrr(0x43));
        wr(ICR_HIGH, 0x03000000);
        wr(ICR_LOW, 0x44);             // physical, to APIC 3: this one
        assertTrue(inIrr(0x44));
        wr(ICR_LOW, 0x145);            // lowest priority, to this one
        assertTrue(inIrr(0x45));
        wr(LDR, 0x02000000);
        wr(ICR_HIGH, 0x01000000);
        wr(ICR_LOW, 0x800 | 0x46);     // logical flat, to group 1
        assertFalse(inIrr(0x46));
        wr(ICR_HIGH, 0x03000000);
        wr(ICR_LOW, 0x800 | 0x47);     // logical flat, to groups 1 and 2
        assertTrue(inIrr(0x47));
        assertFalse(inTmr(0x47));
        assertEquals(0, latchedEsr());
    }

    @Test
    void initAndStartupAreAcceptedAndDoNothing() {
        enable(0xFF);
        wr(ICR_HIGH, 0);
        wr(ICR_LOW, 0x4500);           // INIT, level assert
        wr(ICR_LOW, 0x0600 | 0x10);    // STARTUP at 0x10000: a vector field below 16 is the start page, not an error
        wr(ICR_LOW, 1 << 18 | 0x500);  // INIT to self
        assertEquals(0, rd(IRR) | rd(IRR + 0x10) | rd(IRR + 0x20));
        assertFalse(apic.hasPendingInterrupt());
        assertEquals(0, latchedEsr());
        assertEquals(0x0500 | 1 << 18, rd(ICR_LOW), "the command stays readable");
    }

    @Test
    void ipiWithAnIllegalVectorIsASendError() {
        enable(0xFF);
        wr(ICR_LOW, 1 << 18 | 0x0F);
        assertEquals(0, rd(IRR));
        assertEquals(ESR_SEND_ILLEGAL_VECTOR, latchedEsr());
        assertEquals(0x20, ESR_SEND_ILLEGAL_VECTOR);
    }

    // ---------------------------------------------------------------- timer

    @ParameterizedTest
    @CsvSource({"0x0, 2", "0x1, 4", "0x2, 8", "0x3, 16", "0x8, 32", "0x9, 64", "0xA, 128", "0xB, 1"})
    void oneShotCountsDownAtTheDividedRateAndFiresOnce(String tdcr, int divide) {
        enable(0xFF);
        clock.set(5_000);
        wr(LVT_TIMER, 0x30);
        wr(TDCR, Integer.decode(tdcr));
        wr(TICR, 1000);
        long expiry = 5_000 + 1000L * divide;
        assertEquals(1000, rd(TICR));
        assertEquals(1000, rd(TCCR));
        assertEquals(expiry, apic.nextDeadline());
        clock.set(5_000 + 250L * divide);
        assertEquals(750, rd(TCCR));
        clock.set(expiry - 1);
        assertEquals(1, rd(TCCR), "the last count lasts until the expiry itself");
        apic.advance(expiry - 1);
        assertFalse(apic.hasPendingInterrupt(), "not due yet");
        clock.set(expiry);
        assertEquals(0, rd(TCCR));
        apic.advance(expiry);
        assertTrue(inIrr(0x30));
        assertEquals(0x30, apic.acknowledge());
        eoi();
        assertEquals(Timed.NEVER, apic.nextDeadline());
        clock.set(expiry + 100_000L * divide);
        apic.advance(clock.nanos());
        assertFalse(apic.hasPendingInterrupt(), "a one-shot fires once");
        assertEquals(0, rd(TCCR), "and stays at 0");
    }

    @ParameterizedTest
    @CsvSource({"0x0, 2", "0x1, 4", "0x2, 8", "0x3, 16", "0x8, 32", "0x9, 64", "0xA, 128", "0xB, 1"})
    void periodicReloadsAndFiresEachPeriod(String tdcr, int divide) {
        enable(0xFF);
        wr(LVT_TIMER, LVT_PERIODIC | 0x31);
        wr(TDCR, Integer.decode(tdcr));
        wr(TICR, 100);
        long period = 100L * divide;
        for (int n = 1; n <= 3; n++) {
            assertEquals(n * period, apic.nextDeadline());
            clock.set(n * period);
            assertEquals(100, rd(TCCR), "reloaded as it reaches 0");
            apic.advance(n * period);
            assertEquals(0x31, apic.acknowledge(), "period " + n);
            eoi();
            clock.set(n * period + 30L * divide);
            assertEquals(70, rd(TCCR));
        }
    }

    @Test
    void periodicTimerLateBySeveralPeriodsOwesThemOneAtATimeAndKeepsItsPhase() {
        enable(0xFF);
        wr(LVT_TIMER, LVT_PERIODIC | 0x31);
        wr(TICR, 100);   // divide by 2: a period of 200 ns
        clock.set(1_050);
        apic.advance(1_050);   // expiries at 200, 400, 600, 800 and 1000 were due
        assertEquals(4, apic.owedTimerTicks(), "IRR holds one; four are owed");
        assertEquals(1_200, apic.nextDeadline(), "nothing more is due while the vector waits in IRR");
        int taken = 0;
        while (apic.hasPendingInterrupt()) {
            assertEquals(0x31, apic.acknowledge());
            taken++;
            if (apic.nextDeadline() <= clock.nanos()) apic.advance(clock.nanos());   // as the run loop does
            assertFalse(apic.hasPendingInterrupt(), "the next waits behind the one in service");
            eoi();
        }
        assertEquals(5, taken, "one interrupt per period");
        assertEquals(1_200, apic.nextDeadline());
        assertEquals(75, rd(TCCR));
    }

    @Test
    void owedTimerTicksAreForgivenByMaskingOrANewCount() {
        enable(0xFF);
        wr(LVT_TIMER, LVT_PERIODIC | 0x31);
        wr(TICR, 100);
        clock.set(1_050);
        apic.advance(1_050);
        assertEquals(4, apic.owedTimerTicks());
        wr(TICR, 100);
        assertEquals(0, apic.owedTimerTicks(), "a new count");
        assertEquals(0x31, apic.acknowledge());
        eoi();
        clock.set(2_050);
        apic.advance(2_050);
        assertEquals(4, apic.owedTimerTicks());
        wr(LVT_TIMER, LVT_MASKED | LVT_PERIODIC | 0x31);
        assertEquals(0, apic.owedTimerTicks(), "masked");
        assertEquals(Timed.NEVER, apic.nextDeadline());
    }

    @Test
    void maskedTimerCountsButDeliversNothing() {
        enable(0xFF);
        wr(LVT_TIMER, LVT_MASKED | LVT_PERIODIC | 0x31);
        wr(TICR, 100);
        assertEquals(Timed.NEVER, apic.nextDeadline(), "no event to wake for");
        clock.set(450);
        assertEquals(75, rd(TCCR));
        apic.advance(450);
        assertFalse(apic.hasPendingInterrupt());
        assertEquals(0, rd(IRR + 0x10));
        wr(LVT_TIMER, LVT_PERIODIC | 0x31);   // unmasked: the phase of the running count is kept
        assertEquals(600, apic.nextDeadline());
        assertFalse(apic.hasPendingInterrupt(), "expiries while masked are not replayed");
        clock.set(600);
        apic.advance(600);
        assertEquals(0x31, apic.acknowledge());
    }

    @Test
    void maskedOneShotRunsOutWithoutAnInterrupt() {
        enable(0xFF);
        wr(LVT_TIMER, LVT_MASKED | 0x30);
        wr(TICR, 10);
        clock.set(100);
        wr(LVT_TIMER, 0x30);
        apic.advance(100);
        assertFalse(apic.hasPendingInterrupt());
        assertEquals(0, rd(TCCR));
        assertEquals(Timed.NEVER, apic.nextDeadline());
    }

    @Test
    void writingZeroToTicrStopsTheTimer() {
        enable(0xFF);
        wr(LVT_TIMER, LVT_PERIODIC | 0x31);
        wr(TICR, 100);
        clock.set(50);
        wr(TICR, 0);
        assertEquals(0, rd(TCCR));
        assertEquals(Timed.NEVER, apic.nextDeadline());
        clock.set(10_000);
        apic.advance(10_000);
        assertFalse(apic.hasPendingInterrupt());
    }

    @Test
    void rewritingTicrRestartsTheCount() {
        enable(0xFF);
        wr(LVT_TIMER, 0x30);
        wr(TICR, 100);
        clock.set(150);
        wr(TICR, 500);
        assertEquals(500, rd(TCCR));
        assertEquals(150 + 1000, apic.nextDeadline());
        apic.advance(250);
        assertFalse(apic.hasPendingInterrupt(), "the old count's expiry at 200 is gone");
    }

    @Test
    void newDivideCarriesTheCurrentCountOnAtTheNewRate() {
        enable(0xFF);
        wr(LVT_TIMER, 0x30);
        wr(TICR, 1000);   // divide by 2
        clock.set(401);
        assertEquals(800, rd(TCCR));
        wr(TDCR, 0xB);    // divide by 1
        assertEquals(800, rd(TCCR));
        assertEquals(401 + 800, apic.nextDeadline());
        clock.set(601);
        assertEquals(600, rd(TCCR));
    }

    @Test
    void switchingToPeriodicMidCountKeepsTheCountAndThenReloads() {
        enable(0xFF);
        wr(LVT_TIMER, 0x30);
        wr(TICR, 100);   // divide by 2, expiry at 200
        clock.set(100);
        wr(LVT_TIMER, LVT_PERIODIC | 0x30);
        assertEquals(50, rd(TCCR));
        assertEquals(200, apic.nextDeadline());
        clock.set(200);
        apic.advance(200);
        assertEquals(0x30, apic.acknowledge());
        assertEquals(400, apic.nextDeadline(), "and goes on as a periodic timer");
    }

    @Test
    void timerWithAnIllegalVectorLogsAReceiveError() {
        enable(0xFF);
        wr(LVT_TIMER, 0x05);
        wr(TICR, 1);
        clock.set(2);
        apic.advance(2);
        assertEquals(0, rd(IRR));
        assertEquals(ESR_RECEIVE_ILLEGAL_VECTOR, latchedEsr());
    }

    // ---------------------------------------------------------------- the 8259 through LINT0

    @Test
    void softwareDisabledApicPassesThe8259Through() {
        wr(LVT_LINT0, 0x0030);   // not ExtINT (and held masked while disabled): a disabled APIC passes it anyway
        assertEquals(0x10030, rd(LVT_LINT0));
        pic.pending = true;
        pic.vector = 0x21;
        assertTrue(apic.hasPendingInterrupt());
        assertEquals(0x21, apic.acknowledge());
        assertEquals(1, pic.acknowledged);
        assertFalse(apic.hasPendingInterrupt());
    }

    @Test
    void enabledApicWithLint0MaskedBlocksThe8259() {
        enable(0xEF);
        wr(LVT_LINT0, 0x10700);
        pic.pending = true;
        assertFalse(apic.hasPendingInterrupt());
        assertEquals(0xEF, apic.acknowledge(), "spurious: the 8259 is not asked");
        assertEquals(0, pic.acknowledged);
    }

    @Test
    void enabledApicWithLint0AsExtIntPassesThe8259() {
        enable(0xEF);
        pic.pending = true;
        pic.vector = 0x24;
        assertTrue(apic.hasPendingInterrupt(), "LINT0 is ExtINT and unmasked after reset");
        assertEquals(0x24, apic.acknowledge());
        assertEquals(1, pic.acknowledged);
        wr(LVT_LINT0, 0x0030);   // fixed mode: not a virtual wire
        pic.pending = true;
        assertFalse(apic.hasPendingInterrupt());
        wr(LVT_LINT0, 0x0700);
        assertTrue(apic.hasPendingInterrupt());
    }

    @Test
    void theApicsOwnInterruptGoesBeforeThe8259s() {
        enable(0xEF);
        pic.pending = true;
        apic.accept(0x41, false);
        assertEquals(0x41, apic.acknowledge());
        assertEquals(0, pic.acknowledged);
        assertTrue(apic.hasPendingInterrupt(), "the 8259 still waits, not blocked by the ISR");
        assertEquals(0x20, apic.acknowledge());
    }
}
