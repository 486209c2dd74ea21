package popek.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A small x86 assembler for generated test code: bytes at a fixed origin, labels with fixups, 16- or 32-bit code,
 * ModRM operands in either addressing size, and the start and length of every instruction it emitted (the fault
 * handlers skip a faulting instruction by that table). Only what the generators need; no text syntax.
 */
final class Asm {
    /** A register operand (EAX 0 ... EDI 7, or AL..BH for byte operations). */
    record Reg(int n) implements Operand { }

    /**
     * A memory operand. 32-bit addressing: {@code base}/{@code index} are registers or -1, scale 0-3. 16-bit addressing
     * ({@code addr16}): {@code base} is the r/m code 0-7 ([bx+si] ... [bx]), or -1 for a bare disp16. {@code seg} is a
     * segment override (0 ES ... 5 GS) or -1.
     */
    record Mem(int seg, int base, int index, int scale, int disp, boolean addr16) implements Operand {
        static Mem abs(int address) { return new Mem(-1, -1, -1, 0, address, false); }

        static Mem at(int base, int disp) { return new Mem(-1, base, -1, 0, disp, false); }

        static Mem abs16(int address) { return new Mem(-1, -1, -1, 0, address & 0xFFFF, true); }

        Mem seg(int s) { return new Mem(s, base, index, scale, disp, addr16); }
    }

    sealed interface Operand permits Reg, Mem { }

    /** A place in the code, bound once; references to it are patched when {@link #finish} runs. */
    static final class Label {
        int at = -1;
    }

    private record Fixup(int pos, int kind, Label label, int insnEnd, int addend) { }

    private static final int REL8 = 0, REL16 = 1, REL32 = 2, ABS16 = 3, ABS32 = 4;

    final int origin;
    /** The code size instructions are encoded for: 16 or 32. */
    int bits;
    private byte[] buf = new byte[1024];
    private int size;
    private int start = -1;
    private final List<Fixup> fixups = new ArrayList<>();
    private int[] insnStart = new int[256], insnLength = new int[256], insnBits = new int[256];
    private int insns;

    Asm(int origin, int bits) {
        this.origin = origin;
        this.bits = bits;
    }

    /** The address of the next byte. */
    int here() { return origin + size; }

    int size() { return size; }

    Label label() { return new Label(); }

    Asm bind(Label l) { return bind(l, here()); }

    /** Binds {@code l} to any address (data, or code elsewhere), known only after the references to it were emitted. */
    Asm bind(Label l, int address) {
        if (l.at >= 0) throw new IllegalStateException("label bound twice");
        l.at = address;
        return this;
    }

    // ---------------------------------------------------------------- instructions

    /** Starts an instruction; {@link #end} records it. */
    Asm begin() {
        if (start >= 0) throw new IllegalStateException("instruction not ended");
        start = size;
        return this;
    }

    Asm end() {
        if (insns == insnStart.length) {
            insnStart = Arrays.copyOf(insnStart, insns * 2);
            insnLength = Arrays.copyOf(insnLength, insns * 2);
            insnBits = Arrays.copyOf(insnBits, insns * 2);
        }
        insnBits[insns] = bits;
        insnStart[insns] = start;
        insnLength[insns++] = size - start;
        start = -1;
        return this;
    }

    /** One whole instruction of these bytes. */
    Asm op(int... bytes) { return begin().raw(bytes).end(); }

    /** Bytes that are not an instruction (data inside code): not in the instruction table. */
    Asm data(int... bytes) { return raw(bytes); }

    Asm raw(int... bytes) {
        for (int b : bytes) put(b);
        return this;
    }

    Asm imm8(int v) { return raw(v); }

    Asm imm16(int v) { return raw(v, v >>> 8); }

    Asm imm32(int v) { return raw(v, v >>> 8, v >>> 16, v >>> 24); }

    /** An immediate of operand size {@code opsize}. */
    Asm imm(int opsize, int v) { return opsize == 16 ? imm16(v) : imm32(v); }

    /** 66 if {@code opsize} is not the code size. */
    Asm opsize(int opsize) { return opsize != bits ? raw(0x66) : this; }

