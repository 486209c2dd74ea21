package popek.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CmosRtcTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long MIB = 1L << 20;
    /** A Thursday, two seconds before a leap day ends. */
    private static final Instant POWER_ON = Instant.parse("2024-02-29T23:59:58Z");

    private final FakeClock clock = new FakeClock();
    private final RecordingLine irq8 = new RecordingLine(clock);
    private final PortBus bus = new PortBus();
    private CmosRtc rtc;

    @BeforeEach
    void setUp() {
        rtc = new CmosRtc(clock, POWER_ON, 64 * MIB, irq8);
        rtc.register(bus);
    }

    private int cmos(int index) {
        bus.write(0x70, 1, index);
        return bus.read(0x71, 1);
    }

    private void setCmos(int index, int value) {
        bus.write(0x70, 1, index);
        bus.write(0x71, 1, value);
    }

    @Test
    void timeReadsInBcdTwentyFourHourByDefault() {
        assertEquals(0x02, cmos(0x0B));
        assertEquals(0x58, cmos(0x00));
        assertEquals(0x59, cmos(0x02));
        assertEquals(0x23, cmos(0x04));
        assertEquals(0x05, cmos(0x06), "Thursday (Sunday is 1)");
        assertEquals(0x29, cmos(0x07));
        assertEquals(0x02, cmos(0x08));
        assertEquals(0x24, cmos(0x09));
        assertEquals(0x20, cmos(0x32));
    }

    @Test
    void timeFollowsTheVirtualClockAcrossMonthEnd() {
        clock.set(2 * SECOND);
        assertEquals(0x00, cmos(0x00));
        assertEquals(0x00, cmos(0x04));
        assertEquals(0x01, cmos(0x07));
        assertEquals(0x03, cmos(0x08));
        assertEquals(0x06, cmos(0x06), "Friday");
        clock.set(2 * SECOND - 1);
        assertEquals(0x59, cmos(0x00));
    }

    @Test
    void binaryModeAndTwelveHourMode() {
        setCmos(0x0B, 0x06);   // binary, 24-hour
        assertEquals(58, cmos(0x00));
        assertEquals(23, cmos(0x04));
        assertEquals(24, cmos(0x09));
        assertEquals(20, cmos(0x32));
        setCmos(0x0B, 0x00);   // BCD, 12-hour
        assertEquals(0x80 | 0x11, cmos(0x04), "11 PM");
        clock.set(2 * SECOND);
        assertEquals(0x12, cmos(0x04), "midnight is 12 AM");
        setCmos(0x0B, 0x04);   // binary, 12-hour
        clock.set(13 * 3600 * SECOND);
        assertEquals(0x80 | 12, cmos(0x04), "noon is 12 PM");
    }

    @Test
    void guestSetsTheTimeWithTheSetBit() {
        setCmos(0x0B, 0x82);
        clock.set(10 * SECOND);
        assertEquals(0x58, cmos(0x00), "registers hold while SET");
        assertEquals(0, cmos(0x0A) & 0x80, "no update in progress while SET");
        setCmos(0x00, 0x30);
        setCmos(0x02, 0x15);
        setCmos(0x04, 0x12);
        setCmos(0x07, 0x01);
        setCmos(0x08, 0x01);
        setCmos(0x09, 0x00);
        setCmos(0x32, 0x20);
        setCmos(0x0B, 0x02);
        assertEquals(0x30, cmos(0x00));
        clock.advance(SECOND);
        assertEquals(0x31, cmos(0x00));
        assertEquals(0x15, cmos(0x02));
        assertEquals(0x12, cmos(0x04));
        assertEquals(0x00, cmos(0x09));
        assertEquals(0x07, cmos(0x06), "2000-01-01 was a Saturday");
    }

    @Test
    void aTimeRegisterWrittenWithoutSetTakesEffectAtOnce() {
        setCmos(0x04, 0x08);
        assertEquals(0x08, cmos(0x04));
        assertEquals(0x58, cmos(0x00));
        assertEquals(0x29, cmos(0x07));
    }

    @Test
    void updateInProgressIsSetForTheLast244MicrosecondsOfEachSecond() {
        clock.set(SECOND / 2);
        assertEquals(0x26, cmos(0x0A));
        clock.set(SECOND - 244_000);
        assertEquals(0x80 | 0x26, cmos(0x0A));
        clock.set(SECOND);
        assertEquals(0x26, cmos(0x0A));
    }

    @Test
    void statusDReportsValidTimeAndIndexBit7IsTheNmiMaskNotAnAddressBit() {
        assertEquals(0x80, cmos(0x0D));
        setCmos(0x40, 0xA5);
        assertEquals(0xA5, cmos(0x80 | 0x40));
        assertEquals(0xFF, bus.read(0x70, 1), "the index register is write-only");
    }

    @Test
    void periodicInterruptRaisesIrq8UntilStatusCIsRead() {
        assertEquals(Timed.NEVER, rtc.nextDeadline());
        setCmos(0x0B, 0x42);   // PIE; rate 6 (1024 Hz) is the default
        long period = SECOND / 1024;   // 976562.5 ns
        assertEquals(period + 1, rtc.nextDeadline());
        clock.set(rtc.nextDeadline());
        rtc.advance(clock.nanos());
        assertTrue(irq8.high());
        assertEquals(Timed.NEVER, rtc.nextDeadline(), "nothing more to do until the guest reads C");
        assertEquals(0xC0, cmos(0x0C), "IRQF and PF");
        assertFalse(irq8.high());
        assertEquals(0x00, cmos(0x0C), "reading C cleared it");
        assertEquals(1_953_125, rtc.nextDeadline(), "the next 1/1024 s boundary");
    }

    @Test
    void periodicFlagIsKeptForPollingGuestsWithoutInterrupts() {
        clock.set(SECOND / 100);
        assertEquals(0x40, cmos(0x0C), "PF without IRQF; no second boundary passed, so no UF");
    }

    @Test
    void updateEndedAndAlarmInterrupts() {
        setCmos(0x01, 0x00);
        setCmos(0x03, 0x00);
        setCmos(0x05, 0xFF);   // any hour: fire at hh:00:00
        setCmos(0x0A, 0x20);   // periodic rate 0, else PF would be set too (it runs whether PIE is on or not)
        setCmos(0x0B, 0x32);   // AIE and UIE
        assertEquals(SECOND, rtc.nextDeadline());
        clock.set(SECOND);
        rtc.advance(clock.nanos());
        assertTrue(irq8.high());
        assertEquals(0x90, cmos(0x0C), "update ended at 23:59:59, no alarm");
        clock.set(2 * SECOND);
        rtc.advance(clock.nanos());
        assertEquals(0xB0, cmos(0x0C), "update ended and alarm at 00:00:00");
    }

    @Test
    void memorySizeBytesForSixtyFourMiB() {
        assertEquals(0x80, cmos(0x15));
        assertEquals(0x02, cmos(0x16), "640 KiB base memory");
        int extended = 63 * 1024;
        assertEquals(extended & 0xFF, cmos(0x17));
        assertEquals(extended >>> 8, cmos(0x18));
        assertEquals(extended & 0xFF, cmos(0x30));
        assertEquals(extended >>> 8, cmos(0x31));
        int above16M = 48 * 16;   // 64 KiB units
        assertEquals(above16M & 0xFF, cmos(0x34));
        assertEquals(above16M >>> 8, cmos(0x35));
        assertEquals(0, cmos(0x5B));
    }

    @Test
    void extendedMemoryBytesSaturateAndLargeMemoryIsCountedAbove4GiB() {
        rtc = new CmosRtc(clock, POWER_ON, (4L << 30) + 128 * MIB, IrqLine.NONE);
        rtc.writeByte(0x70, 0x17);
        assertEquals(0xFF, rtc.readByte(0x71));
        rtc.writeByte(0x70, 0x18);
        assertEquals(0xFF, rtc.readByte(0x71));
        rtc.writeByte(0x70, 0x35);
        assertEquals(0xFF, rtc.readByte(0x71));
        rtc.writeByte(0x70, 0x5B);
        assertEquals(128 * 16, rtc.readByte(0x71) | readAt(0x5C) << 8);
    }

    private int readAt(int index) {
        rtc.writeByte(0x70, index);
        return rtc.readByte(0x71);
    }

    @Test
    void smallMemoryHasNoExtendedMemory() {
        rtc = new CmosRtc(clock, POWER_ON, 640 * 1024, IrqLine.NONE);
        assertEquals(0, readAt(0x17));
        assertEquals(0, readAt(0x34));
    }

    @Test
    void calendarArithmeticAgreesWithJavaTime() {
        for (long day = LocalDate.of(1899, 12, 25).toEpochDay(); day < LocalDate.of(2101, 3, 1).toEpochDay(); day += 13) {
            LocalDate date = LocalDate.ofEpochDay(day);
            assertEquals(day, CmosRtc.daysFromCivil(date.getYear(), date.getMonthValue(), date.getDayOfMonth()));
            CmosRtc r = new CmosRtc(clock, Instant.ofEpochSecond(day * 86_400), 0, IrqLine.NONE);
            clock.set(0);
            r.writeByte(0x70, 0x0B);
            r.writeByte(0x71, 0x06);   // binary
            int[] expected = {date.getDayOfMonth(), date.getMonthValue(), date.getYear() % 100, date.getYear() / 100,
                    date.getDayOfWeek().getValue() % 7 + 1};
            int[] registers = {0x07, 0x08, 0x09, 0x32, 0x06};
            for (int i = 0; i < registers.length; i++) {
                r.writeByte(0x70, registers[i]);
                assertEquals(expected[i], r.readByte(0x71), date + " register " + registers[i]);
            }
        }
    }
}
