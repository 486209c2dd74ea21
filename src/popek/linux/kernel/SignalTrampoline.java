package popek.linux.kernel;

import java.lang.foreign.MemorySegment;

import popek.linux.abi.SyscallNumbers;
import popek.linux.mm.Mappable;
import popek.linux.mm.PagePool;
import popek.linux.mm.SharedPages;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The page a signal handler without SA_RESTORER returns through ("[sigpage]", as ARM Linux calls its own): the
 * sigreturn and rt_sigreturn trampolines, mapped read-only at the same address in every process. Linux i386 uses
 * its vDSO for this; the trampoline bytes it also writes into each frame are never executed here, because Unicorn
 * keeps translated code by physical address and would not see Popek rewrite a stack page it once ran. The page also
 * holds what the vDSO's {@code __kernel_vsyscall} holds for {@code sysenter}: the entry sequence, and the landing
 * point every sysenter returns to (behind an {@code int $0x80} that a restarted call runs again), as Linux has it.
 */
final class SignalTrampoline implements Mappable, SharedPages {
    /** Where the page is mapped: above the mmap area, below the stack's growth limit. */
    static final long ADDRESS = 0xB7FFF000L;
    /** Offsets of the two trampolines in the page. */
    static final int SIGRETURN = 0, RT_SIGRETURN = 8;
    /** __kernel_vsyscall's equivalent, and where a sysenter comes back: after the sequence's int $0x80. */
    static final int VSYSCALL = 16, SYSENTER_RETURN = VSYSCALL + 9;

    private final PagePool pool;
    private final int frame;

    SignalTrampoline(PagePool pool) {
        this.pool = pool;
        this.frame = pool.allocate();
        if (frame < 0) throw new OutOfMemoryError("no frame for the signal trampoline");
        MemorySegment page = pool.memory().asSlice((long) frame << PagePool.PAGE_SHIFT, PagePool.PAGE_SIZE);
        // popl %eax; movl $__NR_sigreturn, %eax; int $0x80
        byte[] sig = {0x58, (byte) 0xB8, (byte) SyscallNumbers.SIGRETURN, 0, 0, 0, (byte) 0xCD, (byte) 0x80};
        // movl $__NR_rt_sigreturn, %eax; int $0x80
        byte[] rt = {(byte) 0xB8, (byte) SyscallNumbers.RT_SIGRETURN, 0, 0, 0, (byte) 0xCD, (byte) 0x80};
        for (int i = 0; i < sig.length; i++) page.set(JAVA_BYTE, SIGRETURN + i, sig[i]);
        for (int i = 0; i < rt.length; i++) page.set(JAVA_BYTE, RT_SIGRETURN + i, rt[i]);
        // pushl %ecx; pushl %edx; pushl %ebp; movl %esp, %ebp; sysenter; int $0x80;
        // landing: popl %ebp; popl %edx; popl %ecx; ret
        byte[] vsys = {0x51, 0x52, 0x55, (byte) 0x89, (byte) 0xE5, 0x0F, 0x34, (byte) 0xCD, (byte) 0x80,
                0x5D, 0x5A, 0x59, (byte) 0xC3};
        for (int i = 0; i < vsys.length; i++) page.set(JAVA_BYTE, VSYSCALL + i, vsys[i]);
    }

    @Override
    public int frame(long index) {
        if (index != 0) return -1;
        pool.retain(frame);
        return frame;
    }

    @Override
    public boolean readPage(long offset, MemorySegment page) { return false; }

    @Override
    public String name() { return "[sigpage]"; }
}
