package popek.gdb;

import java.util.ArrayList;
import java.util.List;

import popek.engine.Unicorn;
import popek.engine.UnicornException;
import popek.engine.X86;

/**
 * The registers gdb sees, in the order of the target description ({@link #targetXml}), which is also their order in
 * {@code g} packets and their numbers in {@code p}/{@code P}: gdb's {@code org.gnu.gdb.i386.core} (general, segment
 * selectors, x87) and {@code org.gnu.gdb.i386.sse}, and a feature of Popek's own with what a kernel's author needs and
 * gdb has no place for: the control registers, EFER, the hidden base of each segment register, GDTR, IDTR, LDTR and
 * TR. Each is read from and written to the engine; the hidden bases, LDTR and TR are read-only.
 */
final class I386Registers {
    private enum Source { PLAIN, SELECTOR, BYTES, MSR_EFER, SEGMENT_BASE, TABLE_BASE, TABLE_LIMIT, TABLE_SELECTOR }

    /** One register: its gdb name, width, gdb type and group, and where it lives (a Unicorn register id or index). */
    record Register(String name, int bits, String type, String group, Source source, int id) {
        int bytes() { return bits / 8 + (bits % 8 == 0 ? 0 : 1); }
    }

    static final String CORE = "org.gnu.gdb.i386.core", SSE = "org.gnu.gdb.i386.sse", SYSTEM = "org.popek.i386.system";
    private static final List<Register> CORE_REGS = new ArrayList<>(), SSE_REGS = new ArrayList<>(), SYSTEM_REGS = new ArrayList<>();
    static final List<Register> ALL;

    static {
        String[] gprs = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
        int[] gprIds = {X86.EAX, X86.ECX, X86.EDX, X86.EBX, X86.ESP, X86.EBP, X86.ESI, X86.EDI};
        for (int i = 0; i < 8; i++) {
            String type = i == 4 || i == 5 ? "data_ptr" : "int32";
            CORE_REGS.add(new Register(gprs[i], 32, type, "general", Source.PLAIN, gprIds[i]));
        }
        CORE_REGS.add(new Register("eip", 32, "code_ptr", "general", Source.PLAIN, X86.EIP));
        CORE_REGS.add(new Register("eflags", 32, "i386_eflags", "general", Source.PLAIN, X86.EFLAGS));
        String[] segs = {"cs", "ss", "ds", "es", "fs", "gs"};
        int[] segIds = {X86.CS, X86.SS, X86.DS, X86.ES, X86.FS, X86.GS};
        for (int i = 0; i < 6; i++) CORE_REGS.add(new Register(segs[i], 32, "int32", "general", Source.SELECTOR, segIds[i]));
        for (int i = 0; i < 8; i++) CORE_REGS.add(new Register("st" + i, 80, "i387_ext", "float", Source.BYTES, X86.ST0 + i));
        String[] x87 = {"fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"};
        int[] x87Ids = {X86.FPCW, X86.FPSW, X86.FPTAG, X86.FCS, X86.FIP, X86.FDS, X86.FDP, X86.FOP};
        for (int i = 0; i < 8; i++) CORE_REGS.add(new Register(x87[i], 32, "int", "float", Source.PLAIN, x87Ids[i]));
        for (int i = 0; i < 8; i++) SSE_REGS.add(new Register("xmm" + i, 128, "vec128", "vector", Source.BYTES, X86.XMM0 + i));
        SSE_REGS.add(new Register("mxcsr", 32, "i386_mxcsr", "vector", Source.PLAIN, X86.MXCSR));
        SYSTEM_REGS.add(new Register("cr0", 32, "i386_cr0", "system", Source.PLAIN, X86.CR0));
        SYSTEM_REGS.add(new Register("cr2", 32, "data_ptr", "system", Source.PLAIN, X86.CR2));
        SYSTEM_REGS.add(new Register("cr3", 32, "uint32", "system", Source.PLAIN, X86.CR3));
        SYSTEM_REGS.add(new Register("cr4", 32, "uint32", "system", Source.PLAIN, X86.CR4));
        SYSTEM_REGS.add(new Register("efer", 64, "uint64", "system", Source.MSR_EFER, 0));
        String[] bases = {"es_base", "cs_base", "ss_base", "ds_base", "fs_base", "gs_base"};
        for (int i = 0; i < 6; i++) SYSTEM_REGS.add(new Register(bases[i], 32, "data_ptr", "system", Source.SEGMENT_BASE, i));
        SYSTEM_REGS.add(new Register("gdtr_base", 32, "data_ptr", "system", Source.TABLE_BASE, X86.GDTR));
        SYSTEM_REGS.add(new Register("gdtr_limit", 32, "uint32", "system", Source.TABLE_LIMIT, X86.GDTR));
        SYSTEM_REGS.add(new Register("idtr_base", 32, "data_ptr", "system", Source.TABLE_BASE, X86.IDTR));
        SYSTEM_REGS.add(new Register("idtr_limit", 32, "uint32", "system", Source.TABLE_LIMIT, X86.IDTR));
        SYSTEM_REGS.add(new Register("ldtr", 32, "uint32", "system", Source.TABLE_SELECTOR, X86.LDTR));
        SYSTEM_REGS.add(new Register("tr", 32, "uint32", "system", Source.TABLE_SELECTOR, X86.TR));
        List<Register> all = new ArrayList<>(CORE_REGS);
        all.addAll(SSE_REGS);
        all.addAll(SYSTEM_REGS);
        ALL = List.copyOf(all);
    }

