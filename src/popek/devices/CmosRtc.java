package popek.devices;

import java.time.Instant;

/**
 * The PC's Motorola MC146818 real-time clock and its 128 bytes of CMOS RAM, at ports 0x70 (index; bit 7, the NMI
 * mask, is ignored) and 0x71 (data). The time of day is a wall-clock base plus the virtual {@link Clock}, so a test
 * that fixes the base reads the same time every run.
 *
 * <p>Registers: time 0x00-0x09 and century 0x32, rendered in BCD or binary and 24- or 12-hour form as status B says
 * (default BCD, 24-hour, as PC BIOSes leave it); A with UIP set for the 244 us before each second's update; B; C,
 * whose read returns and clears the interrupt flags; D with VRT set. The guest may set the time, with B.SET (the
 * registers hold still until SET is cleared, then the clock restarts from them) or without (each write takes effect
 * at once, as on QEMU). The memory-size bytes a BIOS stores are filled in from the RAM size.
 *
 * <p>Periodic, alarm and update-ended interrupts raise IRQ8 (high until register C is read) when an {@link IrqLine}
 * is given and the RTC is in the run loop's {@link Timed} list; without that the flags are still kept for guests
 * that poll C. Not modelled: the divider-chain reset of A bits 6-4, daylight-saving (B bit 0), the square-wave pin.
 */
public final class CmosRtc implements BytePortDevice, Timed {
    public static final int INDEX_PORT = 0x70, DATA_PORT = 0x71, IRQ = 8;

    private static final int SECONDS = 0x00, SECONDS_ALARM = 0x01, MINUTES = 0x02, MINUTES_ALARM = 0x03,
            HOURS = 0x04, HOURS_ALARM = 0x05, WEEKDAY = 0x06, DAY_OF_MONTH = 0x07, MONTH = 0x08, YEAR = 0x09,
            STATUS_A = 0x0A, STATUS_B = 0x0B, STATUS_C = 0x0C, STATUS_D = 0x0D, CENTURY = 0x32;
    private static final int[] TIME_REGISTERS = {SECONDS, MINUTES, HOURS, WEEKDAY, DAY_OF_MONTH, MONTH, YEAR, CENTURY};
    private static final int A_UPDATE_IN_PROGRESS = 0x80, A_RATE = 0x0F;
    private static final int B_SET = 0x80, B_PERIODIC = 0x40, B_ALARM = 0x20, B_UPDATE_ENDED = 0x10, B_BINARY = 0x04,
            B_24_HOUR = 0x02;
    private static final int C_IRQ = 0x80, C_PERIODIC = 0x40, C_ALARM = 0x20, C_UPDATE_ENDED = 0x10;
    private static final int D_VALID_RAM_AND_TIME = 0x80;
    private static final int PM = 0x80;
    private static final int ALARM_DONT_CARE = 0xC0;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long UPDATE_WARNING_NANOS = 244_000;   // UIP rises this long before the update
    private static final long DIVIDER_HZ = 32_768;
    private static final long KIB = 1024, MIB = 1024 * KIB, GIB = 1024 * MIB;

    private final Clock clock;
    private final IrqLine irq;
    private final int[] cmos = new int[128];
    private int index;

    // Wall-clock time (ns since the epoch) = wallAtReference + (virtual now - virtualAtReference).
    private long wallAtReference, virtualAtReference;
    private int flags;                 // C's PF/AF/UF, evaluated up to flagsEvaluatedAt (virtual ns)
    private long flagsEvaluatedAt;
    private boolean irqHigh;

    // The calendar of one epoch second, cached: rendering runs on every register read.
    private long fieldsSecond = Long.MIN_VALUE;
    private int second, minute, hour, weekday, day, month, year;

    /** An RTC showing {@code wallClockAtPowerOn} at virtual time 0, with IRQ8 not connected. */
    public CmosRtc(Clock clock, Instant wallClockAtPowerOn, long ramBytes) {
        this(clock, wallClockAtPowerOn, ramBytes, IrqLine.NONE);
    }

    public CmosRtc(Clock clock, long epochSecondsAtPowerOn, long ramBytes, IrqLine irq8) {
        this(clock, Instant.ofEpochSecond(epochSecondsAtPowerOn), ramBytes, irq8);
    }

