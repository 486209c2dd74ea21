package popek.para;

import popek.cpu.ParaGuest;
import popek.cpu.VirtualClock;
import popek.devices.DebugExit;
import popek.devices.MachineControl;
import popek.devices.PortBus;
import popek.devices.PortDevice;
import popek.devices.Timed;
import popek.devices.Uart16550;
import popek.engine.Unicorn;
import popek.engine.X86;
import popek.memory.GuestMemory;
import popek.stats.RunStats;

/**
 * The host side of the para-virtual interface (pv.h): the hypercalls, the event upcall and the trap table, as the
 * vCPU sees them through {@link ParaGuest}. A hypercall reads its number and arguments from the registers, checks
 * every argument before acting (a bad pointer is -PV_EFAULT, a bad value -PV_EINVAL, a caller outside ring 0
 * -PV_EPERM), and answers in EAX; it never throws to the engine and allocates nothing, except HC_EXIT's message.
 */
public final class Hypercalls implements ParaGuest {
    private final Unicorn uc;
    private final GuestMemory ram;
    private final SharedInfo info;
    private final VirtualClock clock;
    private final RunStats stats;
    private final Uart16550.SerialSink console;
    private final MachineControl machine;
    private final PvRing consoleRing, blockRing;
    private final PvTimer timer;
    private final TrapTable traps = new TrapTable();
    private final GuestLinear linear;
    private int effects;
    private boolean callbackSet;
    private int callbackCs, callbackEip;
    private boolean consoleAttached;

    /**
     * @param console where HC_CONSOLE_WRITE's bytes go: the console COM1 writes to
     * @param consoleRing, blockRing the PV devices, or null when absent (their hypercalls answer -PV_ENOSYS)
     */
    public Hypercalls(Unicorn uc, GuestMemory ram, SharedInfo info, VirtualClock clock, RunStats stats,
                      Uart16550.SerialSink console, MachineControl machine, PvRing consoleRing, PvRing blockRing) {
        this.uc = uc;
        this.ram = ram;
        this.info = info;
        this.clock = clock;
        this.stats = stats;
        this.console = console;
        this.machine = machine;
        this.consoleRing = consoleRing;
        this.blockRing = blockRing;
        this.timer = new PvTimer(info);
        this.linear = new GuestLinear(uc, ram);
    }

    /** HC_SET_TIMER's timer: one of the vCPU's timed devices. */
    public Timed timer() { return timer; }

    /**
     * Fills the hypercall page: slot n is {@code mov $n, %eax; in $0xE0, %eax; ret}, the rest of it int3, so a call
     * into the middle of a slot traps.
     */
    public static void fillPage(GuestMemory ram, long page) {
        byte[] b = new byte[PvAbi.SLOTS * PvAbi.SLOT_BYTES];
        java.util.Arrays.fill(b, (byte) 0xCC);
        for (int n = 0; n < PvAbi.SLOTS; n++) {
            int at = n * PvAbi.SLOT_BYTES;
            b[at] = (byte) 0xB8;
            for (int i = 0; i < 4; i++) b[at + 1 + i] = (byte) (n >>> (8 * i));
            b[at + 5] = (byte) 0xE5;
            b[at + 6] = (byte) PvAbi.HYPERCALL_PORT;
            b[at + 7] = (byte) 0xC3;
        }
        ram.write(page, b);
    }

    /**
     * Opens the hypercall port to every privilege, so that user code's {@code in} (rewritten, and checked against
     * IOPL and the I/O bitmap) reaches {@link #hypercall} too and is refused with -PV_EPERM rather than #GP, as pv.h
     * promises from CPL 1-3. The vCPU answers every read of the port with a hypercall, whichever route it came by;
     * the bus device is there for writes, which are ignored (not counted as a port nobody claims).
     */
    public void register(PortBus ports) {
        ports.register(PvAbi.HYPERCALL_PORT, 1, new PortDevice() {
            @Override
            public int read(int port, int size) { return -PvAbi.EPERM; }

            @Override
            public void write(int port, int size, int value) { }
        });
        ports.openToAnyPrivilege(PvAbi.HYPERCALL_PORT);
    }

    // ---------------------------------------------------------------- hypercalls

