package popek.debian;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian packages fetched, pinned and checked, through the machine's own configured Debian archive: the Java side of
 * {@code native/debian-fetch.sh}, whose header documents what is checked and where the .debs are cached.
 *
 * <p>The script is found in {@code $popek.home/native} (the launcher sets {@code -Dpopek.home}, the build sets it
 * for the tests), else in the working directory's {@code native/}.
 */
public final class DebianPackages {
    /** What a fetch of Debian packages can come to, by the script's exit status. */
    public enum Failure {
        /** A .deb did not match the archive's signed index or its pin, or the script failed otherwise (status 1). */
        CHECK_FAILED,
        /** The package, or that version, is not in the suite's index (status 3). */
        NOT_IN_ARCHIVE,
        /** Nothing can be fetched on this machine: no apt, no keyring, no configured archive, no network (status 4). */
        UNAVAILABLE
    }

    /** A fetch that failed, with the script's one-line reason. */
    public static final class FetchException extends IOException {
        private final Failure failure;

        FetchException(Failure failure, String reason) {
            super(reason);
            this.failure = failure;
        }

        /** Why, as the script's exit status said. */
        public Failure failure() { return failure; }
    }

    private final String suite, arch;
    private final Path script;
    private final long timeoutSeconds;

    /**
     * Packages of one suite (a codename, e.g. {@code bookworm}) for one Debian architecture (e.g. {@code i386}); each
     * call may take up to {@code timeoutSeconds}, after which it is stopped and fails as {@link Failure#UNAVAILABLE}.
     */
    public DebianPackages(String suite, String arch, long timeoutSeconds) {
        this.suite = suite;
        this.arch = arch;
        this.timeoutSeconds = timeoutSeconds;
        String home = System.getProperty("popek.home");
        this.script = Path.of(home != null && !home.isEmpty() ? home : ".", "native", "debian-fetch.sh").toAbsolutePath();
    }

    /**
     * The .debs of {@code specs} ({@code PKG=VERSION@SHA256}, {@code PKG=VERSION} or {@code PKG}), one path each in
     * the same order, from the cache or fetched now.
     */
    public List<Path> fetch(List<String> specs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--suite", suite, "--arch", arch));
        args.addAll(specs);
        return run(args).lines().map(Path::of).toList();
    }

    /** The archive's index record of {@code pkg} ({@code PKG} for the newest, or {@code PKG=VERSION}). */
    public String show(String pkg) throws IOException, InterruptedException {
        return run(List.of("--suite", suite, "--arch", arch, "--show", pkg));
    }

    /** The value of one field ({@code Depends}, {@code Version}, ...) of an index record, or null. */
    public static String field(String record, String name) {
        for (String l : record.lines().toList()) {
            if (l.startsWith(name + ": ")) return l.substring(name.length() + 2).strip();
        }
        return null;
    }

    private String run(List<String> args) throws IOException, InterruptedException {
        if (!Files.isExecutable(script)) {
            throw new FetchException(Failure.UNAVAILABLE, "cannot fetch Debian packages: no " + script);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(script.toString());
        cmd.addAll(args);
        Path out = Files.createTempFile("popek-debian-fetch", ".out"), err = Files.createTempFile("popek-debian-fetch", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);   // apt-get and its methods too
                p.destroyForcibly().waitFor();
                throw new FetchException(Failure.UNAVAILABLE, "cannot fetch Debian packages: debian-fetch.sh took over "
                        + timeoutSeconds + " s");
            }
            if (p.exitValue() == 0) return Files.readString(out, StandardCharsets.UTF_8);
            List<String> lines = Files.readString(err, StandardCharsets.UTF_8).strip().lines().toList();
            String reason = lines.isEmpty() ? "debian-fetch.sh failed with status " + p.exitValue() : lines.getLast();
            if (reason.startsWith("popek: ")) reason = reason.substring("popek: ".length());
            throw new FetchException(switch (p.exitValue()) {
                case 3 -> Failure.NOT_IN_ARCHIVE;
                case 4 -> Failure.UNAVAILABLE;
                default -> Failure.CHECK_FAILED;
            }, reason);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
