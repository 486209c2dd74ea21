package popek.gdb;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import popek.debug.DebugSession;
import popek.debug.DebugStop;
import popek.debug.Resume;
import popek.debug.WatchKind;
import popek.engine.X86;

/**
 * The packets of the GDB Remote Serial Protocol that the stub answers while the guest is stopped: one packet in, its
 * reply out ({@link #handle}). One thread (the vCPU's, in all-stop mode), one process with one thread (the vCPU, id 1).
 * Memory addresses are linear, through the guest's page tables, unless {@code monitor memory physical} says otherwise.
 */
final class GdbProtocol {
    /** What to send for a packet: its reply (null: none), and how the guest goes on (null: it stays stopped). */
    record Reply(String text, Resume resume) {
        static Reply of(String text) { return new Reply(text, null); }
    }

    static final String SUPPORTED = "PacketSize=4000;qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+;vContSupported+";
    private static final String OK = "OK", UNSUPPORTED = "";
    /** gdb's errno-style error replies: EIO for memory, EINVAL for a malformed or refused request. */
    private static final String E_MEMORY = "E05", E_INVALID = "E16", E_NOSPACE = "E1c";
    private static final HexFormat HEX = HexFormat.of();

    private final DebugSession session;
    private final I386Registers registers;
    private final Monitor monitor;
    private final PacketSink out;
    private final String targetXml = I386Registers.targetXml();
    private DebugStop last = new DebugStop(DebugStop.Reason.START, 0, null);
    private boolean interrupted;

    /** Where a command's intermediate packets go (a monitor command's console output, 'O' packets). */
    interface PacketSink {
        void send(String payload) throws java.io.IOException;
    }

    GdbProtocol(DebugSession session, PacketSink out) {
        this.session = session;
        this.registers = new I386Registers(session.port().engine());
        this.monitor = new Monitor(session);
        this.out = out;
    }

    /** The guest stopped: {@code byInterrupt}, for gdb's own interrupt (0x03), which it expects reported as SIGINT. */
    void stopped(DebugStop stop, boolean byInterrupt) {
        last = stop;
        interrupted = byInterrupt && stop.reason() == DebugStop.Reason.PAUSED;
    }

    /** The stop reply for the last stop: T05 (SIGTRAP) or T02 (SIGINT), with the reason gdb asked to be told. */
    String stopReply() {
        String signal = interrupted ? "02" : "05";
        String reason = switch (last.reason()) {
            case SOFTWARE_BREAKPOINT -> "swbreak:;";
            case HARDWARE_BREAKPOINT -> "hwbreak:;";
            case WATCHPOINT -> switch (last.watch()) {
                case WRITE -> "watch:";
                case READ -> "rwatch:";
                case ACCESS -> "awatch:";
            } + Long.toHexString(last.address()) + ";";
            default -> "";
        };
        return "T" + signal + reason + "thread:01;";
    }

    Reply handle(String p) throws java.io.IOException {
        if (p.isEmpty()) return Reply.of(UNSUPPORTED);
        switch (p.charAt(0)) {
            case '?': return Reply.of(stopReply());
            case 'g': return Reply.of(readAllRegisters());
            case 'G': return Reply.of(writeAllRegisters(p.substring(1)));
            case 'p': return Reply.of(readRegister(p.substring(1)));
            case 'P': return Reply.of(writeRegister(p.substring(1)));
            case 'm': return Reply.of(readMemory(p.substring(1)));
            case 'M': return Reply.of(writeMemory(p.substring(1), false));
            case 'X': return Reply.of(writeMemory(p.substring(1), true));
            case 'Z', 'z': return Reply.of(breakpoint(p.charAt(0) == 'Z', p.substring(1)));
            case 'c', 's', 'C', 'S': return resume(p);
            case 'D': return new Reply(OK, Resume.DETACH);
            case 'k': return new Reply(null, Resume.KILL);
            case 'H': return Reply.of(OK);
            case 'T': return Reply.of(OK);
            case 'v': return verbose(p);
            case 'q': return Reply.of(query(p));
            case 'Q': return Reply.of(p.equals("QStartNoAckMode") ? OK : UNSUPPORTED);
            default: return Reply.of(UNSUPPORTED);
        }
    }

