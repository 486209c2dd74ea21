package popek.fuzz;

import java.util.random.RandomGenerator;

import popek.fuzz.Asm.Label;
import popek.fuzz.Asm.Mem;
import popek.fuzz.Asm.Reg;
import popek.fuzz.Operands.MemOp;
import popek.translate.SensitiveClass;

import static popek.fuzz.Operands.EAX;
import static popek.fuzz.Operands.ECX;
import static popek.fuzz.Operands.EDX;
import static popek.fuzz.Operands.reg;
import static popek.fuzz.SystemTables.*;

/**
 * One piece per draw for a class of {@link SensitiveClass}, every class, in the forms and with the operands that make
 * it do something different each time: good and bad selectors, each operand size, register and memory operands, the
 * values that fault. Far transfers, rings and paging have generators of their own; here they appear in their simplest
 * forms.
 */
final class SensitiveGen {
    private SensitiveGen() { }

    private static final SensitiveClass[] CLASSES = SensitiveClass.values();
    /** Ports whose reads and writes are deterministic and harmless: POST, unclaimed ones, the CGA CRTC. */
    private static final int[] PORTS = {0x80, 0x2F0, 0x2F1, 0x2F2, 0x2F3, 0x3D4, 0x3D5, 0x2E8};

    static Piece next(RandomGenerator r, GenState s) {
        SensitiveClass c = CLASSES[r.nextInt(CLASSES.length)];
        if (s.mode != GenState.Mode.PROT32) return sixteen(r, s, c);
        return of(c, r, s);
    }

