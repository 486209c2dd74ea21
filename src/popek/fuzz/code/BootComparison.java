package popek.fuzz.code;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import popek.cpu.StopReason;
import popek.fuzz.harness.CliRun;

/**
 * What two modes' boots of the same random code must share: the exit code; the guest's output (only a common
 * prefix when both ran out of time, since they stopped at different moments); for a stop Popek decided on, the EIP
 * its line names, except for an access to memory that does not exist, where the access and the physical address
 * must agree instead: Unicorn 2.1.1 reports such an access at the start of its translation block, not at the
 * instruction, and full mode's blocks (on rewritten pages) start elsewhere; and each mode's disk afterwards. Null when
 * they agree, else the difference in one line.
 */
final class BootComparison {
    private static final Pattern EIP = Pattern.compile("EIP (0x[0-9a-fA-F]+)");
    private static final Pattern NO_MEMORY = Pattern.compile("the guest (\\w+(?: \\w+)?) physical address (0x[0-9a-fA-F]+)");

    private static final String V86 = "virtual-8086 mode";
    /** A #GP's exit through the kernel's gates: debug-exit with vector 13. */
    static final int GP_EXIT = (13 << 1) | 1, DF_EXIT = (8 << 1) | 1;

    private BootComparison() {}

    static String problem(List<String> modes, List<CliRun.Result> results, List<Path> disks) {
        return problem(modes, results, disks, null);
    }

    /** The same, {@code kernel} the Multiboot image both ran (null for a boot sector), to explain a difference by. */
    static String problem(List<String> modes, List<CliRun.Result> results, List<Path> disks, Path kernel) {
        CliRun.Result a = results.get(0), b = results.get(1);
        String ma = modes.get(0), mb = modes.get(1);
        if (kernel != null && b.code() == GP_EXIT && PortIo.at(kernel, reportedEip(b))) {
            // Full mode checks I/O permission (CPL > IOPL and no TSS bitmap: #GP; at CPL 0 it never faults); Unicorn
            // compiles QEMU's check out, so emulate mode runs the in/out and goes on (the README's list of Unicorn's
            // limits), to whatever comes next.
            return null;
        }
        if (a.code() != b.code()) {
            return String.format("exit %d in %s mode (%s), %d in %s mode (%s)", a.code(), ma, line(a), b.code(), mb, line(b));
        }
        boolean timedOut = a.code() == StopReason.Cause.TIMEOUT.exitCode();
        if (timedOut) {
            String sa = a.stdout(), sb = b.stdout();
            if (!(sa.startsWith(sb) || sb.startsWith(sa))) return "the guest's output differs before the timeout: " + firstDifference(sa, sb);
            return null;
        }
        if (a.code() == DF_EXIT && b.code() == DF_EXIT) {
            // A double fault's saved CS:EIP are undefined (SDM vol. 3A 6.15, interrupt 8): the EIP the gate reports
            // is not compared.
            return null;
        }
        if (!a.stdout().equals(b.stdout()) || a.stdoutBytes() != b.stdoutBytes()) {
            return "the guest's output differs: " + firstDifference(a.stdout(), b.stdout()) + " (" + a.stdoutBytes() + " and "
                    + b.stdoutBytes() + " bytes)";
        }
        if (a.code() == StopReason.Cause.UNMAPPED_MEMORY.exitCode()) {
            String na = access(a), nb = access(b);
            if (na == null || !na.equals(nb)) return String.format("the guest %s in %s mode, %s in %s mode (%s | %s)", na, ma, nb, mb, line(a), line(b));
            return null;
        }
        if (a.code() == StopReason.Cause.UNSUPPORTED.exitCode() && line(a).contains(V86) && line(b).contains(V86)) {
            // Emulate mode lets Unicorn enter virtual-8086 mode and sees it at the next event it delivers there; full mode
            // stops at the iret that would enter it. Both refuse it, at different instructions.
            return null;
        }
        String ea = eip(a), eb = eip(b);
        if (ea != null && eb != null && !ea.equals(eb)) {
            return String.format("exit %d at EIP %s in %s mode, %s in %s mode (%s | %s)", a.code(), ea, ma, eb, mb, line(a), line(b));
        }
        if (disks.size() == 2) {
            try {
                byte[] da = Files.readAllBytes(disks.get(0)), db = Files.readAllBytes(disks.get(1));
                int at = Arrays.mismatch(da, db);
                if (at >= 0) return String.format("the disks differ afterwards, first at byte %d (sector %d)", at, at / 512);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return null;
    }

    /** The stop's line without "popek: " (or "(none)"). */
    private static String line(CliRun.Result r) {
        return r.stderr().lines().filter(l -> !l.startsWith("popek: the guest called BIOS")).findFirst()
                .map(l -> l.replaceFirst("^popek: ", "")).orElse("(none)");
    }

    /** The EIP a gate reported last (the final four bytes of the output, little-endian), or -1. */
    static long reportedEip(CliRun.Result r) {
        String s = r.stdout();
        if (s.length() < 4 || r.stdoutBytes() != s.length()) return -1;
        long eip = 0;
        for (int i = 0; i < 4; i++) eip |= (long) (s.charAt(s.length() - 4 + i) & 0xFF) << (8 * i);
        return eip;
    }

    /** "read from 0x..." of a stop at memory that does not exist, or null. */
    private static String access(CliRun.Result r) {
        Matcher m = NO_MEMORY.matcher(line(r));
        return m.find() ? m.group(1) + " " + m.group(2).toLowerCase() : null;
    }

    private static String eip(CliRun.Result r) {
        Matcher m = EIP.matcher(line(r));
        return m.find() ? m.group(1).toLowerCase() : null;
    }

    private static String firstDifference(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) i++;
        return String.format("at byte %d: %s vs %s", i, snippet(a, i), snippet(b, i));
    }

    private static String snippet(String s, int i) {
        if (i >= s.length()) return "(end)";
        StringBuilder b = new StringBuilder();
        for (char c : s.substring(i, Math.min(s.length(), i + 12)).toCharArray()) b.append(String.format("%02x", (int) c));
        return b.toString();
    }
}
