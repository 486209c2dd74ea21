package popek.translate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import popek.engine.Capstone;

import static java.util.Map.entry;
import static popek.translate.SensitiveClass.*;

/**
 * Tells a sensitive instruction from an ordinary one, given Capstone's decoding of it and its bytes.
 *
 * <p>Most classes follow from Capstone's instruction id alone ({@code lgdt}, {@code rep insb}, {@code lcall}, …).
 * Five ids also name ordinary instructions, and for those the opcode bytes decide, because they say exactly what
 * the operand is: {@code mov} is sensitive only as 0F 20–23 (control and debug registers) or 8C/8E (segment
 * registers); {@code push}/{@code pop} only with a segment register (06 0E 16 1E 0F A0 0F A8 / 07 17 1F 0F A1
 * 0F A9); Capstone calls the indirect far forms FF /3 and FF /5 {@code call} and {@code jmp}, like the near ones.
 * So {@code mov eax, fs:[0]} (a segment override, not a segment operand), {@code push eax}, {@code call eax} and
 * {@code jmp [eax]} stay ordinary. Prefixes (rep, lock, 66, 67, segment overrides) are skipped, and the opcodes that
 * matter are the same in 16- and 32-bit code.
 *
 * <p>The id table is built once, by name, from the loaded Capstone's own instruction names, so it does not depend
 * on the numbering of one Capstone release. Stateless and thread-safe.
 */
public final class InstructionClassifier {
    private InstructionClassifier() { }

    /** Capstone's names of the instructions whose id alone decides their class. */
    private static final Map<String, SensitiveClass> BY_NAME = Map.ofEntries(
            entry("cli", CLI), entry("sti", STI), entry("hlt", HLT),
            entry("in", IO), entry("out", IO), entry("insb", IO), entry("insw", IO), entry("insd", IO),
            entry("outsb", IO), entry("outsw", IO), entry("outsd", IO),
            entry("lgdt", LGDT), entry("lidt", LIDT), entry("lldt", LLDT), entry("ltr", LTR),
            entry("lmsw", LMSW), entry("clts", CLTS), entry("invlpg", INVLPG), entry("invd", INVD),
            entry("wbinvd", WBINVD), entry("rdmsr", RDMSR), entry("wrmsr", WRMSR),
            entry("iret", IRET), entry("iretd", IRET),
            entry("sysenter", SYSENTER), entry("sysexit", SYSEXIT), entry("syscall", SYSCALL), entry("sysret", SYSRET),
            entry("pushf", PUSHF), entry("pushfd", PUSHF), entry("popf", POPF), entry("popfd", POPF),
            entry("sgdt", SGDT), entry("sidt", SIDT), entry("sldt", SLDT), entry("smsw", SMSW), entry("str", STR),
            entry("lar", LAR), entry("lsl", LSL), entry("verr", VERR), entry("verw", VERW),
            entry("lds", SEG_LOAD_FAR), entry("les", SEG_LOAD_FAR), entry("lfs", SEG_LOAD_FAR),
            entry("lgs", SEG_LOAD_FAR), entry("lss", SEG_LOAD_FAR),
            entry("lcall", FAR_CALL), entry("ljmp", FAR_JMP), entry("retf", FAR_RET),
            entry("int", INT_N), entry("int3", INT_N), entry("into", INT_N), entry("int1", INT_N),
            entry("cpuid", CPUID), entry("rdtsc", RDTSC), entry("rdtscp", RDTSC), entry("rdpmc", RDPMC));

    private static final List<String> OTHER_PRIVILEGED_NAMES = List.of(
            "xsetbv", "monitor", "mwait", "invpcid", "invlpga", "wbnoinvd", "clac", "stac", "swapgs", "getsec",
            "encls", "pconfig",
            "vmxon", "vmxoff", "vmlaunch", "vmresume", "vmcall", "vmclear", "vmptrld", "vmptrst", "vmread", "vmwrite",
            "vmfunc", "invept", "invvpid",
            "vmrun", "vmload", "vmsave", "vmmcall", "stgi", "clgi", "skinit");

    /** What an id means to the classifier: a class, "look at the bytes", or nothing. */
    private static final class IdTable {
        static final SensitiveClass[] CLASS_OF;
        static final int MOV, PUSH, POP, CALL, JMP, IDIV_ID;

        static {
            Map<String, SensitiveClass> byName = new HashMap<>(BY_NAME);
            for (String name : OTHER_PRIVILEGED_NAMES) byName.put(name, OTHER_PRIVILEGED);
            Map<String, Integer> ids = new HashMap<>();
            List<SensitiveClass> classes = new ArrayList<>();
            classes.add(null); // id 0 is X86_INS_INVALID
            try (Capstone capstone = new Capstone(32)) {
                for (int id = 1; ; id++) {
                    String name = capstone.instructionName(id);
                    if (name == null) break;
                    ids.putIfAbsent(name, id);
                    classes.add(byName.get(name));
                }
            }
            List<String> missing = new ArrayList<>();
            for (String name : byName.keySet()) if (!ids.containsKey(name)) missing.add(name);
            for (String name : List.of("mov", "push", "pop", "call", "jmp", "idiv")) if (!ids.containsKey(name)) missing.add(name);
            // A Capstone without these names would silently let sensitive instructions through: refuse it.
            if (!missing.isEmpty()) throw new IllegalStateException("Capstone has no instruction named " + missing);
            CLASS_OF = classes.toArray(new SensitiveClass[0]);
            MOV = ids.get("mov");
            PUSH = ids.get("push");
            POP = ids.get("pop");
            CALL = ids.get("call");
            JMP = ids.get("jmp");
            IDIV_ID = ids.get("idiv");
        }
    }

