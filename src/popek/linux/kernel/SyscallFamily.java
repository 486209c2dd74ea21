package popek.linux.kernel;

/**
 * A family of system calls (process calls, memory calls, file calls, ...), one class each in
 * {@code popek.linux.syscalls}, which puts its handlers into the table.
 */
public interface SyscallFamily {
    void register(SyscallTable table);
}
