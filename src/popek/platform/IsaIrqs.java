package popek.platform;

import popek.devices.IoApic;
import popek.devices.IrqLine;
import popek.devices.Pic8259;

/**
 * The ISA interrupt lines as a PC wires them: each goes both to its 8259 input and to an IOAPIC pin, where the MP
 * table says ({@link MpTable#ioapicPin}: IRQ 0, the PIT, on pin 2, every other IRQ n on pin n), so a guest may use
 * either controller and mask the other. One line object per IRQ, made once.
 */
final class IsaIrqs {
    private final IrqLine[] lines = new IrqLine[16];

    IsaIrqs(Pic8259 pic, IoApic ioapic) {
        for (int n = 0; n < 16; n++) {
            IrqLine toPic = pic.irq(n);
            int pin = MpTable.ioapicPin(n);
            IrqLine toIoApic = pin >= 0 ? ioapic.pin(pin) : IrqLine.NONE;
            lines[n] = new IrqLine() {
                @Override
                public void set(boolean high) {
                    toPic.set(high);
                    toIoApic.set(high);
                }

                @Override
                public boolean requestWaiting() { return toPic.requestWaiting() || toIoApic.requestWaiting(); }
            };
        }
    }

    /** The line a device drives for ISA IRQ n (0-15). */
    IrqLine line(int n) { return lines[n]; }
}