    /**
     * A whole ModRM instruction: segment, operand-size and address-size prefixes as needed, the opcode bytes, the
     * ModRM (reg field {@code reg}) with SIB and displacement; the caller adds an immediate with {@link #immAfter}.
     */
    Asm rm(int opsize, Operand rm, int reg, int... opcode) {
        begin();
        prefixes(opsize, rm);
        raw(opcode);
        return modrm(reg, rm);
    }

    /** Ends an {@link #rm} instruction with an immediate of {@code bytes} bytes (0: none). */
    Asm immAfter(int bytes, int v) {
        if (bytes == 1) imm8(v); else if (bytes == 2) imm16(v); else if (bytes == 4) imm32(v);
        return end();
    }

    Asm prefixes(int opsize, Operand rm) {
        if (rm instanceof Mem m) {
            if (m.seg >= 0) raw(SEG_PREFIX[m.seg]);
            if (m.addr16 != (bits == 16)) raw(0x67);
        }
        if (opsize != 0) opsize(opsize);
        return this;
    }

    private static final int[] SEG_PREFIX = {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};

    Asm modrm(int reg, Operand rm) {
        if (rm instanceof Reg r) return raw(0xC0 | (reg & 7) << 3 | r.n);
        Mem m = (Mem) rm;
        if (m.addr16) {
            if (m.base < 0) return raw(0x06 | (reg & 7) << 3).imm16(m.disp);
            int mod = m.disp == 0 && m.base != 6 ? 0 : (byte) m.disp == m.disp ? 1 : 2;
            raw(mod << 6 | (reg & 7) << 3 | m.base);
            return mod == 1 ? imm8(m.disp) : mod == 2 ? imm16(m.disp) : this;
        }
        if (m.base < 0 && m.index < 0) return raw(0x05 | (reg & 7) << 3).imm32(m.disp);
        boolean sib = m.index >= 0 || m.base == 4 || m.base < 0;
        int mod = m.base < 0 ? 0 : m.disp == 0 && m.base != 5 ? 0 : (byte) m.disp == m.disp ? 1 : 2;
        raw(mod << 6 | (reg & 7) << 3 | (sib ? 4 : m.base));
        if (sib) raw(m.scale << 6 | (m.index < 0 ? 4 : m.index) << 3 | (m.base < 0 ? 5 : m.base));
        if (m.base < 0) return imm32(m.disp);
        return mod == 1 ? imm8(m.disp) : mod == 2 ? imm32(m.disp) : this;
    }

    // ---------------------------------------------------------------- common instructions

    /** mov r32/r16, imm. */
    Asm movImm(int opsize, int reg, int v) { return begin().opsize(opsize).raw(0xB8 + reg).imm(opsize, v).end(); }

    /** mov r32, address of a label. */
    Asm movLabel(int reg, Label l) {
        begin().opsize(32).raw(0xB8 + reg);
        fix(ABS32, l);
        return imm32(0).end();
    }

    /** push the address of a label (68 imm32, or imm16 in 16-bit code). */
    Asm pushLabel(Label l) { return pushLabel(bits, l); }

    /** push the address of a label as a value of {@code opsize} bits. */
    Asm pushLabel(int opsize, Label l) {
        begin().opsize(opsize).raw(0x68);
        fix(opsize == 16 ? ABS16 : ABS32, l);
        return (opsize == 16 ? imm16(0) : imm32(0)).end();
    }

    /** push imm of the code size. */
    Asm pushImm(int v) { return begin().raw(0x68).imm(bits, v).end(); }

    Asm jmp(Label l) {
        begin().raw(0xE9);
        fix(bits == 16 ? REL16 : REL32, l);
        return (bits == 16 ? imm16(0) : imm32(0)).end();
    }

    Asm jmpShort(Label l) {
        begin().raw(0xEB);
        fix(REL8, l);
        return imm8(0).end();
    }

    Asm call(Label l) {
        begin().raw(0xE8);
        fix(bits == 16 ? REL16 : REL32, l);
        return (bits == 16 ? imm16(0) : imm32(0)).end();
    }

    /** jcc rel32/rel16 (condition 0-15). */
    Asm jcc(int cc, Label l) {
        begin().raw(0x0F, 0x80 + cc);
        fix(bits == 16 ? REL16 : REL32, l);
        return (bits == 16 ? imm16(0) : imm32(0)).end();
    }

