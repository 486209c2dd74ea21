package popek.fuzz;

import org.junit.jupiter.api.Test;

import popek.fuzz.Asm.Label;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static popek.fuzz.SystemTables.KCODE;
import static popek.fuzz.SystemTables.KCODE16;

/**
 * Divergences the differential tester found in full mode, each pinned as the smallest case that showed it: both modes
 * must now agree on it. (The tester's own random cases run in {@link DifferentialTest}.)
 */
class PinnedCasesTest {

    /**
     * A far jmp from 32-bit code to a 16-bit code segment: full mode decoded the next trapped instruction there as
     * 32-bit code (the cached hflags still said CS32), so {@code mov dx, ss} zeroed EDX's high half and the
     * {@code jmp far} back read a 16-bit pointer instead of a 32-bit one and faulted. (Each size of code on a page of
     * its own: a page with both is another matter.)
     */
    @Test
    void codeAfterAFarJumpTo16BitCodeIsDecodedAs16Bit() {
        var r = Pinned.assertAgree(Pinned.of(false, e -> {
            Asm a = e.a;
            Label sixteen = a.label(), back = a.label();
            a.jmpFar(32, KCODE16, sixteen);
            a.padTo(Layout.CODE + 0x1000);
            a.bits = 16;
            a.bind(sixteen);
            a.op(0x8C, 0xD2);              // mov dx, ss
            a.jmpFar(32, KCODE, back);     // 66 ea: a 32-bit far pointer
            a.padTo(Layout.CODE + 0x2000);
            a.bits = 32;
            a.bind(back);
        }));
        assertEquals(0x33330010, r.tested().gprs()[2], "EDX keeps its high half");
        assertEquals(0, r.tested().events() - 1, "no fault, only the epilogue's int 0x80");
    }

    /**
     * syscall outside 64-bit mode is #UD on Intel CPUs (and on any with EFER.SCE clear); Unicorn 2.1.1 steps over it,
     * so emulate mode, and ring-3 code in full mode, ran on. In kernel code (rewritten in full mode) and in user code.
     */
    @Test
    void syscallIsAnInvalidOpcodeInEveryRing() {
        var kernel = Pinned.assertAgree(Pinned.of(false, e -> e.a.op(0x0F, 0x05)));
        assertEquals(6, Pinned.event(kernel.oracle(), 0)[0], "#UD in ring 0");
        assertEquals(Layout.CODE, Pinned.event(kernel.oracle(), 0)[2]);
        var user = Pinned.assertAgree(Pinned.of(false, e -> {
            Asm a = e.a;
            Label ring3 = a.label();
            a.pushImm(SystemTables.UDATA | 3).pushImm(Layout.USTACK_TOP).pushImm(0x2).pushImm(SystemTables.UCODE | 3).pushLabel(ring3);
            a.op(0xCF);
            a.bind(ring3);
            a.op(0x0F, 0x05);
        }));
        assertEquals(6, Pinned.event(user.oracle(), 0)[0], "#UD in ring 3");
    }

    /**
     * rdtscp on a CPU without RDTSCP (CPUID 80000001h EDX bit 27: Unicorn's qemu64 model has none) is #UD; full mode
     * emulated it, in kernel code and in user code (where it is rewritten too).
     */
    @Test
    void rdtscpIsAnInvalidOpcodeOnTheVirtualCpu() {
        var kernel = Pinned.assertAgree(Pinned.of(false, e -> e.a.op(0x0F, 0x01, 0xF9)));
        assertEquals(6, Pinned.event(kernel.tested(), 0)[0], "#UD in ring 0");
        var user = Pinned.assertAgree(Pinned.of(false, e -> {
            Asm a = e.a;
            Label ring3 = a.label();
            a.pushImm(SystemTables.UDATA | 3).pushImm(Layout.USTACK_TOP).pushImm(0x2).pushImm(SystemTables.UCODE | 3).pushLabel(ring3);
            a.op(0xCF);
            a.bind(ring3);
            a.op(0x0F, 0x01, 0xF9);
        }));
        assertEquals(6, Pinned.event(user.tested(), 0)[0], "#UD in ring 3");
    }

