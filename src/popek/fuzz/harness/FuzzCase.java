package popek.fuzz.harness;

import java.nio.file.Path;
import java.util.List;

/**
 * One generated command line and the files it names, all in {@code dir}: {@code args} as the user would type them,
 * {@code inputBytes} what they ask Popek to read (the heap bound is over it), {@code limitNanos} after which no answer
 * is a hang, and {@code check} what the target checks beyond {@link Verdict} once the command returned (null: nothing
 * wrong), e.g. that a disk changed only where the guest wrote.
 */
public record FuzzCase(String name, Path dir, List<String> args, long inputBytes, long limitNanos, Check check) {
    /** A target's own check of a finished case. */
    @FunctionalInterface
    public interface Check {
        String problem(Path dir, CliRun.Result result);

        Check NONE = (dir, result) -> null;
    }
}
