package popek.fuzz.harness;

import java.nio.file.Path;
import java.util.List;

/**
 * One generated command line and the files it names, all in {@code dir}: {@code args} as the user would type them,
 * {@code inputBytes} what they ask Popek to read (the heap bound is over it), {@code limitNanos} after which no answer
 * is a hang, and {@code check} what the target checks beyond {@link Verdict} once the command returned (null: nothing
 * wrong), e.g. that a disk changed only where the guest wrote. A differential case ({@code differential} not null)
 * also runs the same input other ways and holds the runs to agree.
 */
public record FuzzCase(String name, Path dir, List<String> args, long inputBytes, long limitNanos, Check check,
                       Differential differential) {
    public FuzzCase(String name, Path dir, List<String> args, long inputBytes, long limitNanos, Check check) {
        this(name, dir, args, inputBytes, limitNanos, check, null);
    }

    /** A target's own check of a finished case. */
    @FunctionalInterface
    public interface Check {
        String problem(Path dir, CliRun.Result result);

        Check NONE = (dir, result) -> null;
    }

    /**
     * The other command lines of a differential case ({@code others}, run after {@code args}, each held to the
     * {@link Verdict} too), what must hold between all the results ({@code comparison}: null when they agree), and
     * every command line again with more time ({@code patient}, {@code args} first), run once more when the results
     * disagree and one of them ran out of its --timeout: a run near its limit is not a disagreement.
     */
    public record Differential(List<List<String>> others, Comparison comparison, List<List<String>> patient) { }

    /** What must hold between the results of a differential case's runs (in the order args, others...). */
    @FunctionalInterface
    public interface Comparison {
        String problem(List<CliRun.Result> results);
    }
}
