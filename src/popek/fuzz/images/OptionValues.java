package popek.fuzz.images;

import java.util.Random;

/**
 * Values for {@code popek boot}'s options, valid and not: sizes on and past the limits, modes misspelt, durations that
 * do not parse, command lines long and strange, CPUID leaves out of range. Every --timeout value here either bounds
 * the run or is refused, so no case can run without end.
 */
final class OptionValues {
    private OptionValues() {}

    private static final String[] MEMORY = {"2M", "3G", "1M", "0", "-1", "4G", "65536K", "2.5M", "17", "", "abc", "1T",
        "2147483648", "64m", "0x10M", "3072M", "2047K", "8M", "4M", "1G", " 16M", "16MB"};
    private static final String[] MODE = {"bogus", "", "FULL", " full", "Emulate", "para ", "full,emulate"};
    private static final String[] BAD_TIMEOUT = {"abc", "-1s", "1e999", "NaN", "-0.5", "5x", "", "1ss", "Infinity", "--1"};
    private static final String[] SHORT_TIMEOUT = {"1us", "1ms", "50ms", "0.05", "100ms"};
    private static final String[] TSC = {"0", "1", "8000", "8001", "-5", "abc", "99999999999999999999", "1000"};
    private static final String[] CPUID = {"0=1,2,3,4", "0x80000001=0,0,0,0", "bad", "1.2=1,2,3", "1=0,0,0,0",
        "0xFFFFFFFF.0xFFFFFFFF=0xFFFFFFFF,0,0,0", "4294967296=0,0,0,0", "1=,,,", "=1,2,3,4", "0x1=0x-1,0,0,0"};
    private static final String[] INPUT = {"auto", "serial", "keyboard", "mouse", ""};
    private static final String[] UNKNOWN = {"--turbo", "-x", "--", "-", "--memory", "--kernel", "--disk=", "--mode"};

    static String memory(Random r) { return MEMORY[r.nextInt(MEMORY.length)]; }

    static String mode(Random r) { return MODE[r.nextInt(MODE.length)]; }

    static String badTimeout(Random r) { return BAD_TIMEOUT[r.nextInt(BAD_TIMEOUT.length)]; }

    static String shortTimeout(Random r) { return SHORT_TIMEOUT[r.nextInt(SHORT_TIMEOUT.length)]; }

    static String tscMhz(Random r) { return TSC[r.nextInt(TSC.length)]; }

    static String cpuid(Random r) { return CPUID[r.nextInt(CPUID.length)]; }

    static String input(Random r) { return INPUT[r.nextInt(INPUT.length)]; }

    static String unknown(Random r) { return UNKNOWN[r.nextInt(UNKNOWN.length)]; }

    /** A command line: empty, printable, long, very long, or with characters outside ASCII and control characters. */
    static String cmdline(Random r) {
        int kind = r.nextInt(6);
        int length = switch (kind) {
            case 0 -> 0;
            case 1, 2 -> r.nextInt(300);
            case 3 -> 4000 + r.nextInt(2000);
            case 4 -> 100_000 + r.nextInt(200_000);
            default -> r.nextInt(64);
        };
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(kind == 5 ? (char) (1 + r.nextInt(r.nextBoolean() ? 0x7F : 0x3000)) : (char) (' ' + r.nextInt(95)));
        }
        return s.toString();
    }
}