    public CmosRtc(Clock clock, Instant wallClockAtPowerOn, long ramBytes, IrqLine irq8) {
        this.clock = clock;
        this.irq = irq8;
        this.wallAtReference = Math.addExact(Math.multiplyExact(wallClockAtPowerOn.getEpochSecond(), NANOS_PER_SECOND),
                wallClockAtPowerOn.getNano());
        cmos[STATUS_A] = 0x26;   // 32.768 kHz time base, 1024 Hz periodic rate
        cmos[STATUS_B] = B_24_HOUR;
        cmos[STATUS_D] = D_VALID_RAM_AND_TIME;
        storeMemorySize(ramBytes);
    }

    /** Claims 0x70-0x71. */
    public void register(PortBus bus) { bus.register(INDEX_PORT, 2, this); }

    /** The sizes a BIOS records: base memory, extended memory above 1 MiB (KiB), above 16 MiB and 4 GiB (64 KiB). */
    private void storeMemorySize(long ramBytes) {
        store16(0x15, 640);
        long extendedKiB = Math.min(0xFFFF, Math.max(0, ramBytes - MIB) / KIB);
        store16(0x17, (int) extendedKiB);
        store16(0x30, (int) extendedKiB);
        long below4GiB = Math.min(ramBytes, 4 * GIB);
        store16(0x34, (int) Math.min(0xFFFF, Math.max(0, below4GiB - 16 * MIB) / (64 * KIB)));
        long above4GiB = Math.max(0, ramBytes - 4 * GIB) / (64 * KIB);
        cmos[0x5B] = (int) (above4GiB & 0xFF);
        cmos[0x5C] = (int) ((above4GiB >>> 8) & 0xFF);
        cmos[0x5D] = (int) ((above4GiB >>> 16) & 0xFF);
        // The standard checksum over 0x10-0x2D, big-endian at 0x2E, which some BIOS-era code verifies.
        int sum = 0;
        for (int i = 0x10; i <= 0x2D; i++) sum += cmos[i];
        cmos[0x2E] = (sum >>> 8) & 0xFF;
        cmos[0x2F] = sum & 0xFF;
    }

    private void store16(int at, int value) {
        cmos[at] = value & 0xFF;
        cmos[at + 1] = (value >>> 8) & 0xFF;
    }

    // ---------------------------------------------------------------- ports

    @Override
    public int readByte(int port) {
        if (port != DATA_PORT) return 0xFF;   // the index register is write-only
        long now = clock.nanos();
        return switch (index) {
            case SECONDS, MINUTES, HOURS, WEEKDAY, DAY_OF_MONTH, MONTH, YEAR, CENTURY ->
                    setMode() ? cmos[index] : liveRegister(index, now);
            case STATUS_A -> cmos[STATUS_A] | (updateInProgress(now) ? A_UPDATE_IN_PROGRESS : 0);
            case STATUS_C -> readAndClearFlags(now);
            case STATUS_D -> D_VALID_RAM_AND_TIME;
            default -> cmos[index];
        };
    }

    @Override
    public void writeByte(int port, int value) {
        if (port == INDEX_PORT) {
            index = value & 0x7F;
            return;
        }
        if (port != DATA_PORT) return;
        long now = clock.nanos();
        switch (index) {
            case SECONDS, MINUTES, HOURS, WEEKDAY, DAY_OF_MONTH, MONTH, YEAR, CENTURY -> {
                if (setMode()) {
                    cmos[index] = value;
                } else {
                    freezeTime(now);
                    cmos[index] = value;
                    startTimeFromRegisters(now);
                }
            }
            case STATUS_A -> {
                catchUp(now);
                cmos[STATUS_A] = value & ~A_UPDATE_IN_PROGRESS;
            }
            case STATUS_B -> writeStatusB(value, now);
            case STATUS_C, STATUS_D -> { }   // read-only
            default -> cmos[index] = value;
        }
    }

    private boolean setMode() { return (cmos[STATUS_B] & B_SET) != 0; }

    private void writeStatusB(int value, long now) {
        catchUp(now);
        int old = cmos[STATUS_B];
        if ((value & B_SET) != 0) value &= ~B_UPDATE_ENDED;   // setting SET clears UIE, per the datasheet
        if ((old & B_SET) == 0 && (value & B_SET) != 0) freezeTime(now);
        cmos[STATUS_B] = value;
        if ((old & B_SET) != 0 && (value & B_SET) == 0) startTimeFromRegisters(now);
        updateIrq();
    }