    /**
     * An emulated instruction whose memory operand is at a physical address with no RAM: emulate mode's CPU stops the
     * machine there (exit 70), and full mode raised #GP(0) instead and ran on. Now both stop, at the same address,
     * for a store (sgdt) and a load (lgdt).
     */
    @Test
    void anEmulatedAccessToNoMemoryStopsTheMachineAsTheCpuDoes() {
        for (int modrm : new int[] {0x05, 0x15}) {   // sgdt [disp32], lgdt [disp32]
            var r = Pinned.compare(Pinned.of(false, e -> e.a.op(0x0F, 0x01, modrm, 0xF0, 0xFF, 0xFF, 0xFF)));
            assertEquals(java.util.List.of(), r.diffs());
            assertEquals(popek.cpu.StopReason.Cause.UNMAPPED_MEMORY, r.tested().stop().cause(), r.tested().stop().message());
            assertTrue(r.tested().stop().message().contains("physical address 0xfffffff"), r.tested().stop().message());
        }
    }

    /**
     * Far jmp, call, retf and iret to an execute-only code segment, and an interrupt gate into one: full mode loaded
     * CS through Unicorn's register write, which refuses a segment it could not read from, and stopped with an
     * internal error.
     */
    @Test
    void executeOnlyCodeSegmentsCanBeEnteredEveryWay() {
        int xo = SystemTables.KCODE_XO;
        Pinned.assertAgree(Pinned.of(false, e -> {
            int gate = Layout.IDT + 8 * 0x25;   // vector 0x25's handler, entered through an execute-only segment
            e.image.put64(gate, SystemTables.gate(xo, e.image.get32(gate) & 0xFFFF | e.image.get32(gate + 4) & 0xFFFF0000, 0x8E));
            Asm a = e.a;
            Label l1 = a.label(), l2 = a.label(), callee = a.label(), l3 = a.label(), l4 = a.label(), l5 = a.label();
            a.jmpFar(32, xo, l1);                                    // jmp
            a.bind(l1);
            a.jmpFar(32, KCODE, l2);
            a.bind(l2);
            a.callFar(32, xo, callee);                               // call, and the retf from it
            a.jmp(l3);
            a.bind(callee);
            a.op(0xCB);
            a.bind(l3);
            a.pushImm(xo).pushLabel(l4).op(0xCB);                    // retf to it
            a.bind(l4);
            a.op(0x9C).pushImm(KCODE).pushLabel(l5).op(0xCF);        // and iret from it
            a.bind(l5);
            a.op(0xCD, 0x25);                                        // a gate whose handler runs in it
        }));
    }

    /**
     * sysenter and sysexit load flat code and stack segments whatever the GDT holds at SYSENTER_CS (here a 16-bit code
     * segment, then execute-only and conforming ones): full mode loaded the GDT's descriptors (in both modes for
     * sysenter, which Popek executes), got 16-bit and non-flat segments, or an internal error for the stack.
     */
    @Test
    void sysenterAndSysexitLoadFlatSegmentsWhateverTheGdtHolds() {
        Pinned.assertAgree(Pinned.of(false, e -> {
            Asm a = e.a;
            Label kernel = a.label(), user = a.label();
            a.movImm(32, Operands.ECX, 0x174).movImm(32, Operands.EAX, SystemTables.KCODE16).op(0x31, 0xD2).op(0x0F, 0x30);
            a.movLabel(Operands.EDX, kernel).op(0x0F, 0x34);         // sysenter: CS 0x40, SS 0x48, both flat 32-bit
            a.bind(kernel);
            a.op(0x8C, 0xD0);                                        // mov eax, ss
            a.movImm(32, Operands.ECX, Layout.USTACK_TOP).movLabel(Operands.EDX, user).op(0x0F, 0x35);   // sysexit
            a.bind(user);
            a.op(0x8C, 0xC8);                                        // mov eax, cs (0x53), in ring 3
        }));
    }

