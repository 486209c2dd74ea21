package popek.fuzz;

/**
 * Where Unicorn 2.1.1 (QEMU's TCG inside it) is not the CPU the Intel SDM describes, so emulate mode, the oracle, is
 * the one that is wrong. A piece that may meet one says so; a divergence that goes away when every piece with that
 * quirk is left out is reported as explained by the rule, not as a failure of full mode.
 */
enum Quirk {
    IO_PERMISSION("Unicorn never checks I/O permission: in/out/ins/outs at CPL > IOPL run even where the TSS I/O "
            + "bitmap denies the port, instead of raising #GP(0) (SDM vol. 1, 19.5; QEMU's gen_check_io is compiled "
            + "out of Unicorn)"),
    SMSW_HIGH_BITS("smsw r32: the SDM leaves bits 31:16 of the register undefined (vol. 2, SMSW); QEMU keeps their old "
            + "value, Popek's full mode loads CR0[31:16] as P6-family CPUs do"),
    ACCESSED_BIT("QEMU sets a descriptor's accessed bit only when mov/pop/lds load a data segment, never when a far "
            + "jmp, call, ret, iret or an interrupt loads CS or SS (SDM vol. 3A, 3.4.5.1: every load sets it); full "
            + "mode loads CS through the path that sets it"),
    LTR_HIDDEN_TYPE("ltr: QEMU loads TR's hidden attributes before it marks the TSS busy, so they keep the available "
            + "type (9); the CPU's hold the busy type (11), as VMX requires of TR and KVM's emulator does (SDM vol. 3C, "
            + "26.3.1.2)"),
    UNDEFINED_FLAGS("flags the SDM leaves undefined (bt/bts/btr/btc: OF SF ZF AF PF; bsf/bsr; mul and imul: SF ZF AF PF; "
            + "shifts: AF, and OF past a count of 1; daa/das/aaa/aas) come out of QEMU's lazy flags, so they depend on "
            + "whether the flags were computed just before, as a trap (full mode's rewritten instructions) makes them"),
    SMC_WITHOUT_JUMP("self-modifying code with no jump or serializing instruction between the store and the changed "
            + "instruction behaves as the model does (SDM vol. 3A, 8.1.3: only store, jump, execute is portable): QEMU "
            + "runs the new bytes at once, full mode the rewritten copy its block was translated from"),
    SMC_STORE_INTO_NEXT_BLOCK("a store that changes the code of a translated block but starts before it (in bytes "
            + "that no block, or another block, holds) leaves that block translated: Unicorn 2.1.1 runs its old code "
            + "even when a jump, call or interrupt enters it long after the store, where the CPU runs the new bytes (SDM "
            + "vol. 3A, 8.1.3). Measured with Unicorn alone: a dword store at 0x200f over 'mov eax, 1' at 0x2010, "
            + "then a call, left EAX 1; a store starting at 0x2010 is seen. Full mode runs the new bytes (a write to "
            + "a page it has shadows of sends it back to be checked)"),
    NULL_FS_GS_KEPT("iret or retf to an outer ring: QEMU leaves FS and GS alone when they hold a null selector (its "
            + "own note: for x86-64 bases), where the SDM nulls every data segment register whose hidden DPL is below the "
            + "new CPL, a null one's RPL included, as QEMU does for DS and ES"),
    SYSENTER_HOOK_EIP("Unicorn calls its sysenter hook before EIP is synced (QEMU's translation of sysenter stores "
            + "neither EIP nor the lazy flags first), so the #GP(0) of a sysenter with SYSENTER_CS null is delivered in "
            + "emulate mode with an earlier instruction's EIP; full mode's rewritten sysenter has the exact one"),
    CR0_INVALID_COMBINATION("mov to CR0: QEMU 5.0 takes NW set with CD clear, and PG set with PE clear, where the CPU "
            + "raises #GP(0) (SDM vol. 2, MOV to control register)"),
    CR4_RESERVED_BITS("mov to CR4: QEMU 5.0 (inside Unicorn 2.1.1) takes bits the CPU does not have (reserved ones, and "
            + "SMEP, FSGSBASE, PCIDE, OSXSAVE, which the qemu64 model's CPUID does not offer) instead of raising #GP(0) "
            + "(SDM vol. 2, MOV to control register: #GP(0) on an attempt to set a reserved bit in CR4)"),
    SEGMENT_CHECKS("QEMU's TCG checks no segment on a data access (its gen_lea_v_seg adds the segment's base and "
            + "nothing else): an offset past the limit, a store to read-only data or code, an access through a null "
            + "DS..GS go through, where the CPU raises #GP(0), or #SS(0) through SS (SDM vol. 3A, 5.3 and 5.4; vol. 2, "
            + "each instruction's exceptions). Full mode makes the checks for the memory operands of the instructions "
            + "it emulates; checked case by case: emulate mode's own state on reaching the instruction breaks them, "
            + "and with it nopped out the modes agree");

    private final String rule;

    Quirk(String rule) { this.rule = rule; }

    String rule() { return rule; }
}