    static Piece of(SensitiveClass c, RandomGenerator r, GenState s) {
        int bits = s.bits();
        int op = r.nextInt(4) == 0 ? 16 : 32;
        int d = reg(r);
        return switch (c) {
            case CLI -> new Piece("cli", e -> e.a.op(0xFA));
            case STI -> new Piece("sti", e -> e.a.op(0xFB));
            case HLT -> r.nextInt(4) == 0 ? new Piece("cli; hlt", e -> e.a.op(0xFA).op(0xF4)) : new Piece("nop", e -> e.a.op(0x90));
            case IO -> io(r, s);
            case LGDT, LIDT -> tables(c == SensitiveClass.LGDT, r, s);
            case LLDT -> {
                int sel = r.nextInt(3) == 0 ? LDT_SEL : r.nextInt(3) == 0 ? 0 : pick(r);
                boolean mem = r.nextBoolean();
                yield new Piece(String.format("lldt 0x%x", sel), e -> {
                    if (mem) {
                        int at = e.alloc(2);
                        e.image.put16(at, sel);
                        e.a.rm(0, Mem.abs(at), 2, 0x0F, 0x00).end();
                    } else {
                        e.a.movImm(16, EAX, sel).rm(0, new Reg(EAX), 2, 0x0F, 0x00).end();
                    }
                });
            }
            case LTR -> {
                int sel = r.nextInt(3) == 0 ? TSS2_SEL : pick(r);
                yield new Piece(String.format("ltr 0x%x", sel), Quirk.LTR_HIDDEN_TYPE,
                        e -> e.a.movImm(16, EAX, sel).rm(0, new Reg(EAX), 3, 0x0F, 0x00).end());
            }
            case MOV_CR_WRITE -> crWrite(r, s);
            case MOV_CR_READ -> {
                int n = r.nextInt(6) == 0 ? 1 + r.nextInt(7) : new int[] {0, 2, 3, 4}[r.nextInt(4)];
                yield new Piece("mov r, cr" + n, e -> e.a.rm(0, new Reg(d), n, 0x0F, 0x20).end());
            }
            case MOV_DR -> debugRegister(r);
            case LMSW -> {
                int v = r.nextInt(0x10000) | 1;
                MemOp m = Operands.mem(r, bits);
                boolean mem = r.nextBoolean();
                yield new Piece(String.format("lmsw 0x%x", v), mem ? m.storeQuirks() : java.util.EnumSet.noneOf(Quirk.class), e -> {
                    if (mem) {
                        m.setup(e.a);
                        e.a.rm(16, m.mem(), 0, 0xC7).immAfter(2, v);
                        e.a.rm(0, m.mem(), 6, 0x0F, 0x01).end();
                    } else {
                        e.a.movImm(16, EAX, v).rm(0, new Reg(EAX), 6, 0x0F, 0x01).end();
                    }
                });
            }
            case CLTS -> new Piece("clts", e -> e.a.op(0x0F, 0x06));
            case INVLPG -> {
                MemOp m = Operands.mem(r, bits);
                yield new Piece("invlpg", e -> {
                    m.setup(e.a);
                    e.a.rm(0, m.mem(), 7, 0x0F, 0x01).end();
                });
            }
            case INVD -> new Piece("invd", e -> e.a.op(0x0F, 0x08));
            case WBINVD -> new Piece("wbinvd", e -> e.a.op(0x0F, 0x09));
            case RDMSR, WRMSR -> msr(c == SensitiveClass.WRMSR, r);
            case IRET -> iret(r, s);
            case SYSENTER -> TransitionGen.sysenterFromKernel(r);
            case SYSEXIT -> s.cpl == 0 ? TransitionGen.toRing3(r, s, 2) : new Piece("sysexit", e -> e.a.op(0x0F, 0x35));
            case SYSCALL -> new Piece("syscall", e -> e.a.op(0x0F, 0x05));
            case SYSRET -> new Piece("sysret", e -> e.a.op(0x0F, 0x07));
            case PUSHF -> new Piece("pushf; pop", e -> e.a.begin().opsize(op).raw(0x9C).end().begin().opsize(op).raw(0x58 + d).end());
            case POPF -> {
                int flags = r.nextInt() & 0x00247FD7 & ~0x4100 | 2;   // no TF (single-stepping has its own piece), no NT
                yield new Piece(String.format("popf 0x%x", flags), e -> {
                    e.a.begin().opsize(op).raw(0x68).imm(op, flags).end();
                    e.a.begin().opsize(op).raw(0x9D).end();
                });
            }
            case SGDT, SIDT -> {
                MemOp m = Operands.mem(r, bits);
                int ext = c == SensitiveClass.SGDT ? 0 : 1;
                yield new Piece(c.label(), m.storeQuirks(), e -> {
                    m.setup(e.a);
                    e.a.rm(op, m.mem(), ext, 0x0F, 0x01).end();
                });
            }
            case SLDT, STR -> {
                int ext = c == SensitiveClass.SLDT ? 0 : 1;
                if (r.nextBoolean()) yield new Piece(c.label() + " r", e -> e.a.rm(op, new Reg(d), ext, 0x0F, 0x00).end());
                MemOp m = Operands.mem(r, bits);
                yield new Piece(c.label() + " m", m.storeQuirks(), e -> {
                    m.setup(e.a);
                    e.a.rm(op, m.mem(), ext, 0x0F, 0x00).end();
                });
            }
            case SMSW -> {
                if (r.nextBoolean()) {
                    yield op == 32 ? new Piece("smsw r32", Quirk.SMSW_HIGH_BITS, e -> e.a.rm(32, new Reg(d), 4, 0x0F, 0x01).end())
                            : new Piece("smsw r16", e -> e.a.rm(16, new Reg(d), 4, 0x0F, 0x01).end());
                }
                MemOp m = Operands.mem(r, bits);
                yield new Piece("smsw m", m.storeQuirks(), e -> {
                    m.setup(e.a);
                    e.a.rm(op, m.mem(), 4, 0x0F, 0x01).end();
                });
            }
            case LAR, LSL, VERR, VERW -> inspect(c, r, bits);
            case SEG_PUSH -> {
                int seg = r.nextInt(6);
                yield new Piece("push sreg " + seg, e -> {
                    e.a.begin().opsize(op);
                    if (seg < 4) e.a.raw(0x06 + 8 * seg); else e.a.raw(0x0F, seg == 4 ? 0xA0 : 0xA8);
                    e.a.end().begin().opsize(op).raw(0x58 + d).end();
                });
            }
            case SEG_POP -> {
                int seg = new int[] {0, 2, 3, 4, 5}[r.nextInt(5)];
                int sel = seg == 2 ? stackSelector(r) : seg == 3 ? goodData(r) : pick(r);
                yield new Piece(String.format("pop sreg %d 0x%x", seg, sel), nullRpl(seg, sel), e -> {
                    e.a.begin().opsize(op).raw(0x68).imm(op, sel).end();
                    e.a.begin().opsize(op);
                    if (seg < 4) e.a.raw(0x07 + 8 * seg); else e.a.raw(0x0F, seg == 4 ? 0xA1 : 0xA9);
                    e.a.end();
                });
            }
            case SEG_MOV_WRITE -> SegmentGen.movSreg(r, s);
            case SEG_MOV_READ -> {
                int seg = r.nextInt(8);   // 6 and 7 are #UD
                if (r.nextBoolean()) yield new Piece("mov r, sreg" + seg, e -> e.a.rm(op, new Reg(d), seg, 0x8C).end());
                MemOp m = Operands.mem(r, bits);
                yield new Piece("mov m, sreg" + seg, m.storeQuirks(), e -> {
                    m.setup(e.a);
                    e.a.rm(op, m.mem(), seg, 0x8C).end();
                });
            }
            case SEG_LOAD_FAR -> SegmentGen.loadFar(r, s);
            case FAR_JMP, FAR_CALL, FAR_RET -> SegmentGen.farTransfer(c, r, s);
            case INT_N -> intN(r, s);
            case CPUID -> {
                int leaf = new int[] {0, 1, 2, 4, 7, 0xB, 0xD, 0x80000000, 0x80000001, 0x80000008, r.nextInt()}[r.nextInt(11)];
                yield new Piece(String.format("cpuid 0x%x", leaf), e -> e.a.movImm(32, EAX, leaf).op(0x31, 0xC9).op(0x0F, 0xA2));
            }
            case RDTSC -> {
                boolean p = r.nextInt(4) == 0;
                // The counter's value is the host's time: the two modes can only agree on the registers it leaves. All
                // of them, in code of either size (xor ax, ax in 16-bit code left the counter's bits in EAX's top
                // half), and never nopped by the shrinker.
                yield new Piece(p ? "rdtscp" : "rdtsc", e -> {
                    if (p) e.a.op(0x0F, 0x01, 0xF9); else e.a.op(0x0F, 0x31);
                    e.a.begin().opsize(32).raw(0x31, 0xC0).end().keep().begin().opsize(32).raw(0x31, 0xD2).end().keep();
                });
            }
            case RDPMC -> new Piece("rdpmc", e -> e.a.op(0x31, 0xC9).op(0x0F, 0x33).op(0x31, 0xC0).op(0x31, 0xD2));
            case IDIV -> {
                // Every idiv but the one that kills Unicorn (a dividend of INT64_MIN, or INT32_MIN for 16 bits, by -1).
                int divisor = new int[] {0, 1, -1, 2, -2, 7, 0x10000, r.nextInt()}[r.nextInt(8)];
                int hi = new int[] {0, -1, 1, 0x7FFF, 0x12345, r.nextInt()}[r.nextInt(6)], lo = r.nextInt();
                int d16 = (short) divisor;
                boolean wide = op == 32;
                if (wide ? divisor == -1 && hi == 0x80000000 && lo == 0 : d16 == -1 && (hi & 0xFFFF) == 0x8000 && (lo & 0xFFFF) == 0) hi = 0;
                int edx = hi;
                boolean mem = r.nextBoolean();
                Mem m = bits == 16 ? Mem.abs16(r.nextInt(0x7000)) : Mem.abs(Layout.DATA + r.nextInt(0x7000));   // (EAX, EDX are taken)
                yield new Piece(String.format("idiv o%d 0x%x:0x%x / 0x%x", op, edx, lo, divisor), e -> {
                    e.a.movImm(32, EDX, edx).movImm(32, EAX, lo);
                    if (mem) {
                        e.a.rm(32, m, 0, 0xC7).immAfter(4, divisor);
                        e.a.rm(op, m, 7, 0xF7).end();
                    } else {
                        e.a.movImm(32, ECX, divisor).rm(op, new Reg(ECX), 7, 0xF7).end();
                    }
                });
            }
            case OTHER_PRIVILEGED -> {
                int[][] forms = {{0x0F, 0x01, 0xD1}, {0x0F, 0x01, 0xC8}, {0x0F, 0x01, 0xC9}, {0x0F, 0x01, 0xC1},
                    {0x0F, 0x01, 0xF8}, {0x0F, 0x01, 0xCA}, {0x0F, 0x01, 0xCB}, {0x0F, 0x01, 0xD8}};
                int[] f = forms[r.nextInt(forms.length)];
                yield new Piece(String.format("privileged %02x %02x %02x", f[0], f[1], f[2]),
                        e -> e.a.op(0x31, 0xC9).op(0x31, 0xC0).op(0x31, 0xD2).op(f));
            }
        };
    }

