package popek.cpu;

/**
 * A guest-visible fault raised while the VMM acts as the CPU (delivering an interrupt, reading a descriptor): the
 * vector and error code the real CPU would raise. One preallocated, stackless instance per vCPU: throwing it costs
 * no allocation, so nested-fault handling stays off the garbage collector's books.
 */
final class GuestFault extends RuntimeException {
    int vector;
    int errorCode;

    GuestFault() { super(null, null, false, false); }

    GuestFault raise(int vector, int errorCode) {
        this.vector = vector;
        this.errorCode = errorCode;
        return this;
    }
}
