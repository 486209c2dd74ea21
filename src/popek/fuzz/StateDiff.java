package popek.fuzz;

import java.util.ArrayList;
import java.util.List;

import popek.cpu.StopReason;

/**
 * The differences between two final states, most telling first: how the run stopped, the event log in order (which
 * is the execution's own history, so its first difference is usually the root), EIP, registers and flags, the
 * segment caches, the control registers and MSRs, then RAM byte by byte.
 */
final class StateDiff {
    private StateDiff() { }

    /** One differing field, with each mode's value. */
    record Difference(String field, String emulate, String full) {
        @Override
        public String toString() { return field + ": emulate " + emulate + ", full " + full; }
    }

    /** The attribute bits of a descriptor's high dword: G, D/B, L, AVL, P, DPL, S, type (not base or limit). */
    private static final long ATTRIBUTES = 0x00F0FF00L;

    static List<Difference> compare(FinalState e, FinalState f) {
        List<Difference> d = new ArrayList<>();
        if (e.stop().exitCode() != f.stop().exitCode()) {
            d.add(new Difference("stop", describe(e.stop()), describe(f.stop())));
        }
        if (e.stop().cause() == StopReason.Cause.TIMEOUT || f.stop().cause() == StopReason.Cause.TIMEOUT) return d;
        if (e.stop().cause() == StopReason.Cause.UNMAPPED_MEMORY && f.stop().cause() == StopReason.Cause.UNMAPPED_MEMORY) {
            // Unicorn stops a guest access to no memory at the start of its translation block, with the registers as
            // they were part way through it, and of an instruction's several accesses it may report another one (a
            // store reported as a read under the shadow MMU, measured): only the page is comparable.
            String a = where(e.stop().message()), b = where(f.stop().message());
            if (!a.equals(b)) d.add(new Difference("stop", a, b));
            return d;
        }
        int ne = e.events(), nf = f.events();
        for (int i = 0; i < Math.max(ne, nf); i++) {
            String a = i < ne ? event(e.event(i)) : "none", b = i < nf ? event(f.event(i)) : "none";
            if (!a.equals(b)) {
                d.add(new Difference("event " + i, a, b));
                break;
            }
        }
        if (ne != nf) d.add(new Difference("event count", Integer.toString(ne), Integer.toString(nf)));
        if (e.aborted() != f.aborted()) d.add(new Difference("aborted", Boolean.toString(e.aborted()), Boolean.toString(f.aborted())));
        check(d, "EIP", e.eip(), f.eip());
        for (int i = 0; i < 8; i++) check(d, FinalState.GPR_NAMES[i], e.gprs()[i], f.gprs()[i]);
        check(d, "EFLAGS", e.eflags(), f.eflags());
        check(d, "CPL", e.cpl(), f.cpl());
        String[] parts = {"selector", "base", "limit", "flags"};
        for (int s = 0; s < 10; s++) {
            for (int p = 0; p < 4; p++) {
                if (s >= 8 && (p == 0 || p == 3)) continue;   // GDTR and IDTR have only a base and a limit
                // A null LDTR is invalid: what else its cache holds no instruction can see (QEMU keeps the old).
                if (s == 6 && p > 0 && (e.segments()[24] & ~3) == 0 && (f.segments()[24] & ~3) == 0) continue;
                long a = e.segments()[4 * s + p], b = f.segments()[4 * s + p];
                if (p == 3) {   // QEMU keeps the descriptor's whole high dword; only its attribute bits are state
                    a &= ATTRIBUTES;
                    b &= ATTRIBUTES;
                }
                if (a != b) d.add(new Difference(FinalState.SEGMENT_NAMES[s] + "." + parts[p], hex(a), hex(b)));
            }
        }
        for (int i = 0; i < 4; i++) check(d, FinalState.CONTROL_NAMES[i], e.controls()[i], f.controls()[i]);
        for (int i = 0; i < e.msrs().length; i++) {
            if (e.msrs()[i] != f.msrs()[i]) d.add(new Difference(FinalState.MSR_NAMES[i], hex(e.msrs()[i]), hex(f.msrs()[i])));
        }
        ramDifference(d, e.ram(), f.ram());
        return d;
    }

    private static void ramDifference(List<Difference> d, RamSnapshot a, RamSnapshot b) {
        int at = a.mismatch(b);
        if (at < 0) return;
        int[] count = a.countFrom(b, at);
        d.add(new Difference(String.format("RAM at 0x%05x (%s; %d bytes differ, the last at 0x%05x)", at, region(at),
                count[0], count[1]), bytes(a, at), bytes(b, at)));
    }

    private static String bytes(RamSnapshot m, int at) {
        StringBuilder s = new StringBuilder();
        for (int i = at; i < Math.min(m.size(), at + 8); i++) s.append(String.format("%02x", m.read8(i)));
        return s.toString();
    }

    /** Which part of the layout an address is in. */
    static String region(int at) {
        if (at < Layout.LOG) return "IVT";
        if (at < Layout.GDT) return "handler log";
        if (at < Layout.IDT) return at < Layout.LDT ? "GDT" : "LDT";
        if (at < Layout.TSS) return "IDT";
        if (at < Layout.HANDLERS) return "TSS";
        if (at < Layout.HANDLERS_END) return "handlers";
        if (at < Layout.CODE) return "real-mode stack";
        if (at < Layout.CODE_END) return "code";
        if (at < Layout.DATA) return "length map";
        if (at < Layout.DATA_END) return "data";
        if (at < Layout.KSTACK_TOP) return "kernel stack";
        if (at < Layout.PD32) return "user stack";
        if (at < 0x50000) return "page tables";
        return "other";
    }

    private static void check(List<Difference> d, String field, int a, int b) {
        if (a != b) d.add(new Difference(field, hex(a & 0xFFFFFFFFL), hex(b & 0xFFFFFFFFL)));
    }

    static String hex(long v) { return String.format("0x%x", v); }

    static String event(int[] ev) {
        int vector = ev[0] & 0xFFFF, cs = ev[0] >>> 16;
        return String.format("vector 0x%02x err 0x%x at %04x:%08x (%s 0x%08x)", vector, ev[1], cs, ev[2],
                vector == 14 ? "CR2" : "EFLAGS", ev[3]);
    }

    /** The page of "read from physical address 0x..." in a no-memory stop's message. */
    private static String where(String message) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(read from|wrote to|jumped to) physical address (0x[0-9a-f]+)")
                .matcher(message);
        return m.find() ? String.format("page 0x%x", Long.decode(m.group(2)) & ~0xFFFL) : message;
    }

    static String describe(StopReason s) { return "exit " + s.exitCode() + " (" + s.message() + ")"; }
}