    private final Unicorn uc;
    private final long[] bases = new long[6];

    I386Registers(Unicorn uc) { this.uc = uc; }

    /** Register {@code n}'s value as little-endian bytes. */
    byte[] read(int n) {
        Register r = ALL.get(n);
        byte[] b = new byte[r.bytes()];
        switch (r.source()) {
            case BYTES -> uc.regBytes(r.id(), b);
            case MSR_EFER -> put(b, uc.msr(X86.MSR_EFER));
            case SEGMENT_BASE -> {
                uc.context().segmentState(bases);
                put(b, bases[r.id()]);
            }
            case TABLE_BASE -> put(b, uc.readTable(r.id()));
            case TABLE_LIMIT -> {
                uc.readTable(r.id());
                put(b, uc.tableLimit() & 0xFFFFFFFFL);
            }
            case TABLE_SELECTOR -> {
                uc.readTable(r.id());
                put(b, uc.tableSelector());
            }
            case SELECTOR -> put(b, uc.selector(r.id()));
            case PLAIN -> put(b, uc.reg(r.id()) & 0xFFFFFFFFL);
        }
        return b;
    }

    /** Sets register {@code n} from little-endian bytes; false if it cannot be written (or the CPU refused the value). */
    boolean write(int n, byte[] b) {
        Register r = ALL.get(n);
        if (b.length != r.bytes()) return false;
        long v = get(b);
        try {
            switch (r.source()) {
                case BYTES -> uc.setRegBytes(r.id(), b);
                case MSR_EFER -> uc.setMsr(X86.MSR_EFER, v);
                case TABLE_BASE -> {
                    uc.readTable(r.id());
                    uc.setTable(r.id(), v, uc.tableLimit(), 0, 0);
                }
                case TABLE_LIMIT -> uc.setTable(r.id(), uc.readTable(r.id()), (int) v, 0, 0);
                case PLAIN, SELECTOR -> uc.setReg(r.id(), (int) v);
                case SEGMENT_BASE, TABLE_SELECTOR -> {
                    return java.util.Arrays.equals(b, read(n));   // read-only: only its own value may be written back
                }
            }
            return true;
        } catch (UnicornException e) {
            return false;   // e.g. a selector the CPU will not load
        }
    }

    private static void put(byte[] b, long v) {
        for (int i = 0; i < b.length && i < 8; i++) b[i] = (byte) (v >>> (8 * i));
    }

    private static long get(byte[] b) {
        long v = 0;
        for (int i = 0; i < b.length && i < 8; i++) v |= (b[i] & 0xFFL) << (8 * i);
        return v;
    }

    /** The target description gdb reads with {@code qXfer:features:read:target.xml}. */
    static String targetXml() {
        StringBuilder x = new StringBuilder();
        x.append("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n");
        x.append("  <architecture>i386</architecture>\n");
        x.append("  <feature name=\"").append(CORE).append("\">\n");
        flags(x, "i386_eflags", "CF:0 :1 PF:2 AF:4 ZF:6 SF:7 TF:8 IF:9 DF:10 OF:11 NT:14 RF:16 VM:17 AC:18 VIF:19 VIP:20 ID:21");
        for (Register r : CORE_REGS) reg(x, r);
        x.append("  </feature>\n");
        x.append("  <feature name=\"").append(SSE).append("\">\n");
        x.append("    <vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n");
        x.append("    <vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n");
        x.append("    <vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n");
        x.append("    <vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n");
        x.append("    <vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n");
        x.append("    <vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n");
        x.append("    <union id=\"vec128\">\n");
        for (String f : new String[] {"v4_float:v4f", "v2_double:v2d", "v16_int8:v16i8", "v8_int16:v8i16", "v4_int32:v4i32",
                "v2_int64:v2i64", "uint128:uint128"}) {
            String[] p = f.split(":");
            x.append("      <field name=\"").append(p[0]).append("\" type=\"").append(p[1]).append("\"/>\n");
        }
        x.append("    </union>\n");
        flags(x, "i386_mxcsr", "IE:0 DE:1 ZE:2 OE:3 UE:4 PE:5 DAZ:6 IM:7 DM:8 ZM:9 OM:10 UM:11 PM:12 FZ:15");
        for (Register r : SSE_REGS) reg(x, r);
        x.append("  </feature>\n");
        x.append("  <feature name=\"").append(SYSTEM).append("\">\n");
        flags(x, "i386_cr0", "PE:0 MP:1 EM:2 TS:3 ET:4 NE:5 WP:16 AM:18 NW:29 CD:30 PG:31");
        for (Register r : SYSTEM_REGS) reg(x, r);
        x.append("  </feature>\n</target>\n");
        return x.toString();
    }

    private static void flags(StringBuilder x, String id, String fields) {
        x.append("    <flags id=\"").append(id).append("\" size=\"4\">\n");
        for (String f : fields.split(" ")) {
            String[] p = f.split(":");
            x.append("      <field name=\"").append(p[0]).append("\" start=\"").append(p[1]).append("\" end=\"").append(p[1]).append("\"/>\n");
        }
        x.append("    </flags>\n");
    }

    private static void reg(StringBuilder x, Register r) {
        x.append("    <reg name=\"").append(r.name()).append("\" bitsize=\"").append(r.bits()).append("\" type=\"")
                .append(r.type()).append("\" group=\"").append(r.group()).append("\"/>\n");
    }
}
