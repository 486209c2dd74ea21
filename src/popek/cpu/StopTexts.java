package popek.cpu;

import popek.engine.Capstone;
import popek.engine.Hooks;
import popek.engine.Unicorn;
import popek.engine.X86;

/**
 * The one-line reasons the VMM gives when it stops a guest, each naming where the guest was and the instruction
 * there ({@link #describe}, disassembled with Capstone). Also the hook on an access to memory that does not exist,
 * which stops the machine. Off the trap path: it may allocate.
 */
final class StopTexts implements Hooks.UnmappedAccess, AutoCloseable {
    private final Unicorn uc;
    private final GuestAccess mem;
    private final ExitRequests requests;
    private Capstone disassembler, disassembler16;
    private long unmappedAddress;
    private int unmappedType;

    StopTexts(Unicorn uc, GuestAccess mem, ExitRequests requests) {
        this.uc = uc;
        this.mem = mem;
        this.requests = requests;
    }

    /**
     * The guest reached memory that does not exist: the machine stops, with this as its reason even when something
     * else stops it before the engine returns. Unicorn 2.1.1 drops a store to no memory and runs the rest of its
     * translated block (its cputlb.c only calls cpu_exit), in which a fault may be delivered, fail, and make a triple
     * fault the reason (measured: smsw to 0xfffffffc, then lgdt of a short GDT, then int 0x80).
     */
    @Override
    public boolean unmapped(int type, long address, int size, long value) {
        unmappedType = type;
        unmappedAddress = address;
        requests.requestStop(unmappedStop(uc.reg(X86.EIP)));
        return false;
    }

    private StopReason unmappedStop(int eip) {
        return new StopReason(StopReason.Cause.UNMAPPED_MEMORY,
                String.format("the guest %s physical address 0x%08x, where there is no memory (at %s)",
                        unmappedType == X86.MEM_WRITE_UNMAPPED ? "wrote to" : unmappedType == X86.MEM_FETCH_UNMAPPED
                                ? "jumped to" : "read from", unmappedAddress, describe(eip)));
    }

    StopReason timeout(long timeoutNanos) {
        return new StopReason(StopReason.Cause.TIMEOUT, String.format(
                "timeout: the guest was still running after %s (at %s)", seconds(timeoutNanos), describe(uc.reg(X86.EIP))));
    }

    /** A hlt with IF clear: EIP is just past it. */
    StopReason haltedWithInterruptsOff() {
        return new StopReason(StopReason.Cause.HALTED_FOREVER, String.format(
                "the guest halted with interrupts disabled, at %s: nothing can wake it", describe(uc.reg(X86.EIP) - 1)));
    }

    /** A para guest's BLOCK with no event source left. */
    StopReason blockedForever() {
        return new StopReason(StopReason.Cause.HALTED_FOREVER, String.format(
                "the guest blocked forever at %s: no timer is set and no ring can raise an event", describe(uc.reg(X86.EIP))));
    }

    /** {@code uc_emu_start} failed with {@code err}. */
    StopReason engineError(int err) {
        int eip = uc.reg(X86.EIP);
        return switch (err) {
            case X86.ERR_READ_UNMAPPED, X86.ERR_WRITE_UNMAPPED, X86.ERR_FETCH_UNMAPPED -> unmappedStop(eip);
            default -> new StopReason(StopReason.Cause.INTERNAL_ERROR,
                    String.format("the CPU emulator stopped: %s (at %s)", Unicorn.strerror(err), describe(eip)));
        };
    }

    /**
     * Popek, acting for the guest at {@code eip}, reached memory that does not exist: the stop the engine makes for the
     * guest's own access there.
     */
    StopReason noMemory(NoMemory m, int eip) {
        return new StopReason(StopReason.Cause.UNMAPPED_MEMORY, String.format(
                "the guest %s physical address 0x%08x, where there is no memory (at %s)", m.write ? "wrote to" : "read from",
                m.address, describe(eip)));
    }

    /** The guest's code ran on into a page with no RAM (the shadow MMU refused the fetch). */
    StopReason jumpedToNoMemory(long physical, int eip) {
        return new StopReason(StopReason.Cause.UNMAPPED_MEMORY, String.format(
                "the guest jumped to physical address 0x%08x, where there is no memory (at %s)", physical, describe(eip)));
    }

    /** An instruction form Popek does not emulate ({@code what}: "a task gate", ...). */
    StopReason unsupported(String what, int eip) {
        return new StopReason(StopReason.Cause.UNSUPPORTED, String.format(
                "the guest used %s, which Popek does not emulate (at %s)", what, describe(eip)));
    }