    private int readAndClearFlags(long now) {
        catchUp(now);
        int c = flags | (interruptFlag() ? C_IRQ : 0);
        flags = 0;
        updateIrq();
        return c;
    }

    // ---------------------------------------------------------------- time of day

    private long wallNanos(long virtualNanos) { return wallAtReference + (virtualNanos - virtualAtReference); }

    private long epochSecond(long virtualNanos) { return Math.floorDiv(wallNanos(virtualNanos), NANOS_PER_SECOND); }

    private boolean updateInProgress(long now) {
        return !setMode() && Math.floorMod(wallNanos(now), NANOS_PER_SECOND) >= NANOS_PER_SECOND - UPDATE_WARNING_NANOS;
    }

    private int liveRegister(int register, long now) {
        calendar(epochSecond(now));
        return switch (register) {
            case SECONDS -> encode(second);
            case MINUTES -> encode(minute);
            case HOURS -> encodeHour(hour);
            case WEEKDAY -> encode(weekday);
            case DAY_OF_MONTH -> encode(day);
            case MONTH -> encode(month);
            case YEAR -> encode(Math.floorMod(year, 100));
            default -> encode(Math.floorDiv(year, 100));   // CENTURY
        };
    }

    /** The time registers stop here and hold what the clock showed (SET mode, or a write about to change one). */
    private void freezeTime(long now) {
        for (int r : TIME_REGISTERS) cmos[r] = liveRegister(r, now);
    }

    /** The clock runs on from the time the registers hold, as of now (the day of week is not checked). */
    private void startTimeFromRegisters(long now) {
        catchUp(now);
        long y = decode(cmos[CENTURY]) * 100L + decode(cmos[YEAR]);
        int m = Math.clamp(decode(cmos[MONTH]), 1, 12);
        long days = daysFromCivil(y, m, decode(cmos[DAY_OF_MONTH]));
        long seconds = days * 86_400 + decodeHour(cmos[HOURS]) * 3600L + decode(cmos[MINUTES]) * 60L + decode(cmos[SECONDS]);
        wallAtReference = seconds * NANOS_PER_SECOND;
        virtualAtReference = now;
        fieldsSecond = Long.MIN_VALUE;
        flagsEvaluatedAt = now;
    }

    private boolean binary() { return (cmos[STATUS_B] & B_BINARY) != 0; }

    private int encode(int v) { return binary() ? v : (v / 10) << 4 | v % 10; }

    private int decode(int v) { return binary() ? v : (v >>> 4) * 10 + (v & 0x0F); }

    private int encodeHour(int h) {
        if ((cmos[STATUS_B] & B_24_HOUR) != 0) return encode(h);
        int twelve = h % 12 == 0 ? 12 : h % 12;
        return encode(twelve) | (h >= 12 ? PM : 0);
    }

    private int decodeHour(int v) {
        if ((cmos[STATUS_B] & B_24_HOUR) != 0) return decode(v);
        return decode(v & ~PM) % 12 + ((v & PM) != 0 ? 12 : 0);
    }

    /** Splits an epoch second into the calendar fields (proleptic Gregorian, UTC). */
    private void calendar(long epochSecond) {
        if (epochSecond == fieldsSecond) return;
        fieldsSecond = epochSecond;
        long days = Math.floorDiv(epochSecond, 86_400);
        int secondOfDay = Math.floorMod(epochSecond, 86_400);
        hour = secondOfDay / 3600;
        minute = secondOfDay / 60 % 60;
        second = secondOfDay % 60;
        weekday = Math.floorMod(days + 4, 7) + 1;   // 1970-01-01 was a Thursday; the RTC counts Sunday as 1
        // Days to a date by 400-year eras whose years begin on 1 March, so the leap day falls at a year's end.
        long shifted = days + 719_468;                     // days from 0000-03-01
        long era = Math.floorDiv(shifted, 146_097);
        long dayOfEra = shifted - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long monthFromMarch = (5 * dayOfYear + 2) / 153;
        day = (int) (dayOfYear - (153 * monthFromMarch + 2) / 5 + 1);
        month = (int) (monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9);
        year = (int) (era * 400 + yearOfEra + (month <= 2 ? 1 : 0));
    }

