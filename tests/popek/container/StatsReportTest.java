package popek.container;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.linux.LinuxRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code popek run --stats}: calls by name with counts and times, unserved ones named, faults, switches, processes. */
class StatsReportTest {
    @TempDir Path dir;

    @Test
    void theReportNamesEveryCallAndMarksThoseNotServed() throws Exception {
        Files.copy(LinuxRun.programs().resolve("hello"), dir.resolve("hello"));
        Files.setPosixFilePermissions(dir.resolve("hello"), PosixFilePermissions.fromString("rwxr-xr-x"));
        ByteArrayOutputStream out = new ByteArrayOutputStream(), diag = new ByteArrayOutputStream();
        ContainerConfig c = new ContainerConfig(List.of(dir), List.of("/hello"), List.of(), "/", 0, 0, false, false, true, 64L << 20);
        int status = new Container(c, new Stdio(InputStream.nullInputStream(), out, out), new PrintStream(diag, true)).run();
        assertEquals(0, status);
        String report = diag.toString(StandardCharsets.UTF_8);
        assertTrue(report.lines().anyMatch(l -> l.matches("\\s+getpid\\s+1\\s+.*us\\s+.*ns")), report);
        assertTrue(report.lines().anyMatch(l -> l.matches("\\s+write\\s+4\\s+.*")), report);
        assertTrue(report.lines().anyMatch(l -> l.matches("\\s+acct\\s+1\\s+.*\\(not served: ENOSYS\\)")), report);
        assertTrue(report.contains("page faults: "), report);
        assertTrue(report.matches("(?s).*processes created: 1;.*execs: 1;.*"), report);
    }
}
