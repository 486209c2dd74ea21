package popek.fuzz.code;

import java.util.Random;

/**
 * Random code biased toward what a VMM must get right: between runs of random bytes, the sensitive and privileged
 * instructions (descriptor-table and control-register access, segment loads, far transfers, int/iret, port I/O,
 * hlt, cli/sti, pushf/popf, MSRs), each with a random ModRM and operand bytes, and registers loaded with values that
 * make them likely to succeed (selectors of the flat GDT, addresses of its tables and of RAM). No instruction whose
 * result depends on host time (rdtsc) or on what the CPU model reports is chosen on purpose.
 */
final class Soup {
    /** Opcode prefixes of the sensitive instructions; a ModRM byte and up to six operand bytes follow at random. */
    private static final int[][] SENSITIVE = {
        {0x0F, 0x01}, {0x0F, 0x00}, {0x0F, 0x20}, {0x0F, 0x22}, {0x0F, 0x21}, {0x8E}, {0x8C},
        {0xCD}, {0xCF}, {0xFA}, {0xFB}, {0xF4}, {0xEA}, {0x9A}, {0xFF}, {0x9C}, {0x9D}, {0xE4}, {0xE6}, {0xEC},
        {0xEE}, {0x0F, 0x06}, {0x0F, 0x02}, {0x0F, 0x03}, {0x63}, {0xCA}, {0xCB}, {0x0F, 0x30}, {0x0F, 0x32},
        {0x0F, 0x0B}, {0xCC}, {0xCE}, {0x62}, {0x0F, 0xA1}, {0x0F, 0xA9}, {0x07}, {0x17}, {0x1F}, {0x6C}, {0x6E},
        {0xF3, 0x6C}, {0xF3, 0x6E}, {0x0F, 0x34}, {0x0F, 0x35}, {0x0F, 0x09}, {0x0F, 0xB2}, {0x0F, 0xB4},
        {0x0F, 0xB5}, {0xC4}, {0xC5}, {0x66, 0xCF}, {0x66, 0xEA}, {0x66, 0xCB},
    };

    private Soup() {}

    /**
     * The code with every {@code 0F 23} (mov to a debug register) made {@code 0F 21} (mov from one): emulate mode runs
     * the guest's instructions on Unicorn, where arming a breakpoint in DR7 crashes the host process (the README's
     * list of Unicorn's limits), and a fuzz run is one process. Full mode's handling of them is the cpu target's.
     */
    static byte[] withoutDebugRegisterWrites(byte[] code) {
        byte[] c = code.clone();
        for (int i = 0; i + 1 < c.length; i++) if (c[i] == 0x0F && c[i + 1] == 0x23) c[i + 1] = 0x21;
        return c;
    }

    /** About {@code bytes} bytes of soup from {@code r}, with the register values of {@code values}. */
    static byte[] make(Random r, int bytes, int[] values) {
        Bytes b = new Bytes(0);
        while (b.array().length < bytes) {
            switch (r.nextInt(4)) {
                case 0 -> {
                    byte[] junk = new byte[1 + r.nextInt(8)];
                    r.nextBytes(junk);
                    b.raw(junk);
                }
                case 1 -> b.movImm(r.nextInt(8) == 4 ? 0 : r.nextInt(8), values[r.nextInt(values.length)]);
                default -> {
                    b.raw(SENSITIVE[r.nextInt(SENSITIVE.length)]);
                    byte[] operand = new byte[1 + r.nextInt(7)];
                    r.nextBytes(operand);
                    if (r.nextBoolean()) operand[0] = (byte) (operand[0] & 0x3F | 0xC0);   // often a register operand
                    b.raw(operand);
                }
            }
        }
        return b.array();
    }
}
