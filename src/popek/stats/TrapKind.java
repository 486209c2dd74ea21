package popek.stats;

/** What the guest did that made the VMM act: the rows of {@code --stats}. */
public enum TrapKind {
    PORT_IN("in (port read)"),
    PORT_OUT("out (port write)"),
    EXCEPTION("exception"),
    SOFTWARE_INTERRUPT("int n (software interrupt)"),
    EXTERNAL_INTERRUPT("external interrupt (IRQ)"),
    HALT("hlt"),
    SYSENTER("sysenter (fast system call)"),
    CPUID("cpuid"),
    MMIO_READ("MMIO read (device memory)"),
    MMIO_WRITE("MMIO write (device memory)"),
    BIOS_CALL("BIOS service call (none provided)"),
    HYPERCALL("hypercall (para)"),
    UPCALL("event upcall (para)");

    public final String label;

    TrapKind(String label) { this.label = label; }
}
