package popek.linux;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The FPU state in i386 signal frames (tests/linux/fpuframe.c): sigcontext.fpstate, the FSAVE part, status, magic 0
 * and the 64-byte aligned FXSAVE image, for rt and old frames, the same as qemu-i386 writes them; and sigreturn
 * loading them back, a handler's own FPU use undone and its edits of the frame taken. qemu-i386 7.2 puts back MXCSR
 * and the XMM registers as Linux does but leaves the x87 registers as the handler left them, where Linux loads them
 * from the frame's FSAVE part (convert_to_fxsr in __fpu_restore_sig): those lines are checked against Linux's values.
 */
class FpuSignalFrameTest {
    @TempDir Path dir;

    @Test
    void fpuStateIsInTheFrameAndSigreturnLoadsIt() {
        new TestRoot(dir).program("fpuframe");
        LinuxRun r = LinuxRun.run(dir, "", "/fpuframe");
        assertEquals(0, r.exitCode(), r.out() + r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(16, lines.size(), r.out());
        for (String kind : List.of("rt frame", "old frame")) {
            assertEquals(kind + ", handler clobbers: [x87] after sigreturn: cw 27f, ST0 25/10, ST1 15/10", find(lines, kind + ", handler clobbers: [x87] after"));
            assertEquals(kind + ", handler edits the frame: [x87] after sigreturn: cw 27f, ST0 15/10, ST1 15/10", find(lines, kind + ", handler edits the frame: [x87] after"));
            assertEquals(kind + ", handler edits the frame: [fxsr] after sigreturn: mxcsr 7f80, xmm1 aaaaaaaa bbbbbbbb cccccccc dddddddd",
                    find(lines, kind + ", handler edits the frame: [fxsr] after"));
            assertEquals(kind + ", handler clobbers: [fxsr] in the frame: magic 0, mxcsr 3f80, xmm1 11111111 22222222 33333333 44444444, "
                    + "FXSAVE 64-byte aligned yes", find(lines, kind + ", handler clobbers: [fxsr] in"));
        }
        QemuUser.Result q = QemuUser.run(dir.resolve("fpuframe"));
        assertEquals(0, q.exitCode(), q.out());
        assertEquals(withoutX87Restore(q.out().lines().toList()), withoutX87Restore(lines));
    }

    private static String find(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElse("(no line " + prefix + ")");
    }

    private static List<String> withoutX87Restore(List<String> lines) {
        return lines.stream().filter(l -> !l.contains("[x87] after sigreturn")).toList();
    }
}