    /**
     * sysenter keeps the arithmetic flags: Popek read EFLAGS in Unicorn's sysenter hook, where QEMU's lazy flags are
     * not yet synced, and wrote the garbage back (0xccccc49a after adding 0xcccccccc), in emulate mode and for ring-3
     * code in full mode. Here in ring 3, after an add whose flags are still pending.
     */
    @Test
    void sysenterKeepsTheArithmeticFlagsAnAddJustSet() {
        var r = Pinned.assertAgree(Pinned.of(false, e -> {
            Asm a = e.a;
            Label ring3 = a.label(), kernel = a.label();
            a.pushImm(SystemTables.UDATA | 3).pushImm(Layout.USTACK_TOP).pushImm(0x2).pushImm(SystemTables.UCODE | 3).pushLabel(ring3);
            a.op(0xCF);
            a.bind(ring3);
            a.movImm(32, Operands.EAX, 0xCCCCCCCC).op(0x01, 0xC0);  // add eax, eax
            a.movLabel(Operands.EDX, kernel).op(0x0F, 0x34);          // sysenter
            a.bind(kernel);
            a.op(0x9C).op(0x5B);                                       // pushfd; pop ebx
        }));
        assertEquals(0x93, r.oracle().gprs()[3], "SF, AF and CF from the add (0xcccccccc + 0xcccccccc), IF clear");
    }

    /**
     * Single-stepping (EFLAGS.TF) over instructions full mode rewrites: the engine stepped the nops of the rewritten
     * copy and raised #DB in the middle of the guest's instruction, and none after the emulated instruction itself;
     * DR6 (full mode kept its own) never showed the single step's BS bit. One #DB just after each instruction, with
     * DR6.BS set, as the CPU does; in kernel code (cli, mov from CR0 and DS, pushf) and user code (rdtsc).
     */
    @Test
    void singleSteppingAnEmulatedInstructionTrapsOnceAfterIt() {
        int[][] instructions = {{0xFA}, {0x0F, 0x20, 0xC0}, {0x8C, 0xD8}, {0x9C}, {0x66, 0x8C, 0xD8}};
        for (int[] insn : instructions) {
            var r = Pinned.assertAgree(Pinned.of(false, e -> {
                Asm a = e.a;
                a.op(0x9C).rm(32, Asm.Mem.at(Operands.ESP, 0), 1, 0x81).immAfter(4, 0x100).op(0x9D);   // TF on
                int after = a.here() + insn.length;
                a.op(insn);
                a.op(0x0F, 0x21, 0xF3);                          // mov ebx, dr6
                e.image.put32(Layout.DATA, after);
            }));
            assertEquals(1, Pinned.event(r.tested(), 0)[0], "a #DB first");
            assertEquals(r.tested().ram32(Layout.DATA), Pinned.event(r.tested(), 0)[2], "just after the instruction");
            assertEquals(0x4000, r.tested().gprs()[3] & 0x4000, "DR6.BS");
        }
        var user = Pinned.assertAgree(Pinned.of(false, e -> {
            Asm a = e.a;
            Label ring3 = a.label();
            a.pushImm(SystemTables.UDATA | 3).pushImm(Layout.USTACK_TOP).pushImm(0x102).pushImm(SystemTables.UCODE | 3).pushLabel(ring3);
            a.op(0xCF);
            a.bind(ring3);
            a.op(0x0F, 0x31);                                    // rdtsc (rewritten in user code too)
            a.op(0x31, 0xC0).op(0x31, 0xD2);
        }));
        assertEquals(1, Pinned.event(user.tested(), 0)[0], "a #DB after the first user instruction");
    }

    /** lldt of a null selector marks LDTR invalid but keeps the selector, RPL and all, for sldt to show (full mode zeroed it). */
    @Test
    void lldtOfANullSelectorKeepsItForSldt() {
        var r = Pinned.assertAgree(Pinned.of(false, e -> e.a.movImm(16, Operands.EAX, 3).op(0x0F, 0x00, 0xD0)    // lldt ax
                .op(0x0F, 0x00, 0xC3)));                                                                    // sldt ebx
        assertEquals(3, r.tested().gprs()[3]);
    }

