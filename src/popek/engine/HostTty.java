package popek.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The host's terminal on one of Popek's own file descriptors, through libc: whether it is one (isatty), its window
 * size (TIOCGWINSZ), and raw mode as {@code docker run -it} sets it (cfmakeraw: no echo, no line editing, no signal
 * characters, no output processing) with the settings before restored on request. The one class that calls libc's
 * terminal functions; Java has no API for them.
 */
public final class HostTty {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle ISATTY = handle("isatty", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle TCGETATTR = handle("tcgetattr", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle TCSETATTR = handle("tcsetattr", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle CFMAKERAW = handle("cfmakeraw", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle IOCTL = LINKER.downcallHandle(LINKER.defaultLookup().find("ioctl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), Linker.Option.firstVariadicArg(2));
    /** Linux's TIOCGWINSZ (the same number on every architecture Popek runs on); tcsetattr's TCSANOW and TCSADRAIN. */
    private static final int TIOCGWINSZ = 0x5413, TCSANOW = 0, TCSADRAIN = 1;
    /** Larger than any libc's struct termios (glibc's is 60 bytes). */
    private static final int TERMIOS_BYTES = 256;

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment saved = arena.allocate(TERMIOS_BYTES);
    private final MemorySegment winsize = arena.allocate(8);
    private boolean raw;

    private HostTty(int fd) { this.fd = fd; }

    private static MethodHandle handle(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d);
    }

    /** The terminal on {@code fd} (0: standard input), or null when {@code fd} is not a terminal. */
    public static HostTty of(int fd) {
        try {
            return (int) ISATTY.invokeExact(fd) == 1 ? new HostTty(fd) : null;
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }

    /** The window size as {rows, columns}, or null when the terminal does not say (or says 0 x 0). */
    public synchronized int[] size() {
        try {
            if ((int) IOCTL.invokeExact(fd, TIOCGWINSZ, winsize) != 0) return null;
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
        int rows = winsize.get(JAVA_SHORT, 0) & 0xFFFF, cols = winsize.get(JAVA_SHORT, 2) & 0xFFFF;
        return rows == 0 || cols == 0 ? null : new int[] {rows, cols};
    }

    /** Raw mode until {@link #restore}; false when the settings could not be read or changed. */
    public synchronized boolean enterRaw() {
        if (raw) return true;
        try {
            if ((int) TCGETATTR.invokeExact(fd, saved) != 0) return false;
            MemorySegment t = arena.allocate(TERMIOS_BYTES);
            t.copyFrom(saved);
            CFMAKERAW.invokeExact(t);
            if ((int) TCSETATTR.invokeExact(fd, TCSANOW, t) != 0) return false;
        } catch (Throwable e) {
            throw NativeCalls.rethrow(e);
        }
        raw = true;
        return true;
    }

    /** The settings from before {@link #enterRaw} back (after what was written has gone out). Any thread, any number of times. */
    public synchronized void restore() {
        if (!raw) return;
        raw = false;
        try {
            int ignored = (int) TCSETATTR.invokeExact(fd, TCSADRAIN, saved);
        } catch (Throwable e) {
            throw NativeCalls.rethrow(e);
        }
    }
}
