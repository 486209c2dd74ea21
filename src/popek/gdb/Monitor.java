package popek.gdb;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import popek.debug.DebugSession;
import popek.debug.GuestView;
import popek.engine.Unicorn;
import popek.engine.X86;

/**
 * gdb's {@code monitor} commands ({@code qRcmd}): what QEMU's monitor shows a kernel's author and gdb cannot, from the
 * stopped vCPU. Each returns the text to print.
 */
final class Monitor {
    static final String HELP = """
            Popek monitor commands (gdb: monitor COMMAND):
              info registers     every register, with each segment's hidden base, limit and attributes
              info tlb           the current address space: linear ranges, the physical pages behind them, rights
              xp ADDR [LEN]      a hex dump of physical memory (LEN bytes, default 64; also QEMU's xp /Nx ADDR)
              stats              run-loop exits and traps so far, by kind (as --stats prints at exit)
              memory linear|physical   what addresses in gdb's memory packets (x, print, set) mean (default linear)
              step-interrupts on|off   whether stepi may enter an interrupt handler (default off)
              help               this list
            """;
    private static final int DUMP_LIMIT = 4096, TLB_LIMIT = 400;

    private final DebugSession session;
    private final Unicorn uc;
    private final long started = System.nanoTime();
    /** Memory packets address physical memory (true) or linear (false). */
    private boolean physical;

    Monitor(DebugSession session) {
        this.session = session;
        this.uc = session.port().engine();
    }

    boolean physicalMemory() { return physical; }

    String run(String line) {
        String[] w = line.strip().split("\\s+");
        String cmd = w[0];
        return switch (cmd) {
            case "", "help", "?" -> HELP;
            case "info", "i" -> w.length < 2 ? "info what? (registers, tlb)\n" : switch (w[1]) {
                case "registers", "reg", "r" -> registers();
                case "tlb", "mem" -> tlb();
                default -> "unknown: info " + w[1] + " (info registers, info tlb)\n";
            };
            case "xp" -> dump(w);
            case "stats" -> stats();
            case "memory" -> {
                if (w.length == 2 && (w[1].equals("physical") || w[1].equals("linear"))) {
                    physical = w[1].equals("physical");
                    yield "memory packets now address " + w[1] + " memory\n";
                }
                yield "memory linear|physical (now " + (physical ? "physical" : "linear") + ")\n";
            }
            case "step-interrupts" -> {
                if (w.length == 2 && (w[1].equals("on") || w[1].equals("off"))) session.stepIntoInterrupts(w[1].equals("on"));
                yield "step-interrupts " + (session.stepsIntoInterrupts() ? "on" : "off") + "\n";
            }
            default -> "unknown command '" + cmd + "' (monitor help lists them)\n";
        };
    }

    private String registers() {
        StringBuilder s = new StringBuilder();
        int[] gpr = {X86.EAX, X86.EBX, X86.ECX, X86.EDX, X86.ESI, X86.EDI, X86.EBP, X86.ESP};
        String[] names = {"EAX", "EBX", "ECX", "EDX", "ESI", "EDI", "EBP", "ESP"};
        for (int i = 0; i < 8; i++) s.append(String.format("%s=%08x%s", names[i], uc.reg(gpr[i]), i % 4 == 3 ? "\n" : " "));
        long[] bases = new long[6];
        int[] limits = new int[6], flags = new int[6];
        int hflags = uc.context().segmentState(bases, limits, flags);
        int eflags = uc.reg(X86.EFLAGS), cr0 = uc.reg(X86.CR0);
        s.append(String.format("EIP=%08x EFL=%08x [%s] CPL=%d %s%n", uc.reg(X86.EIP), eflags, eflagNames(eflags), hflags & 3,
                (cr0 & X86.CR0_PE) == 0 ? "real mode" : (cr0 & X86.CR0_PG) != 0 ? "protected mode, paging on" : "protected mode, paging off"));
        String[] segs = {"ES", "CS", "SS", "DS", "FS", "GS"};
        int[] ids = {X86.ES, X86.CS, X86.SS, X86.DS, X86.FS, X86.GS};
        s.append("seg  selector base     limit    attributes\n");
        for (int i = 0; i < 6; i++) {
            s.append(String.format("%-4s %04x     %08x %08x %08x %s%n", segs[i], uc.selector(ids[i]), bases[i], limits[i], flags[i],
                    describe(flags[i], (cr0 & X86.CR0_PE) != 0)));
        }
        for (int id : new int[] {X86.LDTR, X86.TR}) {
            long base = uc.readTable(id);
            s.append(String.format("%-4s %04x     %08x %08x%n", id == X86.LDTR ? "LDT" : "TR", uc.tableSelector(), base, uc.tableLimit()));
        }
        long gdt = uc.readTable(X86.GDTR);
        int gdtLimit = uc.tableLimit();
        long idt = uc.readTable(X86.IDTR);
        s.append(String.format("GDT=     %08x %08x%nIDT=     %08x %08x%n", gdt, gdtLimit, idt, uc.tableLimit()));
        s.append(String.format("CR0=%08x CR2=%08x CR3=%08x CR4=%08x EFER=%016x%n", cr0, uc.reg(X86.CR2), uc.reg(X86.CR3),
                uc.reg(X86.CR4), uc.msr(X86.MSR_EFER)));
        return s.toString();
    }

