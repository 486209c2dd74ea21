package popek.cpu;

import popek.engine.CpuContext;
import popek.engine.Unicorn;
import popek.engine.X86;

/**
 * The operands of the one sensitive instruction being emulated: its prefixes, opcode and ModRM decoded from its bytes,
 * its memory operand's linear address, and access to registers, memory and the stack as that instruction sees them
 * (operand and address size, segment override, the segment's base). Reused for every trap, so decoding allocates
 * nothing.
 *
 * <p>Only the forms that full virtualisation patches need decoding: legacy prefixes, one- and two-byte opcodes, ModRM
 * with SIB and displacement in 16- and 32-bit addressing, and the immediates of far jumps and calls and {@code retf n}.
 * The code segment's size comes from the caller (the code scanner is told it too); the stack's, SP or ESP, from SS's
 * B bit as the CPU cached it ({@link SegmentCache#hflags()}): a 16-bit stack segment is what a kernel loads on its way
 * back to real mode.
 */
final class Operands {
    private final Unicorn uc;
    private final GuestAccess mem;
    private final SegmentCache segments;
    private final GuestFault fault;

    // The instruction.
    int eip;          // its first byte
    int length;
    boolean opsize32, addrsize32, rep;
    int segOverride;  // X86.SEG_* or -1
    int opcode;       // one-byte opcode, or 0x0F00 | second byte
    int mod, reg, rm; // ModRM fields, when the opcode has one
    private int base, index, scale, disp;   // memory operand (base/index -1 for none)
    private boolean defaultSs;
    private int immOffset;                  // where the immediate starts in bytes[]
    /** Room for the longest form decoding can reach before the length check (prefixes, opcode, ModRM... immediate). */
    final byte[] bytes = new byte[32];

    Operands(Unicorn uc, GuestAccess mem, SegmentCache segments, GuestFault fault) {
        this.uc = uc;
        this.mem = mem;
        this.segments = segments;
        this.fault = fault;
    }

    /**
     * Decodes the instruction in {@link #bytes} (already fetched) that starts at {@code eip}, in a 32-bit code segment
     * or a 16-bit one (where 66 and 67 select 32-bit operands and addresses instead).
     */
    void decode(int eip, boolean code32) {
        this.eip = eip;
        opsize32 = code32;
        addrsize32 = code32;
        rep = false;
        segOverride = -1;
        mod = 3;   // no memory operand unless a ModRM says so
        int i = 0, b;
        for (;; i++) {
            if (i >= MAX_LENGTH) throw fault.raise(Vectors.GP, 0);   // 15 prefixes: longer than 15 bytes
            b = bytes[i] & 0xFF;
            if (b == 0x66) opsize32 = !code32;
            else if (b == 0x67) addrsize32 = !code32;
            else if (b == 0xF3 || b == 0xF2) rep = true;
            else if (b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E) segOverride = (b >>> 3) & 3;   // ES CS SS DS
            else if (b == 0x64 || b == 0x65) segOverride = b - 0x60;                                   // FS GS
            else if (b != 0xF0) break;
        }
        opcode = b;
        i++;
        if (opcode == 0x0F) opcode = 0x0F00 | (bytes[i++] & 0xFF);
        if (hasModrm(opcode)) i = decodeModrm(i);
        immOffset = i;
        length = i + immediateSize(opcode);
        if (length > MAX_LENGTH) throw fault.raise(Vectors.GP, 0);   // SDM vol. 3A, 6.15: past the 15-byte limit
    }

    /** The longest instruction the CPU executes, prefixes included. */
    private static final int MAX_LENGTH = 15;

    private static boolean hasModrm(int op) {
        return switch (op) {
            case 0x8C, 0x8E, 0xC4, 0xC5, 0xF7, 0xFF, 0x0F00, 0x0F01, 0x0F02, 0x0F03, 0x0F20, 0x0F21, 0x0F22, 0x0F23,
                 0x0FB2, 0x0FB4, 0x0FB5 -> true;
            default -> false;
        };
    }

    private int immediateSize(int op) {
        return switch (op) {
            case 0xEA, 0x9A -> opsize32 ? 6 : 4;
            case 0xCA -> 2;
            case 0xCD, 0xE4, 0xE5, 0xE6, 0xE7 -> 1;
            default -> 0;
        };
    }

