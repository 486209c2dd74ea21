package popek.cpu;

/** How guest kernel code meets the CPU; every statistic is labelled with it. */
public enum ExecutionMode {
    /**
     * Unicorn executes privileged instructions against its own CPU model, as hardware-assisted virtualisation does:
     * Popek sees only I/O, {@code hlt}, interrupts and exceptions.
     */
    EMULATE("emulate"),
    /**
     * Trap-and-emulate by rewriting: kernel code runs from shadow pages where every sensitive instruction traps to
     * Popek, which emulates it; the guest's page tables are walked by Popek's shadow MMU.
     */
    FULL("full"),
    /**
     * Full mode's engine for a guest built for Popek's para-virtual interface (its ELF note says so): the guest asks
     * for what it needs with hypercalls, and events reach it by upcalls instead of the PIC and IDT.
     */
    PARA("para");

    private final String label;

    ExecutionMode(String label) { this.label = label; }

    /** The name on the command line and in reports. */
    public String label() { return label; }

    /** The mode called {@code name} on the command line, or null. */
    public static ExecutionMode byLabel(String name) {
        for (ExecutionMode m : values()) if (m.label.equals(name)) return m;
        return null;
    }
}
