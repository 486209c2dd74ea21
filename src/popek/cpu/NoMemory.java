package popek.cpu;

/**
 * The VMM, acting for the guest (an emulated instruction's operand, an interrupt frame, a descriptor), reached a
 * guest-physical address where there is no RAM. Unicorn stops the machine when the guest's own access does that, so
 * the VMM's stops it the same way, with the same reason. One preallocated, stackless instance per vCPU, like
 * {@link GuestFault}.
 */
final class NoMemory extends RuntimeException {
    long address;
    boolean write;

    NoMemory() { super(null, null, false, false); }

    NoMemory at(long address, boolean write) {
        this.address = address;
        this.write = write;
        return this;
    }
}