    /** FS or GS loaded with a null selector that has an RPL: QEMU's iret to an outer ring keeps it. */
    static java.util.Set<Quirk> nullRpl(int seg, int sel) {
        return (seg == 4 || seg == 5) && (sel & 0xFFFF) != 0 && (sel & 0xFFFC) == 0
                ? java.util.EnumSet.of(Quirk.NULL_FS_GS_KEPT) : java.util.EnumSet.noneOf(Quirk.class);
    }

    /** Any selector of the GDT and LDT, good or bad. */
    static int pick(RandomGenerator r) { return SELECTORS[r.nextInt(SELECTORS.length)]; }

    static int goodData(RandomGenerator r) {
        return r.nextInt(4) == 0 ? pick(r) : GOOD_DATA[r.nextInt(GOOD_DATA.length)];
    }

    /** Mostly selectors SS can hold at ring 0, sometimes one that faults. */
    static int stackSelector(RandomGenerator r) {
        int[] good = {KDATA, KDATA_NA, LDT_DATA, KDATA_DOWN};
        return r.nextInt(4) == 0 ? pick(r) : good[r.nextInt(good.length)];
    }

    // ---------------------------------------------------------------- the classes with more forms

    private static Piece io(RandomGenerator r, GenState s) {
        int port = PORTS[r.nextInt(PORTS.length)];
        int form = r.nextInt(7);
        int size = r.nextInt(3);   // byte, word, dword
        int count = r.nextInt(6);
        boolean rep = r.nextBoolean();
        int v = r.nextInt();
        int bits = s.bits();
        String what = String.format("io form %d size %d port 0x%x", form, size, port);
        java.util.function.Consumer<Emit> body = e -> {
            Asm a = e.a;
            int w = size == 0 ? 0 : 1;
            int opsize = size == 1 ? 16 : 32;
            switch (form) {
                case 0, 1 -> {   // in/out with an immediate port (only ports below 0x100)
                    int p = port & 0xFF;
                    a.movImm(32 == bits ? 32 : 16, EAX, v);
                    a.begin().opsize(size == 0 ? bits : opsize).raw((form == 0 ? 0xE4 : 0xE6) | w).imm8(p).end();
                }
                case 2, 3 -> {   // in/out through DX
                    a.movImm(bits, EDX, port).movImm(bits, EAX, v);
                    a.begin().opsize(size == 0 ? bits : opsize).raw((form == 2 ? 0xEC : 0xEE) | w).end();
                }
                default -> {     // ins/outs, maybe with rep
                    boolean in = form == 4;
                    int off = bits == 16 ? 0x10000 : 0;
                    a.movImm(bits, EDX, port).movImm(bits, Operands.ESI, Layout.DATA + 0x100 - off)
                            .movImm(bits, Operands.EDI, Layout.DATA + 0x200 - off).movImm(bits, ECX, count);
                    a.begin();
                    if (rep) a.raw(0xF3);
                    a.opsize(size == 0 ? bits : opsize).raw((in ? 0x6C : 0x6E) | w).end();
                }
            }
        };
        // Always marked: a piece made for ring 0 runs in ring 3 once the shrinker drops the way back.
        return new Piece(what, Quirk.IO_PERMISSION, body);
    }

