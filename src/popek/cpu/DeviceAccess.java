package popek.cpu;

import popek.devices.InterruptController;
import popek.devices.MmioDevice;
import popek.devices.PortBus;
import popek.devices.Timed;
import popek.engine.Hooks;
import popek.engine.Unicorn;
import popek.engine.X86;
import popek.stats.RunStats;
import popek.stats.TrapKind;

/**
 * Every guest access to a device, whichever way it came (the port hooks, port I/O rewritten in user code, string
 * I/O, device memory), and the work after it, the same for all: a write to a device that keeps time re-arms the
 * host timer for its new deadline, a write that makes an interrupt pending ends the run for the loop to deliver it,
 * and any access while an interrupt waits for IF ends the run once the guest has set IF. In para mode the hypercall
 * port is answered here too, on every route. Runs on the vCPU thread, inside the engine; allocates nothing.
 */
final class DeviceAccess implements Hooks.PortIo {
    private final Unicorn uc;
    private final PortBus ports;
    private final InterruptController pic;
    private final TimedDevices timers;
    private final ExitRequests requests;
    private final RunStats stats;
    private final HypercallPort hypercalls;
    /** {@link HypercallPort#PORT} in para mode, else -1 (no port matches). */
    private final int hypercallPort;

    /** {@code hypercalls}: para mode's hypercall port, or null. */
    DeviceAccess(Unicorn uc, PortBus ports, InterruptController pic, TimedDevices timers, ExitRequests requests,
                 RunStats stats, HypercallPort hypercalls) {
        this.uc = uc;
        this.ports = ports;
        this.pic = pic;
        this.timers = timers;
        this.requests = requests;
        this.stats = stats;
        this.hypercalls = hypercalls;
        this.hypercallPort = hypercalls != null ? HypercallPort.PORT : -1;
    }

    // ---------------------------------------------------------------- the port hooks (kernel code's in and out)

    @Override
    public int in(int port, int size) {
        if (port == hypercallPort) return hypercalls.call();
        long began = stats.begin();
        int v = read(port, size);
        stats.trap(TrapKind.PORT_IN, began);
        return v;
    }

    @Override
    public void out(int port, int size, int value) {
        long began = stats.begin();
        write(port, size, value);
        stats.trap(TrapKind.PORT_OUT, began);
    }

    // ---------------------------------------------------------------- every route

    /** A port read (the trap it came by is counted by its route). */
    int read(int port, int size) {
        if (port == hypercallPort) return hypercalls.call();
        int v = ports.read(port, size);
        lookForOpenWindow();
        return v;
    }

    /** A port write (the trap it came by is counted by its route). */
    void write(int port, int size, int value) {
        if (ports.write(port, size, value)) requests.deadlineAt(timers.nextWaking());
        lookForInterrupt();
    }

    /** May code at any privilege read {@code port}, whatever IOPL and the I/O bitmap say (the hypercall port)? */
    boolean openToAnyPrivilege(int port, int size) { return ports.openToAnyPrivilege(port, size); }

    /**
     * Maps a device's registers at {@code base} (device memory: every guest access comes here). A store can make an
     * interrupt deliverable (an EOI, an unmasked redirection entry, a self-IPI), so, as for {@code out}, the run ends
     * for the loop to look. 8-byte accesses are split into two 4-byte ones, low first.
     */
    void mapMmio(long base, int size, MmioDevice device) {
        boolean keepsTime = device instanceof Timed;
        uc.mapMmio(base, size, new Hooks.Mmio() {
            @Override
            public long read(long offset, int bytes) {
                long began = stats.begin();
                long v = bytes == 8
                        ? (device.read((int) offset, 4) & 0xFFFFFFFFL) | (long) device.read((int) offset + 4, 4) << 32
                        : device.read((int) offset, bytes) & 0xFFFFFFFFL;
                lookForOpenWindow();
                stats.trap(TrapKind.MMIO_READ, began);
                return v;
            }

            @Override
            public void write(long offset, int bytes, long value) {
                long began = stats.begin();
                if (bytes == 8) {
                    device.write((int) offset, 4, (int) value);
                    device.write((int) offset + 4, 4, (int) (value >>> 32));
                } else {
                    device.write((int) offset, bytes, (int) value);
                }
                if (keepsTime) requests.deadlineAt(timers.nextWaking());
                lookForInterrupt();
                stats.trap(TrapKind.MMIO_WRITE, began);
            }
        });
    }

    // ---------------------------------------------------------------- after the access

    /**
     * After a device write: it can make an IRQ pending (an EOI lets the next one through, a UART enables its THR
     * interrupt), so the run loop must look now, not at the next timer tick. One that was pending already is the
     * loop's to poll. (A device that stops the machine stops the engine itself, through requestStop.)
     */
    private void lookForInterrupt() {
        if (!requests.irqPending() && pic.hasPendingInterrupt()) {
            requests.irqRaised();
        } else {
            lookForOpenWindow();
        }
    }

    /**
     * After a port or device-memory access while an interrupt waits for IF: if the guest has set IF since (in emulate
     * mode sti, popf and iret do not trap; in full mode an sti, whose shadow must pass first, does not end the run),
     * the run ends now so the loop delivers it, as the CPU would have just after the sti. Otherwise it waited for the
     * loop's next IF poll, a host timer: a late one let the apic guest close its 2 ms window (sti, poll the PIT, cli)
     * with a timer expiry still in IRR, which its next check then counted as the one-shot's interrupt (two seen for
     * one; InterruptWindowTest). One register read per access, and only while an interrupt waits.
     */
    private void lookForOpenWindow() {
        if (requests.irqPending() && !requests.eventRequested() && (uc.reg(X86.EFLAGS) & X86.FLAG_IF) != 0
                && pic.hasPendingInterrupt()) {
            requests.lookAtEvents();
        }
    }
}
