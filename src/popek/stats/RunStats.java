package popek.stats;

import java.io.PrintStream;
import java.util.Locale;

import popek.translate.SensitiveClass;

/**
 * Counters for one run: run-loop exits by reason, traps by kind (with host time when timing is on), and exceptions and
 * interrupts by vector. Plain arrays indexed by ordinal, so counting allocates nothing; single-threaded (the vCPU).
 */
public final class RunStats {
    private final boolean timed;
    private final long[] exits = new long[ExitReason.values().length];
    private final long[] traps = new long[TrapKind.values().length];
    private final long[] trapNanos = new long[TrapKind.values().length];
    private final long[] vectors = new long[256];
    private final long[] sensitive = new long[SensitiveClass.values().length];
    private final long[] sensitiveNanos = new long[SensitiveClass.values().length];

    /** {@code timed}: also measure host time per trap (two clock reads per trap; off unless --stats asks for it). */
    public RunStats(boolean timed) { this.timed = timed; }

    /** A timestamp for {@link #trap(TrapKind, long)}, or 0 when timing is off. */
    public long begin() { return timed ? System.nanoTime() : 0; }

    public void trap(TrapKind kind, long began) {
        traps[kind.ordinal()]++;
        if (timed) trapNanos[kind.ordinal()] += System.nanoTime() - began;
    }

    /** A trap counted without host time (one whose time is not the VMM's, such as the wait in hlt). */
    public void count(TrapKind kind) { traps[kind.ordinal()]++; }

    /** A rewritten sensitive instruction trapped and was emulated (full mode), class by ordinal. */
    public void sensitive(int classOrdinal, long began) {
        sensitive[classOrdinal]++;
        if (timed) sensitiveNanos[classOrdinal] += System.nanoTime() - began;
    }

    public long sensitive(SensitiveClass c) { return sensitive[c.ordinal()]; }

    /** Hypercalls by number: the hypercall page's slots, and one row for every number past them. */
    private static final int HYPERCALL_ROWS = 129;
    private final long[] hypercalls = new long[HYPERCALL_ROWS];
    private final long[] hypercallNanos = new long[HYPERCALL_ROWS];

    /** A para-virtualised guest's hypercall {@code nr} returned (counted as a trap kind by the vCPU besides). */
    public void hypercall(int nr, long began) {
        int row = nr >= 0 && nr < HYPERCALL_ROWS - 1 ? nr : HYPERCALL_ROWS - 1;
        hypercalls[row]++;
        if (timed) hypercallNanos[row] += System.nanoTime() - began;
    }

    private long ringErrors;

    /** The para-virtual rings' count of malformed contents so far (each answered with an error, never more). */
    public void ringErrors(long total) { ringErrors = total; }

    public long ringErrors() { return ringErrors; }

    /** How many hypercalls numbered {@code nr} the guest made. */
    public long hypercalls(int nr) { return nr >= 0 && nr < HYPERCALL_ROWS - 1 ? hypercalls[nr] : hypercalls[HYPERCALL_ROWS - 1]; }

    public long sensitiveNanos(SensitiveClass c) { return sensitiveNanos[c.ordinal()]; }

    public void exit(ExitReason reason) { exits[reason.ordinal()]++; }

    public void vector(int v) { vectors[v & 0xFF]++; }

    /** How many exceptions and interrupts were delivered through vector {@code v}. */
    public long vectors(int v) { return vectors[v & 0xFF]; }

    private final long[] biosCalls = new long[256];
    private final int[] biosLastFunction = new int[256];

    /** A real-mode {@code int vector} into the BIOS Popek does not provide, with the function asked for (AH). */
    public void biosCall(int vector, int ah) {
        biosCalls[vector & 0xFF]++;
        biosLastFunction[vector & 0xFF] = ah;
    }

    /** How many BIOS calls went to this vector. */
    public long biosCalls(int vector) { return biosCalls[vector & 0xFF]; }

