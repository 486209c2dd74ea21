package popek.cli;

import java.io.PrintStream;

import popek.platform.Machine;

/**
 * Shows the CGA text screen on the terminal for a guest whose console it is ({@link Machine#screenIsConsole}: text on
 * the screen, nothing on COM1). On a terminal the screen is redrawn in place as it changes, at most ten times a second
 * (ANSI: cursor home, clear, the 25 lines); on a pipe or file it is printed once, as it stands when the guest stops,
 * so a log holds the final screen rather than a stream of redraws. A guest with a serial console is left alone.
 */
final class ScreenRenderer {
    private static final long PERIOD_MS = 100;
    private final Machine machine;
    private final PrintStream out;
    private final boolean terminal;
    private Thread thread;
    private volatile boolean done;
    private String shown = "";

    ScreenRenderer(Machine machine, PrintStream out, boolean terminal) {
        this.machine = machine;
        this.out = out;
        this.terminal = terminal;
    }

    void start() {
        if (!terminal) return;
        thread = Thread.ofPlatform().name("popek-screen").daemon().start(() -> {
            while (!done) {
                redraw();
                try {
                    Thread.sleep(PERIOD_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** The guest stopped: the last state of the screen, on the terminal or in the output. */
    void finish() {
        done = true;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        redraw();
    }

    private synchronized void redraw() {
        if (!machine.screenIsConsole()) return;
        String text = machine.screen().text();
        if (text.equals(shown)) return;
        shown = text;
        if (terminal) out.print("\033[H\033[2J");
        out.print(terminal ? text.replace("\n", "\r\n") : text);
        out.flush();
    }
}
