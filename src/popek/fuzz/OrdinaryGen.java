package popek.fuzz;

import java.util.random.RandomGenerator;

import popek.fuzz.Asm.Label;
import popek.fuzz.Asm.Reg;
import popek.fuzz.Operands.MemOp;

import static popek.fuzz.Operands.reg;
import static popek.fuzz.Operands.value;

/**
 * Ordinary instructions, which full mode runs unrewritten: arithmetic and logic, moves to and from memory, the stack,
 * short branches, string instructions, bit operations, the x87 basics. Some fault on purpose (division by zero,
 * bound, into, ud2, lock on a register) and some reach memory through a segment an earlier piece changed.
 */
final class OrdinaryGen {
    private OrdinaryGen() { }

    static Piece next(RandomGenerator r, GenState s) {
        Piece p = piece(r, s);
        return UNDEFINED_FLAGS.contains(p.what()) ? p.undefinedFlags() : p;
    }

    /** The pieces that can leave flags the SDM calls undefined (their last flag-setting instruction does). */
    private static final java.util.Set<String> UNDEFINED_FLAGS = java.util.Set.of("shift", "mul/div", "bit op", "one-byte");

    private static Piece piece(RandomGenerator r, GenState s) {
        int bits = s.bits();
        int op = bits == 32 && r.nextInt(4) == 0 ? 16 : bits == 16 && r.nextInt(4) == 0 ? 32 : bits;
        int d = reg(r), src = reg(r);
        switch (r.nextInt(22)) {
            case 0, 1 -> {
                int alu = r.nextInt(8);
                return new Piece("alu r,r", e -> e.a.rm(op, new Reg(d), src, alu << 3 | 1).end());
            }
            case 2 -> {
                int alu = r.nextInt(8), v = value(r);
                boolean small = r.nextBoolean();
                return new Piece("alu r,imm", e -> e.a.rm(op, new Reg(d), alu, small ? 0x83 : 0x81)
                        .immAfter(small ? 1 : op / 8, v));
            }
            case 3 -> {
                int v = value(r);
                return new Piece("mov r,imm", e -> e.a.movImm(op, d, v));
            }
            case 4, 5 -> {
                MemOp m = Operands.mem(r, bits);
                boolean store = r.nextBoolean();
                boolean bytes = r.nextInt(4) == 0;
                int opc = (store ? 0x88 : 0x8A) | (bytes ? 0 : 1);
                return new Piece(store ? "store" : "load", e -> {
                    m.setup(e.a);
                    e.a.rm(bytes ? 0 : op, m.mem(), src, opc).end();
                });
            }
            case 6 -> {
                MemOp m = Operands.mem(r, bits);
                int alu = r.nextInt(8), v = r.nextInt(256);
                return new Piece("alu m,imm", e -> {
                    m.setup(e.a);
                    e.a.rm(op, m.mem(), alu, 0x83).immAfter(1, v);
                });
            }
            case 7 -> {
                int ext = r.nextInt(8);   // rol ror rcl rcr shl shr sal sar
                int n = r.nextInt(40);
                return new Piece("shift", e -> e.a.rm(op, new Reg(d), ext, 0xC1).immAfter(1, n));
            }
            case 8 -> {
                int ext = 4 + r.nextInt(4);   // mul imul div idiv: division may raise #DE
                int v = value(r), dx0 = r.nextInt(3) == 0 ? value(r) : 0;
                // Never idiv by -1 with a dividend's sign bit set: Unicorn computes that quotient with the host's
                // own idiv, which raises SIGFPE and kills the process (helper_idivl_EAX: INT64_MIN / -1), where the
                // CPU raises #DE. A guest can crash Popek this way in emulate mode; the tester must not.
                int dx = ext == 7 && (op == 16 ? (short) v == -1 : v == -1) ? 0 : dx0;
                return new Piece("mul/div", e -> {
                    e.a.movImm(op, Operands.ECX, v).movImm(op, Operands.EDX, dx);
                    e.a.rm(op, new Reg(Operands.ECX), ext, 0xF7).end();
                });
            }
            case 9 -> {
                int v = r.nextInt(), s2 = reg(r);
                return new Piece("push/pop", e -> {
                    e.a.pushImm(v);
                    e.a.begin().opsize(op).raw(0x50 + src).end();
                    e.a.begin().opsize(op).raw(0x58 + d).end();
                    e.a.op(0x58 + s2);
                });
            }
            case 10 -> {
                int cc = r.nextInt(16), n = 1 + r.nextInt(3);
                int[] regs = {reg(r), reg(r), reg(r)};
                return new Piece("jcc", e -> {
                    Label skip = e.a.label();
                    e.a.jccShort(cc, skip);
                    for (int i = 0; i < n; i++) e.a.op(0x40 + regs[i]);
                    e.a.bind(skip);
                });
            }
            case 11 -> {
                int bt = new int[] {0xA3, 0xAB, 0xB3, 0xBB, 0xBC, 0xBD, 0xAF}[r.nextInt(7)];
                return new Piece("bit op", e -> e.a.rm(op, new Reg(d), src, 0x0F, bt).end());
            }
            case 12 -> {
                int cc = r.nextInt(16);
                boolean set = r.nextBoolean();
                return new Piece(set ? "setcc" : "cmovcc", e -> {
                    if (set) e.a.rm(0, new Reg(d), 0, 0x0F, 0x90 + cc).end();
                    else e.a.rm(op, new Reg(d), src, 0x0F, 0x40 + cc).end();
                });
            }
            case 13 -> {
                int one = new int[] {0x99, 0x98, 0xF8, 0xF9, 0xF5, 0xFC, 0x9E, 0x9F, 0x90, 0x27, 0x2F, 0x37, 0x3F}[r.nextInt(13)];
                return new Piece("one-byte", e -> e.a.op(one));
            }
            case 14 -> {
                MemOp m = Operands.mem(r, bits);
                int ext = new int[] {0xB6, 0xB7, 0xBE, 0xBF}[r.nextInt(4)];
                return new Piece("movzx/movsx", e -> {
                    m.setup(e.a);
                    e.a.rm(op, m.mem(), d, 0x0F, ext).end();
                });
            }
            case 15 -> {
                int str = new int[] {0xA4, 0xA5, 0xAA, 0xAB, 0xAC, 0xAD, 0xA6, 0xAE}[r.nextInt(8)];
                int count = r.nextInt(12);
                boolean rep = r.nextBoolean();
                int si = Layout.DATA + r.nextInt(0x3000), di = Layout.DATA + 0x3000 + r.nextInt(0x3000);
                return new Piece("string", e -> {
                    int off = bits == 16 ? 0x10000 : 0;   // real mode: DS and ES point at the data region
                    e.a.movImm(bits, Operands.ESI, si - off).movImm(bits, Operands.EDI, di - off).movImm(bits, Operands.ECX, count);
                    if (rep) e.a.op(0xF3, str); else e.a.op(str);
                });
            }
            case 16 -> {
                int n = 1 + r.nextInt(5);
                return new Piece("loop", e -> {
                    e.a.movImm(bits, Operands.ECX, n);
                    int top = e.a.here();
                    e.a.op(0x40 + Operands.EAX);
                    e.a.op(0xE2, (top - (e.a.here() + 2)) & 0xFF);   // loop top
                });
            }
            case 17 -> {
                int what = r.nextInt(5);
                return switch (what) {
                    case 0 -> new Piece("ud2", e -> e.a.op(0x0F, 0x0B));
                    case 1 -> new Piece("lock reg (#UD)", e -> e.a.op(0xF0, 0x01, 0xC0));
                    case 2 -> new Piece("aam 0 (#DE)", e -> e.a.op(0xD4, 0x00));
                    case 3 -> new Piece("into", e -> e.a.op(0xB0, 0x7F).op(0x04, 0x01).op(0xCE));
                    // (Only undefined opcodes whose length a decoder knows: after bytes that decode as nothing, full
                    // mode's linear sweep cannot tell where the next instruction starts, a limitation it documents.)
                    default -> new Piece("ud0", e -> e.a.op(0x0F, 0xFF, 0xC0));
                };
            }
            case 18 -> {
                MemOp m = Operands.mem(r, bits);
                int v = value(r);
                return new Piece("bound", e -> {
                    e.a.movImm(op, d, v);
                    m.setup(e.a);
                    e.a.rm(op, m.mem(), d, 0x62).end();
                });
            }
            case 19 -> {
                int x = r.nextInt(5);
                return new Piece("x87", e -> {
                    e.a.op(0xDB, 0xE3);                      // fninit
                    e.a.op(0xD9, 0xE8);                      // fld1
                    if (x == 0) e.a.op(0xD9, 0xEE).op(0xDE, 0xF9);   // fldz; fdivp: a masked zero divide
                    e.a.op(0xDF, 0xE0);                      // fnstsw ax
                    e.a.op(0xDD, 0xD8);                      // fstp st0
                    if (x == 1) e.a.op(0x9B);                // fwait
                });
            }
            case 20 -> {
                MemOp m = Operands.mem(r, bits);
                boolean xadd = r.nextBoolean(), lock = r.nextBoolean();
                return new Piece(xadd ? "xadd" : "cmpxchg", e -> {
                    m.setup(e.a);
                    e.a.begin();
                    if (lock) e.a.raw(0xF0);
                    e.a.prefixes(op, m.mem());
                    e.a.raw(0x0F, xadd ? 0xC1 : 0xB1).modrm(src, m.mem()).end();
                });
            }
            default -> {
                int v = r.nextInt(0x100);
                return new Piece("enter/leave", e -> e.a.begin().raw(0xC8).imm16(v & ~3).imm8(0).end().op(0xC9));
            }
        }
    }
}