    @Override
    public int hypercall(int cpl) {
        long began = stats.begin();
        effects = 0;
        int nr = uc.reg(X86.EAX);
        int result;
        try {
            result = cpl != 0 ? -PvAbi.EPERM : dispatch(nr);
        } catch (RuntimeException e) {   // a ring's bug must not reach the engine: the guest sees an I/O error
            result = -PvAbi.EIO;
        }
        info.time(clock.nanos());
        stats.hypercall(nr, began);
        return result;
    }

    @Override
    public int effects() { return effects; }

    private int dispatch(int nr) {
        return switch (nr) {
            case PvAbi.HC_VERSION -> PvAbi.VERSION;
            case PvAbi.HC_EXIT -> exit(uc.reg(X86.EBX));
            case PvAbi.HC_CONSOLE_WRITE -> consoleWrite(uc.reg(X86.EBX), uc.reg(X86.ECX));
            case PvAbi.HC_SET_CALLBACK -> setCallback(uc.reg(X86.EBX), uc.reg(X86.ECX));
            case PvAbi.HC_SET_TRAP_TABLE -> setTrapTable(uc.reg(X86.EBX), uc.reg(X86.ECX));
            case PvAbi.HC_MMU_UPDATE -> mmuUpdate(uc.reg(X86.EBX), uc.reg(X86.ECX));
            case PvAbi.HC_TLB_FLUSH -> flushTlb();
            case PvAbi.HC_NEW_BASEPTR -> newBasePointer(uc.reg(X86.EBX));
            case PvAbi.HC_SET_TIMER -> setTimer(uc.reg(X86.EBX), uc.reg(X86.ECX));
            case PvAbi.HC_YIELD -> 0;   // the vCPU delivers a deliverable event before the guest goes on
            case PvAbi.HC_BLOCK -> block();
            case PvAbi.HC_RING_ATTACH -> attach(uc.reg(X86.EBX), uc.reg(X86.ECX));
            case PvAbi.HC_CONSOLE_NOTIFY -> kick(consoleRing);
            case PvAbi.HC_BLOCK_SUBMIT -> kick(blockRing);
            default -> -PvAbi.ENOSYS;
        };
    }

    private int exit(int code) {
        machine.exit(DebugExit.exitCode(code, 4), String.format("the guest called HC_EXIT with %#x", code));
        return 0;
    }

    private int consoleWrite(int address, int length) {
        if (length < 0 || length > PvAbi.MAX_CONSOLE_WRITE) return -PvAbi.EINVAL;
        linear.refresh();
        if (!linear.readable(address, length)) return -PvAbi.EFAULT;
        int at = address, left = length;
        while (left > 0) {   // a page at a time: one translation each
            int chunk = Math.min(left, 4096 - (at & 0xFFF));
            long p = linear.physical(at, chunk, false);
            for (int i = 0; i < chunk; i++) console.write(ram.read8(p + i));
            at += chunk;
            left -= chunk;
        }
        return length;
    }

    private int setCallback(int cs, int eip) {
        if ((cs & ~0xFFFF) != 0 || (cs & 0xFFFC) == 0) return -PvAbi.EINVAL;
        callbackCs = cs;
        callbackEip = eip;
        callbackSet = true;
        return 0;
    }

    private int setTrapTable(int address, int count) {
        if (count < 0 || count > PvAbi.MAX_TRAP_INFO) return -PvAbi.EINVAL;
        linear.refresh();
        if (!linear.readable(address, count * PvAbi.TRAP_INFO_BYTES)) return -PvAbi.EFAULT;
        traps.begin();
        for (int i = 0; i < count; i++) {
            int at = address + i * PvAbi.TRAP_INFO_BYTES;
            int head = linear.read32(at), eip = linear.read32(at + 4);
            int vector = head & 0xFF, flags = (head >>> 8) & 0xFF, cs = head >>> 16;
            if ((flags & ~(3 | PvAbi.TRAP_MASK_EVENTS)) != 0 || (cs & 0xFFFC) == 0) return -PvAbi.EINVAL;
            traps.stage(vector, flags, cs, eip);
        }
        traps.commit(count > 0);
        return 0;
    }

    private int mmuUpdate(int address, int count) {
        if (count < 0 || count > PvAbi.MAX_MMU_UPDATES) return -PvAbi.EINVAL;
        linear.refresh();
        if (!linear.readable(address, count * PvAbi.MMU_UPDATE_BYTES)) return -PvAbi.EFAULT;
        int[] u = updates;
        linear.read32s(address, u, 2 * count);   // one page walk per page of the array, not two per entry
        for (int i = 0; i < 2 * count; i += 2) {   // every entry first: one bad entry and nothing is applied
            if (!validUpdate(Integer.toUnsignedLong(u[i]), u[i + 1])) return -PvAbi.EINVAL;
        }
        for (int i = 0; i < 2 * count; i += 2) ram.write32(Integer.toUnsignedLong(u[i]), u[i + 1]);
        flushTlb();
        return count;
    }

