package popek.fuzz;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import popek.cpu.ExecutionMode;
import popek.cpu.StopReason;

/**
 * The {@code cpu} fuzz target: the differential tester of full mode. Each generated case runs once in each mode of
 * the pair from the same memory image and registers, and the final architectural states are compared. A difference
 * that disappears when the pieces meeting a known Unicorn error are left out is explained by that error's rule; any
 * other is shrunk and printed as a reproducer.
 */
public final class CpuDifferential {
    /**
     * What to run: cases [first, first + count) of a seed, or as many from {@code first} as {@code seconds} allow (when
     * not 0), in a pair of modes, on {@code jobs} threads; each run limited to {@code timeoutNanos}, each divergence
     * shrunk with at most {@code shrinkTries} runs of both modes.
     */
    public record Options(long seed, int first, int count, long seconds, ExecutionMode oracle, ExecutionMode tested,
                          long timeoutNanos, int jobs, int shrinkTries, boolean verbose) {
        /** A fixed number of cases, shrinking as the command line does by default. */
        public Options(long seed, int first, int count, ExecutionMode oracle, ExecutionMode tested, long timeoutNanos,
                       int jobs, boolean verbose) {
            this(seed, first, count, 0, oracle, tested, timeoutNanos, jobs, SHRINK_TRIES, verbose);
        }
    }

    /** What a run found. */
    public record Summary(int cases, Map<Outcome, Integer> outcomes, Map<Quirk, Integer> explained, double seconds) {
        public boolean failed() { return outcomes.getOrDefault(Outcome.DIVERGED, 0) > 0; }

        public int diverged() { return outcomes.getOrDefault(Outcome.DIVERGED, 0); }

        public String line() {
            StringBuilder s = new StringBuilder(String.format("cpu: %d cases in %.1f s (%.1f cases/s):", cases, seconds,
                    seconds > 0 ? cases / seconds : 0));
            String sep = " ";
            for (Outcome o : Outcome.values()) {
                s.append(sep).append(outcomes.getOrDefault(o, 0)).append(' ').append(o.label);
                sep = ", ";
            }
            for (var q : explained.entrySet()) s.append("; explained by ").append(q.getKey().name().toLowerCase().replace('_', '-'))
                    .append(": ").append(q.getValue());
            return s.toString();
        }
    }

    /** One case's result, and the text to print for it (a reproducer, an explanation, or nothing). */
    record CaseResult(int index, Outcome outcome, Set<Quirk> quirks, String report) { }

    private final Options options;

    public CpuDifferential(Options options) { this.options = options; }

