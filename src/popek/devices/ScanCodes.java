package popek.devices;

/** Scan code set 1 make codes for the ASCII characters a US keyboard types, with whether Shift is needed. */
final class ScanCodes {
    private ScanCodes() { }

    static final int SHIFT = 0x100;
    private static final int[] CODE = new int[128];

    static {
        String row1 = "1234567890-=", row1s = "!@#$%^&*()_+";
        for (int i = 0; i < row1.length(); i++) {
            CODE[row1.charAt(i)] = 0x02 + i;
            CODE[row1s.charAt(i)] = (0x02 + i) | SHIFT;
        }
        put("qwertyuiop[]", "QWERTYUIOP{}", 0x10);
        put("asdfghjkl;'`", "ASDFGHJKL:\"~", 0x1E);
        put("\\zxcvbnm,./", "|ZXCVBNM<>?", 0x2B);
        CODE[' '] = 0x39;
        CODE['\n'] = 0x1C;
        CODE['\r'] = 0x1C;
        CODE['\t'] = 0x0F;
        CODE[0x08] = 0x0E;   // backspace
        CODE[0x7F] = 0x0E;   // delete, as terminals send backspace
        CODE[0x1B] = 0x01;   // escape
    }

    private static void put(String plain, String shifted, int first) {
        for (int i = 0; i < plain.length(); i++) {
            CODE[plain.charAt(i)] = first + i;
            CODE[shifted.charAt(i)] = (first + i) | SHIFT;
        }
    }

    /** The make code (with {@link #SHIFT} if Shift must be held), or 0 for a character no key types. */
    static int of(int ascii) { return ascii < 0 || ascii > 127 ? 0 : CODE[ascii]; }
}
