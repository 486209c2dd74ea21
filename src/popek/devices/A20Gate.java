package popek.devices;

/**
 * The A20 gate, which both the 8042's output port and System Control Port A (0x92) drive. Its state is kept and
 * reported as the guest set it; Popek's guest memory does not wrap at 1 MiB when it is off, as no protected-mode
 * kernel relies on the wrap (and real-mode code that does is the BIOS's business, which Popek does not run).
 */
public final class A20Gate {
    private boolean enabled = true;   // as firmware leaves it for a kernel

    public boolean enabled() { return enabled; }

    void set(boolean on) { enabled = on; }
}
