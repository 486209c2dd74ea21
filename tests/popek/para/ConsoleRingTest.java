package popek.para;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static popek.para.PvAbi.*;

import java.io.ByteArrayOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import popek.memory.GuestMemory;

/** The PV console's two rings, driven as a guest would. */
class ConsoleRingTest {
    private static final long RING = 0x3000;
    private final GuestMemory ram = new GuestMemory(1 << 16);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int raised;
    private final ConsoleRing ring = new ConsoleRing(ram, bits -> raised |= bits, out::write);

    @AfterEach
    void close() { ram.close(); }

    private void put(int prod, String s) {
        for (int i = 0; i < s.length(); i++) ram.write8(RING + CON_OUT + ((prod + i) & (CON_OUT_SIZE - 1)), s.charAt(i));
        ram.write32(RING + CON_OUT_PROD, prod + s.length());
    }

    @Test
    void outputIsTakenOncePerNotifyAcrossTheWrap() {
        assertEquals(CON_OUT_SIZE, ring.attach(RING));
        put(0, "hello\n");
        assertEquals(6, ring.kick());
        assertEquals(0, ring.kick());
        int near = -3;                               // the free-running index crosses 2^32 inside the next batch
        ram.write32(RING + CON_OUT_CONS, near);
        put(near, "wrap around\n");
        assertEquals(12, ring.kick());
        assertEquals("hello\nwrap around\n", out.toString());
        assertEquals(near + 12, ram.read32(RING + CON_OUT_CONS));
    }

    @Test
    void moreThanARingsWorthIsRefusedAndTheRingRecovers() {
        ring.attach(RING);
        ram.write32(RING + CON_OUT_PROD, CON_OUT_SIZE + 1);
        assertEquals(-EINVAL, ring.kick());
        assertEquals(1, ring.errors());
        assertEquals("", out.toString());
        put(CON_OUT_SIZE + 1, "ok");
        assertEquals(2, ring.kick());
        assertEquals("ok", out.toString());
    }

    @Test
    void inputFillsTheInRingAndRaisesTheEvent() {
        assertFalse(ring.receive('x'), "not attached yet");
        ring.attach(RING);
        for (int i = 0; i < CON_IN_SIZE; i++) assertTrue(ring.receive('a' + i % 26));
        assertFalse(ring.receive('z'), "full");
        assertEquals(EV_CONSOLE, raised);
        assertEquals(CON_IN_SIZE, ram.read32(RING + CON_IN_PROD));
        assertEquals('c', ram.read8(RING + CON_IN + 2));
        ram.write32(RING + CON_IN_CONS, 1);          // the guest took one byte
        assertTrue(ring.receive('!'));
        assertEquals('!', ram.read8(RING + CON_IN));  // at index 1024, slot 0
    }

    @Test
    void notAttachedOrMisplacedRingsAreRefused() {
        assertEquals(-EINVAL, ring.kick());
        assertEquals(-EINVAL, ring.attach(RING + 1));
        assertEquals(-EFAULT, ring.attach(1 << 16));
    }
}
