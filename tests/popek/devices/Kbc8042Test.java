package popek.devices;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The 8042 keyboard controller and port 0x92 at register level. */
class Kbc8042Test {
    private final RecordingLine irq = new RecordingLine();
    private final A20Gate a20 = new A20Gate();
    private final List<String> resets = new ArrayList<>();
    private final MachineControl machine = (code, reason) -> resets.add(code + " " + reason);
    private final Kbc8042 kbc = new Kbc8042(irq, a20, machine);

    private int status() { return kbc.readByte(Kbc8042.STATUS); }

    private int data() { return kbc.readByte(Kbc8042.DATA); }

    private void command(int c) { kbc.writeByte(Kbc8042.STATUS, c); }

    private void send(int b) { kbc.writeByte(Kbc8042.DATA, b); }

    @Test
    void selfTestsAndTheConfigurationByte() {
        command(0xAA);
        assertEquals(Kbc8042.OBF, status() & Kbc8042.OBF);
        assertEquals(0x55, data());
        assertEquals(0, status() & Kbc8042.OBF);
        command(0xAB);
        assertEquals(0x00, data());
        command(0x60);
        send(0x47);
        command(0x20);
        assertEquals(0x47, data());
        assertTrue((status() & Kbc8042.SYS) != 0);
        assertTrue((status() & Kbc8042.A2) != 0, "the last write was a command");
    }

    @Test
    void theKeyboardAnswersResetIdentifyEchoAndLedsWithAnInterruptPerByteInTheBuffer() {
        send(0xFF);
        assertEquals(1, irq.risingEdges());
        assertEquals(0xFA, data());
        assertEquals(2, irq.risingEdges(), "the next byte raises IRQ 1 again");
        assertEquals(0xAA, data());
        send(0xF2);
        assertEquals(0xFA, data());
        assertEquals(0xAB, data());
        assertEquals(0x83, data());
        send(0xEE);
        assertEquals(0xEE, data());
        send(0xED);
        assertEquals(0xFA, data());
        send(0x07);
        assertEquals(0xFA, data(), "the LED byte is acknowledged, not taken for a command");
        send(0x12);
        assertEquals(0xFE, data(), "an unknown command is answered resend");
        assertFalse(irq.high());
    }

    @Test
    void typedKeysArriveAsSet1MakeAndBreakCodes() {
        kbc.type('a');
        kbc.type('A');
        kbc.type('\n');
        int[] want = {0x1E, 0x9E, 0x2A, 0x1E, 0x9E, 0xAA, 0x1C, 0x9C};
        for (int w : want) assertEquals(w, data());
        command(0xAD);   // keyboard disabled: nothing arrives
        kbc.type('b');
        assertEquals(0, status() & Kbc8042.OBF);
        command(0xAE);
        send(0xF5);      // scanning off
        assertEquals(0xFA, data());
        kbc.type('c');
        assertEquals(0, status() & Kbc8042.OBF);
    }

    @Test
    void a20ThroughTheOutputPortAndPort0x92() {
        SystemControlPortA portA = new SystemControlPortA(a20, machine);
        assertTrue(a20.enabled());
        command(0xD1);
        send(0x01);      // A20 off, reset line high
        assertFalse(kbc.a20());
        command(0xD0);
        assertEquals(0x01, data());
        assertEquals(0, portA.readByte(0x92));
        portA.writeByte(0x92, 0x02);
        assertTrue(a20.enabled());
        command(0xD0);
        assertEquals(0x03, data());
        command(0xDD);
        assertFalse(a20.enabled());
        assertTrue(resets.isEmpty());
    }

    @Test
    void resetsStopTheMachine() {
        command(0xFE);
        SystemControlPortA portA = new SystemControlPortA(a20, machine);
        portA.writeByte(0x92, 0x03);
        command(0xD1);
        send(0x02);      // reset line low
        assertEquals(3, resets.size(), resets.toString());
        assertTrue(resets.get(0).startsWith("0 the guest reset the machine"), resets.get(0));
    }
}
