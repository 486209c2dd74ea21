package popek.fuzz;

import popek.fuzz.Asm.Label;
import popek.fuzz.Asm.Mem;
import popek.fuzz.Asm.Reg;

import static popek.fuzz.Layout.*;

/**
 * The fixed exception and interrupt handlers of every case, in protected mode (through the IDT) and in real mode
 * (through the IVT). Each records the event in the log (vector and CS, error code, EIP, and CR2 for a page fault or
 * EFLAGS otherwise), then resumes after a trap or {@code int n}, or skips a faulting instruction by the length table
 * the generator wrote; {@code int 0x80} from ring 3 comes back to ring 0 at the next instruction. A fault in a handler,
 * a double fault, a full log, or a fault where no generated instruction starts ends the case: the aborted flag is set
 * and the debug-exit port is written.
 */
final class Handlers {
    private Handlers() { }

    /** Vectors with a protected-mode gate (the rest of the IDT up to its limit is empty). */
    static final int[] VECTORS = vectors();
    static final int IDT_LIMIT = 0x81 * 8 + 7;
    /** Vector 0x2F's gate is present in the IDT but marked not present: its delivery raises #NP. */
    static final int NOT_PRESENT_VECTOR = 0x2F;
    static final int RING0_RETURN = 0x80;
    /** Where sysenter enters ring 0 (SYSENTER_EIP): a jump to the address in EDX. */
    static final int SYSENTER_ENTRY = HANDLERS;

    private static int[] vectors() {
        int[] v = new int[0x30 + 2];
        for (int i = 0; i < 0x30; i++) v[i] = i;
        v[0x30] = 0x80;
        v[0x31] = 0x81;
        return v;
    }

    private static boolean hasErrorCode(int v) { return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21; }

    /** Gate access byte per vector: interrupt gates at DPL 0, DPL 3 for int3, into and the system calls, two trap gates. */
    private static int gateAccess(int v) {
        return switch (v) {
            case 3, 4, 0x80, 0x81, 0x22 -> 0xEE;
            case 0x21 -> 0x8F;
            case 0x23 -> 0xEF;
            case NOT_PRESENT_VECTOR -> 0x0E;
            default -> 0x8E;
        };
    }

    /** Writes the handlers, the IDT and the IVT into the image. */
    static void write(Image m) {
        Asm a = new Asm(HANDLERS, 32);
        a.op(0xFF, 0xE2);   // SYSENTER_ENTRY: jmp edx (the caller passes where to go on, as sysexit's convention)
        Label common = a.label(), check = a.label();
        int[] stub = new int[256];
        for (int v : VECTORS) {
            stub[v] = a.here();
            if (!hasErrorCode(v)) a.op(0x6A, 0);
            if (v < 0x80) a.op(0x6A, v); else a.begin().raw(0x68).imm32(v).end();
            a.jmp(check);
        }
        a.bind(common);
        protectedCommon(a);

        a.bits = 16;
        Label common16 = a.label();
        int[] stub16 = new int[256];
        for (int v = 0; v < 256; v++) {
            stub16[v] = a.here();
            a.begin().raw(0x68).imm16(v).end();
            a.jmp(common16);
        }
        a.bind(common16);
        realCommon(a);
        a.bits = 32;
        a.bind(check);   // (last, so that the rest keeps the addresses pinned cases were found with)
        nestedCheck(a, common);
        byte[] code = a.finish();
        if (HANDLERS + code.length > HANDLERS_END) throw new IllegalStateException("handlers too large: " + code.length);
        m.put(HANDLERS, code);

        for (int v : VECTORS) m.put64(IDT + 8 * v, SystemTables.gate(SystemTables.KCODE, stub[v], gateAccess(v)));
        for (int v = 0; v < 256; v++) {
            m.put16(IVT + 4 * v, stub16[v]);
            m.put16(IVT + 4 * v + 2, 0);
        }
    }

    // Stack offsets in the protected-mode handler after it saved EBX, EAX and DS.
    private static final int VEC = 12, ERR = 16, EIP = 20, CS = 24, EFLAGS = 28;
    private static final int EAX = 0, EBX = 3, ESP = 4;

    /**
     * A fault in the handlers' own code ends the case before the handler touches a segment register: when a case
     * broke KDATA's descriptor (an sgdt over the GDT, an lgdt of a moved table), the handler's own DS load faulted
     * again, and each nesting pushed another frame until the stack ran down over the tables and the handlers
     * themselves (seed 20261207, cases 54156 and 73048: chaos in which the modes parted, comparing nothing).
     */
    private static void nestedCheck(Asm a, Label common) {
        Label nested = a.label();
        a.rm(32, Mem.at(ESP, 8), 7, 0x81).immAfter(4, HANDLERS);        // cmp dword [esp+8], HANDLERS (the EIP)
        a.jcc(2, common);                                               // jb
        a.rm(32, Mem.at(ESP, 8), 7, 0x81).immAfter(4, HANDLERS_END);
        a.jcc(2, nested);                                               // jb: inside the handlers
        a.jmp(common);
        a.bind(nested);
        a.rm(32, Mem.abs(LOG_ABORTED).seg(2), 0, 0xC7).immAfter(4, 1);  // mov dword ss:[aborted], 1 (DS may be bad)
        finish(a);
    }

