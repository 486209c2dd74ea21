package popek.translate;

/**
 * The length of the everyday instructions that are never sensitive (mov, push reg, add, lea, call rel, jcc, movzx…),
 * worked out from their opcode and ModRM bytes in Java, so that the code scanner calls Capstone only for the rest.
 *
 * <p>Why: Capstone 5 takes about 0.5 µs per x86 instruction on this machine (measured in C as well as through FFM:
 * most of it is its LLVM-derived decoder and the text it always prints), i.e. 0.6–0.9 ms for a page of compiled
 * kernel code; 96% of the instructions in tinyos's text are of the kinds below, and this measures them in nanoseconds.
 *
 * <p>It declines (returns 0) whenever it is not sure, and Capstone then decides: any lock or rep/repne prefix (they
 * change what 0F opcodes mean and make some encodings invalid), any opcode not in its tables (every sensitive one,
 * x87, SSE, VEX, 3DNow…), the ModRM forms that are invalid or reserved (lea with a register operand, C6/C7/8F/FE
 * with a reserved /reg, F6/F7 /1, the shift group's /6), and anything longer than 15 bytes or running past the bytes
 * it was given. The differential test checks every length it gives against Capstone's, for every ModRM byte of
 * every opcode it accepts, with and without prefixes, in 16- and 32-bit code.
 */
final class OrdinaryLength {
    private OrdinaryLength() { }

    // What follows an opcode: nothing, a ModRM byte, an immediate; or DECLINE (let Capstone decode it).
    private static final byte DECLINE = 0, NONE = 1, IB = 2, IZ = 3, IW = 4, IW_IB = 5, MOFFS = 6,
            M = 7, M_IB = 8, M_IZ = 9, SPECIAL = 10;
    private static final byte[] ONE_BYTE = new byte[256], TWO_BYTE = new byte[256];

    static {
        for (int row = 0x00; row <= 0x38; row += 0x08) {           // add or adc sbb and sub xor cmp
            for (int op = row; op < row + 4; op++) ONE_BYTE[op] = M;
            ONE_BYTE[row + 4] = IB;
            ONE_BYTE[row + 5] = IZ;
        }
        for (int op = 0x40; op <= 0x61; op++) ONE_BYTE[op] = NONE; // inc/dec/push/pop reg, pusha, popa
        ONE_BYTE[0x68] = IZ;                                       // push imm
        ONE_BYTE[0x69] = M_IZ;                                     // imul r, r/m, imm
        ONE_BYTE[0x6A] = IB;
        ONE_BYTE[0x6B] = M_IB;
        for (int op = 0x70; op <= 0x7F; op++) ONE_BYTE[op] = IB;   // jcc rel8
        ONE_BYTE[0x80] = M_IB;
        ONE_BYTE[0x81] = M_IZ;
        ONE_BYTE[0x83] = M_IB;
        for (int op = 0x84; op <= 0x8B; op++) ONE_BYTE[op] = M;    // test, xchg, mov
        ONE_BYTE[0x8D] = SPECIAL;                                  // lea
        ONE_BYTE[0x8F] = SPECIAL;                                  // pop r/m
        for (int op = 0x90; op <= 0x99; op++) ONE_BYTE[op] = NONE; // nop, xchg eax, cbw, cwd
        ONE_BYTE[0x9E] = NONE;                                     // sahf
        ONE_BYTE[0x9F] = NONE;                                     // lahf
        for (int op = 0xA0; op <= 0xA3; op++) ONE_BYTE[op] = MOFFS;
        for (int op = 0xA4; op <= 0xAF; op++) ONE_BYTE[op] = NONE; // movs, cmps, stos, lods, scas (no rep: declined)
        ONE_BYTE[0xA8] = IB;                                       // test al, imm
        ONE_BYTE[0xA9] = IZ;
        for (int op = 0xB0; op <= 0xB7; op++) ONE_BYTE[op] = IB;   // mov r8, imm
        for (int op = 0xB8; op <= 0xBF; op++) ONE_BYTE[op] = IZ;   // mov r, imm
        for (int op : new int[] {0xC0, 0xC1, 0xD0, 0xD1, 0xD2, 0xD3, 0xC6, 0xC7, 0xF6, 0xF7, 0xFE}) ONE_BYTE[op] = SPECIAL;
        ONE_BYTE[0xC2] = IW;                                       // ret imm16 (near)
        ONE_BYTE[0xC3] = NONE;                                     // ret (near)
        ONE_BYTE[0xC8] = IW_IB;                                    // enter
        ONE_BYTE[0xC9] = NONE;                                     // leave
        for (int op = 0xE0; op <= 0xE3; op++) ONE_BYTE[op] = IB;   // loop, jcxz
        ONE_BYTE[0xE8] = IZ;                                       // call rel (near)
        ONE_BYTE[0xE9] = IZ;                                       // jmp rel
        ONE_BYTE[0xEB] = IB;
        for (int op : new int[] {0xF5, 0xF8, 0xF9, 0xFC, 0xFD}) ONE_BYTE[op] = NONE; // cmc, clc, stc, cld, std

        for (int op = 0x40; op <= 0x4F; op++) TWO_BYTE[op] = M;    // cmovcc
        for (int op = 0x80; op <= 0x8F; op++) TWO_BYTE[op] = IZ;   // jcc rel
        for (int op = 0x90; op <= 0x9F; op++) TWO_BYTE[op] = M;    // setcc
        for (int op : new int[] {0x1F, 0xA3, 0xA5, 0xAB, 0xAD, 0xAF, 0xB0, 0xB1, 0xB3, 0xB6, 0xB7, 0xBB, 0xBE, 0xBF,
                0xC0, 0xC1}) TWO_BYTE[op] = M;                     // nop r/m, bt*, shld/shrd cl, imul, cmpxchg, movzx/sx, xadd
        TWO_BYTE[0xA4] = M_IB;                                     // shld imm
        TWO_BYTE[0xAC] = M_IB;                                     // shrd imm
        for (int op = 0xC8; op <= 0xCF; op++) TWO_BYTE[op] = NONE; // bswap
    }