    /**
     * iret to ring 3 nulls the data segment registers whose hidden DPL is below 3, judged by the segment register's
     * hidden part: a null selector with an RPL (its DPL is 0) becomes 0, as in emulate mode; and a segment whose
     * descriptor changed in the GDT after it was loaded is judged by what was loaded (full mode re-read the table).
     */
    @Test
    void iretToRing3NullsByTheHiddenDpl() {
        var r = Pinned.assertAgree(Pinned.of(false, e -> {
            Asm a = e.a;
            Label ring3 = a.label();
            a.movImm(16, Operands.EAX, 3).op(0x8E, 0xC0);                                 // es = 3 (null, RPL 3)
            a.movImm(16, Operands.EAX, SystemTables.DATA_DPL1 | 1).op(0x8E, 0xD8);        // ds = a DPL-1 data segment
            a.rm(0, Asm.Mem.abs(Layout.GDT + SystemTables.DATA_DPL1 + 5), 0, 0xC6).immAfter(1, 0xF3);   // now DPL 3 in the GDT
            a.pushImm(SystemTables.UDATA | 3).pushImm(Layout.USTACK_TOP).pushImm(0x2).pushImm(SystemTables.UCODE | 3).pushLabel(ring3);
            a.op(0xCF);
            a.bind(ring3);
            a.op(0x8C, 0xC3).op(0x8C, 0xD9);                                              // mov ebx, es; mov ecx, ds
        }));
        assertEquals(0, r.tested().gprs()[3], "ES nulled, RPL and all");
        assertEquals(0, r.tested().gprs()[1], "DS nulled: its hidden DPL is 1");
    }

    /**
     * idiv of INT64_MIN by -1 (INT32_MIN by -1 for 16 bits) is #DE on the CPU; Unicorn computes it with the host's own
     * idiv, and the SIGFPE killed the whole process, in either mode. Full mode now emulates every wide idiv, in kernel
     * and user code: the overflow is #DE (full mode alone: emulate mode would still crash), and ordinary divisions
     * give what emulate mode gives.
     */
    @Test
    void idivOverflowIsADivideErrorNotAHostCrash() {
        FuzzCase overflow = Pinned.of(false, e -> {
            Asm a = e.a;
            Label ring3 = a.label();
            a.movImm(32, Operands.EDX, 0x80000000).movImm(32, Operands.EAX, 0).movImm(32, Operands.ECX, -1);
            a.op(0xF7, 0xF9);                                                       // idiv ecx (kernel)
            a.movImm(32, Operands.EDX, 0x8000).movImm(32, Operands.EAX, 0);
            a.op(0x66, 0xF7, 0xF9);                                                 // idiv cx
            a.pushImm(SystemTables.UDATA | 3).pushImm(Layout.USTACK_TOP).pushImm(0x2).pushImm(SystemTables.UCODE | 3).pushLabel(ring3);
            a.op(0xCF);
            a.bind(ring3);
            a.movImm(32, Operands.EDX, 0x80000000).movImm(32, Operands.EAX, 0);
            a.op(0xF7, 0xF9);                                                       // idiv ecx (user)
        });
        FinalState full = CaseRunner.run(overflow.build(java.util.Set.of()), popek.cpu.ExecutionMode.FULL, Pinned.TIMEOUT);
        assertEquals(1, full.stop().exitCode() & 1, full.stop().message());
        for (int i = 0; i < 3; i++) assertEquals(0, Pinned.event(full, i)[0], "#DE " + i);
        Pinned.assertAgree(Pinned.of(false, e -> {
            Asm a = e.a;
            a.movImm(32, Operands.EDX, -1).movImm(32, Operands.EAX, -7).movImm(32, Operands.ECX, 2).op(0xF7, 0xF9);
            a.movImm(32, Operands.EBX, -3).movImm(32, Operands.EDX, 0x1234).op(0x66, 0xF7, 0xFB);    // idiv bx: #DE
            a.movImm(32, Operands.EDX, 0xFFFF).movImm(32, Operands.EAX, 0xFFF9).op(0x66, 0xF7, 0xFB);
            a.rm(32, Asm.Mem.abs(Layout.DATA), 0, 0xC7).immAfter(4, 0);
            a.rm(32, Asm.Mem.abs(Layout.DATA), 7, 0xF7).end();                      // idiv dword [data]: #DE
        }));
    }