    private int decodeModrm(int i) {
        int modrm = bytes[i++] & 0xFF;
        mod = modrm >>> 6;
        reg = (modrm >>> 3) & 7;
        rm = modrm & 7;
        base = -1;
        index = -1;
        scale = 0;
        disp = 0;
        defaultSs = false;
        if (mod == 3) return i;
        if (addrsize32) {
            if (rm == 4) {
                int sib = bytes[i++] & 0xFF;
                scale = sib >>> 6;
                index = ((sib >>> 3) & 7) == 4 ? -1 : (sib >>> 3) & 7;
                base = sib & 7;
                if (base == 5 && mod == 0) {
                    base = -1;
                    disp = le32(i);
                    i += 4;
                }
            } else if (rm == 5 && mod == 0) {
                disp = le32(i);
                i += 4;
            } else {
                base = rm;
            }
            defaultSs = base == 4 || base == 5;
        } else {
            // 16-bit addressing: BX+SI, BX+DI, BP+SI, BP+DI, SI, DI, BP (or disp16), BX.
            final int bx = 3, bp = 5, si = 6, di = 7;
            switch (rm) {
                case 0 -> { base = bx; index = si; }
                case 1 -> { base = bx; index = di; }
                case 2 -> { base = bp; index = si; defaultSs = true; }
                case 3 -> { base = bp; index = di; defaultSs = true; }
                case 4 -> base = si;
                case 5 -> base = di;
                case 6 -> {
                    if (mod == 0) {
                        disp = le16(i);
                        i += 2;
                    } else {
                        base = bp;
                        defaultSs = true;
                    }
                }
                default -> base = bx;
            }
        }
        if (mod == 1) disp = bytes[i++];
        else if (mod == 2) {
            if (addrsize32) { disp = le32(i); i += 4; } else { disp = (short) le16(i); i += 2; }
        }
        return i;
    }

    private int le32(int at) {
        return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8 | (bytes[at + 2] & 0xFF) << 16 | (bytes[at + 3] & 0xFF) << 24;
    }

    private int le16(int at) { return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8; }

    /** The immediate's {@code n}-th byte pair or dword, for far pointers and {@code retf n}. */
    int imm16(int at) { return le16(immOffset + at); }

    int imm32(int at) { return le32(immOffset + at); }

    int imm8() { return bytes[immOffset] & 0xFF; }

    int next() { return eip + length; }

    boolean isMemory() { return mod != 3; }

    /** ins or outs: memory at ES:(E)DI or DS:(E)SI. */
    boolean stringIo() { return opcode >= 0x6C && opcode <= 0x6F; }

    /**
     * The linear address of the memory operand's {@code size} bytes, once the checks the CPU makes of its segment have
     * passed (SDM vol. 3A, 5.3 and 5.4; each instruction's exceptions in vol. 2): a null segment (DS, ES, FS, GS) is
     * #GP(0); in protected mode a store to a code or read-only data segment, or a load from an execute-only code
     * segment, is #GP(0); an offset past the limit (of an expand-down segment: at or below it, or past 64 KiB or
     * 4 GiB by its B bit) is #GP(0), or #SS(0) through SS. All before anything is read or written.
     */
    int address(int size, boolean write) {
        int offset = disp;
        if (base >= 0) offset += uc.reg(X86.generalRegister(base));
        if (index >= 0) offset += uc.reg(X86.generalRegister(index)) << scale;
        if (!addrsize32) offset &= 0xFFFF;
        int seg = segOverride >= 0 ? segOverride : defaultSs ? X86.SEG_SS : X86.SEG_DS;
        checkSegment(seg, offset, size, write);
        return (int) segments.base(seg) + offset;
    }

    // Attribute bits of a segment cache (the descriptor's high dword): present, code (vs data), expand-down for data
    // (conforming for code), writable for data (readable for code), and the D/B bit.
    private static final int P = 1 << 15, CODE = 1 << 11, EXPAND_DOWN = 1 << 10, WRITABLE_OR_READABLE = 1 << 9, BIG = 1 << 22;

