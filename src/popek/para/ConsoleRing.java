package popek.para;

import static popek.para.PvAbi.*;

import java.util.function.IntConsumer;

import popek.memory.GuestMemory;

/**
 * The para-virtual console: two byte rings in one guest page (pv.h's {@code pv_console_ring}). The guest writes its
 * output at out_prod and notifies once per batch ({@link #kick}, HC_CONSOLE_NOTIFY); typed input is put at in_prod
 * ({@link #receive}, on the vCPU thread) with the console event. Indices are free-running 32-bit counters.
 */
public final class ConsoleRing implements PvRing {
    private final GuestMemory ram;
    private final EventSink events;
    private final IntConsumer output;
    private long page = -1;
    private long errors;

    /** {@code output}: where the guest's bytes go (the same console the UART's transmitter writes to). */
    public ConsoleRing(GuestMemory ram, EventSink events, IntConsumer output) {
        this.ram = ram;
        this.events = events;
        this.output = output;
    }

    @Override
    public int attach(long page) {
        int bad = PvRing.checkPage(ram, page);
        if (bad < 0) return bad;
        this.page = page;
        return CON_OUT_SIZE;
    }

    /** Takes every byte between out_cons and out_prod to the console; returns how many. */
    @Override
    public int kick() {
        if (page < 0) return -EINVAL;
        int prod = ram.read32(page + CON_OUT_PROD), cons = ram.read32(page + CON_OUT_CONS);
        int n = prod - cons;
        if (Integer.compareUnsigned(n, CON_OUT_SIZE) > 0) {   // more than a ring's worth: nonsense; drop it and go on
            errors++;
            ram.write32(page + CON_OUT_CONS, prod);
            return -EINVAL;
        }
        for (int i = 0; i < n; i++) output.accept(ram.read8(page + CON_OUT + ((cons + i) & (CON_OUT_SIZE - 1))));
        ram.write32(page + CON_OUT_CONS, prod);
        return n;
    }

    /**
     * A byte typed at the console: stored at in_prod and the console event raised. False while the guest has not
     * attached the ring or the ring is full (the byte waits, as for a full UART FIFO).
     */
    public boolean receive(int b) {
        if (page < 0) return false;
        int prod = ram.read32(page + CON_IN_PROD), cons = ram.read32(page + CON_IN_CONS);
        int used = prod - cons;
        if (Integer.compareUnsigned(used, CON_IN_SIZE) > 0) {   // the guest's in_cons is nonsense: start the ring again
            errors++;
            ram.write32(page + CON_IN_CONS, prod);
            used = 0;
        }
        if (used == CON_IN_SIZE) return false;
        ram.write8(page + CON_IN + (prod & (CON_IN_SIZE - 1)), b);
        ram.write32(page + CON_IN_PROD, prod + 1);
        events.raise(EV_CONSOLE);
        return true;
    }

    @Override
    public long errors() { return errors; }
}
