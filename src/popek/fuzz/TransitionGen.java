package popek.fuzz;

import java.util.random.RandomGenerator;

import popek.fuzz.Asm.Label;
import popek.fuzz.Asm.Mem;
import popek.fuzz.Asm.Reg;

import static popek.fuzz.Operands.EAX;
import static popek.fuzz.Operands.ECX;
import static popek.fuzz.Operands.EDX;
import static popek.fuzz.SystemTables.*;

/**
 * Changes of privilege and mode: into ring 3 by iret, far return or sysexit and back by int 0x80 or sysenter; from
 * protected mode into real mode (by way of a 16-bit code segment, as the SDM's procedure goes) and back; into a 16-bit
 * protected-mode code segment and back. Each updates the generator's belief about where the next piece runs.
 */
final class TransitionGen {
    private TransitionGen() { }

    /** Ring 0 to ring 3: {@code how} 0 iret, 1 retf, 2 sysexit. */
    static Piece toRing3(RandomGenerator r, GenState s, int how) {
        s.cpl = 3;
        int esp = Layout.USTACK_TOP - 16 * r.nextInt(64);
        int iopl = r.nextInt(3) == 0 ? 3 : 0;
        int flags = (r.nextInt() & 0x8D5) | 2 | iopl << 12 | (r.nextBoolean() ? 0x200 : 0);
        boolean dataToo = r.nextInt(4) != 0;
        String[] names = {"iret", "retf", "sysexit"};
        return new Piece(String.format("to ring 3 by %s (IOPL %d)", names[how], iopl), e -> {
            Asm a = e.a;
            Label user = a.label();
            switch (how) {
                case 0 -> {
                    a.pushImm(UDATA | 3).pushImm(esp).pushImm(flags).pushImm(UCODE | 3).pushLabel(user);
                    a.op(0xCF);
                }
                case 1 -> {
                    a.pushImm(UDATA | 3).pushImm(esp).pushImm(UCODE | 3).pushLabel(user);
                    a.op(0xCB);
                }
                default -> {
                    a.movImm(32, ECX, 0x174).movImm(32, EAX, KCODE).op(0x31, 0xD2).op(0x0F, 0x30);   // SYSENTER_CS
                    a.movImm(32, ECX, esp).movLabel(EDX, user);
                    a.op(0x0F, 0x35);
                }
            }
            a.bind(user);
            if (dataToo) a.movImm(16, EAX, UDATA | 3).op(0x8E, 0xD8).op(0x8E, 0xC0);   // mov ds, ax; mov es, ax
        });
    }

    /** Ring 3 back to ring 0: {@code int 0x80} (the handler returns to ring 0) or sysenter. */
    static Piece toRing0(RandomGenerator r, GenState s) {
        s.cpl = 0;
        boolean sysenter = r.nextInt(3) == 0;
        return new Piece("to ring 0 by " + (sysenter ? "sysenter" : "int 0x80"), e -> {
            Asm a = e.a;
            if (sysenter) {
                Label back = a.label();
                a.movLabel(EDX, back).op(0x0F, 0x34);
                a.bind(back);
            } else {
                a.op(0xCD, Handlers.RING0_RETURN);
            }
            a.movImm(16, EAX, KDATA).op(0x8E, 0xD8).op(0x8E, 0xC0);
        });
    }

    /** sysenter from ring 0: to ring 0 again at the handlers' entry, which jumps to EDX. */
    static Piece sysenterFromKernel(RandomGenerator r) {
        return new Piece("sysenter (ring 0)", e -> {
            Label back = e.a.label();
            e.a.movLabel(EDX, back).op(0x0F, 0x34);
            e.a.bind(back);
        });
    }

