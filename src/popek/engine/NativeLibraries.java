package popek.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where libunicorn and libcapstone are: absolute paths found by the launcher (native/find-natives.sh) and passed as
 * the system properties {@code popek.unicorn} / {@code popek.capstone} (or the environment variables
 * {@code POPEK_UNICORN} / {@code POPEK_CAPSTONE}). They are loaded by path, never from the default search path,
 * so an older system copy (Debian 12's Unicorn 2.0.1, whose paging is broken) can never slip in.
 */
final class NativeLibraries {
    private NativeLibraries() { }

    /** Each library is loaded when first used (holder classes), so a tool that needs only one never needs the other. */
    static SymbolLookup unicorn() { return UnicornHolder.LOOKUP; }

    static SymbolLookup capstone() { return CapstoneHolder.LOOKUP; }

    private static final class UnicornHolder {
        static final SymbolLookup LOOKUP = load("popek.unicorn", "POPEK_UNICORN", "libunicorn.so.2 (Unicorn 2.1)");
    }

    private static final class CapstoneHolder {
        static final SymbolLookup LOOKUP = load("popek.capstone", "POPEK_CAPSTONE", "libcapstone.so.5 (Capstone 5)");
    }

    private static SymbolLookup load(String property, String env, String what) {
        String p = System.getProperty(property);
        if (p == null || p.isBlank() || p.startsWith("${")) p = System.getenv(env);
        if (p == null || p.isBlank()) {
            throw new NativeLibraryException("cannot find " + what + ": run Popek through ./popek, which finds or fetches it, or set "
                    + env + " to its path");
        }
        Path path = Path.of(p);
        if (!Files.isReadable(path)) throw new NativeLibraryException(what + " not found at " + path + " (" + env + ")");
        try {
            return SymbolLookup.libraryLookup(path, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new NativeLibraryException("cannot load " + path + ": " + e.getMessage());
        }
    }
}
