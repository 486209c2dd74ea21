package popek.engine;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import popek.memory.GuestMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An engine may be run by one thread after another (what the host scheduler does when a task's next slice lands on
 * another worker): Unicorn 2.1 keeps an engine's CPU and code-generation state in the engine (QEMU's thread-local
 * {@code current_cpu} and {@code tcg_ctx} became fields of {@code uc_struct}), and hooks are called on the thread
 * running it.
 */
class EngineThreadsTest {
    @Test
    void runsContinueOnAnotherThreadWithTheirStateAndCode() throws Exception {
        try (GuestMemory ram = new GuestMemory(1 << 20)) {
            Unicorn uc = new Unicorn(X86.MODE_32);
            try {
                uc.mapRam(0, ram.segment());
                List<Thread> served = new ArrayList<>();
                uc.onPortIo(new Hooks.PortIo() {
                    @Override public int in(int port, int size) { return 0; }
                    @Override public void out(int port, int size, int value) { served.add(Thread.currentThread()); }
                });
                // inc eax ; out 0x80, al ; hlt
                int[] code = {0x40, 0xE6, 0x80, 0xF4};
                for (int i = 0; i < code.length; i++) ram.write8(0x1000 + i, code[i]);
                uc.setReg(X86.EAX, 0);
                List<Thread> threads = new ArrayList<>();
                int[] errors = new int[6];
                for (int i = 0; i < 6; i++) {
                    int run = i;
                    Thread t = Thread.ofPlatform().name("runner-" + i).unstarted(() -> errors[run] = uc.start(0x1000));
                    threads.add(t);
                    t.start();
                    t.join(10_000);   // one after the other, never two at once
                }
                for (int e : errors) assertEquals(X86.ERR_OK, e);
                assertEquals(6, uc.reg(X86.EAX), "each run went on from the registers the last one left");
                assertEquals(threads, served, "each run's hook ran on the thread running the engine");
            } finally {
                uc.close();
            }
        }
    }
}
