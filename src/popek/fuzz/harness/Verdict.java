package popek.fuzz.harness;

import java.util.List;

/**
 * What a {@code popek boot} command may do with any input, as the README's exit-code table and the developers' guide
 * promise: return in time; exit with a documented code (0 or odd: the guest's own; 2: a usage error; 64-72: a stop
 * Popek decided on), never 74 (an internal error); say so on stderr in lines that each begin "popek: " (exactly one
 * for a usage error or a stop, plus at most the BIOS-services summary), never a stack trace; and allocate no more on
 * the Java heap than what it was asked to read plus a fixed bound.
 */
public final class Verdict {
    /** Heap a command may allocate beyond the bytes of its input files (measured: see the README's Hardening section). */
    public static final long HEAP_BOUND = 64L << 20;

    private static final String BIOS_LINE = "popek: the guest called BIOS services";
    private static final List<Integer> STOPS = List.of(64, 66, 68, 70, 72);

    private Verdict() {}

    /**
     * Null when the command {@code args} kept every promise with the result {@code r}: a {@code popek run}'s, whose
     * exit status is its program's ({@link #runProblem}), or a {@code popek boot}'s ({@link #problem(CliRun.Result, long)}).
     */
    public static String problem(List<String> args, CliRun.Result r, long inputBytes) {
        return !args.isEmpty() && args.getFirst().equals("run") ? runProblem(r, inputBytes) : problem(r, inputBytes);
    }

    /**
     * A {@code popek run} whose command line is sound: returns in time; with the program's own status (0-124, or 128 + a
     * signal), never 125-127 (Popek's own mistake or a program it could not start) or an internal error; nothing on
     * stderr but lines that begin "popek: " (the fuzzed program writes none); the same heap bound.
     */
    static String runProblem(CliRun.Result r, long inputBytes) {
        if (r.hung()) return String.format("hung: no answer %.1f s after it started", r.seconds());
        if (r.escaped() != null) return "a Throwable escaped Main.execute: " + r.escaped();
        List<String> lines = r.stderr().lines().toList();
        for (String l : lines) {
            if (l.contains("\tat ") || l.startsWith("Exception") || l.contains("Exception in thread")) return "a stack trace on stderr: " + l;
            if (!l.startsWith("popek: ")) return "a stderr line not from Popek: " + l;
            if (l.startsWith("popek: internal error")) return "internal error: " + l;
        }
        if (r.code() < 0 || r.code() > 159 || (r.code() >= 125 && r.code() <= 128)) {
            return "exit " + r.code() + " is no program's status: " + String.join(" | ", lines);
        }
        if (r.heapBytes() > inputBytes + HEAP_BOUND) {
            return String.format("allocated %d MiB of heap (bound: input + %d MiB)", r.heapBytes() >> 20, HEAP_BOUND >> 20);
        }
        return null;
    }

    /** Null when {@code r} keeps every promise, else what it broke (one line). {@code inputBytes}: the files named. */
    public static String problem(CliRun.Result r, long inputBytes) {
        if (r.hung()) return String.format("hung: no answer %.1f s after it started (past its --timeout)", r.seconds());
        if (r.escaped() != null) return "a Throwable escaped Main.execute: " + r.escaped();
        List<String> lines = r.stderr().lines().toList();
        for (String l : lines) {
            if (l.contains("\tat ") || l.startsWith("Exception") || l.contains("Exception in thread")) return "a stack trace on stderr: " + l;
            if (!l.startsWith("popek: ")) return "a stderr line not from Popek: " + l;
        }
        if (r.code() == 74 || lines.stream().anyMatch(l -> l.startsWith("popek: internal error"))) {
            return "internal error (exit " + r.code() + "): " + String.join(" | ", lines);
        }
        long said = lines.stream().filter(l -> !l.startsWith(BIOS_LINE)).count();
        boolean guestExit = r.code() == 0 || (r.code() & 1) == 1;
        if (r.code() == 2 || STOPS.contains(r.code())) {
            if (said != 1) return "exit " + r.code() + " with " + said + " lines of reason, not one: " + String.join(" | ", lines);
        } else if (!guestExit) {
            return "exit " + r.code() + " is not a documented exit code: " + String.join(" | ", lines);
        } else if (said > 1) {
            return "the guest's exit " + r.code() + " with " + said + " lines on stderr: " + String.join(" | ", lines);
        }
        if (lines.size() - said > 1) return "more than one BIOS-services line: " + String.join(" | ", lines);
        if (r.heapBytes() > inputBytes + HEAP_BOUND) {
            return String.format("allocated %d MiB of heap for %d KiB of input (bound: input + %d MiB)", r.heapBytes() >> 20,
                    inputBytes >> 10, HEAP_BOUND >> 20);
        }
        return null;
    }
}