    public Summary run(PrintWriter out) throws InterruptedException {
        long began = System.nanoTime();
        long deadline = options.seconds() > 0 ? began + options.seconds() * 1_000_000_000L : Long.MAX_VALUE;
        Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
        Map<Quirk, Integer> explained = new EnumMap<>(Quirk.class);
        int jobs = Math.max(1, options.jobs());
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        int cases = 0;
        try {
            // A window of cases in flight, results taken in order: reproducers print as they come, and a run given
            // seconds stops submitting at its deadline.
            java.util.ArrayDeque<Future<CaseResult>> window = new java.util.ArrayDeque<>();
            int next = 0;
            while (true) {
                while (window.size() < 4 * jobs && (options.seconds() > 0 ? System.nanoTime() < deadline : next < options.count())) {
                    int index = options.first() + next++;
                    window.add(pool.submit(() -> runSafely(index)));
                }
                Future<CaseResult> f = window.poll();
                if (f == null) break;
                CaseResult r;
                try {
                    r = f.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a case failed to run: " + e.getCause(), e.getCause());
                }
                cases++;
                outcomes.merge(r.outcome(), 1, Integer::sum);
                for (Quirk q : r.quirks()) explained.merge(q, 1, Integer::sum);
                if (!r.report().isEmpty()) {
                    out.print(r.report());
                    out.flush();
                }
                if (cases % PROGRESS == 0) {   // a long run says how it goes
                    out.println(new Summary(cases, outcomes, explained, (System.nanoTime() - began) / 1e9).line() + " (so far)");
                    out.flush();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return new Summary(cases, outcomes, explained, (System.nanoTime() - began) / 1e9);
    }

    /** A case whose generation, building or comparison throws is a failure with the exception as its report. */
    private CaseResult runSafely(int index) {
        try {
            return runCase(index);
        } catch (RuntimeException e) {
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            return new CaseResult(index, Outcome.DIVERGED, Set.of(), String.format(
                    "FAILED: case %d of seed %d could not be run: %s%n%s", index, options.seed(), e, trace));
        }
    }

    CaseResult runCase(int index) {
        FuzzCase c = CaseGen.generate(options.seed(), index);
        Comparison first = compare(c, Set.of());
        List<StateDiff.Difference> diffs = first.diffs();
        if (first.oneTimedOut()) {   // nothing to compare: the host was slow, or a mode is; said, never a failure
            FinalState late = timedOut(first.oracle()) ? first.oracle() : first.tested();
            FinalState done = late == first.oracle() ? first.tested() : first.oracle();
            ExecutionMode lateMode = late == first.oracle() ? options.oracle() : options.tested();
            return inconclusive(index, String.format("%s mode ran out of time (%s mode: %s)", lateMode.label(),
                    (lateMode == options.oracle() ? options.tested() : options.oracle()).label(), StateDiff.describe(done.stop())));
        }
        if (diffs.isEmpty()) {
            Outcome o = agreed(first.oracle());
            return new CaseResult(index, o, Set.of(), options.verbose() ? "case " + index + ": " + o.label + "\n" : "");
        }
        // QEMU's ltr caches the available TSS type: when that is all there is, no need to run the case again.
        if (diffs.stream().allMatch(d -> d.field().equals("TR.flags") && (Long.decode(d.emulate()) ^ Long.decode(d.full())) == 0x200)) {
            return new CaseResult(index, Outcome.EXPLAINED, EnumSet.of(Quirk.LTR_HIDDEN_TYPE), options.verbose()
                    ? String.format("case %d: explained (%s)%n  explained: %s%n", index, diffs.get(0), Quirk.LTR_HIDDEN_TYPE.rule()) : "");
        }
        // Known Unicorn errors: leave out every piece that may meet one; if the modes then agree, say which rule.
        Set<Quirk> present = EnumSet.noneOf(Quirk.class);
        for (Piece p : c.pieces()) present.addAll(p.quirks());
        FuzzCase clean = c.withPieces(c.pieces().stream().map(Piece::withoutQuirks).filter(java.util.Objects::nonNull).toList());
        Comparison start = first;   // the run the shrinking starts from
        if (!present.isEmpty()) {
            Comparison without = compare(clean, Set.of());
            start = without;
            if (without.anyTimedOut()) {
                return inconclusive(index, "the modes differ (" + diffs.get(0) + "), and the run without the pieces that may "
                        + "meet a known Unicorn error ran out of time");
            }
            if (without.diffs().isEmpty()) {
                Set<Quirk> rules = narrow(c, present);
                StringBuilder s = new StringBuilder();
                if (options.verbose()) {
                    s.append(String.format("case %d: explained (first difference: %s)%n", index, diffs.get(0)));
                    for (Quirk q : rules) s.append("  explained: ").append(q.rule()).append('\n');
                }
                return new CaseResult(index, Outcome.EXPLAINED, rules, s.toString());
            }
        }
        // QEMU's missing segment checks: found instruction by instruction, not by piece (a segment a piece loaded
        // breaks the operands of the pieces after it).
        for (FuzzCase base : present.isEmpty() ? List.of(c) : List.of(c, clean)) {
            Set<Integer> nopped = segmentChecks(base);
            if (nopped == OUT_OF_TIME) {
                return inconclusive(index, "the modes differ (" + diffs.get(0) + "), and a run that checks it against "
                        + "QEMU's missing segment checks ran out of time");
            }
            if (nopped != null) {
                Set<Quirk> rules = EnumSet.of(Quirk.SEGMENT_CHECKS);
                if (base == clean) rules.addAll(present);
                String s = options.verbose() ? String.format("case %d: explained (first difference: %s)%n  explained, "
                        + "the instructions at %s nopped: %s%n", index, diffs.get(0), nopped, Quirk.SEGMENT_CHECKS.rule()) : "";
                return new CaseResult(index, Outcome.EXPLAINED, rules, s);
            }
        }
        // The shrinking keeps to the divergence it began with: dropping pieces can make another one (seed 20261208,
        // case 21955: without the paging-off piece before a switch to real mode, CR0 got PG without PE, a known QEMU
        // error, and that was printed instead of the case's own divergence).
        String kind = kind(start);
        Shrinker.Shrunk small = Shrinker.shrink(clean, a -> a.fuzzCase().build(a.nopped()).consistent()
                && kind.equals(kind(compare(a.fuzzCase(), a.nopped()))), options.shrinkTries());
        List<StateDiff.Difference> shrunkDiffs = differences(small.fuzzCase(), small.nopped());
        if (shrunkDiffs.isEmpty()) {   // a divergence that does not come back (should not happen: runs are deterministic)
            small = new Shrinker.Shrunk(clean, Set.of(), 0);
            shrunkDiffs = differences(clean, Set.of());
        }
        String header = String.format("DIVERGED: case %d of seed %d (%s against %s; shrunk from %d pieces to %d in %d tries)",
                index, options.seed(), options.tested().label(), options.oracle().label(), c.pieces().size(),
                small.fuzzCase().pieces().size(), small.tries());
        return new CaseResult(index, Outcome.DIVERGED, Set.of(),
                Reproducer.format(small.fuzzCase(), small.nopped(), shrunkDiffs, header));
    }

    private CaseResult inconclusive(int index, String why) {
        return new CaseResult(index, Outcome.INCONCLUSIVE, Set.of(), String.format(
                "INCONCLUSIVE: case %d of seed %d: %s; again with more time: ./popek fuzz --seed %d --case %d --case-timeout 60s%n",
                index, options.seed(), why, options.seed(), index));
    }

    /** A long run prints its summary so far every this many cases. */
    private static final int PROGRESS = 10_000;

    /** Runs of both modes a divergence is shrunk with, by default. */
    public static final int SHRINK_TRIES = 400;

    /** The quirks that explain a difference on their own (all of them if none does alone). */
    private Set<Quirk> narrow(FuzzCase c, Set<Quirk> present) {
        if (present.size() == 1) return present;
        for (Quirk q : present) {
            FuzzCase without = c.withPieces(c.pieces().stream().map(p -> p.quirks().contains(q) ? p.withoutQuirks() : p)
                    .filter(java.util.Objects::nonNull).toList());
            if (agree(without, Set.of())) return EnumSet.of(q);
        }
        return present;
    }

    /** Instructions nopped one by one, at most, in explaining a divergence by QEMU's missing segment checks. */
    private static final int SEGMENT_CHECK_ROUNDS = 8;

    /** What {@link #segmentChecks} returns when a run it needed ran out of time: nothing can be concluded. */
    private static final Set<Integer> OUT_OF_TIME = Set.of(-1);

    /**
     * Explains a divergence by {@link Quirk#SEGMENT_CHECKS}: while the modes differ, the case runs in emulate mode
     * with a code hook on every instruction whose memory operand full mode emulates, until one is about to run in a
     * state where that operand breaks its segment's checks ({@link SegmentChecks}, the tester's own model): there the
     * CPU and full mode fault and QEMU goes on. That instruction is nopped out, and the case runs again. Returns the
     * nopped instructions once the modes agree, null if they never do (or no instruction breaks the checks), or
     * {@link #OUT_OF_TIME}. (Not the modes' event logs: a case can overwrite the log, and a fault's delivery can fail.)
     */
    private Set<Integer> segmentChecks(FuzzCase c) {
        Set<Integer> nopped = new java.util.TreeSet<>();
        long longer = LONGER * options.timeoutNanos();
        for (int round = 0; round <= SEGMENT_CHECK_ROUNDS; round++) {
            Comparison r = compare(c, nopped);
            if (r.anyTimedOut()) return OUT_OF_TIME;
            if (r.diffs().isEmpty()) return nopped.isEmpty() ? null : nopped;
            if (round == SEGMENT_CHECK_ROUNDS) return null;
            FuzzCase.Built b = c.build(nopped);
            int[] candidates = SegmentChecks.candidates(b, nopped);
            if (candidates.length == 0) return null;
            SegmentChecks.Access[] access = new SegmentChecks.Access[b.starts().length];
            for (int k : candidates) access[k] = SegmentChecks.decode(b.code(), b.starts()[k], b.bits()[k]);
            int k = CaseRunner.firstWhere(b, options.oracle(), longer, candidates,
                    (i, gprs, segments, cr0) -> SegmentChecks.fault(access[i], gprs, segments, cr0) != 0);
            if (k == CaseRunner.OUT_OF_TIME) return OUT_OF_TIME;
            if (k < 0) return null;
            nopped.add(k);
        }
        return null;
    }

    /**
     * Both modes' final states of one run of a case, and their differences (none when a mode ran out of time: a run
     * cut short by the host's clock is not a state to compare).
     */
    record Comparison(List<StateDiff.Difference> diffs, FinalState oracle, FinalState tested) {
        boolean anyTimedOut() { return timedOut(oracle) || timedOut(tested); }

        boolean oneTimedOut() { return timedOut(oracle) != timedOut(tested); }
    }

    Comparison compare(FuzzCase c, Set<Integer> nopped) {
        FuzzCase.Built b = c.build(nopped);
        FinalState oracle = CaseRunner.run(b, options.oracle(), options.timeoutNanos());
        FinalState tested = CaseRunner.run(b, options.tested(), options.timeoutNanos());
        // The limit is short (a case is milliseconds of guest time; one that loops for ever costs all of it), and the
        // clock is the host's: when only one mode ran out of time, it runs again with more before they are compared.
        if (timedOut(oracle) != timedOut(tested)) {
            long longer = LONGER * options.timeoutNanos();
            if (timedOut(oracle)) oracle = CaseRunner.run(b, options.oracle(), longer);
            else tested = CaseRunner.run(b, options.tested(), longer);
        }
        boolean late = timedOut(oracle) || timedOut(tested);
        return new Comparison(late ? List.of() : StateDiff.compare(oracle, tested), oracle, tested);
    }

    /** Do both modes run the case to the same state, neither out of time (what an explanation needs)? */
    private boolean agree(FuzzCase c, Set<Integer> nopped) {
        Comparison r = compare(c, nopped);
        return !r.anyTimedOut() && r.diffs().isEmpty();
    }

    /**
     * What kind of divergence a run shows, for the shrinker to keep to: how each mode stopped and what kind of field
     * differs first (the stop, the event log, registers, segments, control registers, RAM); "" when none.
     */
    private static String kind(Comparison r) {
        if (r.diffs().isEmpty()) return "";
        String field = r.diffs().get(0).field();
        String category = field.startsWith("event") ? "events" : field.startsWith("RAM") ? "RAM"
                : field.contains(".") ? "segments" : field.startsWith("CR") || field.startsWith("EFER") || field.startsWith("SYSENTER")
                ? "controls" : field.equals("stop") || field.equals("aborted") ? field : "registers";
        return r.oracle().stop().cause() + "/" + r.tested().stop().cause() + "/" + category;
    }

    private static final int LONGER = 8;

    private static boolean timedOut(FinalState s) { return s.stop().cause() == StopReason.Cause.TIMEOUT; }

    private List<StateDiff.Difference> differences(FuzzCase c, Set<Integer> nopped) { return compare(c, nopped).diffs(); }

    private static Outcome agreed(FinalState s) {
        if (s.stop().cause() == StopReason.Cause.TIMEOUT) return Outcome.TIMED_OUT;
        if (s.aborted()) return Outcome.AGREED_ABORTED;
        return s.stop().byGuest() ? Outcome.AGREED : Outcome.AGREED_STOPPED;
    }
}
