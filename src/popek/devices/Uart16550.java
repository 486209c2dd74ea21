package popek.devices;

/**
 * A National Semiconductor 16550A UART, as on a PC's COM ports (COM1: ports 0x3F8-0x3FF, IRQ4).
 *
 * <p>Transmission completes instantly: a byte written to THR goes straight to the {@link SerialSink} (or, in
 * loopback, to the receiver), so LSR.THRE and LSR.TEMT read as 1 whenever the guest can look, and the THR-empty
 * interrupt comes back as soon as the byte is written, as on QEMU. Received bytes are pushed by the VMM with
 * {@link #receive}. The interrupt output follows QEMU, not a real PC: it is high while an enabled interrupt is
 * pending, whatever MCR.OUT2 says (a PC gates IRQ4 through OUT2; guests that leave OUT2 clear still work here).
 *
 * <p>The receive-FIFO character timeout (IIR id 0xC) needs time: with a {@link Clock} it fires four character times
 * (at the programmed baud rate and frame) after the last byte arrived or was read, and the UART must then be in the
 * run loop's {@link Timed} list. Without a clock the timeout is taken to have elapsed at once, so bytes below the
 * FIFO trigger level are still reported (as a timeout) and the guest never waits on input that has arrived.
 */
public final class Uart16550 implements BytePortDevice, Timed {
    public static final int COM1 = 0x3F8, COM2 = 0x2F8;
    public static final int COM1_IRQ = 4, COM2_IRQ = 3;
    public static final int PORT_COUNT = 8;
    public static final int FIFO_SIZE = 16;

    /** Where transmitted bytes go: the machine connects a terminal, tests a buffer. Called on the vCPU thread. */
    @FunctionalInterface
    public interface SerialSink {
        void write(int b);
    }

    // Register offsets from the base port.
    private static final int RBR_THR_DLL = 0, IER_DLM = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;

    private static final int IER_RX_DATA = 0x01, IER_THR_EMPTY = 0x02, IER_LINE_STATUS = 0x04, IER_MODEM_STATUS = 0x08;
    private static final int IIR_NONE = 0x01, IIR_MODEM_STATUS = 0x00, IIR_THR_EMPTY = 0x02, IIR_RX_DATA = 0x04,
            IIR_LINE_STATUS = 0x06, IIR_RX_TIMEOUT = 0x0C, IIR_FIFOS_ENABLED = 0xC0;
    private static final int FCR_ENABLE = 0x01, FCR_CLEAR_RX = 0x02, FCR_CLEAR_TX = 0x04;
    private static final int LCR_DLAB = 0x80;
    private static final int MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOPBACK = 0x10;
    private static final int LSR_DATA_READY = 0x01, LSR_OVERRUN = 0x02, LSR_ERRORS = 0x1E, LSR_THR_EMPTY = 0x20,
            LSR_TRANSMITTER_EMPTY = 0x40;
    private static final int MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80;
    private static final int MSR_DELTA_CTS = 0x01, MSR_DELTA_DSR = 0x02, MSR_TRAILING_RI = 0x04, MSR_DELTA_DCD = 0x08;
    /** With nothing attached to the modem lines, QEMU (and a null-modem cable) shows carrier, DSR and CTS. */
    private static final int EXTERNAL_MODEM_INPUTS = MSR_DCD | MSR_DSR | MSR_CTS;
    private static final int[] TRIGGER_LEVELS = {1, 4, 8, 14};
    /** The PC's UART clock, 1.8432 MHz, which the divisor latch divides by 16 × divisor to get the baud rate. */
    private static final long UART_CLOCK_HZ = 1_843_200;

    private final SerialSink sink;
    private final IrqLine irq;
    private final Clock clock;   // null: the receive timeout elapses at once (see the class comment)
    private int base = COM1;

    private final byte[] rxFifo = new byte[FIFO_SIZE];
    private int rxHead, rxCount, lastReceived;
    private int ier, lcr, mcr, scr, divisor;
    private int lineErrors;          // OE (and, never produced here, PE/FE/BI) until LSR is read
    private int modemDeltas;         // MSR bits 3..0 until MSR is read
    private boolean fifoEnabled;
    private int triggerLevel = 1;
    private boolean thrEmptyPending; // the THR-empty interrupt: set when THR empties, cleared by an IIR read or a write
    private boolean rxTimedOut;
    private long rxTimeoutDeadline = NEVER;
    private boolean irqHigh;

    /** A UART without a time base: the receive timeout elapses at once. */
    public Uart16550(SerialSink sink, IrqLine irq) { this(sink, irq, null); }

    /** A UART whose receive timeout runs on {@code clock}; put it in the run loop's {@link Timed} list. */
    public Uart16550(SerialSink sink, IrqLine irq, Clock clock) {
        this.sink = sink;
        this.irq = irq;
        this.clock = clock;
        reset();
    }

    /** Claims COM1's eight ports. */
    public void register(PortBus bus) { register(bus, COM1); }

    /** Claims the eight ports from {@code basePort} (COM1, COM2, ...). */
    public void register(PortBus bus, int basePort) {
        bus.register(basePort, PORT_COUNT, this);
        this.base = basePort;
    }

