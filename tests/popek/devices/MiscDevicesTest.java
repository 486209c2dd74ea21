package popek.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class MiscDevicesTest {
    /** Records the machine's exit request. */
    private static final class Exits implements MachineControl {
        Integer code;
        String reason;

        @Override
        public void exit(int exitCode, String why) {
            code = exitCode;
            reason = why;
        }
    }

    private final Exits exits = new Exits();
    private final PortBus bus = new PortBus();

    @Test
    void debugExitCodeIsValueShiftedLeftOrOne() {
        new DebugExit(exits).register(bus);
        bus.write(0xF4, 1, 0x10);
        assertEquals(0x21, exits.code);
        assertEquals("guest wrote 0x10 to the debug-exit port", exits.reason);
        bus.write(0xF4, 1, 0x1FF);
        assertEquals(0x1FF, exits.code, "a byte write carries one byte");
        bus.write(0xF4, 2, 0x1234);
        assertEquals(0x2469, exits.code);
        bus.write(0xF4, 4, 0);
        assertEquals(1, exits.code);
        assertEquals(0x2469, DebugExit.exitCode(0xABCD1234, 2));
        assertEquals(0, bus.read(0xF4, 1));
        assertEquals(0, bus.read(0xF7, 1), "iosize 4: the whole window is the device's");
    }

    @Test
    void powerOffOnA16BitWriteOfSleepEnableWithSoftOffType() {
        new PowerOff(exits).register(bus);
        bus.write(0x604, 1, 0x00);
        bus.write(0x604, 4, 0x2000);
        bus.write(0x604, 2, 0x1000);
        bus.write(0x604, 2, 0x3400);   // SLP_EN with sleep type 5: not QEMU's S5
        assertNull(exits.code);
        bus.write(0x604, 2, 0x2000);
        assertEquals(0, exits.code);
        assertEquals("guest powered off", exits.reason);
        exits.code = null;
        bus.write(0x604, 2, 0x2001);   // with SCI_EN preserved, as an ACPI driver writes it
        assertEquals(0, exits.code);
        assertEquals(0x0001, bus.read(0x604, 2), "SLP_EN reads as 0");
    }

    @Test
    void postCodePortRecordsWritesAndReadsAllOnes() {
        PostCodePort post = new PostCodePort();
        post.register(bus);
        assertEquals(-1, post.lastCode());
        bus.write(0x80, 1, 0x55);
        bus.write(0x80, 1, 0xAA);
        assertEquals(0xAA, post.lastCode());
        assertEquals(2, post.writes());
        assertEquals(0xFF, bus.read(0x80, 1));
        assertEquals(0xFFFF, bus.read(0x80, 2));
        assertEquals(-1, bus.read(0x80, 4));
    }

    @Test
    void allDevicesRegisterOnOneBusWithoutOverlapping() {
        FakeClock clock = new FakeClock();
        Pic8259 pic = new Pic8259();
        pic.register(bus);
        Pit8254 pit = new Pit8254(clock, pic.irq(0));
        pit.register(bus);
        new SystemControlPortB(pit).register(bus);
        new Uart16550(b -> { }, pic.irq(Uart16550.COM1_IRQ), clock).register(bus, Uart16550.COM1);
        new CmosRtc(clock, Instant.EPOCH, 1 << 20, pic.irq(CmosRtc.IRQ)).register(bus);
        new DebugExit(exits).register(bus);
        new PowerOff(exits).register(bus);
        new PostCodePort().register(bus);
        int[] claimed = {0x20, 0x21, 0xA0, 0xA1, 0x4D0, 0x4D1, 0x40, 0x43, 0x61, 0x3F8, 0x3FF, 0x70, 0x71, 0xF4, 0xF7,
                0x604, 0x605, 0x80};
        for (int port : claimed) assertEquals(true, bus.deviceAt(port) != null, String.format("port %#x", port));
    }

    @Test
    void pitTicksReachTheCpuThroughThePic() {
        FakeClock clock = new FakeClock();
        Pic8259 pic = new Pic8259();
        pic.register(bus);
        Pit8254 pit = new Pit8254(clock, pic.irq(0));
        pit.register(bus);
        pic.initialise(0x20, 0x28);
        bus.write(0x21, 1, 0xFE);   // unmask IRQ0 only
        bus.write(0x43, 1, 0x34);
        bus.write(0x40, 1, 1000 & 0xFF);
        bus.write(0x40, 1, 1000 >>> 8);
        assertEquals(false, pic.hasPendingInterrupt());
        clock.set(pit.nextDeadline());
        pit.advance(clock.nanos());
        assertEquals(0x20, pic.acknowledge());
        clock.set(pit.nextDeadline());
        pit.advance(clock.nanos());
        assertEquals(false, pic.hasPendingInterrupt(), "IRQ0 is in service");
        bus.write(0x20, 1, 0x20);
        assertEquals(0x20, pic.acknowledge(), "the tick latched while in service is delivered after EOI");
    }
}
