package popek.cgroup;

import java.util.function.Predicate;

/**
 * One interface file of a cgroup directory: its name, its permission bits (0644 read-write, 0444 read-only, 0200
 * write-only), in which cgroups it exists, how it reads and how a write is applied, and whether a cgroup
 * namespace's root may write it from inside (cgroup-v2.rst's delegatable files; for the rest of the files of its
 * own root a container gets EPERM, as under nsdelegate, so it cannot raise its own limits).
 */
public record ControlFile(String name, int mode, boolean delegatable, Predicate<Cgroup> present, Reader reader, Writer writer) {
    /** Makes a file's text. */
    @FunctionalInterface
    public interface Reader {
        String read(Cgroup cg, OpenFile f);
    }

    /** Applies one write(2) of {@code text}; throws a SyscallException with Linux's errno when refused. */
    @FunctionalInterface
    public interface Writer {
        void write(Cgroup cg, String text, OpenFile f);
    }

    public boolean readable() { return reader != null; }

    public boolean writable() { return writer != null; }

    static ControlFile readOnly(String name, Predicate<Cgroup> present, Reader r) {
        return new ControlFile(name, 0444, false, present, r, null);
    }

    static ControlFile readWrite(String name, Predicate<Cgroup> present, Reader r, Writer w) {
        return new ControlFile(name, 0644, false, present, r, w);
    }

    static ControlFile delegatable(String name, int mode, Predicate<Cgroup> present, Reader r, Writer w) {
        return new ControlFile(name, mode, true, present, r, w);
    }

    static ControlFile writeOnly(String name, Predicate<Cgroup> present, Writer w) {
        return new ControlFile(name, 0200, false, present, null, w);
    }
}
