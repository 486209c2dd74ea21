package popek.engine;

/** What the bindings share about calling native code through method handles. */
final class NativeCalls {
    private NativeCalls() { }

    /**
     * A Throwable from {@code invokeExact} as an unchecked exception to throw: runtime exceptions and errors as they
     * are, anything else (checked, which a downcall cannot really throw) wrapped.
     */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