    private static Piece tables(boolean gdt, RandomGenerator r, GenState s) {
        int ext = gdt ? 2 : 3;
        int kind = r.nextInt(6);
        int stdLimit = gdt ? Layout.GDT_LIMIT : Handlers.IDT_LIMIT, stdBase = gdt ? Layout.GDT : Layout.IDT;
        String name = gdt ? "lgdt" : "lidt";
        switch (kind) {
            case 0 -> {   // an odd table for a moment: sgdt/sidt (both sizes) must show it, then back
                int base = r.nextInt(), limit = r.nextInt(0x10000);
                boolean o16 = r.nextBoolean();
                return new Piece(String.format("%s odd 0x%x/0x%x and s%s o%d", name, base, limit, gdt ? "gdt" : "idt", o16 ? 16 : 32), e -> {
                    int odd = e.pseudoDescriptor(limit, base), std = e.pseudoDescriptor(stdLimit, stdBase);
                    int out = e.alloc(8);
                    e.a.rm(o16 ? 16 : 32, Mem.abs(odd), ext, 0x0F, 0x01).end();
                    e.a.rm(o16 ? 16 : 32, Mem.abs(out), ext - 2, 0x0F, 0x01).end();
                    e.a.rm(32, Mem.abs(std), ext, 0x0F, 0x01).end();
                });
            }
            case 1 -> {   // a short IDT: an int through it faults, and the #GP delivery escalates to #DF
                if (gdt) break;
                int limit = 8 * 9 - 1;
                return new Piece("lidt short; int 0x20 (#DF)", e -> {
                    int small = e.pseudoDescriptor(limit, Layout.IDT), std = e.pseudoDescriptor(stdLimit, stdBase);
                    e.a.rm(32, Mem.abs(small), 3, 0x0F, 0x01).end();
                    e.a.op(0xCD, 0x20);
                    e.a.rm(32, Mem.abs(std), 3, 0x0F, 0x01).end();
                });
            }
            case 2 -> {   // a short GDT: a load past its limit faults
                if (!gdt) break;
                int limit = 8 * (1 + r.nextInt(8)) - 1;
                int sel = goodData(r);
                return new Piece(String.format("lgdt limit 0x%x; mov es, 0x%x", limit, sel), e -> {
                    int small = e.pseudoDescriptor(limit, Layout.GDT), std = e.pseudoDescriptor(stdLimit, stdBase);
                    e.a.rm(32, Mem.abs(small), 2, 0x0F, 0x01).end();
                    e.a.movImm(16, EAX, sel).rm(0, new Reg(EAX), 0, 0x8E).end();
                    e.a.rm(32, Mem.abs(std), 2, 0x0F, 0x01).end();
                });
            }
            default -> { }
        }
        boolean o16 = r.nextInt(3) == 0;
        return new Piece(name + " (the same table" + (o16 ? ", o16)" : ")"), e -> {
            int std = e.pseudoDescriptor(stdLimit, stdBase);
            e.a.rm(o16 ? 16 : 32, Mem.abs(std), ext, 0x0F, 0x01).end();
        });
    }