    /**
     * A jump to a physical address with no RAM stops the machine, "the guest jumped to physical address ...", in both
     * modes; in full mode the shadow MMU handed Unicorn that address for the fetch and Unicorn stopped with an
     * exception Popek reported as an internal error. Paging off, and through a page table.
     */
    @Test
    void aJumpToNoMemoryStopsTheMachineInBothModes() {
        for (boolean paging : new boolean[] {false, true}) {
            var r = Pinned.compare(Pinned.of(false, e -> {
                if (paging) {   // linear 0x00400000 onto physical 0xff000000 through the 4 MiB page of directory entry 1
                    e.image.put32(Layout.PD_PSE + 4, 0xFF000000 | 0x87);
                    e.a.op(0x0F, 0x20, 0xE0).rm(32, new Asm.Reg(Operands.EAX), 1, 0x83).immAfter(1, 0x10).op(0x0F, 0x22, 0xE0);
                    e.a.movImm(32, Operands.EAX, Layout.PD_PSE).op(0x0F, 0x22, 0xD8);
                    e.a.op(0x0F, 0x20, 0xC0).rm(32, new Asm.Reg(Operands.EAX), 1, 0x81).immAfter(4, 0x80000000).op(0x0F, 0x22, 0xC0);
                }
                e.a.movImm(32, Operands.EAX, paging ? 0x00400000 : 0xFF000000).op(0xFF, 0xE0);   // jmp eax
            }));
            assertEquals(java.util.List.of(), r.diffs(), "paging " + paging);
            assertEquals(popek.cpu.StopReason.Cause.UNMAPPED_MEMORY, r.tested().stop().cause(), r.tested().stop().message());
            assertTrue(r.tested().stop().message().contains("jumped to physical address 0xff000000"), r.tested().stop().message());
        }
    }

    /**
     * Case 1509 of seed 20260101: a 16-bit store that began one byte before the handlers' resume path and overwrote its
     * first instructions. Full mode then ran the new bytes (#UD at 0x62b0), as the CPU does; emulate mode ran the
     * old ones, because Unicorn 2.1.1 drops no translated block that a store changes unless the store's first byte is
     * in it (measured also with Unicorn alone, no Popek). The tester now says so by rule instead of failing, and full
     * mode's behaviour is pinned: a dword store from 0xa00f over {@code mov eax, 1} at 0xa010, entered by an
     * interrupt gate before and after the store, must leave EAX 2.
     */
    @Test
    void aStoreThatStartsBeforeATranslatedBlockChangesItsCode() {
        int f = 0xA000;
        var r = Pinned.compare(Pinned.of(false, e -> {
            e.image.put64(Layout.IDT + 8 * 0x81, SystemTables.gate(KCODE, f, 0xEE));
            e.image.put(f, new byte[] {0x38, (byte) 0xC0, 0x0F, (byte) 0x84, 8, 0, 0, 0});   // cmp al, al; je f + 0x10
            e.image.put(f + 0x10, new byte[] {(byte) 0xB8, 1, 0, 0, 0, (byte) 0xCF});         // mov eax, 1; iretd
            Asm a = e.a;
            a.op(0xCD, 0x81);                                                 // the blocks at f and f + 0x10 are made
            a.movImm(32, Operands.ESI, 0x0002B890);                           // nop; mov eax, 2 (low bytes)
            a.rm(32, Asm.Mem.abs(f + 0x0F), Operands.ESI, 0x89).end();        // mov [f + 0x0f], esi
            a.op(0xCD, 0x81);
        }));
        assertEquals(2, r.tested().gprs()[Operands.EAX], "full mode runs the new code");
        assertEquals(1, r.oracle().gprs()[Operands.EAX], "Unicorn's error, which the rule explains, is still there");
        var options = new CpuDifferential.Options(20260101, 0, 1, popek.cpu.ExecutionMode.EMULATE, popek.cpu.ExecutionMode.FULL,
                Pinned.TIMEOUT, 1, false);
        var result = new CpuDifferential(options).runCase(1509);
        assertEquals(Outcome.EXPLAINED, result.outcome(), result.report());
        assertEquals(java.util.Set.of(Quirk.SMC_STORE_INTO_NEXT_BLOCK), result.quirks());
    }

