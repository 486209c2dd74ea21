package popek.cgroup;

import java.math.BigDecimal;

/**
 * The resource flags of {@code popek run} and {@code popek boot} read as Docker reads its own: {@code --memory}
 * (RAMInBytes), {@code --cpus} (a rational number of CPUs, cpu.max's quota per 100 ms), {@code --pids-limit}, and
 * Popek's {@code --cpu-weight} (cpu.weight). A bad value is an IllegalArgumentException whose message is the one line
 * to show (Docker's own words where Docker has the flag).
 */
public final class LimitFlags {
    /** Docker's smallest --memory. */
    public static final long MIN_MEMORY = 6L << 20;

    private LimitFlags() { }

    /** Docker's RAMInBytes: a decimal number, an optional space, an optional k, m, g, t or p (powers of 1024), "i", "b". */
    private static final java.util.regex.Pattern SIZE = java.util.regex.Pattern.compile("^(\\d+(?:\\.\\d+)*) ?([kmgtp])?i?b?$",
            java.util.regex.Pattern.CASE_INSENSITIVE);

    /** --memory / -m: a size as Docker reads it, at least 6 MiB (0: no limit). */
    public static long parseMemory(String text) {
        java.util.regex.Matcher m = SIZE.matcher(text);
        BigDecimal bytes = null;
        if (m.matches()) {
            try {
                int power = m.group(2) == null ? 0 : "kmgtp".indexOf(Character.toLowerCase(m.group(2).charAt(0))) + 1;
                bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1024).pow(power));
            } catch (NumberFormatException e) {
                bytes = null;
            }
        }
        if (bytes == null || bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("invalid argument \"" + text + "\" for \"-m, --memory\" flag: invalid size: '" + text + "'");
        }
        long b = bytes.longValue();
        if (b == 0) return 0;
        if (b < MIN_MEMORY) throw new IllegalArgumentException("Minimum memory limit allowed is 6MB");
        return b;
    }

    /** --cpus: a decimal number of CPUs, 0.01 up to the host's {@code hostCpus}; cpu.max's quota per 100 ms period (0: none). */
    public static long parseCpus(String text, int hostCpus) {
        BigDecimal v;
        try {
            v = new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid argument \"" + text + "\" for \"--cpus\" flag: failed to parse " + text
                    + " as a rational number");
        }
        if (v.signum() == 0) return 0;
        long quota = v.multiply(BigDecimal.valueOf(CpuControl.DEFAULT_PERIOD_USEC)).longValue();
        if (v.signum() < 0 || quota < 1000 || v.compareTo(BigDecimal.valueOf(hostCpus)) > 0) {
            throw new IllegalArgumentException(String.format("Range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available",
                    hostCpus, hostCpus));
        }
        return quota;
    }

    /** --cpu-weight: cpu.weight, 1 to 10000. */
    public static int parseCpuWeight(String text) {
        try {
            int w = Integer.parseInt(text.trim());
            if (w >= CpuControl.MIN_WEIGHT && w <= CpuControl.MAX_WEIGHT) return w;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("--cpu-weight " + text + ": give a cpu.weight from 1 to 10000 (default 100)");
    }

    /** --pids-limit: pids.max; 0 or -1 for none (Docker's "unlimited"). */
    public static long parsePidsLimit(String text) {
        long n;
        try {
            n = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid argument \"" + text + "\" for \"--pids-limit\" flag: strconv.ParseInt: parsing \""
                    + text + "\": invalid syntax");
        }
        if (n <= 0) {
            if (n < -1) throw new IllegalArgumentException("--pids-limit " + text + ": give a number of tasks, or -1 (or 0) for no limit");
            return 0;
        }
        if (n > PidsControl.LIMIT) throw new IllegalArgumentException("--pids-limit " + text + ": at most " + PidsControl.LIMIT);
        return n;
    }
}
