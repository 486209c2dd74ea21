package popek.platform;

import popek.engine.Unicorn;
import popek.engine.X86;
import popek.platform.linux.LinuxLoader;
import popek.platform.multiboot.MultibootBoot;
import popek.platform.multiboot.MultibootInfo;

/**
 * The CPU state a boot path hands the guest's first instruction: every register Popek sets, written by one method
 * whatever the mode, so that emulate, full and para mode start a kernel identically. Registers a protocol leaves
 * undefined are zero (the README's tables say which; QEMU leaves its option ROM's leftovers there).
 *
 * @param realMode CR0 = ET only and the segment registers real-mode ones (base = selector × 16); else protected mode
 *                 with CR0 = PE | ET and the selectors loaded from the GDT given
 * @param codeSelector CS; {@code dataSelector} DS, ES, FS, GS and SS
 */
public record EntryState(long eip, boolean realMode, int eax, int ebx, int ecx, int edx, int esi, int edi, int ebp, int esp,
                         int eflags, int codeSelector, int dataSelector, long gdtBase, int gdtLimit, long idtBase,
                         int idtLimit) {
    /** The real-mode interrupt vector table's IDTR (base 0, limit 3FFh), which a BIOS leaves. */
    private static final int IVT_LIMIT = 0x3FF;

    /**
     * A Multiboot kernel: EAX the magic, EBX the information structure (the specification's two registers), the
     * others zero, interrupts off, flat segments from a GDT as QEMU's loader leaves them (CS 08h, data 10h; see
     * {@link MultibootInfo}), IDTR the real-mode IVT's (as QEMU leaves it), a stack below the boot information.
     */
    public static EntryState multiboot(MultibootBoot boot) {
        return new EntryState(boot.entry(), false, boot.eax(), boot.ebx(), 0, 0, 0, 0, 0, boot.esp(), boot.eflags(),
                MultibootInfo.CODE_SELECTOR, MultibootInfo.DATA_SELECTOR, MultibootInfo.GDT_ADDRESS, MultibootInfo.GDT_LIMIT,
                0, IVT_LIMIT);
    }

    /**
     * A Linux kernel by the 32-bit boot protocol: CS __BOOT_CS, the data segments __BOOT_DS, ESI the zero page,
     * EBP, EDI and EBX zero (as the protocol asks), the others zero too, interrupts off, and IDTR empty, as Linux's
     * own setup leaves it (a null IDT) before it jumps to the 32-bit entry.
     */
    public static EntryState linux(LinuxLoader.LinuxBoot linux) {
        return new EntryState(linux.entry(), false, 0, 0, 0, 0, linux.zeroPage(), 0, 0, LinuxLoader.INITIAL_STACK,
                MultibootBoot.EFLAGS_AT_ENTRY, LinuxLoader.BOOT_CS, LinuxLoader.BOOT_DS, linux.gdt(), linux.gdtLimit(), 0, 0);
    }

    /**
     * A boot sector, as a BIOS starts it: real mode, CS:IP 0000:7C00, DL the boot drive, SS:SP 0000:7C00, every
     * other general and segment register zero, interrupts off, the real-mode IVT.
     */
    public static EntryState bootSector() {
        return new EntryState(DiskBoot.LOAD_ADDRESS, true, 0, 0, 0, DiskBoot.BOOT_DRIVE, 0, 0, 0, DiskBoot.STACK_POINTER,
                MultibootBoot.EFLAGS_AT_ENTRY, 0, 0, 0, 0, 0, IVT_LIMIT);
    }

    /** Writes this state into the engine (CR0 first, then the tables, then the segments that are loaded from them). */
    public void apply(Unicorn cpu) {
        cpu.setReg(X86.CR0, realMode ? 0x10 : MultibootBoot.CR0_AT_ENTRY);
        cpu.setReg(X86.CR4, 0);
        cpu.setTable(X86.GDTR, gdtBase, gdtLimit, 0, 0);
        cpu.setTable(X86.IDTR, idtBase, idtLimit, 0, 0);
        cpu.setReg(X86.CS, codeSelector);
        for (int seg : new int[] {X86.DS, X86.ES, X86.FS, X86.GS, X86.SS}) cpu.setReg(seg, dataSelector);
        cpu.setReg(X86.EAX, eax);
        cpu.setReg(X86.EBX, ebx);
        cpu.setReg(X86.ECX, ecx);
        cpu.setReg(X86.EDX, edx);
        cpu.setReg(X86.ESI, esi);
        cpu.setReg(X86.EDI, edi);
        cpu.setReg(X86.EBP, ebp);
        cpu.setReg(X86.ESP, esp);
        cpu.setReg(X86.EFLAGS, eflags);
    }
}
