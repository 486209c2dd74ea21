package popek.fuzz.devices;

import java.io.ByteArrayOutputStream;

/**
 * The few 32-bit x86 instructions the device fuzzer's guests are made of, encoded by hand (port I/O, moves to and
 * from absolute addresses, a counted loop, a near call through a register), appended at a known guest address.
 */
final class Code {
    private final ByteArrayOutputStream b = new ByteArrayOutputStream();
    private final int origin;

    Code(int origin) { this.origin = origin; }

    /** The guest address of the next byte. */
    int here() { return origin + b.size(); }

    int size() { return b.size(); }

    byte[] bytes() { return b.toByteArray(); }

    Code raw(int... bytes) {
        for (int x : bytes) b.write(x);
        return this;
    }

    Code imm32(int v) { return raw(v, v >>> 8, v >>> 16, v >>> 24); }

    Code imm16(int v) { return raw(v, v >>> 8); }

    /** {@code mov r32, imm32}; r: 0 eax, 1 ecx, 2 edx, 3 ebx, 4 esp, 5 ebp, 6 esi, 7 edi. */
    Code movImm(int r, int v) { return raw(0xB8 + r).imm32(v); }

    /** {@code mov edx, port; mov al/ax/eax, value; out dx, al/ax/eax}. */
    Code out(int port, int width, int value) {
        movImm(2, port & 0xFFFF);
        return switch (width) {
            case 1 -> raw(0xB0, value, 0xEE);
            case 2 -> raw(0x66, 0xB8).imm16(value).raw(0x66, 0xEF);
            default -> raw(0xB8).imm32(value).raw(0xEF);
        };
    }

    /** {@code mov edx, port; in al/ax/eax, dx}. */
    Code in(int port, int width) {
        movImm(2, port & 0xFFFF);
        return switch (width) {
            case 1 -> raw(0xEC);
            case 2 -> raw(0x66, 0xED);
            default -> raw(0xED);
        };
    }

    /** {@code mov byte/word/dword [address], value}. */
    Code store(int address, int width, int value) {
        return switch (width) {
            case 1 -> raw(0xC6, 0x05).imm32(address).raw(value);
            case 2 -> raw(0x66, 0xC7, 0x05).imm32(address).imm16(value);
            default -> raw(0xC7, 0x05).imm32(address).imm32(value);
        };
    }

    /** {@code mov al/ax/eax, [address]}. */
    Code load(int address, int width) {
        return switch (width) {
            case 1 -> raw(0xA0).imm32(address);
            case 2 -> raw(0x66, 0xA1).imm32(address);
            default -> raw(0xA1).imm32(address);
        };
    }

    /** {@code mov ecx, count; L: <body>; loop L}: a 1- or 2-byte body repeated (count 0 runs it 2^32 times: not used). */
    Code loop(int count, int... body) {
        movImm(1, Math.max(1, count));
        raw(body);
        return raw(0xE2, (-(body.length + 2)) & 0xFF);
    }

    /** {@code mov ebp, target; call ebp}. */
    Code call(int target) { return movImm(5, target).raw(0xFF, 0xD5); }

    /** {@code lidt [address]}. */
    Code lidt(int address) { return raw(0x0F, 0x01, 0x1D).imm32(address); }
}
