package popek.fuzz;

import java.util.List;
import java.util.Set;

import popek.engine.Unicorn;
import popek.engine.X86;

/**
 * One generated test case: the start state (real or protected mode, the general registers and EFLAGS) and the pieces
 * of code, which {@link #build} assembles into a memory image over the fixed world of {@link SystemTables} and
 * {@link Handlers}, ending with an epilogue that returns to ring 0 and writes the debug-exit port.
 */
record FuzzCase(long seed, int index, boolean realStart, int[] gprs, int eflags, List<Piece> pieces) {

    /**
     * The image and code of a built case: the start offset, length and code size of each instruction, and whether
     * every piece was emitted in the code size it was generated for (a case shrunk without the piece that changed
     * modes is not); which 4 KiB pages of the image hold anything (the only ones to load); and the instructions the
     * shrinker must keep ({@link Asm#keep}).
     */
    record Built(FuzzCase source, Image image, byte[] code, int[] starts, int[] lengths, int[] bits, boolean consistent,
                 int[] pages, java.util.BitSet kept) {
        int entry() { return Layout.CODE; }
    }

    FuzzCase withPieces(List<Piece> p) { return new FuzzCase(seed, index, realStart, gprs, eflags, p); }

    private static final Image WORLD = world();

    private static Image world() {
        Image m = new Image();
        SystemTables.write(m);
        Handlers.write(m);
        return m;
    }

    /** Assembles the case; the instructions whose index is in {@code nopped} become nops of the same length. */
    Built build(Set<Integer> nopped) {
        Image image = WORLD.copy();
        // A case that starts in real mode loads TR itself on its way to protected mode: its TSS is not busy yet.
        if (realStart) image.put8(Layout.GDT + SystemTables.TSS_SEL + 5, 0x89);
        Asm a = new Asm(Layout.CODE, realStart ? 16 : 32);
        Emit e = new Emit(a, image);
        boolean consistent = true;
        for (Piece p : pieces) {
            if (p.entryBits() != 0 && p.entryBits() != a.bits) consistent = false;
            p.body().accept(e);
        }
        a.op(0xCD, Handlers.RING0_RETURN);   // back to ring 0 (a no-op there, and in real mode)
        Handlers.finish(a);
        byte[] code = a.finish();
        if (Layout.CODE + code.length > Layout.CODE_END) throw new IllegalStateException("case too long: " + code.length);
        int n = a.instructions();
        int[] starts = new int[n], lengths = new int[n], bits = new int[n];
        java.util.BitSet kept = new java.util.BitSet();
        for (int i = 0; i < n; i++) {
            starts[i] = a.insnStart(i);
            lengths[i] = a.insnLength(i);
            bits[i] = a.insnBits(i);
            if (a.kept(i)) kept.set(i);
            if (nopped.contains(i)) java.util.Arrays.fill(code, starts[i], starts[i] + lengths[i], (byte) 0x90);
            image.put8(Layout.LENGTHS + starts[i], lengths[i]);
        }
        image.put(Layout.CODE, code);
        return new Built(this, image, code, starts, lengths, bits, consistent, image.nonZeroPages(), kept);
    }

    /** Sets the CPU's entry state on a new engine (the vCPU exists, RAM is loaded); returns EIP. */
    int enter(Unicorn uc) {
        uc.setTable(X86.GDTR, Layout.GDT, Layout.GDT_LIMIT, 0, 0);
        uc.setTable(X86.LDTR, 0, 0, 0, 0);
        if (realStart) {
            uc.setReg(X86.CR0, 0x10);
            uc.setTable(X86.IDTR, Layout.IVT, 0x3FF, 0, 0);
            for (int seg : new int[] {X86.CS, X86.SS, X86.DS, X86.ES, X86.FS, X86.GS}) uc.setReg(seg, 0);
            uc.setReg(X86.DS, 0x1000);
            uc.setReg(X86.ES, 0x1000);
        } else {
            uc.setReg(X86.CR0, 0x11);
            uc.setTable(X86.IDTR, Layout.IDT, Handlers.IDT_LIMIT, 0, 0);
            uc.setTable(X86.TR, Layout.TSS, Layout.TSS_LIMIT, SystemTables.TSS_SEL, 0x8B00);
            uc.setReg(X86.CS, SystemTables.KCODE);
            for (int seg : new int[] {X86.SS, X86.DS, X86.ES, X86.FS, X86.GS}) uc.setReg(seg, SystemTables.KDATA);
        }
        int[] regs = {X86.EAX, X86.ECX, X86.EDX, X86.EBX, X86.ESP, X86.EBP, X86.ESI, X86.EDI};
        for (int i = 0; i < 8; i++) uc.setReg(regs[i], gprs[i]);
        uc.setReg(X86.ESP, realStart ? Layout.REAL_STACK_TOP : Layout.KSTACK_TOP);
        uc.setReg(X86.EFLAGS, eflags);
        uc.setMsr(X86.MSR_SYSENTER_CS, SystemTables.KCODE);
        uc.setMsr(X86.MSR_SYSENTER_ESP, Layout.KSTACK_TOP - 0x800);
        uc.setMsr(X86.MSR_SYSENTER_EIP, Handlers.SYSENTER_ENTRY);
        return Layout.CODE;
    }
}
