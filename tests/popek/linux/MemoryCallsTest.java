package popek.linux;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Memory (tests/linux/memory.c): brk, anonymous mmap, munmap holes, MAP_FIXED, mprotect (read-only, PROT_NONE and
 * back), mremap, shared anonymous memory across fork, private file mappings, EFAULT from calls on bad buffers, stack
 * growth; the same output as under qemu-i386.
 */
class MemoryCallsTest {
    @TempDir Path dir;

    @Test
    void everyCheckPassesAndMatchesQemuUser() {
        new TestRoot(dir).program("memory").file("data.txt", "mapped file contents\n", "rw-r--r--");
        LinuxRun all = LinuxRun.run(dir, "", "/memory", "popek");
        assertFalse(all.out().contains("FAIL"), all.out() + all.err());
        assertEquals(0, all.exitCode(), all.out() + all.err());
        LinuxRun r = LinuxRun.run(dir, "", "/memory");
        QemuUser.Result q = QemuUser.run(dir.resolve("memory"));
        assertEquals(q.out(), r.out());
    }
}
