package popek.devices;

/** Virtual time the test moves by hand. */
final class FakeClock implements Clock {
    private long now;

    @Override
    public long nanos() { return now; }

    void set(long nanos) { now = nanos; }

    void advance(long nanos) { now += nanos; }
}
