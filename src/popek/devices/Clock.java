package popek.devices;

/** The machine's virtual time: nanoseconds since the machine was powered on. Owned by the VMM, read by devices. */
@FunctionalInterface
public interface Clock {
    long nanos();
}
