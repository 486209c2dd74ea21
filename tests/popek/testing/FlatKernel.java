package popek.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import popek.platform.multiboot.KernelImages;

/**
 * A Multiboot kernel made of hand-assembled bytes: a 32-byte header using the a.out kludge (load at 1 MiB, enter
 * just past the header) followed by the code. For tests and benchmarks that need exact instruction sequences.
 */
public final class FlatKernel {
    public static final int LOAD = 0x100000;
    public static final int ENTRY = LOAD + 32;

    private final ByteArrayOutputStream code = new ByteArrayOutputStream();

    /** Appends instruction bytes (each int is one byte). */
    public FlatKernel emit(int... bytes) {
        for (int b : bytes) code.write(b);
        return this;
    }

    /** Appends a little-endian dword (an immediate). */
    public FlatKernel dword(int v) {
        return emit(v, v >>> 8, v >>> 16, v >>> 24);
    }

    /** The guest address the next emitted byte will have. */
    public int here() { return ENTRY + code.size(); }

    /** {@code mov dx, 0x604; mov ax, 0x2000; out dx, ax}: power off (exit code 0). */
    public FlatKernel powerOff() {
        return emit(0x66, 0xBA, 0x04, 0x06, 0x66, 0xB8, 0x00, 0x20, 0x66, 0xEF);
    }

    /** {@code mov al, v; out 0xF4, al}: debug-exit with code (v << 1) | 1. */
    public FlatKernel debugExit(int v) {
        return emit(0xB0, v, 0xE6, 0xF4);
    }

    public byte[] bytes() {
        byte[] image = new byte[32 + code.size()];
        System.arraycopy(code.toByteArray(), 0, image, 32, code.size());
        return KernelImages.flat(image, 0, KernelImages.aoutHeader(0, LOAD, LOAD, 0, 0, ENTRY));
    }

    public Path writeTo(Path dir, String name) {
        try {
            Path p = dir.resolve(name);
            Files.write(p, bytes());
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
