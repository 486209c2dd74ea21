package popek.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory pressure: in a 2 MiB page pool, 400 execs of 40 different files (half a program exiting 3, half one exiting
 * 4: the same layout, different code) evict the page cache and recycle frames thousands of times, and each program
 * still runs its own code. (Whether a reused frame would run stale code is up to where the frames land; the hazard
 * itself, and its cure, are checked directly in CpuTest.)
 */
class FrameReuseTest {
    @TempDir Path dir;

    @Test
    void recycledFramesNeverRunTheCodeTheyHeldBefore() throws IOException {
        new TestRoot(dir).program("runner");
        List<String> argv = new ArrayList<>(List.of("/runner", "10"));
        for (int i = 0; i < 20; i++) {
            for (String p : List.of("a", "b")) {
                Path to = dir.resolve(p + i);
                Files.copy(LinuxRun.programs().resolve("answer_" + p), to);
                Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
                argv.add("/" + p + i);
            }
        }
        LinuxRun r = LinuxRun.run(2L << 20, dir, "", List.of(), argv.toArray(new String[0]));
        assertEquals("400 runs, 0 wrong\n", r.out(), r.err());
        long frames = r.kernel().stats().framesRecycled;
        assertTrue(frames > 2000, "the pool recycled only " + frames + " frames");
    }
}
