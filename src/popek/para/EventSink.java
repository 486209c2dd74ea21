package popek.para;

/** Where a para-virtual device raises events ({@link PvAbi} EV_* bits) for the guest's upcall. */
@FunctionalInterface
public interface EventSink {
    /** Sets {@code bits} in the shared-info page's pending word (and upcall_pending); the run loop delivers them. */
    void raise(int bits);
}