    private static void protectedCommon(Asm a) {
        Label abort = a.label(), notPf = a.label(), skip = a.label(), resume = a.label(), high = a.label(),
                notDb = a.label(), outside = a.label();
        a.op(0x1E).op(0x50).op(0x53);                                   // push ds; push eax; push ebx
        a.op(0x6A, SystemTables.KDATA).op(0x1F);                        // push KDATA; pop ds
        a.rm(32, Mem.abs(LOG_COUNT), EBX, 0x8B).end();                  // mov ebx, [count]
        a.rm(32, new Reg(EBX), 7, 0x83).immAfter(1, LOG_MAX);           // cmp ebx, LOG_MAX
        a.jcc(3, abort);                                                // jae abort
        a.rm(32, Mem.abs(LOG_COUNT), 0, 0xFF).end();                    // inc dword [count]
        a.rm(32, new Reg(EBX), 4, 0xC1).immAfter(1, 4);                 // shl ebx, 4
        a.rm(32, Mem.at(ESP, CS), EAX, 0x8B).end();                     // mov eax, [esp+CS]
        a.rm(32, new Reg(EAX), 4, 0xC1).immAfter(1, 16);                // shl eax, 16
        a.rm(0, Mem.at(ESP, VEC), EAX, 0x8A).end();                     // mov al, [esp+VEC]
        a.rm(32, Mem.at(EBX, LOG_ENTRIES), EAX, 0x89).end();            // mov [ebx+entries], eax
        a.rm(32, Mem.at(ESP, ERR), EAX, 0x8B).end();
        a.rm(32, Mem.at(EBX, LOG_ENTRIES + 4), EAX, 0x89).end();
        a.rm(32, Mem.at(ESP, EIP), EAX, 0x8B).end();
        a.rm(32, Mem.at(EBX, LOG_ENTRIES + 8), EAX, 0x89).end();
        a.rm(32, Mem.at(ESP, EFLAGS), EAX, 0x8B).end();
        a.rm(0, Mem.at(ESP, VEC), 7, 0x80).immAfter(1, 14);             // cmp byte [esp+VEC], 14
        a.jcc(5, notPf);
        a.op(0x0F, 0x20, 0xD0);                                         // mov eax, cr2
        a.bind(notPf);
        a.rm(32, Mem.at(EBX, LOG_ENTRIES + 12), EAX, 0x89).end();
        // A fault inside the handlers: nothing sensible can follow.
        a.rm(32, Mem.at(ESP, EIP), EAX, 0x8B).end();
        a.begin().raw(0x3D).imm32(HANDLERS).end();                      // cmp eax, HANDLERS
        a.jcc(2, outside);                                              // jb
        a.begin().raw(0x3D).imm32(HANDLERS_END).end();
        a.jcc(2, abort);
        a.bind(outside);
        a.rm(32, Mem.at(ESP, VEC), EAX, 0x0F, 0xB6).end();              // movzx eax, byte [esp+VEC]
        a.op(0x3C, 8);                                                  // cmp al, 8: a double fault
        a.jcc(4, abort);
        a.op(0x3C, 1);
        a.jcc(5, notDb);
        a.rm(32, Mem.at(ESP, EFLAGS), 4, 0x81).immAfter(4, ~0x100);     // #DB: clear TF, single-stepping ends
        a.jmp(resume);
        a.bind(notDb);
        a.op(0x3C, 0x20);
        a.jcc(3, high);
        a.op(0x3C, 3);
        a.jcc(4, resume);
        a.op(0x3C, 4);
        a.jcc(4, resume);
        a.bind(skip);                                                   // a fault: skip the instruction
        a.rm(32, Mem.at(ESP, EIP), EAX, 0x8B).end();
        a.begin().raw(0x2D).imm32(CODE).end();                          // sub eax, CODE
        a.begin().raw(0x3D).imm32(CODE_END - CODE).end();
        a.jcc(3, abort);
        a.rm(32, Mem.at(EAX, LENGTHS), EAX, 0x0F, 0xB6).end();          // movzx eax, byte [eax+LENGTHS]
        a.op(0x85, 0xC0);                                               // test eax, eax
        a.jcc(4, abort);
        a.rm(32, Mem.at(ESP, EIP), EAX, 0x01).end();                    // add [esp+EIP], eax
        a.jmp(resume);
        a.bind(high);
        a.begin().raw(0x3C).imm8(RING0_RETURN).end();
        a.jcc(5, resume);
        a.rm(0, Mem.at(ESP, CS), 0, 0xF6).immAfter(1, 3);               // test byte [esp+CS], 3
        a.jcc(4, resume);
        a.rm(32, Mem.at(ESP, CS), 0, 0xC7).immAfter(4, SystemTables.KCODE);   // return to ring 0, same EIP
        a.bind(resume);
        a.op(0x5B).op(0x58).op(0x1F);                                   // pop ebx; pop eax; pop ds
        a.rm(32, new Reg(ESP), 0, 0x83).immAfter(1, 8);                 // add esp, 8
        a.op(0xCF);                                                     // iretd
        a.bind(abort);
        a.rm(32, Mem.abs(LOG_ABORTED), 0, 0xC7).immAfter(4, 1);         // mov dword [aborted], 1
        finish(a);
    }

