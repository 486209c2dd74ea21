package popek.fuzz.code;

import java.io.ByteArrayOutputStream;

/** Machine code written byte by byte at a known guest address (the few encodings the code target's prologues use). */
final class Bytes {
    private final ByteArrayOutputStream b = new ByteArrayOutputStream();
    private final int origin;

    Bytes(int origin) { this.origin = origin; }

    int here() { return origin + b.size(); }

    byte[] array() { return b.toByteArray(); }

    Bytes raw(int... bytes) {
        for (int x : bytes) b.write(x);
        return this;
    }

    Bytes raw(byte[] bytes) {
        b.writeBytes(bytes);
        return this;
    }

    Bytes imm16(int v) { return raw(v, v >>> 8); }

    Bytes imm32(int v) { return raw(v, v >>> 8, v >>> 16, v >>> 24); }

    /** {@code mov r32, imm32} (r: 0 eax ... 7 edi). */
    Bytes movImm(int r, int v) { return raw(0xB8 + r).imm32(v); }

    /** {@code mov al, v; out 0xF4, al; hlt; jmp $-1}: debug-exit with v, and a stop should the port not stop it. */
    Bytes debugExit(int v) { return raw(0xB0, v, 0xE6, 0xF4, 0xF4, 0xEB, 0xFD); }
}