    /**
     * Cases 11561 and 12908 of seed 20261207: {@code pop ss} of a 16-bit stack segment from a 32-bit stack. Full mode
     * emulates it and moved ESP by the new stack's size (SP alone: 0x2fffc became 0x20000), where the pop belongs to
     * the stack it read from (0x30000, as QEMU and Bochs do). Both ways: to the 16-bit stack and back.
     */
    @Test
    void popSsMovesTheStackPointerByTheStackItPoppedFrom() {
        var r = Pinned.assertAgree(Pinned.of(false, e -> {
            Asm a = e.a;
            a.pushImm(SystemTables.KDATA16_BASED).op(0x17);      // push 0xd0; pop ss: a 16-bit stack based at 0x10000
            a.op(0x89, 0xE3);                                     // mov ebx, esp
            a.pushImm(SystemTables.KDATA).op(0x17);               // push 0x10; pop ss: back to the flat 32-bit stack
            a.op(0x89, 0xE1);                                     // mov ecx, esp
        }));
        assertEquals(Layout.KSTACK_TOP, r.tested().gprs()[Operands.EBX], "ESP after pop ss to the 16-bit stack");
        assertEquals(Layout.KSTACK_TOP, r.tested().gprs()[Operands.ECX], "ESP after pop ss back to the 32-bit stack");
    }

    /**
     * Code overlapping other code: 16-bit code, entered by an iret at an instruction the 16-bit shadow's sweep had
     * decoded (so no new decoding), jumps into the middle of the sweep's {@code add [bx+si], al}, where the CPU
     * runs {@code add bl, cl} over the byte of a retf that the shadow had rewritten into an int3: full mode ran
     * {@code add ah, cl} (seed 20261207, cases 2249, 20073, 22158, 60374, 69351: 32-bit code run after an iret to
     * the 16-bit CS). Direct branches from an entry are now followed, and a target inside an instruction is decoded.
     */
    @Test
    void aJumpIntoTheMiddleOfARewrittenInstructionRunsTheBytesThere() {
        var r = Pinned.assertAgree(Pinned.of(false, e -> {
            Asm a = e.a;
            Label sixteen = a.label(), b = a.label(), c = a.label(), done = a.label();
            a.jmpFar(32, KCODE, b);        // keep the 32-bit code out of the 16-bit page
            a.bind(b);
            a.jmpFar(32, KCODE16, sixteen);
            Label back = a.label();
            a.bind(back);
            a.pushImm(0x2).pushImm(KCODE16).pushLabel(c).op(0xCF);   // iretd into the 16-bit code at c
            a.padTo(Layout.CODE + 0x1000);
            a.bits = 16;
            a.bind(sixteen);
            a.jmpFar(32, KCODE, back);     // the 16-bit shadow is made from here, and its sweep runs on through c
            a.bind(c);
            a.op(0xEB, 0x01);              // jmp c+3
            a.op(0x00, 0x00);              // (the sweep: add [bx+si], al; the CPU: 00 of add bl, cl at c+3)
            a.op(0xCB);                    // (the sweep: retf, rewritten; the CPU: cb, the rest of add bl, cl)
            a.jmpFar(32, KCODE, done);
            a.padTo(Layout.CODE + 0x2000);
            a.bits = 32;
            a.bind(done);
        }));
        assertEquals(0x44444466, r.tested().gprs()[3], "EBX: add bl, cl ran");
        assertEquals(0x11111111, r.tested().gprs()[0], "EAX: no add ah, cl");
    }