    /**
     * The length of the instruction at {@code code[offset]} if it is an ordinary one of the kinds above, decoded as
     * {@code bits}-bit code without reading at or past {@code end}; 0 if Capstone must decide.
     */
    static int of(byte[] code, int offset, int end, int bits) {
        int limit = Math.min(end, offset + 15);
        boolean operand32 = bits == 32, address32 = bits == 32;
        int at = offset;
        for (; at < limit; at++) {
            int prefix = code[at] & 0xFF;
            if (prefix == 0x66) operand32 = bits != 32;
            else if (prefix == 0x67) address32 = bits != 32;
            else if (prefix != 0x26 && prefix != 0x2E && prefix != 0x36 && prefix != 0x3E && prefix != 0x64 && prefix != 0x65) break;
        }
        if (at >= limit) return 0;
        int opcode = code[at++] & 0xFF;
        byte kind;
        if (opcode == 0x0F) {
            if (at >= limit) return 0;
            kind = TWO_BYTE[code[at++] & 0xFF];
        } else {
            kind = ONE_BYTE[opcode];
        }
        // at is now just past the opcode.
        int immediate = operand32 ? 4 : 2;
        int length = switch (kind) {
            case NONE -> 0;
            case IB -> 1;
            case IZ -> immediate;
            case IW -> 2;
            case IW_IB -> 3;
            case MOFFS -> address32 ? 4 : 2;
            case M -> modrm(code, at, limit, address32);
            case M_IB -> plus(modrm(code, at, limit, address32), 1);
            case M_IZ -> plus(modrm(code, at, limit, address32), immediate);
            case SPECIAL -> special(opcode, code, at, limit, address32, immediate);
            default -> -1;                                                // DECLINE
        };
        if (length < 0 || at + length > limit) return 0;
        return at + length - offset;
    }