    /** Ends the case: the debug-exit port, then a loop the stop lands in. */
    static void finish(Asm a) {
        a.op(0xE6, 0xF4);
        Label self = a.label();
        a.bind(self);
        a.jmpShort(self);
    }

    // The real-mode handler's frame, from BP after it saved DS, AX, BX, BP.
    private static final int R_VEC = 8, R_IP = 10, R_CS = 12, R_FLAGS = 14;
    private static final int BX_SI = 0, BP_RM = 6, BX_RM = 7;

    private static Mem bp(int disp) { return new Mem(-1, BP_RM, -1, 0, disp, true); }

    private static Mem bx(int disp) { return new Mem(-1, BX_RM, -1, 0, disp, true); }

    private static void realCommon(Asm a) {
        Label abort = a.label(), resume = a.label(), notDb = a.label();
        a.op(0x1E).op(0x50).op(0x53).op(0x55);                          // push ds, ax, bx, bp
        a.op(0x89, 0xE5);                                               // mov bp, sp
        a.op(0x31, 0xC0).op(0x8E, 0xD8);                                // xor ax, ax; mov ds, ax
        a.rm(16, Mem.abs16(LOG_COUNT), EBX, 0x8B).end();                // mov bx, [count]
        a.rm(16, new Reg(EBX), 7, 0x83).immAfter(1, LOG_MAX);
        a.jcc(3, abort);
        a.rm(16, Mem.abs16(LOG_COUNT), 0, 0xFF).end();                  // inc word [count]
        a.rm(16, new Reg(EBX), 4, 0xC1).immAfter(1, 4);
        a.rm(16, bp(R_VEC), EAX, 0x8B).end();
        a.rm(16, bx(LOG_ENTRIES), EAX, 0x89).end();
        a.rm(16, bp(R_CS), EAX, 0x8B).end();
        a.rm(16, bx(LOG_ENTRIES + 2), EAX, 0x89).end();
        a.rm(16, bx(LOG_ENTRIES + 4), 0, 0xC7).immAfter(2, 0);
        a.rm(16, bx(LOG_ENTRIES + 6), 0, 0xC7).immAfter(2, 0);
        a.rm(16, bp(R_IP), EAX, 0x8B).end();
        a.rm(16, bx(LOG_ENTRIES + 8), EAX, 0x89).end();
        a.rm(16, bx(LOG_ENTRIES + 10), 0, 0xC7).immAfter(2, 0);
        a.rm(16, bp(R_FLAGS), EAX, 0x8B).end();
        a.rm(16, bx(LOG_ENTRIES + 12), EAX, 0x89).end();
        a.rm(16, bx(LOG_ENTRIES + 14), 0, 0xC7).immAfter(2, 0);
        a.rm(16, bp(R_IP), EAX, 0x8B).end();                            // in the handlers: give up
        a.begin().raw(0x3D).imm16(HANDLERS).end();
        Label outside = a.label();
        a.jcc(2, outside);
        a.begin().raw(0x3D).imm16(HANDLERS_END).end();
        a.jcc(2, abort);
        a.bind(outside);
        a.rm(16, bp(R_VEC), EAX, 0x8B).end();
        a.op(0x3C, 1);
        a.jcc(5, notDb);
        a.rm(16, bp(R_FLAGS), 4, 0x81).immAfter(2, ~0x100);
        a.jmp(resume);
        a.bind(notDb);
        a.op(0x3C, 0x20);
        a.jcc(3, resume);
        a.op(0x3C, 3);
        a.jcc(4, resume);
        a.op(0x3C, 4);
        a.jcc(4, resume);
        a.rm(16, bp(R_CS), 7, 0x83).immAfter(1, 0);                     // cmp word [bp+CS], 0
        a.jcc(5, abort);
        a.rm(16, bp(R_IP), EAX, 0x8B).end();
        a.begin().raw(0x2D).imm16(CODE).end();
        a.begin().raw(0x3D).imm16(CODE_END - CODE).end();
        a.jcc(3, abort);
        a.op(0x89, 0xC3);                                               // mov bx, ax
        a.rm(16, bx(LENGTHS), EAX, 0x0F, 0xB6).end();                   // movzx ax, byte [bx+LENGTHS]
        a.op(0x85, 0xC0);
        a.jcc(4, abort);
        a.rm(16, bp(R_IP), EAX, 0x01).end();                            // add [bp+IP], ax
        a.bind(resume);
        a.op(0x5D).op(0x5B).op(0x58).op(0x1F);                          // pop bp, bx, ax, ds
        a.rm(16, new Reg(ESP), 0, 0x83).immAfter(1, 2);                 // add sp, 2
        a.op(0xCF);                                                     // iret
        a.bind(abort);
        a.rm(16, Mem.abs16(LOG_ABORTED), 0, 0xC7).immAfter(2, 1);
        finish(a);
    }
}