    /** The inverse of {@link #calendar}'s date part: days since 1970-01-01. */
    static long daysFromCivil(long y, int m, int d) {
        long marchYear = m <= 2 ? y - 1 : y;
        long era = Math.floorDiv(marchYear, 400);
        long yearOfEra = marchYear - era * 400;
        long monthFromMarch = m > 2 ? m - 3 : m + 9;
        long dayOfYear = (153 * monthFromMarch + 2) / 5 + d - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }

    // ---------------------------------------------------------------- interrupts

    /** Ticks of the 32.768 kHz divider between periodic interrupts for rate-select value 1..15. */
    private static long periodicTicks(int rate) { return rate <= 2 ? 1L << (rate + 6) : 1L << (rate - 1); }

    private static long dividerTicks(long nanos) {
        return Math.floorDiv(nanos, NANOS_PER_SECOND) * DIVIDER_HZ
                + Math.floorMod(nanos, NANOS_PER_SECOND) * DIVIDER_HZ / NANOS_PER_SECOND;
    }

    private static long nanosAtDividerTick(long tick) {
        return Math.floorDiv(tick, DIVIDER_HZ) * NANOS_PER_SECOND
                + Math.ceilDiv(Math.floorMod(tick, DIVIDER_HZ) * NANOS_PER_SECOND, DIVIDER_HZ);
    }

    /** Sets the flags for the periodic ticks and second updates between the last evaluation and now. */
    private void catchUp(long now) {
        if (now <= flagsEvaluatedAt) return;
        int rate = cmos[STATUS_A] & A_RATE;
        if (rate != 0) {
            long p = periodicTicks(rate);
            if (Math.floorDiv(dividerTicks(now), p) != Math.floorDiv(dividerTicks(flagsEvaluatedAt), p)) flags |= C_PERIODIC;
        }
        if (!setMode()) {
            long s = epochSecond(now);
            if (s != epochSecond(flagsEvaluatedAt)) {
                flags |= C_UPDATE_ENDED;
                if (alarmMatches(s)) flags |= C_ALARM;
            }
        }
        flagsEvaluatedAt = now;
    }

    private boolean alarmMatches(long epochSecond) {
        calendar(epochSecond);
        return alarmField(cmos[SECONDS_ALARM], encode(second)) && alarmField(cmos[MINUTES_ALARM], encode(minute))
                && alarmField(cmos[HOURS_ALARM], encodeHour(hour));
    }

    private static boolean alarmField(int alarm, int now) { return (alarm & ALARM_DONT_CARE) == ALARM_DONT_CARE || alarm == now; }

    private boolean interruptFlag() {
        int b = cmos[STATUS_B];
        return ((flags & C_PERIODIC) != 0 && (b & B_PERIODIC) != 0) || ((flags & C_ALARM) != 0 && (b & B_ALARM) != 0)
                || ((flags & C_UPDATE_ENDED) != 0 && (b & B_UPDATE_ENDED) != 0);
    }

    private void updateIrq() {
        boolean high = interruptFlag();
        if (high != irqHigh) {
            irqHigh = high;
            irq.set(high);
        }
    }

    @Override
    public long nextDeadline() {
        int b = cmos[STATUS_B];
        int rate = cmos[STATUS_A] & A_RATE;
        long next = NEVER;
        if ((b & B_PERIODIC) != 0 && rate != 0 && (flags & C_PERIODIC) == 0) {
            long p = periodicTicks(rate);
            next = nanosAtDividerTick((Math.floorDiv(dividerTicks(flagsEvaluatedAt), p) + 1) * p);
        }
        boolean wantsUpdate = (b & B_UPDATE_ENDED) != 0 && (flags & C_UPDATE_ENDED) == 0;
        boolean wantsAlarm = (b & B_ALARM) != 0 && (flags & C_ALARM) == 0;
        if (!setMode() && (wantsUpdate || wantsAlarm)) {
            long nextSecond = (Math.floorDiv(wallNanos(flagsEvaluatedAt), NANOS_PER_SECOND) + 1) * NANOS_PER_SECOND;
            next = Math.min(next, virtualAtReference + (nextSecond - wallAtReference));
        }
        return next;
    }

    @Override
    public void advance(long now) {
        catchUp(now);
        updateIrq();
    }
}