    /**
     * Undefined instructions that have a ModRM byte, as long as the CPU decodes them: mov to or from a segment
     * register that does not exist (8C /6 /7, 8E /6 /7), and the following. UD0 (0F FF /r) and UD1 (0F B9 /r) take a ModRM byte and its displacement (Intel SDM vol. 2, UD), and GNU as
     * assembles them so ({@code ud0 %eax, %eax} is 0F FF C0); Capstone 5 decodes both as two bytes. A linear sweep
     * that believed it would go on from the ModRM byte, out of step with the CPU: measured, it took the C5 16 inside a
     * following {@code mov edx, 0x1016c5} for an {@code lds}, and rewriting that "instruction" corrupted the mov's
     * immediate. Returns their length as the CPU decodes them, or 0 for any other instruction.
     */
    static int undefinedWithModrm(byte[] code, int offset, int end, int bits) {
        int limit = Math.min(end, offset + 15);
        boolean address32 = bits == 32;
        int at = offset;
        for (; at < limit; at++) {
            int prefix = code[at] & 0xFF;
            if (prefix == 0x67) address32 = bits != 32;
            else if (prefix != 0x66 && prefix != 0xF0 && prefix != 0xF2 && prefix != 0xF3 && prefix != 0x26
                    && prefix != 0x2E && prefix != 0x36 && prefix != 0x3E && prefix != 0x64 && prefix != 0x65) break;
        }
        if (at + 1 >= limit) return 0;
        int first = code[at] & 0xFF, second = code[at + 1] & 0xFF, reg = (second >> 3) & 7;
        if (first == 0x8C || first == 0x8E) {
            // mov to or from a segment register that does not exist (/6, /7): #UD, but a ModRM instruction all the
            // same, which Capstone declines to decode; stepping one byte took its ModRM FA for a cli (measured).
            if (reg < 6) return 0;
            int rest = modrm(code, at + 1, limit, address32);
            return rest < 0 ? 0 : at + 1 + rest - offset;
        }
        if (first != 0x0F || second != 0xFF && second != 0xB9) return 0;
        int rest = modrm(code, at + 2, limit, address32);
        return rest < 0 ? 0 : at + 2 + rest - offset;
    }

    /** The groups whose ModRM /reg picks the instruction, and the forms that are invalid or reserved. */
    private static int special(int opcode, byte[] code, int at, int limit, boolean address32, int immediate) {
        if (at >= limit) return -1;
        int modrm = code[at] & 0xFF, reg = (modrm >> 3) & 7;
        int rest = modrm(code, at, limit, address32);
        return switch (opcode) {
            case 0x8D -> modrm >= 0xC0 ? -1 : rest;                       // lea needs a memory operand
            case 0x8F -> reg == 0 ? rest : -1;                            // pop r/m
            case 0xC6 -> reg == 0 ? plus(rest, 1) : -1;                   // mov r/m8, imm8
            case 0xC7 -> reg == 0 ? plus(rest, immediate) : -1;           // mov r/m, imm
            case 0xF6 -> reg == 0 ? plus(rest, 1) : reg == 1 ? -1 : rest; // test imm / not neg mul imul div idiv
            case 0xF7 -> reg == 0 ? plus(rest, immediate) : reg == 1 || reg == 7 ? -1 : rest;   // idiv: Capstone's (IDIV)
            case 0xFE -> reg <= 1 ? rest : -1;                            // inc/dec r/m8
            case 0xC0, 0xC1 -> reg == 6 ? -1 : plus(rest, 1);             // shifts by imm8
            default -> reg == 6 ? -1 : rest;                              // D0-D3: shifts by 1 or cl
        };
    }

    private static int plus(int modrmLength, int immediate) { return modrmLength < 0 ? -1 : modrmLength + immediate; }

    /** The bytes of ModRM, SIB and displacement at {@code at}; -1 if they are not all before {@code limit}. */
    private static int modrm(byte[] code, int at, int limit, boolean address32) {
        if (at >= limit) return -1;
        int modrm = code[at] & 0xFF, mod = modrm >> 6, rm = modrm & 7;
        if (mod == 3) return 1;
        if (!address32) return 1 + (mod == 1 ? 1 : mod == 2 || rm == 6 && mod == 0 ? 2 : 0);
        int length = 1;
        if (rm == 4) {                                                    // a SIB byte follows
            if (at + 1 >= limit) return -1;
            length++;
            if (mod == 0 && (code[at + 1] & 7) == 5) return length + 4;   // [index*s + disp32]
        }
        if (mod == 0) return rm == 5 ? length + 4 : length;
        return length + (mod == 1 ? 1 : 4);
    }
}