    /** The power-on state (QEMU's: 9600 baud divisor, OUT2 set, carrier/DSR/CTS present). */
    public void reset() {
        rxHead = rxCount = lastReceived = 0;
        ier = lcr = scr = 0;
        mcr = MCR_OUT2;
        divisor = 12;
        lineErrors = modemDeltas = 0;
        fifoEnabled = false;
        triggerLevel = 1;
        thrEmptyPending = false;
        rxTimedOut = false;
        rxTimeoutDeadline = NEVER;
        updateIrq();
    }

    /**
     * A byte arriving from outside (the terminal). Returns false, changing nothing, when the receiver has no room
     * (the FIFO, or the single holding register with FIFOs off, is full) or is disconnected from the line by
     * loopback mode: the caller keeps the byte and offers it again later, so typed input is never overrun.
     */
    public boolean receive(int b) {
        if (!canReceive()) return false;
        acceptByte(b);
        return true;
    }

    /** True if {@link #receive} would take a byte now. */
    public boolean canReceive() { return (mcr & MCR_LOOPBACK) == 0 && rxCount < rxCapacity(); }

    // ---------------------------------------------------------------- the guest's side

    @Override
    public int readByte(int port) {
        int offset = port - base;
        return switch (offset) {
            case RBR_THR_DLL -> (lcr & LCR_DLAB) != 0 ? divisor & 0xFF : readReceiveBuffer();
            case IER_DLM -> (lcr & LCR_DLAB) != 0 ? divisor >>> 8 : ier;
            case IIR_FCR -> readInterruptIdentification();
            case LCR -> lcr;
            case MCR -> mcr;
            case LSR -> readLineStatus();
            case MSR -> readModemStatus();
            case SCR -> scr;
            default -> 0xFF;
        };
    }

    @Override
    public void writeByte(int port, int value) {
        int offset = port - base;
        switch (offset) {
            case RBR_THR_DLL -> {
                if ((lcr & LCR_DLAB) != 0) divisor = (divisor & 0xFF00) | value;
                else transmit(value);
            }
            case IER_DLM -> {
                if ((lcr & LCR_DLAB) != 0) divisor = (divisor & 0x00FF) | (value << 8);
                else writeInterruptEnable(value);
            }
            case IIR_FCR -> writeFifoControl(value);
            case LCR -> lcr = value;
            case MCR -> writeModemControl(value);
            case SCR -> scr = value;
            default -> { }   // LSR and MSR are read-only (writing them is a factory test mode)
        }
    }

    private int readReceiveBuffer() {
        // An empty receiver reads as QEMU's does: 0 with FIFOs on, the last byte again in 16450 mode.
        int b = fifoEnabled ? 0 : lastReceived;
        if (rxCount > 0) {
            b = lastReceived = rxFifo[rxHead] & 0xFF;
            rxHead = (rxHead + 1) % FIFO_SIZE;
            rxCount--;
        }
        // A read restarts the character timeout: it fires only if the FIFO then sits untouched for four characters.
        rxTimedOut = false;
        armRxTimeout();
        updateIrq();
        return b;
    }

    private int readInterruptIdentification() {
        int id = pendingInterrupt();
        // Reading IIR is how a driver acknowledges THR-empty; every other source is cleared by servicing it.
        if (id == IIR_THR_EMPTY) {
            thrEmptyPending = false;
            updateIrq();
        }
        return id | (fifoEnabled ? IIR_FIFOS_ENABLED : 0);
    }

    private int readLineStatus() {
        int lsr = LSR_THR_EMPTY | LSR_TRANSMITTER_EMPTY | lineErrors | (rxCount > 0 ? LSR_DATA_READY : 0);
        if (lineErrors != 0) {
            lineErrors = 0;
            updateIrq();
        }
        return lsr;
    }

    private int readModemStatus() {
        int msr = modemInputs() | modemDeltas;
        if (modemDeltas != 0) {
            modemDeltas = 0;
            updateIrq();
        }
        return msr;
    }

    private void transmit(int b) {
        // THR empties again at once; dropping the pending flag first gives the interrupt line a fresh edge per
        // byte while ETBEI is on, as QEMU's does.
        thrEmptyPending = false;
        updateIrq();
        if ((mcr & MCR_LOOPBACK) != 0) acceptByte(b);
        else sink.write(b);
        thrEmptyPending = true;
        updateIrq();
    }

    private void writeInterruptEnable(int value) {
        int old = ier;
        ier = value & 0x0F;
        // Enabling ETBEI while THR is empty (always, here) raises THR-empty at once; disabling it drops it.
        if (((old ^ ier) & IER_THR_EMPTY) != 0) thrEmptyPending = (ier & IER_THR_EMPTY) != 0;
        updateIrq();
    }

