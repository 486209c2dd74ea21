package popek.linux;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The oracle: QEMU's user-mode emulator (Debian's qemu-user), which runs an i386 program with its own Linux system calls. */
public final class QemuUser {
    private QemuUser() { }

    /** The qemu-i386 binary, or the test is skipped saying how to get it. */
    public static Path binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, "qemu-i386");
            if (Files.isExecutable(p)) return p;
        }
        assumeTrue(false, "qemu-i386 is not installed (Debian: apt-get install qemu-user): no oracle to compare with");
        return null;
    }

    /**
     * Runs {@code program} with {@code args} under qemu-i386 (30 s at most), absolute paths looked up in the program's
     * directory first (qemu's -L); its standard output and exit code.
     */
    public static Result run(Path program, String... args) {
        List<String> cmd = new ArrayList<>(List.of(binary().toString(), "-L", program.getParent().toString(), program.toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("qemu-i386 did not finish in 30 s");
            }
            return new Result(new String(out, StandardCharsets.UTF_8), p.exitValue());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** What the program printed and its exit code. */
    public record Result(String out, int exitCode) { }
}