    /** As {@link #classify(int, byte[], int, int)} for an instruction {@link Capstone#decode} returned. */
    public static SensitiveClass classify(Capstone.Instruction instruction, byte[] code, int offset) {
        return classify(instruction.id(), code, offset, instruction.length());
    }

    /**
     * The class of the instruction Capstone decoded as {@code capstoneId} from {@code code[offset, offset + length)},
     * or null if it is an ordinary instruction. Allocates nothing.
     */
    public static SensitiveClass classify(int capstoneId, byte[] code, int offset, int length) {
        if (capstoneId <= 0 || capstoneId >= IdTable.CLASS_OF.length) return null;
        SensitiveClass byId = IdTable.CLASS_OF[capstoneId];
        if (byId != null) return byId;
        if (capstoneId == IdTable.MOV) return movClass(code, offset, length);
        if (capstoneId == IdTable.PUSH) return segmentPushPop(code, offset, length, true);
        if (capstoneId == IdTable.POP) return segmentPushPop(code, offset, length, false);
        if (capstoneId == IdTable.CALL) return indirectFar(code, offset, length, 3, FAR_CALL);
        if (capstoneId == IdTable.JMP) return indirectFar(code, offset, length, 5, FAR_JMP);
        if (capstoneId == IdTable.IDIV_ID) return wideIdiv(code, offset, length);
        return null;
    }

    private static SensitiveClass movClass(byte[] code, int offset, int length) {
        int at = opcodeIndex(code, offset, length);
        if (at < 0) return null;
        int opcode = code[at] & 0xFF;
        if (opcode == 0x8C) return SEG_MOV_READ;
        if (opcode == 0x8E) return SEG_MOV_WRITE;
        if (opcode != 0x0F || at + 1 >= offset + length) return null;
        return switch (code[at + 1] & 0xFF) {
            case 0x20 -> MOV_CR_READ;
            case 0x22 -> MOV_CR_WRITE;
            case 0x21, 0x23 -> MOV_DR;
            default -> null;
        };
    }

    private static SensitiveClass segmentPushPop(byte[] code, int offset, int length, boolean push) {
        int at = opcodeIndex(code, offset, length);
        if (at < 0) return null;
        int opcode = code[at] & 0xFF;
        if (opcode == 0x0F) {
            if (at + 1 >= offset + length) return null;
            int second = code[at + 1] & 0xFF;                 // 0F A0/A8: push fs/gs; 0F A1/A9: pop fs/gs
            if (second == 0xA0 || second == 0xA8) return push ? SEG_PUSH : null;
            if (second == 0xA1 || second == 0xA9) return push ? null : SEG_POP;
            return null;
        }
        // One-byte forms: 06/0E/16/1E push es/cs/ss/ds, 07/17/1F pop es/ss/ds (0F is not pop cs on a 386+).
        if (opcode < 0x20 && (opcode & 0x07) == 0x06) return push ? SEG_PUSH : null;
        if (opcode < 0x20 && (opcode & 0x07) == 0x07) return push ? null : SEG_POP;
        return null;
    }

    /** F7 /7 (idiv r/m16, r/m32) is {@link SensitiveClass#IDIV}; F6 /7, the 8-bit form, cannot overflow the host's. */
    private static SensitiveClass wideIdiv(byte[] code, int offset, int length) {
        int at = opcodeIndex(code, offset, length);
        return at >= 0 && (code[at] & 0xFF) == 0xF7 ? IDIV : null;
    }

    /** FF /3 is call m16:16/32 and FF /5 jmp m16:16/32; /2 and /4 are the near forms. */
    private static SensitiveClass indirectFar(byte[] code, int offset, int length, int farReg, SensitiveClass far) {
        int at = opcodeIndex(code, offset, length);
        if (at < 0 || (code[at] & 0xFF) != 0xFF || at + 1 >= offset + length) return null;
        return ((code[at + 1] >> 3) & 7) == farReg ? far : null;
    }

    /** The index of the opcode byte after the legacy prefixes, or -1 if the instruction is nothing but prefixes. */
    private static int opcodeIndex(byte[] code, int offset, int length) {
        int end = Math.min(offset + length, code.length);
        for (int i = offset; i < end; i++) {
            switch (code[i] & 0xFF) {
                case 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67, 0xF0, 0xF2, 0xF3 -> { }
                default -> { return i; }
            }
        }
        return -1;
    }
}
