package popek.linux;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Floating-point faults (tests/linux/fpe.c) as SIGFPE with Linux's si_code and si_addr: each line is 32 (SIGFPE)
 * + 16 (si_addr on the faulting instruction) + si_code. qemu-i386 raises no x87 or SSE exception at all, and
 * Unicorn's FPU flags only x87 division by zero; so a line is either Linux's value or 0 (no fault: the engine did not
 * flag it), and the ones the engine does raise must be exact.
 */
class FloatingPointFaultTest {
    @TempDir Path dir;

    @Test
    void faultsCarryLinuxsCodeAndAddress() {
        new TestRoot(dir).program("fpe");
        LinuxRun r = LinuxRun.run(dir, "", "/fpe");
        assertEquals(0, r.exitCode(), r.out() + r.err());
        Map<String, Integer> got = new LinkedHashMap<>();
        for (String line : r.out().split("\n")) {
            int colon = line.lastIndexOf(": ");
            got.put(line.substring(0, colon), Integer.parseInt(line.substring(colon + 2)));
        }
        assertEquals(48 + 3, got.get("x87 divide by zero"), r.out());
        assertEquals(0, got.get("x87 masked"), r.out());
        assertEquals(0, got.get("x87 masked again before the wait"), r.out());
        assertEquals(48 + 1, got.get("integer divide by zero"), r.out());
        Map<String, Integer> linux = Map.of("x87 invalid operation", 48 + 7, "x87 overflow", 48 + 4, "x87 underflow", 48 + 5,
                "x87 precision", 48 + 6, "SSE divide by zero", 48 + 3, "SSE invalid operation", 48 + 7);
        linux.forEach((what, code) -> assertTrue(got.get(what) == 0 || got.get(what).equals(code), what + ": " + r.out()));
        assertEquals(10, got.size(), r.out());
    }
}