    /** An exception in real mode whose IVT entry still points at the BIOS Popek does not provide. */
    StopReason intoMissingBios(int vector, int eip) {
        return new StopReason(StopReason.Cause.UNSUPPORTED, String.format(
                "the guest raised %s in real mode, and its IVT still sends it to the BIOS, which Popek does not provide (at %s)",
                Vectors.name(vector), describe(eip)));
    }

    /** An event {@link InterruptDelivery} could not deliver ({@code result} other than DELIVERED and INTO_MISSING_BIOS). */
    StopReason undelivered(InterruptDelivery.Result result, InterruptDelivery delivery, int vector, int eip) {
        return switch (result) {
            case NO_TRAP_ENTRY -> new StopReason(StopReason.Cause.UNSUPPORTED, String.format(
                    "the guest raised %s, and its trap table (HC_SET_TRAP_TABLE) has no entry for it (at %s)",
                    Vectors.name(delivery.missingVector()), describe(eip)));
            case NO_MEMORY -> noMemory(delivery.noMemory(), eip);
            case TRIPLE_FAULT -> new StopReason(StopReason.Cause.TRIPLE_FAULT, String.format(
                    "triple fault: delivering %s failed, then so did the double fault (at %s)", Vectors.name(vector), describe(eip)));
            default -> new StopReason(StopReason.Cause.UNSUPPORTED, String.format(
                    "the guest used %s, which Popek does not emulate (delivering %s at %s)",
                    delivery.unsupportedReason(), Vectors.name(vector), describe(eip)));
        };
    }

    /** "0x00101234 (mov dword ptr [eax], 1)": where the guest was, with the instruction there when it can be read. */
    String describe(int eip) {
        mem.refresh();
        byte[] bytes = new byte[Capstone.MAX_INSTRUCTION];
        boolean real = realMode(uc);
        int n = mem.fetch(codeLinear(eip), bytes, bytes.length);
        String where = real ? String.format("CS:IP %04x:%04x (real mode)", uc.selector(X86.CS), eip & 0xFFFF)
                : String.format("EIP 0x%08x", eip);
        if (n == 0) return where + ", where no code can be read";
        try {
            if (real && disassembler16 == null) disassembler16 = new Capstone(16);
            if (disassembler == null) disassembler = new Capstone(32);
            Capstone.Instruction insn = (real ? disassembler16 : disassembler).decode(bytes, n, eip & 0xFFFFFFFFL);
            return insn == null ? where + ": not a valid instruction" : where + ": " + insn.text();
        } catch (RuntimeException e) {
            return where;
        }
    }

    /**
     * Where the sysenter is that Unicorn called its hook for, given the EIP it left ({@code staleEip}): Unicorn 2.1.1
     * does not write EIP back before that hook, so it holds the address of an earlier instruction of the same
     * translation block (its start, or the last one that wrote EIP). sysenter ends its block, so it is the first
     * sysenter from there on. Only a fault needs it (the #GP of a null SYSENTER_CS names the instruction); the
     * search gives up after a block's worth of instructions and keeps {@code staleEip}.
     */
    int sysenterAt(int staleEip) {
        mem.refresh();
        byte[] bytes = new byte[Capstone.MAX_INSTRUCTION];
        int eip = staleEip;
        try {
            if (disassembler == null) disassembler = new Capstone(32);
            for (int i = 0; i < 512; i++) {
                int n = mem.fetch(codeLinear(eip), bytes, bytes.length);
                Capstone.Instruction insn = n == 0 ? null : disassembler.decode(bytes, n, eip & 0xFFFFFFFFL);
                if (insn == null) return staleEip;
                if (insn.mnemonic().equals("sysenter")) return eip;
                eip += insn.length();
            }
        } catch (RuntimeException e) {
            // no code to read or decode: keep what Unicorn said
        }
        return staleEip;
    }

    static boolean realMode(Unicorn uc) { return (uc.reg(X86.CR0) & X86.CR0_PE) == 0; }

    private final long[] segmentBases = new long[6];

    /**
     * The linear address of code at {@code eip}: CS's cached base plus EIP (IP in real mode). The base is read from the
     * CPU, not assumed: a protected-mode kernel may run in a code segment whose base is not 0, and then EIP alone named
     * other bytes, or none ("where no code can be read" while the guest ran code there; issue 18). Allocates nothing.
     */
    int codeLinear(int eip) {
        uc.context().segmentState(segmentBases);
        return (int) segmentBases[X86.SEG_CS] + (realMode(uc) ? eip & 0xFFFF : eip);
    }

    private static String seconds(long nanos) {
        return nanos % 1_000_000_000L == 0 ? (nanos / 1_000_000_000L) + " s" : String.format("%.3f s", nanos / 1e9);
    }

    /** Closes the disassemblers. */
    @Override
    public void close() {
        if (disassembler != null) disassembler.close();
        if (disassembler16 != null) disassembler16.close();
    }
}
