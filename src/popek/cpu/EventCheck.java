package popek.cpu;

/** What the run loop found when it looked at pending events between two runs ({@link ExitHandler#deliverEvents}). */
enum EventCheck {
    /** Nothing is pending. */
    NONE,
    /** One waits but may not be taken now (IF clear, an interrupt shadow, the upcall masked): look again soon. */
    HELD,
    /** One was delivered, and nothing else waits. */
    DELIVERED,
    /** One was delivered, and another waits behind it. */
    DELIVERED_MORE;

    boolean delivered() { return this == DELIVERED || this == DELIVERED_MORE; }

    /** Must the loop look again soon? (The guest sets IF, or unmasks its upcall, without exiting.) */
    boolean waiting() { return this == HELD || this == DELIVERED_MORE; }
}