    /** Protected mode (ring 0) to real mode: paging off, a 16-bit code segment, PE cleared, a far jump, the IVT. */
    static Piece toReal(RandomGenerator r, GenState s) {
        boolean paging = s.paging != GenState.Paging.OFF;
        s.paging = GenState.Paging.OFF;
        s.mode = GenState.Mode.REAL;
        boolean dataSegs = r.nextInt(4) != 0;
        return new Piece("to real mode", e -> {
            Asm a = e.a;
            int ivt = e.pseudoDescriptor(0x3FF, Layout.IVT);
            Label pm16 = a.label(), real = a.label();
            if (paging) a.op(0x0F, 0x20, 0xC0).rm(32, new Reg(EAX), 4, 0x81).immAfter(4, 0x7FFFFFFF).op(0x0F, 0x22, 0xC0);
            a.jmpFar(32, KCODE16, pm16);
            a.bits = 16;
            a.bind(pm16);
            if (dataSegs) a.movImm(16, EAX, KDATA16).op(0x8E, 0xD8).op(0x8E, 0xC0).op(0x8E, 0xE0).op(0x8E, 0xE8);
            // (PE's write is kept by the shrinker: without it the real-mode code would run in protected mode)
            a.op(0x0F, 0x20, 0xC0).keep().rm(32, new Reg(EAX), 4, 0x81).immAfter(4, ~1).keep().op(0x0F, 0x22, 0xC0).keep();
            a.jmpFar(16, 0, real);
            a.bind(real);
            a.op(0x31, 0xC0).op(0x8E, 0xD0);                                       // xor ax, ax; mov ss, ax
            a.movImm(32, Operands.ESP, Layout.REAL_STACK_TOP);
            a.movImm(16, EAX, 0x1000).op(0x8E, 0xD8).op(0x8E, 0xC0);               // DS = ES = the data region
            a.rm(16, Mem.abs16(ivt - 0x10000), 3, 0x0F, 0x01).end();               // lidt
        });
    }

    /** Real mode to protected mode, ring 0: the GDT and IDT, PE, a far jump to 32-bit code, flat segments, a stack. */
    static Piece toProtected(RandomGenerator r, GenState s, boolean loadTr) {
        s.mode = GenState.Mode.PROT32;
        s.cpl = 0;
        boolean o32 = r.nextBoolean();
        if (!loadTr) return toProtected(o32, false);
        return new Piece("to protected mode", Quirk.LTR_HIDDEN_TYPE, toProtected(o32, true).body())
                .orWithout(toProtected(o32, false));
    }

    private static Piece toProtected(boolean o32, boolean loadTr) {
        return new Piece("to protected mode" + (loadTr ? "" : " (no ltr)"), e -> {
            Asm a = e.a;
            int gdt = e.pseudoDescriptor(Layout.GDT_LIMIT, Layout.GDT), idt = e.pseudoDescriptor(Handlers.IDT_LIMIT, Layout.IDT);
            Label pm = a.label();
            a.movImm(16, EAX, 0x1000).op(0x8E, 0xD8);
            a.rm(o32 ? 32 : 16, Mem.abs16(gdt - 0x10000), 2, 0x0F, 0x01).end();
            a.rm(o32 ? 32 : 16, Mem.abs16(idt - 0x10000), 3, 0x0F, 0x01).end();
            // (PE's write is kept by the shrinker, and the far jmp too, below: without them the 32-bit code would run
            // as 16-bit code, which is not what the reproducer shows)
            a.op(0x0F, 0x20, 0xC0).keep().rm(32, new Reg(EAX), 1, 0x83).immAfter(1, 1).keep().op(0x0F, 0x22, 0xC0).keep();
            a.jmpFar(32, KCODE, pm);
            a.bits = 32;
            a.bind(pm);
            a.movImm(16, EAX, KDATA);
            for (int seg : new int[] {0, 2, 3, 4, 5}) a.op(0x8E, 0xC0 | seg << 3);
            a.movImm(32, Operands.ESP, Layout.KSTACK_TOP - 0x1000);
            if (loadTr) a.movImm(16, EAX, TSS_SEL).op(0x0F, 0x00, 0xD8);           // ltr ax
        });
    }

    /** Ring 0 into a 16-bit protected-mode code segment, its data segments based at the data region. */
    static Piece toProt16(RandomGenerator r, GenState s) {
        s.mode = GenState.Mode.PROT16;
        return new Piece("to 16-bit protected mode", e -> {
            Asm a = e.a;
            Label l = a.label();
            a.jmpFar(32, KCODE16, l);
            a.bits = 16;
            a.bind(l);
            a.movImm(16, EAX, KDATA16_BASED).op(0x8E, 0xD8).op(0x8E, 0xC0);
        });
    }

    static Piece fromProt16(RandomGenerator r, GenState s) {
        s.mode = GenState.Mode.PROT32;
        return new Piece("back to 32-bit code", e -> {
            Asm a = e.a;
            Label l = a.label();
            a.jmpFar(32, KCODE, l);
            a.bits = 32;
            a.bind(l);
            a.movImm(16, EAX, KDATA).op(0x8E, 0xD8).op(0x8E, 0xC0);
        });
    }
}