    /** HC_MMU_UPDATE's (pointer, value) pairs, copied out of the guest once per call. */
    private final int[] updates = new int[2 * PvAbi.MAX_MMU_UPDATES];

    /**
     * The entry goes in RAM, 4-aligned; a present entry maps RAM only: a 4 KiB frame, or with PS (bit 7) a 4 MiB
     * page wholly in RAM. (Bit 7 of a PTE is PAT, which Popek's guests do not use: it is taken as PS everywhere.)
     */
    private boolean validUpdate(long ptr, int val) {
        if ((ptr & 3) != 0 || !ram.contains(ptr, 4)) return false;
        if ((val & 1) == 0) return true;
        boolean large = (val & 0x80) != 0;
        long frame = Integer.toUnsignedLong(val) & (large ? 0xFFC00000L : 0xFFFFF000L);
        return ram.contains(frame, large ? 4L << 20 : 4096);
    }

    /** Unicorn flushes only the whole TLB (so HC_TLB_FLUSH's one page flushes everything: the guest cannot tell). */
    private int flushTlb() {
        uc.flushTlb();
        effects |= EFFECT_PAGING;
        return 0;
    }

    /** As full mode's emulated {@code mov cr3}: the engine flushes its TLB and the shadow MMU walks the new tables. */
    private int newBasePointer(int cr3) {
        if (!ram.contains(Integer.toUnsignedLong(cr3) & 0xFFFFF000L, 4096)) return -PvAbi.EINVAL;
        uc.setReg(X86.CR3, cr3);
        effects |= EFFECT_PAGING;
        return 0;
    }

    private int setTimer(int low, int high) {
        timer.set(Integer.toUnsignedLong(low) | (long) high << 32);
        effects |= EFFECT_TIMER;
        return 0;
    }

    /** Unmasks events; with none pending the vCPU waits, as in hlt, until one is. */
    private int block() {
        info.mask(false);
        if (info.pending() == 0) effects |= EFFECT_BLOCK;
        return 0;
    }

    private int attach(int kind, int page) {
        PvRing ring = kind == PvAbi.RING_CONSOLE ? consoleRing : kind == PvAbi.RING_BLOCK ? blockRing : null;
        if (kind != PvAbi.RING_CONSOLE && kind != PvAbi.RING_BLOCK) return -PvAbi.EINVAL;
        if (ring == null) return -PvAbi.ENOSYS;
        int r = ring.attach(Integer.toUnsignedLong(page));   // the ring checks the page: -EINVAL misaligned, -EFAULT not in RAM
        if (r >= 0 && ring == consoleRing) consoleAttached = true;
        return r;
    }

    private int kick(PvRing ring) {
        if (ring == null) return -PvAbi.ENOSYS;
        int r = ring.kick();
        long errors = (consoleRing == null ? 0 : consoleRing.errors()) + (blockRing == null ? 0 : blockRing.errors());
        info.ringErrors((int) errors);
        stats.ringErrors(errors);
        return r;
    }

    // ---------------------------------------------------------------- events and the trap table

    @Override
    public void tick(long now) { info.time(now); }

    /** Events raised before the guest sets its callback wait for it (nothing to deliver them to). */
    @Override
    public Upcall upcallState() {
        if (!callbackSet || info.pending() == 0) return Upcall.NONE;
        return info.masked() ? Upcall.MASKED : Upcall.READY;
    }

    @Override
    public long takeUpcall() {
        info.mask(true);
        return TrapTable.gate(callbackCs, callbackEip, 0, true);
    }

    /** A timer is set, console input may arrive, or a ring that keeps time has work due. */
    @Override
    public boolean canWake() {
        return timer.armed() || consoleAttached
                || blockRing instanceof Timed t && t.nextDeadline() != Timed.NEVER;
    }

    @Override
    public boolean hasTrapTable() { return traps.isSet(); }

    @Override
    public long trapGate(int vector) { return traps.gate(vector); }

    @Override
    public void trapDelivered(int vector) {
        if (traps.masksEvents(vector)) info.mask(true);
    }
}