    private static String eflagNames(int f) {
        String[] n = {"CF", "", "PF", "", "AF", "", "ZF", "SF", "TF", "IF", "DF", "OF"};
        StringBuilder s = new StringBuilder();
        for (int b = 0; b < n.length; b++) if (!n[b].isEmpty() && (f & (1 << b)) != 0) s.append(s.isEmpty() ? "" : " ").append(n[b]);
        if ((f & X86.FLAG_IOPL) != 0) s.append(" IOPL=").append((f >>> 12) & 3);
        if ((f & X86.FLAG_VM) != 0) s.append(" VM");
        return s.toString();
    }

    /** QEMU's cached descriptor flags (the descriptor's high word): what kind of segment, in words. */
    private static String describe(int f, boolean protectedMode) {
        if (!protectedMode) return "real-mode segment";
        if ((f & (1 << 15)) == 0) return "not present";
        int type = (f >>> 8) & 0xF, dpl = (f >>> 13) & 3;
        boolean code = (f & (1 << 12)) != 0 && (type & 8) != 0;
        String kind = (f & (1 << 12)) == 0 ? "system type " + type
                : code ? "code" + ((type & 2) != 0 ? " readable" : "") + ((type & 4) != 0 ? " conforming" : "")
                : "data" + ((type & 2) != 0 ? " writable" : " read-only") + ((type & 4) != 0 ? " expand-down" : "");
        return String.format("%s, %s, DPL %d%s", kind, (f & (1 << 22)) != 0 ? "32-bit" : "16-bit", dpl, (f & (1 << 23)) != 0 ? ", 4K granular" : "");
    }

    private String tlb() {
        if ((uc.reg(X86.CR0) & X86.CR0_PG) == 0) return "paging is off: linear addresses are physical\n";
        List<GuestView.Mapping> maps = session.memory().mappings(TLB_LIMIT);
        StringBuilder s = new StringBuilder(String.format("CR3=%08x%s%n", uc.reg(X86.CR3), (uc.reg(X86.CR4) & X86.CR4_PAE) != 0 ? " (PAE)" : ""));
        s.append("linear             physical           size      rights\n");
        for (GuestView.Mapping m : maps) {
            s.append(String.format("%08x-%08x  %08x-%08x  %8s  %s %s%n", m.linear(), m.linear() + m.size() - 1, m.physical(),
                    m.physical() + m.size() - 1, size(m.size()), m.writable() ? "rw" : "r-", m.user() ? "user" : "kernel"));
        }
        if (maps.size() == TLB_LIMIT) s.append("(only the first ").append(TLB_LIMIT).append(" ranges)\n");
        if (maps.isEmpty()) s.append("(nothing mapped)\n");
        return s.toString();
    }

    private static String size(long b) {
        return b % (1 << 20) == 0 ? (b >> 20) + "M" : (b >> 10) + "K";
    }

    /** xp ADDR [LEN], or QEMU's xp /N[x|b|w|g] ADDR (N units of the given size, default words of 4 bytes). */
    private String dump(String[] w) {
        try {
            int i = 1;
            long count = 64;
            int unit = 1;
            if (w.length > 1 && w[1].startsWith("/")) {
                String f = w[1].substring(1);
                int j = 0;
                while (j < f.length() && Character.isDigit(f.charAt(j))) j++;
                long n = j == 0 ? 1 : Long.parseLong(f.substring(0, j));
                unit = f.contains("b") ? 1 : f.contains("h") ? 2 : f.contains("g") ? 8 : 4;
                count = n * unit;
                i = 2;
            }
            if (w.length <= i) return "xp ADDR [LEN]\n";
            long at = parse(w[i]);
            if (w.length > i + 1) count = parse(w[i + 1]);
            count = Math.min(count, DUMP_LIMIT);
            byte[] b = new byte[(int) count];
            int n = session.memory().readPhysical(at, b, 0, b.length);
            StringBuilder s = new StringBuilder();
            for (int o = 0; o < n; o += 16) {
                s.append(String.format("%08x:", at + o));
                for (int k = o; k < Math.min(n, o + 16); k += unit) {
                    long v = 0;
                    for (int q = unit - 1; q >= 0; q--) v = (v << 8) | (k + q < n ? b[k + q] & 0xFF : 0);
                    s.append(String.format(" %0" + (2 * unit) + "x", v));
                }
                s.append('\n');
            }
            if (n < count) s.append(String.format("%08x: no RAM here%n", at + n));
            return s.toString();
        } catch (NumberFormatException e) {
            return "xp ADDR [LEN]: numbers in decimal or with 0x\n";
        }
    }

    private static long parse(String s) {
        return s.startsWith("0x") || s.startsWith("0X") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
    }

    private String stats() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        session.port().stats().print(out, String.format(Locale.ROOT, "popek: %s mode, so far", session.port().mode().label()),
                System.nanoTime() - started);
        var shadows = session.port().shadowCode();
        if (shadows != null) {
            out.printf(Locale.ROOT, "  shadow code pages: %d now, %d built, %d rebuilt, pool emptied %d times%n", shadows.size(),
                    shadows.scans(), shadows.rescans(), shadows.purges());
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