    private static Piece crWrite(RandomGenerator r, GenState s) {
        int n = r.nextInt(8) == 0 ? new int[] {1, 5, 6, 7}[r.nextInt(4)] : new int[] {0, 0, 2, 3, 4}[r.nextInt(5)];
        int v = r.nextInt();
        int cr0Bit = new int[] {1, 2, 3, 5, 16, 18, 29, 30, 6, 0}[r.nextInt(10)];
        int cr4Bit = new int[] {0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 18, 20, 21}[r.nextInt(17)];
        return switch (n) {
            case 0 -> new Piece("cr0 ^= bit " + cr0Bit, cr0Bit == 0 || cr0Bit == 29 || cr0Bit == 30
                    ? java.util.EnumSet.of(Quirk.CR0_INVALID_COMBINATION) : java.util.EnumSet.noneOf(Quirk.class), e -> e.a.op(0x0F, 0x20, 0xC0)
                    .rm(32, new Reg(EAX), 6, 0x81).immAfter(4, 1 << cr0Bit).op(0x0F, 0x22, 0xC0));
            case 2 -> new Piece(String.format("cr2 = 0x%x", v), e -> e.a.movImm(32, EAX, v).op(0x0F, 0x22, 0xD0));
            case 3 -> new Piece("cr3 reload", e -> e.a.op(0x0F, 0x20, 0xD8).op(0x0F, 0x22, 0xD8));
            case 4 -> new Piece("cr4 ^= bit " + cr4Bit, cr4Bit > 10 ? java.util.EnumSet.of(Quirk.CR4_RESERVED_BITS)
                    : java.util.EnumSet.noneOf(Quirk.class), e -> e.a.op(0x0F, 0x20, 0xE0)
                    .rm(32, new Reg(EAX), 6, 0x81).immAfter(4, 1 << cr4Bit).op(0x0F, 0x22, 0xE0));
            default -> new Piece("mov cr" + n + ", eax (#UD)", e -> e.a.op(0x0F, 0x22, 0xC0 | (n & 7) << 3));
        };
    }