    private Reply verbose(String p) {
        if (p.equals("vCont?")) return Reply.of("vCont;c;C;s;S");
        if (p.startsWith("vCont;")) {
            // The first action for our thread (or for all threads) decides: a step, or running on.
            for (String action : p.substring(6).split(";")) {
                int colon = action.indexOf(':');
                String thread = colon < 0 ? null : action.substring(colon + 1);
                if (thread != null && !thread.equals("1") && !thread.equals("01") && !thread.equals("-1") && !thread.equals("p1.1")) continue;
                char a = action.charAt(0);
                if (a == 's' || a == 'S') return new Reply(null, Resume.STEP);
                if (a == 'c' || a == 'C') return new Reply(null, Resume.CONTINUE);
                return Reply.of(E_INVALID);
            }
            return Reply.of(E_INVALID);
        }
        if (p.startsWith("vKill")) return new Reply(OK, Resume.KILL);
        return Reply.of(UNSUPPORTED);   // vMustReplyEmpty, vFile, ...
    }

    /** c/s [ADDR], C/S SIG[;ADDR]: resume at ADDR if given (signals mean nothing to a bare machine). */
    private Reply resume(String p) {
        char cmd = p.charAt(0);
        String rest = p.substring(1);
        if (cmd == 'C' || cmd == 'S') {
            int semi = rest.indexOf(';');
            rest = semi < 0 ? "" : rest.substring(semi + 1);
        }
        if (!rest.isEmpty()) {
            try {
                session.port().engine().setReg(X86.EIP, (int) Long.parseUnsignedLong(rest, 16));
            } catch (NumberFormatException e) {
                return Reply.of(E_INVALID);
            }
        }
        return new Reply(null, cmd == 's' || cmd == 'S' ? Resume.STEP : Resume.CONTINUE);
    }

