package popek.fuzz.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The files of a case's directory before it ran, to check that the command touched none but the disks it may write
 * (a file {@code X} that has a pristine copy {@code X.orig}) and created none but {@link FuzzLoop#SCREEN_DUMP}, and to
 * put them back as they were when the case is kept.
 */
final class Snapshot {
    private Snapshot() {}

    static Map<Path, byte[]> of(Path dir) {
        Map<Path, byte[]> files = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.sorted().toList()) if (Files.isRegularFile(f)) files.put(f.getFileName(), Files.readAllBytes(f));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** Null when only writable disks changed and nothing but a screen dump appeared, else what happened. */
    static String problem(Map<Path, byte[]> before, Path dir) {
        Map<Path, byte[]> after = of(dir);
        for (var e : after.entrySet()) {
            byte[] was = before.get(e.getKey());
            String name = e.getKey().toString();
            if (was == null) {
                if (!name.equals(FuzzLoop.SCREEN_DUMP)) return "a file appeared: " + name;
            } else if (!Arrays.equals(was, e.getValue()) && !before.containsKey(Path.of(name + ".orig"))) {
                return "a file that is no writable disk changed: " + name;
            }
        }
        for (Path p : before.keySet()) if (!after.containsKey(p)) return "a file disappeared: " + p;
        return null;
    }

    /** Puts the files back as they were before the case ran (and removes what it made), and returns the case. */
    static FuzzCase restore(Map<Path, byte[]> before, FuzzCase c) {
        try {
            for (Path f : of(c.dir()).keySet()) if (!before.containsKey(f)) Files.delete(c.dir().resolve(f));
            for (var e : before.entrySet()) Files.write(c.dir().resolve(e.getKey()), e.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return c;
    }
}
