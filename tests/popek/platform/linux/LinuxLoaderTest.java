package popek.platform.linux;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import popek.cpu.ExecutionMode;
import popek.cpu.StopReason;
import popek.memory.GuestMemory;
import popek.platform.BootImageException;
import popek.platform.Machine;
import popek.platform.MachineBuilder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Linux boot protocol against handcrafted bzImages: each malformed header a clear error, and the entry state. */
class LinuxLoaderTest {
    private final GuestMemory ram = new GuestMemory(8 << 20);
    @TempDir Path dir;

    @AfterEach
    void close() { ram.close(); }

    /** A bzImage: boot sector with the setup header, setupSects more sectors of setup, then the 32-bit kernel. */
    static byte[] bzImage(int setupSects, int version, int loadflags, byte[] kernel) {
        byte[] b = new byte[(setupSects + 1) * 512 + kernel.length];
        b[0x1F1] = (byte) setupSects;
        b[0x1FE] = 0x55;
        b[0x1FF] = (byte) 0xAA;
        b[0x200] = (byte) 0xEB;                       // jmp over the header, which ends at 0x268
        b[0x201] = 0x66;
        b[0x202] = 'H'; b[0x203] = 'd'; b[0x204] = 'r'; b[0x205] = 'S';
        b[0x206] = (byte) version; b[0x207] = (byte) (version >> 8);
        b[0x211] = (byte) loadflags;
        put32(b, 0x214, 0x100000);                    // code32_start
        put32(b, 0x22C, 0x37FFFFFF);                  // initrd_addr_max
        put32(b, 0x238, 2047);                        // cmdline_size
        System.arraycopy(kernel, 0, b, (setupSects + 1) * 512, kernel.length);
        return b;
    }

    private static void put32(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) b[at + i] = (byte) (v >>> (8 * i));
    }

    private String error(byte[] image, byte[] initrd, String cmdline) {
        return assertThrows(BootImageException.class, () -> LinuxLoader.load(ram, image, "bzImage", initrd, cmdline)).getMessage();
    }

    @Test
    void malformedHeadersAreClearErrors() {
        byte[] good = bzImage(4, 0x020F, 1, new byte[1024]);
        byte[] noMagic = good.clone();
        noMagic[0x202] = 'X';
        assertTrue(error(noMagic, null, "").contains("not a Linux bzImage"));
        assertTrue(error(bzImage(4, 0x0201, 1, new byte[1024]), null, "").contains("2.01 is too old"));
        assertTrue(error(bzImage(4, 0x020F, 0, new byte[1024]), null, "").contains("zImage"));
        byte[] oversized = good.clone();
        oversized[0x1F1] = 100;
        assertTrue(error(oversized, null, "").contains("its setup is 51712 bytes, but the file is only"));
        assertTrue(error(good, new byte[8 << 20], "").contains("initrd does not fit"));
        assertTrue(error(good, null, "x".repeat(2048)).contains("at most 2047"));
        assertTrue(error(bzImage(4, 0x020F, 1, new byte[8 << 20]), null, "").contains("does not fit"));
    }

    @Test
    void theZeroPageDescribesKernelCommandLineInitrdAndMemory() throws Exception {
        byte[] kernel = {1, 2, 3, 4};
        var boot = LinuxLoader.load(ram, bzImage(4, 0x020F, 1, kernel), "bzImage", new byte[10_000], "console=ttyS0");
        assertEquals(0x100000, boot.entry());
        assertEquals(0x04030201, ram.read32(0x100000));
        int zp = boot.zeroPage();
        assertEquals(0x53726448, ram.read32(zp + 0x202));
        assertEquals(0xFF, ram.read8(zp + 0x210));
        int cmd = ram.read32(zp + 0x228);
        assertEquals("console=ttyS0", new String(ram.read(cmd, 13)));
        assertEquals(0, ram.read8(cmd + 13));
        long initrdAt = Integer.toUnsignedLong(ram.read32(zp + 0x218));
        assertEquals(0, initrdAt & 0xFFF);
        assertTrue(initrdAt + 10_000 <= ram.size() && initrdAt > 0x100000);
        assertEquals(10_000, ram.read32(zp + 0x21C));
        assertEquals(4, ram.read8(zp + 0x1E8));
        assertEquals(0, ram.read64(zp + 0x2D0));
        assertEquals(0x9FC00, ram.read64(zp + 0x2D0 + 8));
        assertEquals(1, ram.read32(zp + 0x2D0 + 16));
        assertEquals(0x00CF9A000000FFFFL, ram.read64(boot.gdt() + LinuxLoader.BOOT_CS));
    }

    /** The protected-mode entry state the protocol fixes, as a kernel checks it. */
    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void theKernelStartsAsTheProtocolSays(ExecutionMode mode) throws Exception {
        Code c = new Code();
        c.emit(0x81, 0xFE).dword(LinuxLoader.ZERO_PAGE).jneFail();            // cmp esi, zero page
        c.emit(0x66, 0x8C, 0xC8, 0x66, 0x83, 0xF8, 0x10).jneFail();           // mov ax, cs ; cmp ax, 0x10
        c.emit(0x66, 0x8C, 0xD8, 0x66, 0x83, 0xF8, 0x18).jneFail();           // mov ax, ds ; cmp ax, 0x18
        c.emit(0x81, 0xBE, 0x02, 0x02, 0x00, 0x00).dword(0x53726448).jneFail(); // cmp dword [esi+0x202], "HdrS"
        c.emit(0x8B, 0x86, 0x28, 0x02, 0x00, 0x00, 0x80, 0x38, 'c').jneFail(); // mov eax, [esi+0x228] ; cmp byte [eax], 'c'
        c.emit(0x66, 0xBA, 0x04, 0x06, 0x66, 0xB8, 0x00, 0x20, 0x66, 0xEF);    // power off
        c.fail().emit(0xB0, 0x01, 0xE6, 0xF4);                                 // fail: debug-exit 1
        Path kernel = Files.write(dir.resolve("bzImage"), bzImage(4, 0x020F, 1, c.bytes()));
        try (Machine m = new MachineBuilder().memory(16 << 20).serialOutput(OutputStream.nullOutputStream())
                .timeoutNanos(20_000_000_000L).mode(mode).linux(kernel, null, "console=ttyS0").build()) {
            StopReason r = m.run();
            assertEquals(0, r.exitCode(), r.message());
        }
    }

    /** A little assembler: bytes, and jne's to a fail label patched at the end. */
    private static final class Code {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final List<Integer> jumps = new ArrayList<>();

        Code emit(int... bytes) {
            for (int b : bytes) out.write(b);
            return this;
        }

        Code dword(int v) { return emit(v, v >>> 8, v >>> 16, v >>> 24); }

        Code jneFail() {
            emit(0x75, 0);
            jumps.add(out.size() - 1);
            return this;
        }

        Code fail() {
            byte[] b = out.toByteArray();
            out.reset();
            for (int at : jumps) b[at] = (byte) (b.length - (at + 1));
            out.writeBytes(b);
            return this;
        }

        byte[] bytes() { return out.toByteArray(); }
    }
}