    private static Piece debugRegister(RandomGenerator r) {
        int n = r.nextInt(8);
        boolean write = r.nextBoolean();
        // No breakpoint enables and no GD in DR7: full mode's debug registers are never armed (SensitiveEmulator).
        // (DR4 and DR5 are DR6 and DR7 while CR4.DE is clear.) An armed instruction breakpoint crashes Unicorn 2.1.1
        // (SIGSEGV in its generated code) in emulate mode, the oracle.
        int v = n == 7 || n == 5 ? r.nextInt() & 0xFFFF0000 & ~(1 << 13) & ~0xFF : r.nextInt();
        boolean de = r.nextInt(3) == 0;
        return new Piece(String.format("%s dr%d%s", write ? "write" : "read", n, de ? " (CR4.DE)" : ""), e -> {
            if (de) e.a.op(0x0F, 0x20, 0xE0).rm(32, new Reg(EAX), 1, 0x81).immAfter(4, 8).op(0x0F, 0x22, 0xE0);
            if (write) e.a.movImm(32, EDX, v).op(0x0F, 0x23, 0xC0 | n << 3 | EDX);
            else e.a.op(0x0F, 0x21, 0xC0 | n << 3 | EDX);
            if (de) e.a.op(0x0F, 0x20, 0xE0).rm(32, new Reg(EAX), 4, 0x81).immAfter(4, ~8).op(0x0F, 0x22, 0xE0);
        });
    }

