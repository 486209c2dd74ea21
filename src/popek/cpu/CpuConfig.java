package popek.cpu;

/**
 * What the virtual CPU shows the guest that the user may choose: the time-stamp counter's frequency and CPUID leaves
 * that replace the CPU model's. CPUID is answered in every mode (hardware-assisted VMMs trap it unconditionally too);
 * the virtual TSC is what {@code rdtsc} reads in full mode, where it is rewritten in kernel and user code alike
 * (Unicorn 2.1.1 cannot hook it, so emulate mode shows Unicorn's own counter).
 */
public record CpuConfig(long tscHz, CpuidTable cpuid) {
    public static final CpuConfig DEFAULT = new CpuConfig(VirtualTsc.DEFAULT_HZ, CpuidTable.EMPTY);
}