    /**
     * Not a bug of full mode but of the tester (seed 20261207, case 21100): an iret to the 16-bit CS left the rest of
     * the case, 32-bit code, running as 16-bit, where the rdtsc piece's {@code xor eax, eax} cleared only AX and left
     * the host's time in EAX's top half; and the shrinker could nop out those xors. Now the iret piece lands in 16-bit
     * code that goes back to 32-bit code, the xors clear all of EAX and EDX in code of either size, and the shrinker
     * keeps them.
     */
    @Test
    void anIretTo16BitCodeComesBackAndRdtscLeavesNoTimeBehind() {
        FuzzCase c = CaseGen.generate(20261207, 21100);
        var pieces = c.pieces().stream().filter(p -> p.toString().startsWith("iret cs 0x40") || p.toString().equals("rdtsc")).toList();
        assertEquals(2, pieces.size(), () -> "the case's pieces: " + c.pieces());
        FuzzCase small = c.withPieces(pieces);
        FuzzCase.Built b = small.build(java.util.Set.of());
        assertEquals(2, b.kept().cardinality(), "the two xors after rdtsc are kept");
        assertTrue(java.util.Arrays.stream(b.bits()).anyMatch(x -> x == 16), "the iret lands in 16-bit code");
        var r = Pinned.compare(small);
        assertEquals(java.util.List.of(), r.diffs());
        assertEquals(0, r.tested().gprs()[0], "EAX cleared");
        assertEquals(0, r.tested().gprs()[2], "EDX cleared");
        assertEquals(Handlers.RING0_RETURN, Pinned.event(r.tested(), r.tested().events() - 1)[0], "ran to the epilogue");
    }

    /**
     * Not a bug of full mode but of the tester's world (seed 20261207, cases 54156 and 73048): a case that breaks
     * KDATA's descriptor makes the handler's own {@code pop ds} fault, again in each nested handler, whose frames ran
     * the stack down over the tables and the handlers' code until the modes parted in the chaos. A fault in the
     * handlers now ends the case before the handler touches a segment register.
     */
    @Test
    void aFaultInTheHandlersEndsTheCaseBeforeItsSegmentLoads() {
        var r = Pinned.assertAgree(Pinned.of(false, e -> {
            e.a.rm(0, Asm.Mem.abs(Layout.GDT + SystemTables.KDATA + 5), 0, 0xC6).immAfter(1, 0x13);   // KDATA not present
            e.a.op(0xCD, 0x21);
        }));
        assertTrue(r.tested().aborted(), "the handlers gave up");
        assertEquals(0, r.tested().events(), "no event logged: the handler's DS load faulted first");
        assertEquals(Layout.KSTACK_TOP - 2 * 5 * 4 - 4 * 4, r.tested().gprs()[4], "two frames, and DS, EAX, EBX and KDATA pushed between them");
    }

    /**
     * Seed 20261208, case 99776: smsw stored to 0xfffffffc (no memory there), and the rest of Unicorn's translated
     * block ran on to a triple fault, which emulate mode reported; full mode stopped at the store. Both now stop
     * because of the store.
     */
    @Test
    void aStoreToNoMemoryStopsBothModesEvenWhenATripleFaultFollowsInItsBlock() {
        var r = Pinned.compare(Pinned.of(false, e -> {
            int small = e.pseudoDescriptor(0x7, Layout.GDT);
            e.a.op(0x0F, 0x01, 0x25, 0xFC, 0xFF, 0xFF, 0xFF);                                // smsw [0xfffffffc]
            e.a.rm(32, Asm.Mem.abs(small), 2, 0x0F, 0x01).end();                            // lgdt: a GDT of one entry
            e.a.op(0xCD, 0x21);                                                             // int 0x21: #GP, #DF, shutdown
        }));
        assertEquals(java.util.List.of(), r.diffs());
        assertEquals(popek.cpu.StopReason.Cause.UNMAPPED_MEMORY, r.oracle().stop().cause(), r.oracle().stop().message());
        assertEquals(Outcome.AGREED_STOPPED, Pinned.runCase(20261208, 99776).outcome());
    }
}
