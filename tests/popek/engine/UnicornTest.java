package popek.engine;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import popek.memory.GuestMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The binding against the real Unicorn 2.1 library: memory sharing, registers, hooks, errors. */
class UnicornTest {
    private GuestMemory ram;
    private Unicorn uc;

    @BeforeEach
    void open() {
        ram = new GuestMemory(1 << 20);
        uc = new Unicorn(X86.MODE_32);
        uc.mapRam(0, ram.segment());
    }

    @AfterEach
    void close() {
        uc.close();
        ram.close();
    }

    private void code(int at, int... bytes) {
        for (int i = 0; i < bytes.length; i++) ram.write8(at + i, bytes[i]);
    }

    @Test
    void versionIsAtLeast21() {
        int v = Unicorn.version();
        assertEquals(2, v >>> 24);
        assertTrue(((v >>> 16) & 0xFF) >= 1, Unicorn.versionString());
    }

    @Test
    void guestAndHostShareRamWithoutCopies() {
        ram.write32(0x2000, 0x12345678);
        // mov eax, [0x2000] ; mov dword [0x2004], 0xcafef00d ; hlt
        code(0x1000, 0xA1, 0x00, 0x20, 0x00, 0x00, 0xC7, 0x05, 0x04, 0x20, 0x00, 0x00, 0x0D, 0xF0, 0xFE, 0xCA, 0xF4);
        assertEquals(X86.ERR_OK, uc.start(0x1000));
        assertEquals(0x12345678, uc.reg(X86.EAX));
        assertEquals(0xCAFEF00D, ram.read32(0x2004));
        assertEquals(0x1010, uc.reg(X86.EIP), "hlt returns with EIP past the hlt");
    }

    @Test
    void portHooksSeeEveryInAndOut() {
        List<String> seen = new ArrayList<>();
        uc.onPortIo(new Hooks.PortIo() {
            @Override public int in(int port, int size) { seen.add("in " + Integer.toHexString(port) + "/" + size); return 0xAB; }
            @Override public void out(int port, int size, int value) { seen.add("out " + Integer.toHexString(port) + "/" + size + "=" + Integer.toHexString(value)); }
        });
        // mov dx, 0x3f8 ; mov al, 'H' ; out dx, al ; in al, dx ; mov ax, 0x1234 ; out 0x80, ax ; hlt
        code(0x1000, 0x66, 0xBA, 0xF8, 0x03, 0xB0, 0x48, 0xEE, 0xEC, 0x66, 0xB8, 0x34, 0x12, 0x66, 0xE7, 0x80, 0xF4);
        assertEquals(X86.ERR_OK, uc.start(0x1000));
        assertEquals(List.of("out 3f8/1=48", "in 3f8/1", "out 80/2=1234"), seen);
    }