    private void writeFifoControl(int value) {
        boolean enable = (value & FCR_ENABLE) != 0;
        // FCR bits other than ENABLE are only programmed while ENABLE is written as 1; toggling ENABLE empties both.
        if (enable == fifoEnabled && !enable) return;
        if (enable != fifoEnabled) value |= FCR_CLEAR_RX | FCR_CLEAR_TX;
        fifoEnabled = enable;
        if ((value & FCR_CLEAR_RX) != 0) {
            rxHead = rxCount = 0;
            rxTimedOut = false;
            rxTimeoutDeadline = NEVER;
        }
        if ((value & FCR_CLEAR_TX) != 0) thrEmptyPending = true;   // an emptied transmitter is a THR-empty event
        triggerLevel = enable ? TRIGGER_LEVELS[value >>> 6] : 1;
        updateIrq();
    }

    private void writeModemControl(int value) {
        int before = modemInputs();
        mcr = value & 0x1F;
        int after = modemInputs();
        int changed = before ^ after;
        // In loopback the modem inputs follow MCR, and their changes raise the delta bits as real line changes would.
        if ((changed & MSR_CTS) != 0) modemDeltas |= MSR_DELTA_CTS;
        if ((changed & MSR_DSR) != 0) modemDeltas |= MSR_DELTA_DSR;
        if ((before & ~after & MSR_RI) != 0) modemDeltas |= MSR_TRAILING_RI;
        if ((changed & MSR_DCD) != 0) modemDeltas |= MSR_DELTA_DCD;
        updateIrq();
    }

    // ---------------------------------------------------------------- internals

    private int modemInputs() {
        if ((mcr & MCR_LOOPBACK) == 0) return EXTERNAL_MODEM_INPUTS;
        // Loopback wires the outputs to the inputs: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD.
        return ((mcr & MCR_RTS) != 0 ? MSR_CTS : 0) | ((mcr & MCR_DTR) != 0 ? MSR_DSR : 0)
                | ((mcr & MCR_OUT1) != 0 ? MSR_RI : 0) | ((mcr & MCR_OUT2) != 0 ? MSR_DCD : 0);
    }

    private int rxCapacity() { return fifoEnabled ? FIFO_SIZE : 1; }

    /** A byte reaching the receiver from the line or the loopback path; a full receiver overruns (LSR.OE). */
    private void acceptByte(int b) {
        if (rxCount < rxCapacity()) {
            rxFifo[(rxHead + rxCount) % FIFO_SIZE] = (byte) b;
            rxCount++;
        } else {
            lineErrors |= LSR_OVERRUN;
            // The 16450-compatible holding register is overwritten; a full FIFO keeps its bytes and loses the new one.
            if (!fifoEnabled) rxFifo[rxHead] = (byte) b;
        }
        rxTimedOut = false;
        armRxTimeout();
        updateIrq();
    }

    private void armRxTimeout() {
        if (!fifoEnabled || rxCount == 0) {
            rxTimeoutDeadline = NEVER;
        } else if (clock != null) {
            rxTimeoutDeadline = clock.nanos() + characterNanos(4);
        }
    }

    /** The time n characters take on the line at the programmed divisor and frame (start, data, parity, stop bits). */
    private long characterNanos(int n) {
        int bits = 1 + 5 + (lcr & 0x03) + ((lcr & 0x08) != 0 ? 1 : 0) + ((lcr & 0x04) != 0 ? 2 : 1);
        long d = divisor == 0 ? 1 : divisor;
        return n * d * 16 * bits * 1_000_000_000L / UART_CLOCK_HZ;
    }

    private boolean rxTimeoutPending() {
        if (!fifoEnabled || rxCount == 0) return false;
        return clock == null || rxTimedOut;
    }

    /** The highest-priority enabled interrupt's IIR id, or IIR_NONE. */
    private int pendingInterrupt() {
        if ((ier & IER_LINE_STATUS) != 0 && lineErrors != 0) return IIR_LINE_STATUS;
        if ((ier & IER_RX_DATA) != 0 && rxCount > 0) {
            if (!fifoEnabled || rxCount >= triggerLevel) return IIR_RX_DATA;
            if (rxTimeoutPending()) return IIR_RX_TIMEOUT;
        }
        if ((ier & IER_THR_EMPTY) != 0 && thrEmptyPending) return IIR_THR_EMPTY;
        if ((ier & IER_MODEM_STATUS) != 0 && modemDeltas != 0) return IIR_MODEM_STATUS;
        return IIR_NONE;
    }

    private void updateIrq() {
        boolean high = pendingInterrupt() != IIR_NONE;
        if (high != irqHigh) {
            irqHigh = high;
            irq.set(high);
        }
    }

    @Override
    public long nextDeadline() { return rxTimedOut ? NEVER : rxTimeoutDeadline; }

    @Override
    public void advance(long now) {
        if (rxTimedOut || now < rxTimeoutDeadline) return;
        rxTimeoutDeadline = NEVER;
        if (fifoEnabled && rxCount > 0) {
            rxTimedOut = true;
            updateIrq();
        }
    }

    /** True while the interrupt output is asserted. */
    public boolean interruptAsserted() { return irqHigh; }

    /** Bytes waiting in the receiver. */
    public int receivedBytesWaiting() { return rxCount; }
}