    /**
     * The checks of an access to [offset, offset + size) through segment register {@code seg}: see {@link #address}.
     * Real mode checks the limit only (the cached attributes there are those of a writable data segment).
     */
    void checkSegment(int seg, int offset, int size, boolean write) {
        int vector = seg == X86.SEG_SS ? Vectors.SS : Vectors.GP;
        int flags = segments.flags(seg);
        if ((segments.hflags() & CpuContext.HF_PE) != 0) {
            if ((flags & P) == 0) throw fault.raise(vector, 0);   // a null selector: QEMU caches no attributes for it
            boolean code = (flags & CODE) != 0;
            if (write ? code || (flags & WRITABLE_OR_READABLE) == 0 : code && (flags & WRITABLE_OR_READABLE) == 0) {
                throw fault.raise(Vectors.GP, 0);
            }
        }
        long first = offset & 0xFFFFFFFFL, last = first + size - 1;
        long limit = segments.limit(seg) & 0xFFFFFFFFL;
        boolean inside = (flags & (CODE | EXPAND_DOWN)) == EXPAND_DOWN
                ? first > limit && last <= ((flags & BIG) != 0 ? 0xFFFFFFFFL : 0xFFFFL)
                : last <= limit;
        if (!inside) throw fault.raise(vector, 0);
    }

    // ---------------------------------------------------------------- registers

    int reg32(int n) { return uc.reg(X86.generalRegister(n)); }

    void setReg32(int n, int v) { uc.setReg(X86.generalRegister(n), v); }

    /** Writes the low 16 bits of a general register, keeping the high ones. */
    void setReg16(int n, int v) {
        int r = X86.generalRegister(n);
        uc.setReg(r, (uc.reg(r) & 0xFFFF0000) | (v & 0xFFFF));
    }

    /** Writes a result of the instruction's operand size into a general register. */
    void setRegSized(int n, int v) {
        if (opsize32) setReg32(n, v); else setReg16(n, v);
    }

    /** The r/m operand as a 16-bit value (a selector or a machine status word): register or memory. */
    int rm16(boolean user) {
        return isMemory() ? mem.read16(address(2, false), user) : reg32(rm) & 0xFFFF;
    }

    // ---------------------------------------------------------------- the stack (ESP, or SP in a 16-bit SS)

    /** Is the stack segment 32-bit (ESP), or 16-bit (SP, wrapping at 64 KiB, the rest of ESP kept)? */
    boolean stack32() { return (segments.hflags() & popek.engine.CpuContext.HF_SS32) != 0; }

    /** The linear address {@code bytes} above the stack pointer (wrapping as SP does in a 16-bit stack segment). */
    int stackAddress(int bytes) {
        int sp = uc.reg(X86.ESP) + bytes;
        return (int) segments.base(X86.SEG_SS) + (stack32() ? sp : sp & 0xFFFF);
    }

    /** Moves the stack pointer by {@code bytes}: ESP, or only SP in a 16-bit stack segment. */
    void moveStack(int bytes) { moveStack(bytes, stack32()); }

    /** Moves the stack pointer by {@code bytes} as a stack of the given size does. */
    void moveStack(int bytes, boolean stack32) {
        int esp = uc.reg(X86.ESP);
        uc.setReg(X86.ESP, stack32 ? esp + bytes : (esp & 0xFFFF0000) | ((esp + bytes) & 0xFFFF));
    }

    /** Pushes the operand-size value {@code v}; the whole push faults before anything changes. */
    void push(int v, boolean user) {
        int size = opsize32 ? 4 : 2;
        int at = stackAddress(-size);
        if (opsize32) mem.write32(at, v, user); else mem.write16(at, v, user);
        moveStack(-size);
    }

    /** The operand-size value {@code slot} operand-size slots above the stack pointer, without popping it. */
    int peek(int slot, boolean user) {
        int size = opsize32 ? 4 : 2;
        int at = stackAddress(slot * size);
        return opsize32 ? mem.read32(at, user) : mem.read16(at, user);
    }

    /** Drops {@code slots} operand-size slots and {@code bytes} more from the stack. */
    void drop(int slots, int bytes) {
        moveStack(slots * (opsize32 ? 4 : 2) + bytes);
    }
}