    @Test
    void anExceptionInAHookStopsTheEngineAndIsRethrownNotACrash() {
        uc.onPortIo(new Hooks.PortIo() {
            @Override public int in(int port, int size) { return 0; }
            @Override public void out(int port, int size, int value) { throw new IllegalStateException("device bug"); }
        });
        code(0x1000, 0xE6, 0x80, 0xEB, 0xFC);   // out 0x80, al ; jmp back (forever, unless the stop works)
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> uc.start(0x1000));
        assertEquals("device bug", e.getMessage());
    }

    @Test
    void interruptHookGetsVectorErrorCodeAndSoftwareFlag() {
        int[] got = new int[3];
        uc.onInterrupt(vector -> {
            got[0] = vector;
            got[1] = uc.context().takeException();
            got[2] = uc.context().lastWasSoftwareInterrupt() ? 1 : 0;
            uc.stop();
        });
        code(0x1000, 0xCD, 0x42);   // int 0x42
        uc.start(0x1000);
        assertEquals(0x42, got[0]);
        assertEquals(1, got[2]);
        assertEquals(0x1002, uc.reg(X86.EIP), "int n reports EIP after the instruction");
    }

    @Test
    void unmappedAccessIsReportedWithItsAddress() {
        long[] got = new long[2];
        uc.onUnmappedAccess((type, address, size, value) -> { got[0] = type; got[1] = address; return false; });
        code(0x1000, 0xA1, 0x00, 0x00, 0x00, 0x40);   // mov eax, [0x40000000]
        assertEquals(X86.ERR_READ_UNMAPPED, uc.start(0x1000));
        assertEquals(X86.MEM_READ_UNMAPPED, got[0]);
        assertEquals(0x40000000L, got[1]);
    }

    @Test
    void errorsCarryUnicornsText() {
        UnicornException e = assertThrows(UnicornException.class, () -> uc.mapRam(0, ram.segment()));
        assertTrue(e.getMessage().startsWith("uc_mem_map_ptr: "), e.getMessage());
        assertFalse(e.getMessage().contains("null"));
    }

    @Test
    void aStopRequestedInsideAnOutHookResumesAfterTheOut() {
        // call f ; hlt   f: push ebp; mov ebp, esp; mov cl, 's'; mov dx, 0x3fd; L: in al, dx; and al, 0x20; jz L;
        //                   mov edx, 0x3f8; mov al, cl; out dx, al; pop ebp; ret   (a UART driver's putc)
        code(0x1000, 0xE8, 0xFB, 0x00, 0x00, 0x00, 0xF4);
        code(0x1100, 0x55, 0x89, 0xE5, 0xB1, 's', 0x66, 0xBA, 0xFD, 0x03, 0xEC, 0x24, 0x20, 0x74, 0xFB,
                0xBA, 0xF8, 0x03, 0x00, 0x00, 0x88, 0xC8, 0xEE, 0x5D, 0xC3);
        uc.setReg(X86.ESP, 0x8000);
        StringBuilder out = new StringBuilder();
        uc.onPortIo(new Hooks.PortIo() {
            @Override public int in(int port, int size) { return 0x20; }
            @Override public void out(int port, int size, int value) { out.append((char) value); uc.stop(); }
        });
        int eip = 0x1000;
        for (int i = 0; i < 5 && eip != 0x1006; i++) {
            assertEquals(X86.ERR_OK, uc.start(eip));
            eip = uc.reg(X86.EIP);
        }
        assertEquals(0x1006, eip, "ran to the hlt");
        assertEquals("s", out.toString(), "the OUT ran exactly once");
    }

    @Test
    void stopsFromAnotherThreadNeverReExecuteInstructions() throws InterruptedException {
        // mov edx, N ; L: inc ecx ; mov [0x2000], ecx ; dec edx ; jnz L ; hlt: the count must come out exact
        int n = 20_000_000;
        code(0x1000, 0xBA, n & 0xFF, (n >>> 8) & 0xFF, (n >>> 16) & 0xFF, n >>> 24,
                0x41, 0x89, 0x0D, 0x00, 0x20, 0x00, 0x00, 0x4A, 0x75, 0xF6, 0xF4);
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread stopper = Thread.ofPlatform().start(() -> {
            while (running.get()) {
                uc.stop();
                java.util.concurrent.locks.LockSupport.parkNanos(20_000);
            }
        });
        int eip = 0x1000, runs = 0;
        try {
            while (eip != 0x1010) {
                assertEquals(X86.ERR_OK, uc.start(eip));
                eip = uc.reg(X86.EIP);
                runs++;
            }
        } finally {
            running.set(false);
            assertTrue(stopper.join(java.time.Duration.ofSeconds(10)), "the stopper thread ended");
        }
        assertTrue(runs > 10, "the loop was stopped and restarted many times (" + runs + ")");
        assertEquals(n, uc.reg(X86.ECX));
        assertEquals(n, ram.read32(0x2000));
    }

    @Test
    void aRunNeverTouchesTheGuestsCr2() {
        // The guest turns paging on (one 4 MiB identity page) and leaves a CR2 its page-fault handler has yet to read.
        ram.write32(0x10000, 0x83);   // PDE 0: present, writable, 4 MiB page at 0
        // mov eax, 0x10000 ; mov cr3, eax ; mov eax, 0x10 ; mov cr4, eax ; mov eax, 0x80000001 ; mov cr0, eax ;
        // mov eax, 0x12345678 ; mov cr2, eax ; hlt ; (second run:) inc ebx ; hlt
        code(0x1000, 0xB8, 0x00, 0x00, 0x01, 0x00, 0x0F, 0x22, 0xD8, 0xB8, 0x10, 0, 0, 0, 0x0F, 0x22, 0xE0,
                0xB8, 0x01, 0, 0, 0x80, 0x0F, 0x22, 0xC0, 0xB8, 0x78, 0x56, 0x34, 0x12, 0x0F, 0x22, 0xD0, 0xF4, 0x43, 0xF4);
        assertEquals(X86.ERR_OK, uc.start(0x1000));
        assertEquals(0x12345678, uc.reg(X86.CR2));
        assertEquals(X86.ERR_OK, uc.start(uc.reg(X86.EIP)));
        assertEquals(1, uc.reg(X86.EBX), "the second run ran");
        assertEquals(0x12345678, uc.reg(X86.CR2), "starting and ending runs left CR2 alone");
    }

    @Test
    void theStiShadowIsVisible() {
        boolean[] shadow = new boolean[2];
        int[] calls = {0};
        uc.onInterrupt(vector -> {
            uc.context().takeException();
            shadow[calls[0]++] = uc.context().interruptShadow();
        });
        code(0x1000, 0xFB, 0xCC, 0x90, 0xCC, 0xF4);   // sti ; int3 (in the shadow) ; nop ; int3 (not) ; hlt
        assertEquals(X86.ERR_OK, uc.start(0x1000));
        assertEquals(2, calls[0]);
        assertTrue(shadow[0], "right after sti");
        assertFalse(shadow[1], "an instruction later");
    }

    @Test
    void writingCr2LeavesCr3Alone() {
        // mov eax, 0x10000 ; mov cr3, eax ; hlt
        code(0x1000, 0xB8, 0x00, 0x00, 0x01, 0x00, 0x0F, 0x22, 0xD8, 0xF4);
        assertEquals(X86.ERR_OK, uc.start(0x1000));
        uc.setReg(X86.CR2, 0x00300000);
        assertEquals(0x00300000, uc.reg(X86.CR2));
        assertEquals(0x00010000, uc.reg(X86.CR3));
    }

    @Test
    void codePatchedByTheHostRunsOnlyAfterItsTranslationIsDropped() {
        code(0x1000, 0xB8, 0x01, 0x00, 0x00, 0x00, 0xF4);   // mov eax, 1 ; hlt
        assertEquals(X86.ERR_OK, uc.start(0x1000));
        assertEquals(1, uc.reg(X86.EAX));
        ram.write8(0x1001, 0x02);                           // now: mov eax, 2 (written by the host, not the guest)
        assertEquals(X86.ERR_OK, uc.start(0x1000));
        assertEquals(1, uc.reg(X86.EAX), "Unicorn still runs the translation it made of the old bytes");
        uc.removeCodeCache(0x1000, 0x2000);
        assertEquals(X86.ERR_OK, uc.start(0x1000));
        assertEquals(2, uc.reg(X86.EAX), "after uc_ctl_remove_cache the new bytes run");
        uc.flushTlb();   // and dropping the TLB is harmless to a running guest
        assertEquals(X86.ERR_OK, uc.start(0x1000));
        assertEquals(2, uc.reg(X86.EAX));
    }

    @Test
    void capstoneNamesInstructions() {
        try (Capstone cs = new Capstone(32)) {
            Capstone.Instruction i = cs.decode(new byte[] {(byte) 0x0F, 0x22, (byte) 0xD8}, 3, 0x1000);
            assertEquals("mov cr3, eax", i.text());
            assertEquals(3, i.length());
            assertEquals(null, cs.decode(new byte[] {(byte) 0x0F, 0x22}, 2, 0), "a truncated instruction does not decode");
        }
    }
}