    /**
     * One line naming every BIOS service the guest called ("int 0x13 (AH=0x02) 3 times, ..."), or null if none: the
     * launcher prints it at exit, with or without --stats, since such a guest did not get what it asked for.
     */
    public String biosCallSummary() {
        StringBuilder b = new StringBuilder();
        for (int v = 0; v < 256; v++) {
            if (biosCalls[v] == 0) continue;
            if (!b.isEmpty()) b.append(", ");
            b.append(String.format(Locale.ROOT, "int 0x%02x (last AH=0x%02x) %d time%s", v, biosLastFunction[v], biosCalls[v],
                    biosCalls[v] == 1 ? "" : "s"));
        }
        return b.isEmpty() ? null : "the guest called BIOS services, which Popek does not provide (each returned CF=1, AH=0x86): " + b;
    }

    public long exits(ExitReason r) { return exits[r.ordinal()]; }

    public long traps(TrapKind k) { return traps[k.ordinal()]; }

    public long trapNanos(TrapKind k) { return trapNanos[k.ordinal()]; }

    public long totalExits() {
        long n = 0;
        for (long e : exits) n += e;
        return n;
    }

    public long totalTraps() {
        long n = 0;
        for (long t : traps) n += t;
        for (long t : sensitive) n += t;
        return n;
    }

    /** The {@code --stats} report. */
    public void print(PrintStream out, String header, long wallNanos) {
        out.printf(Locale.ROOT, "%s%n", header);
        out.printf(Locale.ROOT, "  wall time %.3f ms%n", wallNanos / 1e6);
        out.printf(Locale.ROOT, "  %-44s %12s%n", "run-loop exits by reason", "count");
        for (ExitReason r : ExitReason.values()) {
            if (exits(r) > 0) out.printf(Locale.ROOT, "    %-42s %12d%n", r.label, exits(r));
        }
        out.printf(Locale.ROOT, "  %-44s %12s %14s %10s%n", "traps by kind", "count", "host time", "mean");
        for (TrapKind k : TrapKind.values()) {
            long n = traps(k);
            if (n == 0) continue;
            if (timed && trapNanos(k) > 0) {
                out.printf(Locale.ROOT, "    %-42s %12d %11.3f ms %7.0f ns%n", k.label, n, trapNanos(k) / 1e6, (double) trapNanos(k) / n);
            } else {
                out.printf(Locale.ROOT, "    %-42s %12d%n", k.label, n);
            }
        }
        boolean anyClass = false;
        for (SensitiveClass c : SensitiveClass.values()) {
            long n = sensitive(c);
            if (n == 0) continue;
            if (!anyClass) out.printf(Locale.ROOT, "  %-44s %12s %14s %10s%n", "rewritten instructions trapped, by class", "count", "host time", "mean");
            anyClass = true;
            if (timed) {
                out.printf(Locale.ROOT, "    %-42s %12d %11.3f ms %7.0f ns%n", c.label(), n, sensitiveNanos(c) / 1e6, (double) sensitiveNanos(c) / n);
            } else {
                out.printf(Locale.ROOT, "    %-42s %12d%n", c.label(), n);
            }
        }
        boolean anyCall = false;
        for (int nr = 0; nr < HYPERCALL_ROWS; nr++) {
            long n = hypercalls[nr];
            if (n == 0) continue;
            if (!anyCall) out.printf(Locale.ROOT, "  %-44s %12s %14s %10s%n", "hypercalls, by number", "count", "host time", "mean");
            anyCall = true;
            String name = nr == HYPERCALL_ROWS - 1 ? "(numbers past the hypercall page)" : nr + " " + popek.para.HypercallNames.name(nr);
            if (timed) {
                out.printf(Locale.ROOT, "    %-42s %12d %11.3f ms %7.0f ns%n", name, n, hypercallNanos[nr] / 1e6, (double) hypercallNanos[nr] / n);
            } else {
                out.printf(Locale.ROOT, "    %-42s %12d%n", name, n);
            }
        }
        if (ringErrors > 0) out.printf(Locale.ROOT, "    %-42s %12d%n", "malformed ring contents (error answers)", ringErrors);
        boolean any = false;
        for (int v = 0; v < 256; v++) {
            if (vectors[v] == 0) continue;
            if (!any) out.printf(Locale.ROOT, "  %-44s %12s%n", "exceptions and interrupts by vector", "count");
            any = true;
            out.printf(Locale.ROOT, "    vector %-35s %12d%n", String.format(Locale.ROOT, "%d (0x%02x)", v, v), vectors[v]);
        }
    }
}
