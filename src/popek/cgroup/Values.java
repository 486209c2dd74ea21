package popek.cgroup;

import popek.linux.abi.Errno;

/**
 * How Linux reads numbers written to cgroup files, reproduced rule for rule: {@code strstrip}, the {@code kstrto*}
 * family (base 0: {@code 0x} hexadecimal, a leading 0 octal; one trailing newline allowed; EINVAL for anything else,
 * ERANGE past the type), {@code memparse} (K, M, G, T, P, E suffixes, binary) and the "max" keyword of limits.
 */
public final class Values {
    private Values() { }

    /** What the C library's isspace says is space. */
    static boolean space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r'; }

    /** strstrip: without leading and trailing white space. */
    public static String strip(String s) {
        int a = 0, b = s.length();
        while (a < b && space(s.charAt(a))) a++;
        while (b > a && space(s.charAt(b - 1))) b--;
        return s.substring(a, b);
    }

    private static int digit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return 99;
    }

    /** The base of a base-0 number at {@code s[i]} (16 after a "0x" with a hex digit, 8 after a "0", else 10). */
    private static int radix(String s, int i) {
        if (i < s.length() && s.charAt(i) == '0') {
            boolean hex = i + 2 < s.length() && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X') && digit(s.charAt(i + 2)) < 16;
            return hex ? 16 : 8;
        }
        return 10;
    }

    /** kstrtoull(s, 0): an unsigned 64-bit number (as a long holding the bits). */
    public static long kstrtoull(String s) { return parse(s, !s.isEmpty() && s.charAt(0) == '+' ? 1 : 0); }

    /** _kstrtoull from {@code s[i]}: digits in the base-0 radix, one newline, nothing else. */
    private static long parse(String s, int i) {
        int base = radix(s, i);
        if (base == 16) i += 2;
        long v = 0;
        int start = i;
        for (; i < s.length(); i++) {
            int d = digit(s.charAt(i));
            if (d >= base) break;
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, base)) > 0) throw Errno.error(Errno.ERANGE);
            v = v * base + d;
        }
        if (i == start) throw Errno.error(Errno.EINVAL);
        if (i < s.length() && s.charAt(i) == '\n') i++;
        if (i != s.length()) throw Errno.error(Errno.EINVAL);
        return v;
    }

    /** kstrtoll(s, 0): a signed 64-bit number. */
    public static long kstrtoll(String s) {
        if (!s.isEmpty() && s.charAt(0) == '-') {
            long u = parse(s, 1);
            if (Long.compareUnsigned(u, Long.MIN_VALUE) > 0) throw Errno.error(Errno.ERANGE);
            return -u;
        }
        long u = kstrtoull(s);
        if (u < 0) throw Errno.error(Errno.ERANGE);
        return u;
    }

    /** kstrtoint(s, 0). */
    public static int kstrtoint(String s) {
        long v = kstrtoll(s);
        if (v != (int) v) throw Errno.error(Errno.ERANGE);
        return (int) v;
    }

    /**
     * memparse: a number (base 0, as simple_strtoull reads it, so nothing at all reads as 0) with an optional K, M, G,
     * T, P or E (either case) multiplying it by a power of 1024; the bytes (unsigned, wrapping as C's do), or EINVAL
     * when anything follows.
     */
    public static long memparse(String s) {
        int i = 0;
        int base = radix(s, i);
        if (base == 16) i += 2;
        long v = 0;
        for (; i < s.length(); i++) {
            int d = digit(s.charAt(i));
            if (d >= base) break;
            v = v * base + d;
        }
        if (i < s.length()) {
            int shift = switch (s.charAt(i)) {
                case 'E', 'e' -> 60;
                case 'P', 'p' -> 50;
                case 'T', 't' -> 40;
                case 'G', 'g' -> 30;
                case 'M', 'm' -> 20;
                case 'K', 'k' -> 10;
                default -> -1;
            };
            if (shift >= 0) {
                v <<= shift;
                i++;
            }
        }
        if (i != s.length()) throw Errno.error(Errno.EINVAL);
        return v;
    }

    /**
     * A memory limit as page_counter_memparse reads it after strstrip: "max", or memparse's bytes (an unsigned
     * value past what a long holds counts as max).
     */
    public static long memoryLimit(String written) {
        String s = strip(written);
        if (s.equals("max")) return MemoryControl.MAX;
        long v = memparse(s);
        return v < 0 ? MemoryControl.MAX : v;
    }

    /** A limit file's "max" or number when read: "max" for {@code unlimited}. */
    static String limit(long v, long unlimited) { return v == unlimited ? "max" : Long.toString(v); }

    /** scanf's %llu at {@code s[i]}: white space skipped, an optional sign, decimal digits; {end, value} or null. */
    static long[] scanUnsigned(String s, int i) {
        while (i < s.length() && space(s.charAt(i))) i++;
        boolean negative = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) negative = s.charAt(i++) == '-';
        int start = i;
        long v = 0;
        for (; i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9'; i++) v = v * 10 + (s.charAt(i) - '0');
        if (i == start) return null;
        return new long[] {i, negative ? -v : v};
    }
}