    private static Piece msr(boolean write, RandomGenerator r) {
        int[] readable = {0x174, 0x175, 0x176, 0xC0000080, 0x1B, 0x277, 0x2FF, 0x1A0, 0xC0000103, 0x12345678, 0x8B, 0x17};
        int index = readable[r.nextInt(readable.length)];
        if (!write) return new Piece(String.format("rdmsr 0x%x", index), e -> e.a.movImm(32, ECX, index).op(0x0F, 0x32));
        int[] writable = {0x174, 0x175, 0x176, 0xC0000080};
        int w = writable[r.nextInt(writable.length)];
        int lo = w == 0xC0000080 ? (r.nextBoolean() ? 1 << 11 : 0) : w == 0x174 ? new int[] {KCODE, 0, 0x1234}[r.nextInt(3)] : r.nextInt();
        return new Piece(String.format("wrmsr 0x%x = 0x%x", w, lo), w == 0x174 && (lo & 0xFFFC) == 0
                ? java.util.EnumSet.of(Quirk.SYSENTER_HOOK_EIP) : java.util.EnumSet.noneOf(Quirk.class),
                e -> e.a.movImm(32, ECX, w).movImm(32, EAX, lo).op(0x31, 0xD2).op(0x0F, 0x30));
    }

    private static Piece iret(RandomGenerator r, GenState s) {
        int kind = r.nextInt(4);
        int flags = (r.nextInt() & 0x00247FD7 & ~0x4100) | 2;
        int cs = kind == 3 ? pick(r) : s.cpl == 0 ? KCODE : UCODE | 3;
        boolean o16 = kind == 2;
        return new Piece(String.format("iret%s cs 0x%x flags 0x%x", o16 ? " o16" : "", cs, flags), SegmentGen.csQuirks(cs), e -> {
            Asm a = e.a;
            Label land = a.label(), back = a.label();
            a.op(0x89, 0xE5);   // mov ebp, esp: put the stack back whether the iret faults or not
            int size = o16 ? 16 : 32;
            a.begin().opsize(size).raw(0x68).imm(size, flags).end();
            a.begin().opsize(size).raw(0x68).imm(size, cs).end();
            a.pushLabel(size, land);
            a.begin().opsize(size).raw(0xCF).end();
            if ((cs & ~3) == KCODE16 || (cs & ~3) == KCODE16_NA) {
                // Into 16-bit code: back to the 32-bit code the rest of the case is, as a far transfer's landing does
                // (the 32-bit code run as 16-bit was random code the case did not mean to test).
                a.jmp(back);   // the iret faulted and was skipped
                a.bind(land);
                int saved = a.bits;
                a.bits = 16;
                a.jmpFar(32, KCODE, back);
                a.bits = saved;
            } else {
                a.bind(land);
            }
            a.bind(back);
            a.op(0x89, 0xEC);   // mov esp, ebp
        });
    }

    private static Piece inspect(SensitiveClass c, RandomGenerator r, int bits) {
        int sel = r.nextInt(8) == 0 ? r.nextInt(0x10000) : pick(r);
        int op = r.nextInt(4) == 0 ? 16 : 32;
        int d = reg(r);
        boolean mem = r.nextInt(3) == 0;
        int[] opcode = c == SensitiveClass.LAR ? new int[] {0x0F, 0x02} : c == SensitiveClass.LSL ? new int[] {0x0F, 0x03}
                : new int[] {0x0F, 0x00};
        int regField = c == SensitiveClass.VERR ? 4 : c == SensitiveClass.VERW ? 5 : d;
        return new Piece(String.format("%s 0x%x%s", c.label(), sel, mem ? " (m)" : ""), e -> {
            if (mem) {
                int at = e.alloc(2);
                e.image.put16(at, sel);
                e.a.rm(op, Mem.abs(at), regField, opcode).end();
            } else {
                int src = d == ECX ? EDX : ECX;
                e.a.movImm(32, src, sel | 0x5A5A0000);
                e.a.rm(op, new Reg(src), regField, opcode).end();
            }
        });
    }

