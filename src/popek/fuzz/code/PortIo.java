package popek.fuzz.code;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import popek.fuzz.harness.MultibootElf;

/** Whether the instruction at an address of a {@link RandomKernel} is port I/O (in, out, ins, outs, any prefixes). */
final class PortIo {
    private PortIo() {}

    static boolean at(Path kernel, long eip) {
        if (eip < RandomKernel.LOAD) return false;
        try {
            byte[] f = Files.readAllBytes(kernel);
            int segmentBytes = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getInt(52 + 16);   // p_filesz
            long off = eip - RandomKernel.LOAD;
            for (int i = 0; i < 15 && off + i < segmentBytes; i++) {
                int b = f[MultibootElf.FILE_SEGMENT + (int) off + i] & 0xFF;
                if (isPrefix(b)) continue;
                return (b >= 0xE4 && b <= 0xE7) || (b >= 0xEC && b <= 0xEF) || (b >= 0x6C && b <= 0x6F);
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean isPrefix(int b) {
        return b == 0x66 || b == 0x67 || b == 0xF2 || b == 0xF3 || b == 0xF0 || b == 0x26 || b == 0x2E || b == 0x36
                || b == 0x3E || b == 0x64 || b == 0x65;
    }
}