    /** jcc rel8 (condition 0-15). */
    Asm jccShort(int cc, Label l) {
        begin().raw(0x70 + cc);
        fix(REL8, l);
        return imm8(0).end();
    }

    /** jmp far ptr16:opsize to a label's address (EA). */
    Asm jmpFar(int opsize, int selector, Label l) {
        begin().opsize(opsize).raw(0xEA);
        fix(opsize == 16 ? ABS16 : ABS32, l);
        return (opsize == 16 ? imm16(0) : imm32(0)).imm16(selector).end();
    }

    /** call far ptr16:opsize to a label's address (9A). */
    Asm callFar(int opsize, int selector, Label l) {
        begin().opsize(opsize).raw(0x9A);
        fix(opsize == 16 ? ABS16 : ABS32, l);
        return (opsize == 16 ? imm16(0) : imm32(0)).imm16(selector).end();
    }

    /** A label's address as an immediate of {@code opsize} bits (inside an instruction being emitted). */
    Asm labelImm(int opsize, Label l) {
        fix(opsize == 16 ? ABS16 : ABS32, l);
        return opsize == 16 ? imm16(0) : imm32(0);
    }

    /** A data dword holding a label's address (a far pointer's offset, say). */
    Asm dataLabel32(Label l) {
        fix(ABS32, l);
        return imm32(0);
    }

    /** Pads with data bytes (int3) up to {@code address}. */
    Asm padTo(int address) {
        while (here() < address) put(0xCC);
        return this;
    }

    // ---------------------------------------------------------------- output

    private int addend;

    /**
     * A memory operand at a label's address plus {@code plus} (data inside code, an instruction to patch): emits the
     * prefixes, opcode and a disp32 ModRM whose displacement is fixed up; the caller adds any immediate and ends it.
     */
    Asm rmLabel(int opsize, Label l, int plus, int reg, int... opcode) {
        begin();
        opsize(opsize);
        raw(opcode);
        raw(0x05 | (reg & 7) << 3);
        addend = plus;
        fix(ABS32, l);
        return imm32(0);
    }

    private void fix(int kind, Label l) {
        int width = kind == REL8 ? 1 : kind == REL16 || kind == ABS16 ? 2 : 4;
        fixups.add(new Fixup(size, kind, l, kind <= REL32 ? size + width : -1, addend));
        addend = 0;
    }

    /** Fills in every label reference; afterwards a fixup's instruction end is its immediate's end (rel). */
    byte[] finish() {
        for (Fixup f : fixups) {
            if (f.label.at < 0) throw new IllegalStateException("label never bound");
            int v = switch (f.kind) {
                case REL8, REL16, REL32 -> f.label.at - (origin + f.insnEnd);
                default -> f.label.at + f.addend;
            };
            if (f.kind == REL8 && (byte) v != v) throw new IllegalStateException("short jump out of range: " + v);
            int width = f.kind == REL8 ? 1 : f.kind == REL16 || f.kind == ABS16 ? 2 : 4;
            for (int i = 0; i < width; i++) buf[f.pos + i] = (byte) (v >>> (8 * i));
        }
        return Arrays.copyOf(buf, size);
    }

    /** How many instructions were emitted; the i-th starts at origin + {@link #insnStart(int)}. */
    int instructions() { return insns; }

    /**
     * The last instruction is one the shrinker must not turn into a nop: without it the case would compare what
     * cannot agree (the host's time that rdtsc read) rather than show a bug.
     */
    Asm keep() {
        kept.set(insns - 1);
        return this;
    }

    /** Was instruction {@code i} marked by {@link #keep}? */
    boolean kept(int i) { return kept.get(i); }

    private final java.util.BitSet kept = new java.util.BitSet();

    int insnStart(int i) { return insnStart[i]; }

    int insnLength(int i) { return insnLength[i]; }

    int insnBits(int i) { return insnBits[i]; }

    private void put(int b) {
        if (size == buf.length) buf = Arrays.copyOf(buf, size * 2);
        buf[size++] = (byte) b;
    }
}