    private static Piece intN(RandomGenerator r, GenState s) {
        int kind = r.nextInt(8);
        return switch (kind) {
            case 0 -> new Piece("int3", e -> e.a.op(0xCC));
            case 1 -> new Piece("int 3", e -> e.a.op(0xCD, 3));
            case 2 -> new Piece("int1", e -> e.a.op(0xF1));
            case 3 -> new Piece("into (OF set)", e -> e.a.op(0xB0, 0x7F).op(0x04, 0x01).op(0xCE));
            case 4 -> {
                int v = new int[] {Handlers.NOT_PRESENT_VECTOR, 0x30 + r.nextInt(0x50), 0x82 + r.nextInt(0x7E)}[r.nextInt(3)];
                yield new Piece(String.format("int 0x%x (no gate)", v), e -> e.a.op(0xCD, v));
            }
            default -> {
                int v = 0x20 + r.nextInt(15);
                yield new Piece(String.format("int 0x%x", v), e -> e.a.op(0xCD, v));
            }
        };
    }

    /** 16-bit code (real mode or a 16-bit protected-mode segment): the classes that make sense there. */
    private static Piece sixteen(RandomGenerator r, GenState s, SensitiveClass c) {
        boolean real = s.mode == GenState.Mode.REAL;
        int d = reg(r);
        return switch (c) {
            case CLI -> new Piece("cli", e -> e.a.op(0xFA));
            case STI -> new Piece("sti", e -> e.a.op(0xFB));
            case PUSHF, POPF -> {
                int flags = (r.nextInt() & 0x7FD7 & ~0x4100) | 2;
                yield new Piece(String.format("pushf/popf 0x%x", flags), e -> e.a.op(0x9C).op(0x58 + d).pushImm(flags).op(0x9D));
            }
            case SMSW -> new Piece("smsw r16", e -> e.a.rm(16, new Reg(d), 4, 0x0F, 0x01).end());
            case LMSW -> {
                int v = r.nextInt(0x10) | (real ? 0 : 1);
                yield new Piece(String.format("lmsw 0x%x", v & ~1), e -> e.a.movImm(16, EAX, v & ~1).rm(0, new Reg(EAX), 6, 0x0F, 0x01).end());
            }
            case SGDT, SIDT -> {
                MemOp m = Operands.mem16(r);
                int ext = c == SensitiveClass.SGDT ? 0 : 1;
                yield new Piece(c.label(), m.storeQuirks(), e -> {
                    m.setup(e.a);
                    e.a.rm(16, m.mem(), ext, 0x0F, 0x01).end();
                });
            }
            case MOV_CR_READ -> {
                int n = new int[] {0, 2, 3, 4}[r.nextInt(4)];
                yield new Piece("mov r, cr" + n, e -> e.a.rm(0, new Reg(d), n, 0x0F, 0x20).end());
            }
            case SEG_PUSH, SEG_POP, SEG_MOV_READ -> {
                int seg = r.nextInt(6);
                yield new Piece("mov r, sreg" + seg, e -> e.a.rm(16, new Reg(d), seg, 0x8C).end());
            }
            case SEG_MOV_WRITE -> {
                int seg = new int[] {0, 4, 5}[r.nextInt(3)];
                int sel = real ? r.nextInt(0x10000) : KDATA16_BASED;
                yield new Piece(String.format("mov sreg%d, 0x%x", seg, sel), e -> e.a.movImm(16, EAX, sel).rm(0, new Reg(EAX), seg, 0x8E).end());
            }
            case INT_N -> {
                int v = real ? new int[] {0x20 + r.nextInt(16), 3, 0x80, 0x50, 0xFF}[r.nextInt(5)] : 0x20 + r.nextInt(15);
                yield new Piece(String.format("int 0x%x", v), e -> e.a.op(0xCD, v));
            }
            case IO -> {
                int port = PORTS[r.nextInt(PORTS.length)];
                yield new Piece(String.format("in al, dx (0x%x)", port), Quirk.IO_PERMISSION, e -> e.a.movImm(16, EDX, port).op(0xEC));
            }
            case CPUID -> new Piece("cpuid 1", e -> e.a.movImm(32, EAX, 1).op(0x0F, 0xA2));
            default -> OrdinaryGen.next(r, s);
        };
    }
}
