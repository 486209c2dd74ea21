package popek.fuzz;

import java.util.random.RandomGenerator;

import popek.fuzz.Asm.Label;

import static popek.fuzz.Operands.EAX;

/**
 * Code that is also data: an immediate patched just before it runs (after a jump, or with none, in the same
 * translation block), an instruction swapped for another of the same length (ordinary for sensitive and back), data
 * kept inside the code page and written there, a write to code through an alias mapping, and instructions that
 * straddle a page boundary.
 */
final class CodeGen {
    private CodeGen() { }

    /** Same-length pairs: ordinary, then a sensitive or faulting instruction of the same size. */
    private static final int[][][] SWAPS = {
        {{0x90}, {0xFA}}, {{0x90}, {0xFB}}, {{0xF8}, {0xFC}},
        {{0x89, 0xD8}, {0x8C, 0xD8}}, {{0x89, 0xD8}, {0xCD, 0x21}}, {{0x89, 0xD8}, {0x0F, 0x0B}}, {{0x89, 0xC0}, {0x0E, 0x58}},
        {{0x83, 0xC0, 0x01}, {0x0F, 0x20, 0xC0}}, {{0x83, 0xC0, 0x01}, {0x0F, 0x01, 0xE0}}, {{0x83, 0xC0, 0x01}, {0x0F, 0x00, 0xC8}},
    };

    static Piece next(RandomGenerator r, GenState s) {
        boolean kernel = s.cpl == 0;
        int flat = kernel ? SystemTables.KDATA : SystemTables.UDATA | 3;
        return switch (r.nextInt(6)) {
            case 0, 1 -> {
                int k = 1 + r.nextInt(4), v = r.nextInt(256), imm = r.nextInt();
                boolean jump = r.nextBoolean();
                yield new Piece("patch an immediate" + (jump ? " then jump" : " (same block)"), jump
                        ? java.util.EnumSet.noneOf(Quirk.class) : java.util.EnumSet.of(Quirk.SMC_WITHOUT_JUMP), e -> {
                    Asm a = e.a;
                    Label target = a.label(), l = a.label();
                    a.movImm(16, EAX, flat).op(0x8E, 0xD8);
                    a.rmLabel(0, target, k, 0, 0xC6).imm8(v).end();        // mov byte [target+k], v
                    if (jump) {
                        a.jmpShort(l);
                        a.bind(l);
                    }
                    a.bind(target);
                    a.movImm(32, EAX, imm);
                });
            }
            case 2 -> {
                int[][] pair = SWAPS[r.nextInt(SWAPS.length)];
                boolean forward = r.nextBoolean(), jump = r.nextBoolean();
                int[] from = forward ? pair[0] : pair[1], to = forward ? pair[1] : pair[0];
                java.util.Set<Quirk> quirks = java.util.EnumSet.noneOf(Quirk.class);
                if (!jump) quirks.add(Quirk.SMC_WITHOUT_JUMP);
                if (hex(pair[1]).equals("0f01e0")) quirks.add(Quirk.SMSW_HIGH_BITS);
                yield new Piece(String.format("swap %s for %s%s", hex(from), hex(to), jump ? " then jump" : ""), quirks, e -> {
                    Asm a = e.a;
                    Label target = a.label(), l = a.label();
                    a.movImm(16, EAX, flat).op(0x8E, 0xD8);
                    for (int i = 0; i < to.length; i++) a.rmLabel(0, target, i, 0, 0xC6).imm8(to[i]).end();
                    if (jump) {
                        a.jmpShort(l);
                        a.bind(l);
                    }
                    a.bind(target);
                    a.op(from);
                });
            }
            case 3 -> {
                int v = r.nextInt(), n = 1 + r.nextInt(3);
                yield new Piece("data inside the code page", e -> {
                    Asm a = e.a;
                    Label over = a.label(), data = a.label();
                    a.jmp(over);
                    a.bind(data);
                    for (int i = 0; i < 4 * n; i++) a.data(0xCC);
                    a.bind(over);
                    a.movImm(16, EAX, flat).op(0x8E, 0xD8);
                    a.rmLabel(32, data, 0, 0, 0xC7).imm32(v).end();           // mov dword [data], v
                    a.rmLabel(32, data, 4 * (n - 1), EAX, 0x03).end();        // add eax, [data+...]
                    a.rmLabel(32, data, 0, EAX, 0x01).end();                  // add [data], eax
                });
            }
            case 4 -> {
                int v = r.nextInt(), k = 1 + r.nextInt(4);
                yield new Piece("patch code through the alias page", e -> {
                    Asm a = e.a;
                    Label target = a.label(), l = a.label();
                    a.movImm(16, EAX, flat).op(0x8E, 0xD8);
                    // Only code in the aliased page can be reached this way. Elsewhere the alias address of the
                    // target is in the data region, where the pieces' far pointers and pseudo-descriptors are (a
                    // store there moved a later lgdt's table: seed 20261207 case 54156, seed 20261208 case 21955),
                    // so the store goes to the end of the region random loads and stores use instead.
                    Label store = a.label();
                    a.rmLabel(0, store, k, 0, 0xC6).imm8(v).end();
                    a.jmpShort(l);
                    a.bind(l);
                    a.bind(target);
                    boolean aliased = target.at >>> 12 == Layout.ALIASED_CODE_PAGE >>> 12;
                    a.bind(store, aliased ? target.at + Layout.ALIAS_PAGE - Layout.ALIASED_CODE_PAGE : SCRATCH);
                    a.movImm(32, EAX, v * 31);
                });
            }
            default -> {
                int[][] straddlers = {{0x0F, 0x20, 0xC0}, {0x0F, 0x01, 0xE0}, {0x8C, 0xD8}, {0xB8, 1, 2, 3, 4},
                    {0x0F, 0x00, 0xC8}, {0x9C, 0x58}, {0x0F, 0x01, 0x05, 0, 0, 0, 0}};
                int[] insn = straddlers[r.nextInt(straddlers.length)];
                int into = 1 + r.nextInt(insn.length - 1 > 0 ? insn.length - 1 : 1);
                yield new Piece("across a page boundary: " + hex(insn), insn.length == 3 && insn[1] == 0x01 && insn[2] == 0xE0
                        ? java.util.EnumSet.of(Quirk.SMSW_HIGH_BITS) : java.util.EnumSet.noneOf(Quirk.class), e -> {
                    Asm a = e.a;
                    int end = (a.here() + 0xFFF) & ~0xFFF;
                    if (end - a.here() < into) end += 0x1000;
                    if (end - into >= Layout.CODE_END - 0x200) return;            // no room left: emit nothing
                    Label over = a.label();
                    if (end - into - a.here() > 5) {
                        a.jmp(over);
                        while (a.here() < end - into) a.data(0xCC);
                        a.bind(over);
                    } else {
                        while (a.here() < end - into) a.op(0x90);
                    }
                    if (insn.length == 7) {                                          // sgdt [scratch]
                        int at = e.alloc(8);
                        a.op(0x0F, 0x01, 0x05, at, at >>> 8, at >>> 16, at >>> 24);
                    } else {
                        a.op(insn);
                    }
                });
            }
        };
    }

    /** Where an alias patch whose target is not in the aliased page stores (no piece's operands are there). */
    private static final int SCRATCH = Layout.DATA + 0x7F80;

    static String hex(int[] b) {
        StringBuilder s = new StringBuilder();
        for (int x : b) s.append(String.format("%02x", x));
        return s.toString();
    }
}
