package popek.cli;

import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import popek.cpu.StopReason;
import popek.engine.NativeLibraryException;

/** {@code popek}: the command line. Thin: parse, build, run, print. */
@Command(name = "popek", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A virtual machine monitor for x86 guests, on the Unicorn CPU emulator.",
        subcommands = {BootCommand.class, RunCommand.class, BuildCommand.class, ImagesCommand.class, RmiCommand.class, TagCommand.class,
            HistoryCommand.class, SaveCommand.class, LoadCommand.class, UpCommand.class, BenchCommand.class, FuzzCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Run './popek test' to run every test (the launcher, not this program, handles it)."})
public final class Main implements Runnable {
    /** Exit codes that are no machine's stop (those are {@link StopReason.Cause}'s): a usage error; no native libraries. */
    public static final int USAGE = 2, NATIVE_LIBRARY = 4;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    private final Terminal terminal;
    private final PrintWriter err;

    Main(Terminal terminal) { this(terminal, new PrintWriter(System.err, true)); }

    Main(Terminal terminal, PrintWriter err) {
        this.terminal = terminal;
        this.err = err;
    }

    /** Where the commands say what went wrong and why a guest stopped (the caller's stderr, or a test's buffer). */
    PrintWriter err() { return err; }

    /** The console the commands' guests use (for the subcommands, which picocli gives their parent). */
    Terminal terminal() { return terminal; }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "which command? (e.g. 'popek boot hello'; see 'popek --help')");
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.err, true), Terminal.process()));
    }

    /**
     * Runs a command line; returns the process exit code. User mistakes print one line to {@code err}; a booted
     * guest's console is {@code terminal}.
     */
    public static int execute(String[] args, PrintWriter err, Terminal terminal) {
        CommandLine cl = new CommandLine(new Main(terminal, err));
        cl.getSubcommands().get("run").setStopAtPositional(true);   // the command's own options are its, not popek's
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            String where = ex.getCommandLine().getCommandName();
            err.println("popek: " + ex.getMessage() + " (see 'popek " + ("popek".equals(where) ? "" : where + " ") + "--help')");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof UserError u) {
                err.println("popek: " + u.getMessage());
                return u.exitCode();
            }
            if (ex instanceof NativeLibraryException n) {
                err.println("popek: " + n.getMessage());
                return NATIVE_LIBRARY;
            }
            return internalError(ex, err);
        });
        try {
            return cl.execute(args);
        } catch (Throwable t) {
            // picocli hands only Exceptions to the handler; an Error (OutOfMemoryError, StackOverflowError) would leave
            // the JVM with a stack trace and status 1, which is a guest's debug-exit code: it is one line and 74 too.
            return internalError(t, err);
        }
    }

    /** Anything that escapes is Popek's fault: one line, exit 74, the stack trace only when asked for. */
    private static int internalError(Throwable t, PrintWriter err) {
        err.println("popek: internal error: " + t + " (please report it; set POPEK_DEBUG=1 for the stack trace)");
        if (System.getenv("POPEK_DEBUG") != null) t.printStackTrace(err);
        err.flush();
        return StopReason.Cause.INTERNAL_ERROR.exitCode();
    }

    /** A mistake in what the user asked for (a missing file, a malformed image, a bad value): one line, no stack trace. */
    public static final class UserError extends RuntimeException {
        private final int exitCode;

        public UserError(String message) { this(message, USAGE); }

        public UserError(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }

        int exitCode() { return exitCode; }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"popek " + (v == null ? "(development build)" : v)};
        }
    }
}