    private String query(String p) throws java.io.IOException {
        if (p.startsWith("qSupported")) return SUPPORTED;
        if (p.startsWith("qXfer:features:read:")) return features(p.substring("qXfer:features:read:".length()));
        if (p.equals("qAttached") || p.startsWith("qAttached:")) return "1";
        if (p.equals("qC")) return "QC1";
        if (p.equals("qfThreadInfo")) return "m1";
        if (p.equals("qsThreadInfo")) return "l";
        if (p.startsWith("qSymbol")) return OK;
        if (p.startsWith("qRcmd,")) {
            String command;
            try {
                command = new String(HEX.parseHex(p.substring(6)), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return E_INVALID;
            }
            String text = monitor.run(command);
            for (int i = 0; i < text.length(); i += 512) {
                out.send("O" + HEX.formatHex(text.substring(i, Math.min(text.length(), i + 512)).getBytes(StandardCharsets.UTF_8)));
            }
            return OK;
        }
        return UNSUPPORTED;   // qTStatus, qOffsets, qThreadExtraInfo, ...
    }

    /** qXfer:features:read:ANNEX:OFFSET,LENGTH: a slice of the target description, 'm' (more) or 'l' (last). */
    private String features(String args) {
        int colon = args.indexOf(':'), comma = args.indexOf(',');
        if (colon < 0 || comma < colon) return E_INVALID;
        if (!args.substring(0, colon).equals("target.xml")) return "E00";
        try {
            int offset = Integer.parseInt(args.substring(colon + 1, comma), 16);
            int length = Integer.parseInt(args.substring(comma + 1), 16);
            if (offset >= targetXml.length()) return "l";
            int end = (int) Math.min(targetXml.length(), (long) offset + length);
            return (end == targetXml.length() ? "l" : "m") + targetXml.substring(offset, end);
        } catch (NumberFormatException e) {
            return E_INVALID;
        }
    }

    private String readAllRegisters() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < I386Registers.ALL.size(); i++) s.append(HEX.formatHex(registers.read(i)));
        return s.toString();
    }

    private String writeAllRegisters(String hex) {
        int at = 0;
        boolean ok = true;
        for (int i = 0; i < I386Registers.ALL.size() && at < hex.length(); i++) {
            int n = I386Registers.ALL.get(i).bytes() * 2;
            if (at + n > hex.length()) return E_INVALID;
            byte[] value;
            try {
                value = HEX.parseHex(hex, at, at + n);
            } catch (IllegalArgumentException e) {
                return E_INVALID;
            }
            at += n;
            if (!java.util.Arrays.equals(value, registers.read(i))) ok &= registers.write(i, value);
        }
        return ok ? OK : E_INVALID;
    }

    private String readRegister(String arg) {
        try {
            int n = Integer.parseInt(arg, 16);
            if (n < 0 || n >= I386Registers.ALL.size()) return E_INVALID;
            return HEX.formatHex(registers.read(n));
        } catch (NumberFormatException e) {
            return E_INVALID;
        }
    }

    private String writeRegister(String arg) {
        int eq = arg.indexOf('=');
        try {
            int n = Integer.parseInt(arg.substring(0, Math.max(0, eq)), 16);
            if (n < 0 || n >= I386Registers.ALL.size()) return E_INVALID;
            return registers.write(n, HEX.parseHex(arg.substring(eq + 1))) ? OK : E_INVALID;
        } catch (IllegalArgumentException e) {
            return E_INVALID;
        }
    }

    /** m ADDR,LENGTH: the bytes that can be read from ADDR on (fewer than asked at a hole), or an error for none. */
    private String readMemory(String arg) {
        long[] al = addressLength(arg, arg.length());
        if (al == null) return E_INVALID;
        byte[] b = new byte[(int) Math.min(al[1], 0x2000)];
        int n = monitor.physicalMemory() ? session.memory().readPhysical(al[0], b, 0, b.length)
                : session.memory().readLinear(al[0], b, 0, b.length);
        if (n == 0 && b.length > 0) return E_MEMORY;
        return HEX.formatHex(b, 0, n);
    }

    /** M ADDR,LENGTH:HEX and X ADDR,LENGTH:BINARY. */
    private String writeMemory(String arg, boolean binary) {
        int colon = arg.indexOf(':');
        if (colon < 0) return E_INVALID;
        long[] al = addressLength(arg, colon);
        if (al == null) return E_INVALID;
        byte[] data;
        try {
            data = binary ? arg.substring(colon + 1).getBytes(StandardCharsets.ISO_8859_1) : HEX.parseHex(arg.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            return E_INVALID;
        }
        if (data.length != al[1]) return E_INVALID;
        if (data.length == 0) return OK;   // gdb's probe of whether X is supported
        int n = monitor.physicalMemory() ? session.memory().writePhysical(al[0], data, 0, data.length)
                : session.memory().writeLinear(al[0], data, 0, data.length);
        if (n > 0) session.memoryChanged();
        return n == data.length ? OK : E_MEMORY;
    }

    /** "ADDR,LENGTH" (hexadecimal) up to {@code end}, or null. */
    private static long[] addressLength(String arg, int end) {
        int comma = arg.indexOf(',');
        if (comma < 0 || comma > end) return null;
        try {
            long address = Long.parseUnsignedLong(arg.substring(0, comma), 16);
            long length = Long.parseUnsignedLong(arg.substring(comma + 1, end), 16);
            if (length > 0x100000) return null;
            return new long[] {address, length};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Z/z TYPE,ADDR,KIND: 0 software and 1 hardware breakpoints, 2 write, 3 read and 4 access watchpoints. */
    private String breakpoint(boolean insert, String arg) {
        String[] f = arg.split("[,;]");
        if (f.length < 3) return E_INVALID;
        int type;
        long address, kind;
        try {
            type = Integer.parseInt(f[0]);
            address = Long.parseUnsignedLong(f[1], 16);
            kind = Long.parseLong(f[2], 16);
        } catch (NumberFormatException e) {
            return E_INVALID;
        }
        if (address > 0xFFFFFFFFL) return E_INVALID;
        switch (type) {
            case 0, 1 -> {
                if (insert) return session.insertBreakpoint(address, type == 1) ? OK : E_NOSPACE;
                session.removeBreakpoint(address);
                return OK;
            }
            case 2, 3, 4 -> {
                if (kind <= 0 || kind > 0x10000) return E_INVALID;
                WatchKind w = type == 2 ? WatchKind.WRITE : type == 3 ? WatchKind.READ : WatchKind.ACCESS;
                if (insert) return session.insertWatchpoint(address, (int) kind, w) ? OK : E_NOSPACE;
                session.removeWatchpoint(address, (int) kind, w);
                return OK;
            }
            default -> {
                return UNSUPPORTED;
            }
        }
    }
}
