package popek.platform;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;

import popek.devices.Timed;
import popek.devices.Uart16550;

/**
 * COM1's far end: bytes the guest transmits go to an output stream (the terminal), flushed at each newline so a
 * user sees lines as they come; bytes typed at the terminal wait in a queue until the UART's receive FIFO has room
 * (or, with keyboard input chosen, until the 8042's output buffer has).
 * It is {@link Timed} so the run loop moves typed bytes into the UART on the vCPU thread, where devices live.
 */
final class SerialConsole implements Uart16550.SerialSink, Timed {
    private final OutputStream out;
    private final byte[] buffer = new byte[4096];
    private final ArrayBlockingQueue<Integer> typed = new ArrayBlockingQueue<>(4096);
    private int buffered;
    private Uart16550 uart;
    /** When typed bytes wait for a full receive FIFO, look again then (the guest drains it without exiting). */
    private long retryAt;
    private static final long RETRY_NANOS = 1_000_000;

    private final boolean immediate;

    /** {@code immediate}: hand every byte over at once (a terminal: prompts show); otherwise whole lines (pipes, files). */
    SerialConsole(OutputStream out, boolean immediate) {
        this.out = out;
        this.immediate = immediate;
    }

    void attach(Uart16550 uart) { this.uart = uart; }

    private popek.devices.Kbc8042 keyboard;

    /** From now on typed bytes go to the 8042's keyboard (as scan codes) instead of COM1. */
    void typeInto(popek.devices.Kbc8042 kbc) { this.keyboard = kbc; }

    private java.util.function.IntPredicate ring;

    /** From now on typed bytes go to {@code receiver} (the para-virtual console ring), which says whether it took each. */
    void typeInto(java.util.function.IntPredicate receiver) { this.ring = receiver; }

    private popek.devices.Kbc8042 autoKeyboard;
    private java.util.function.BooleanSupplier screenIsConsole;

    /**
     * Typed bytes go to COM1 while the guest uses it; to the 8042's keyboard once the screen is its console
     * ({@code screenIsConsole}, asked only when a typed byte waits).
     */
    void typeIntoWhen(popek.devices.Kbc8042 kbc, java.util.function.BooleanSupplier screenIsConsole) {
        this.autoKeyboard = kbc;
        this.screenIsConsole = screenIsConsole;
    }

    private volatile boolean used;

    /** Has the guest sent anything on COM1? (Any thread.) */
    boolean used() { return used; }

    @Override
    public void write(int b) {
        if (!used) used = true;
        buffer[buffered++] = (byte) b;
        if (immediate || b == '\n' || buffered == buffer.length) flush();
    }

    void flush() {
        if (buffered == 0) return;
        try {
            out.write(buffer, 0, buffered);
            out.flush();
        } catch (IOException e) {
            // The terminal went away (a closed pipe): the guest keeps running, its output has nowhere to go.
        }
        buffered = 0;
    }

    /** From the terminal-reading thread. Bytes beyond the queue's room are dropped, as a UART overrun would. */
    void type(int b) { typed.offer(b & 0xFF); }

    /** Flushing output and feeding typed bytes can wait for the run loop (typed bytes kick it themselves). */
    @Override
    public boolean wakesGuest() { return false; }

    @Override
    public long nextDeadline() {
        if (buffered > 0) return 0;   // flush partial lines (a prompt) whenever the run loop comes round
        return typed.isEmpty() ? NEVER : retryAt;
    }

    @Override
    public void advance(long now) {
        flush();
        Integer b;
        if (keyboard == null && autoKeyboard != null && !typed.isEmpty() && screenIsConsole.getAsBoolean()) keyboard = autoKeyboard;
        if (ring != null) {
            while ((b = typed.peek()) != null && ring.test(b)) typed.poll();
        } else if (keyboard != null) {
            while ((b = typed.peek()) != null && keyboard.hasRoom()) keyboard.type(typed.poll());
        } else {
            while ((b = typed.peek()) != null && uart.receive(b)) typed.poll();
        }
        retryAt = typed.isEmpty() ? 0 : now + RETRY_NANOS;
    }
}
