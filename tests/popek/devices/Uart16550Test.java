package popek.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Uart16550Test {
    private static final int THR = 0x3F8, RBR = 0x3F8, DLL = 0x3F8, IER = 0x3F9, DLM = 0x3F9, IIR = 0x3FA, FCR = 0x3FA,
            LCR = 0x3FB, MCR = 0x3FC, LSR = 0x3FD, MSR = 0x3FE, SCR = 0x3FF;

    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private final FakeClock clock = new FakeClock();
    private final RecordingLine irq = new RecordingLine(clock);
    private final PortBus bus = new PortBus();
    private Uart16550 uart;

    @BeforeEach
    void setUp() {
        uart = new Uart16550(sent::write, irq, clock);
        uart.register(bus, Uart16550.COM1);
    }

    private int in(int port) { return bus.read(port, 1); }

    private void out(int port, int value) { bus.write(port, 1, value); }

    @Test
    void powerOnStateIsQemus() {
        assertEquals(0x60, in(LSR), "THRE and TEMT, no data");
        assertEquals(0x01, in(IIR), "no interrupt, FIFOs off");
        assertEquals(0x00, in(IER));
        assertEquals(0x08, in(MCR), "OUT2");
        assertEquals(0xB0, in(MSR), "DCD, DSR, CTS");
        assertFalse(irq.high());
    }

    @Test
    void transmittedBytesGoToTheSinkAndTheTransmitterIsEmptyAgainAtOnce() {
        out(LCR, 0x03);
        for (char c : "hi\n".toCharArray()) out(THR, c);
        assertEquals("hi\n", sent.toString());
        assertEquals(0x60, in(LSR));
    }

    @Test
    void loopbackSelfTestGetsItsByteBackAndShowsTheModemOutputsAsInputs() {
        out(MCR, 0x1E);   // loopback, OUT2, OUT1, RTS: the classic self-test
        out(THR, 0xAE);
        assertEquals(0, sent.size(), "loopback does not reach the line");
        assertEquals(0x61, in(LSR));
        assertEquals(0xAE, in(RBR));
        assertEquals(0x60, in(LSR));
        assertEquals(0xD0, in(MSR) & 0xF0, "OUT2->DCD, OUT1->RI, RTS->CTS");
        out(MCR, 0x1A);   // Linux's autoconfig check: loopback, OUT2, RTS
        assertEquals(0x90, in(MSR) & 0xF0);
        assertFalse(uart.receive('x'), "the line is disconnected in loopback");
        out(MCR, 0x0B);
        assertEquals(0xB0, in(MSR) & 0xF0);
        assertTrue(uart.receive('x'));
    }

    @Test
    void dlabSwitchesOffsetsZeroAndOneToTheDivisorLatch() {
        out(IER, 0x05);
        out(LCR, 0x83);
        out(DLL, 0x01);
        out(DLM, 0x00);
        assertEquals(0x01, in(DLL));
        assertEquals(0x00, in(DLM));
        assertEquals(0, sent.size(), "a DLL write is not a transmission");
        out(LCR, 0x03);
        assertEquals(0x05, in(IER), "IER survived the divisor writes");
        uart.receive('z');
        assertEquals('z', in(RBR));
        out(LCR, 0x80);
        assertEquals(0x01, in(DLL), "the divisor survived");
    }

    @Test
    void scratchRegisterHoldsAByte() {
        out(SCR, 0x5A);
        assertEquals(0x5A, in(SCR));
    }

    @Test
    void enablingThrEmptyInterruptRaisesItAtOnceAndReadingIirClearsIt() {
        out(IER, 0x02);
        assertTrue(irq.high());
        assertEquals(0x02, in(IIR));
        assertFalse(irq.high(), "reading IIR acknowledged THR-empty");
        assertEquals(0x01, in(IIR));
        out(THR, 'a');
        assertTrue(irq.high(), "THR emptied again");
        assertEquals(2, irq.risingEdges());
        out(IER, 0x00);
        assertFalse(irq.high());
    }

    @Test
    void interruptPriorityIsLineStatusThenDataThenThrEmptyThenModemStatus() {
        out(MCR, 0x18);     // loopback with OUT2: entering it changes the modem inputs (a delta)
        out(THR, 1);
        out(THR, 2);        // overruns the 16450-mode holding register
        out(IER, 0x0F);
        assertEquals(0x06, in(IIR), "line status (overrun) first");
        assertEquals(0x63, in(LSR), "DR and OE; reading LSR clears OE");
        assertEquals(0x04, in(IIR), "then received data");
        assertEquals(2, in(RBR), "the later byte overwrote the earlier one");
        assertEquals(0x02, in(IIR), "then THR empty, which this read clears");
        assertEquals(0x00, in(IIR), "then modem status");
        in(MSR);
        assertEquals(0x01, in(IIR));
        assertFalse(irq.high());
    }

    @Test
    void interruptOutputIgnoresOut2AsOnQemu() {
        out(MCR, 0x03);     // DTR and RTS, OUT2 clear: a real PC would keep IRQ4 off
        out(IER, 0x01);
        assertTrue(uart.receive('k'));
        assertTrue(irq.high());
        assertEquals('k', in(RBR));
        assertFalse(irq.high());
    }

    @Test
    void receiveRefusesWhenTheHoldingRegisterIsFullWithoutOverrunning() {
        assertTrue(uart.receive('a'));
        assertFalse(uart.canReceive());
        assertFalse(uart.receive('b'));
        assertEquals(0x61, in(LSR), "no overrun: the caller keeps the byte");
        assertEquals('a', in(RBR));
        assertTrue(uart.receive('b'));
        assertEquals('b', in(RBR));
    }

    @Test
    void fifoIdentifiesItselfAndHoldsSixteenBytes() {
        out(FCR, 0x07);
        assertEquals(0xC1, in(IIR), "FIFOs enabled: IIR bits 7-6 set, as a 16550A");
        for (int i = 0; i < 16; i++) assertTrue(uart.receive(i));
        assertFalse(uart.receive(16), "full");
        assertEquals(16, uart.receivedBytesWaiting());
        for (int i = 0; i < 16; i++) assertEquals(i, in(RBR));
        assertEquals(0x60, in(LSR));
    }

    @Test
    void fifoTriggerLevelRaisesReceivedDataOnlyWhenReached() {
        out(FCR, 0x81);     // FIFO on, trigger level 8
        out(IER, 0x01);
        for (int i = 0; i < 7; i++) uart.receive('0' + i);
        assertFalse(irq.high(), "below the trigger level and no timeout yet");
        assertEquals(0xC1, in(IIR));
        uart.receive('7');
        assertTrue(irq.high());
        assertEquals(0xC4, in(IIR));
        for (int i = 0; i < 8; i++) in(RBR);
        assertFalse(irq.high());
    }

    @Test
    void characterTimeoutReportsBytesBelowTheTriggerLevelAfterFourCharacterTimes() {
        out(LCR, 0x83);
        out(DLL, 1);        // 115200 baud
        out(LCR, 0x03);     // 8N1: ten bits a character
        out(FCR, 0xC1);     // trigger level 14
        out(IER, 0x01);
        uart.receive('a');
        long fourCharacters = 4 * 10 * 16 * 1_000_000_000L / 1_843_200;
        assertEquals(fourCharacters, uart.nextDeadline());
        clock.set(fourCharacters - 1);
        assertFalse(irq.high());
        clock.set(fourCharacters);
        uart.advance(clock.nanos());
        assertTrue(irq.high());
        assertEquals(0xCC, in(IIR), "character timeout");
        assertEquals(Timed.NEVER, uart.nextDeadline());
        assertEquals('a', in(RBR));
        assertFalse(irq.high(), "reading the byte ends the timeout");
        assertEquals(0xC1, in(IIR));
    }

    @Test
    void withoutAClockTheCharacterTimeoutHasAlreadyElapsed() {
        Uart16550 clockless = new Uart16550(sent::write, irq);
        clockless.writeByte(FCR, 0xC1);
        clockless.writeByte(IER, 0x01);
        clockless.receive('q');
        assertTrue(irq.high());
        assertEquals(0xCC, clockless.readByte(IIR));
        assertEquals(Timed.NEVER, clockless.nextDeadline());
    }

    @Test
    void fifoResetEmptiesTheReceiver() {
        out(FCR, 0x01);
        uart.receive('a');
        uart.receive('b');
        out(FCR, 0x03);
        assertEquals(0x60, in(LSR));
        assertEquals(0, uart.receivedBytesWaiting());
    }

    @Test
    void loopbackIntoAFullFifoOverruns() {
        out(FCR, 0x01);
        out(MCR, 0x10);
        for (int i = 0; i < 17; i++) out(THR, i);
        assertEquals(0x63, in(LSR), "the seventeenth byte was lost");
        assertEquals(0x61, in(LSR), "OE clears on read");
        assertEquals(0, in(RBR), "the FIFO kept the first sixteen");
    }

    @Test
    void wordAccessIsSplitIntoBytesAsOnTheIsaBus() {
        uart.receive('w');
        // in ax, 0x3FD reads LSR and MSR
        assertEquals(0xB0 << 8 | 0x61, bus.read(LSR, 2));
        out(SCR, 0x5A);
        assertEquals(0xFF5A, bus.read(SCR, 2), "0x400 is not the UART's and reads as all ones");
    }
}
