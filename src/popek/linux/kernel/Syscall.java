package popek.linux.kernel;

import popek.linux.abi.Errno;

/**
 * One system call's handler. It returns the call's result: a value, {@code -errno}, a restart code
 * ({@link Errno#ERESTARTSYS} and its kin, negated, as Linux's own calls return them when a signal interrupts a wait),
 * or one of the two control results below. It may instead throw {@link popek.linux.abi.SyscallException}. It runs on
 * the task's CPU thread, inside the trap, and must allocate nothing on its common path.
 */
@FunctionalInterface
public interface Syscall {
    int call(Task t, SyscallArgs a);

    /**
     * The task has been put to sleep ({@link Task#block} and its kin) because the call cannot complete yet. The call
     * is made again, with the same arguments, once the task is woken (by the event, a timeout, or a signal, which the
     * call then sees as {@link Task#signalPending} and answers with a restart code or -EINTR).
     */
    int BLOCK = -(Errno.MAX_ERRNO - 1);

    /** The handler set the registers itself (execve, sigreturn) or the task is gone (exit): EAX is left alone. */
    int NO_RESULT = -(Errno.MAX_ERRNO - 2);
}
