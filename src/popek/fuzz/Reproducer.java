package popek.fuzz;

import java.util.List;
import java.util.Set;

import popek.engine.Capstone;

/**
 * A diverging case printed so that someone can see what went wrong without running anything: the first differing
 * field (and a few more), the start state, and the code as bytes and disassembly (Capstone), nopped-out instructions
 * left out, with the piece each instruction came from where it is known.
 */
final class Reproducer {
    private Reproducer() { }

    static String format(FuzzCase c, Set<Integer> nopped, List<StateDiff.Difference> diffs, String header) {
        StringBuilder s = new StringBuilder();
        s.append(header).append('\n');
        if (!diffs.isEmpty()) s.append("  first difference: ").append(diffs.get(0)).append('\n');
        for (int i = 1; i < Math.min(diffs.size(), 6); i++) s.append("  then: ").append(diffs.get(i)).append('\n');
        s.append("  start: ").append(startState(c)).append('\n');
        s.append("  pieces: ").append(c.pieces()).append('\n');
        FuzzCase.Built b = c.build(nopped);
        s.append(String.format("  code at 0x%05x (%d instructions, %d nopped out and not shown):%n", Layout.CODE,
                b.starts().length, nopped.size()));
        try (Capstone c32 = new Capstone(32); Capstone c16 = new Capstone(16)) {
            for (int i = 0; i < b.starts().length; i++) {
                if (nopped.contains(i)) continue;
                byte[] insn = java.util.Arrays.copyOfRange(b.code(), b.starts()[i], b.starts()[i] + b.lengths()[i]);
                long at = Layout.CODE + b.starts()[i];
                Capstone.Instruction d = (b.bits()[i] == 16 ? c16 : c32).decode(insn, insn.length, at);
                StringBuilder hex = new StringBuilder();
                for (byte x : insn) hex.append(String.format("%02x ", x & 0xFF));
                s.append(String.format("    %08x  %-30s %s%s%n", at, hex.toString().trim(),
                        d == null ? "(not decodable)" : d.text(), b.bits()[i] == 16 ? "   [16-bit]" : ""));
            }
        }
        s.append(String.format("  again: ./popek fuzz --seed %d --case %d%n", c.seed(), c.index()));
        return s.toString();
    }

    static String startState(FuzzCase c) {
        StringBuilder s = new StringBuilder(c.realStart()
                ? "real mode, CS=SS=FS=GS=0, DS=ES=0x1000, IDTR=IVT; "
                : "protected mode, ring 0, CS=0x08 DS..SS=0x10 (flat), GDT/IDT/TSS loaded, paging off; ");
        for (int i = 0; i < 8; i++) {
            if (i == 4) continue;
            s.append(FinalState.GPR_NAMES[i]).append('=').append(String.format("%08x ", c.gprs()[i]));
        }
        s.append(String.format("ESP=%08x EFLAGS=%08x", c.realStart() ? Layout.REAL_STACK_TOP : Layout.KSTACK_TOP, c.eflags()));
        return s.toString();
    }
}
