package popek.cgroup;

import java.util.List;
import java.util.function.Predicate;

import popek.linux.abi.Errno;

/** The pids controller's files, backed by {@link PidsControl}: pids.max ("max" or 0..4194304), current, peak, events. */
final class PidsFiles {
    private PidsFiles() { }

    static void add(List<ControlFile> out) {
        Predicate<Cgroup> pids = cg -> cg.has(Controller.PIDS);
        out.add(ControlFile.readOnly("pids.current", pids, (cg, f) -> cg.pids().current() + "\n"));
        out.add(ControlFile.readOnly("pids.events", pids, (cg, f) -> "max " + cg.pids().maxEvents() + "\n"));
        out.add(ControlFile.readOnly("pids.events.local", pids, (cg, f) -> "max " + cg.pids().localMaxEvents() + "\n"));
        out.add(ControlFile.readWrite("pids.max", pids, (cg, f) -> Values.limit(cg.pids().max(), PidsControl.MAX) + "\n",
                (cg, s, f) -> {
                    String v = Values.strip(s);
                    long n = v.equals("max") ? PidsControl.MAX : Values.kstrtoll(v);
                    if (n != PidsControl.MAX && (n < 0 || n > PidsControl.LIMIT)) throw Errno.error(Errno.EINVAL);
                    cg.pids().setMax(n);
                }));
        out.add(ControlFile.readOnly("pids.peak", pids, (cg, f) -> cg.pids().peak() + "\n"));
    }
}
