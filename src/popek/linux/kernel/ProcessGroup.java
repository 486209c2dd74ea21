package popek.linux.kernel;

import java.util.ArrayList;
import java.util.List;

/** A process group (a shell's job): the processes a terminal's ^C or a kill(-pgid) reaches together. */
public final class ProcessGroup {
    final int pgid;
    final Session session;
    final List<ThreadGroup> members = new ArrayList<>();

    ProcessGroup(int pgid, Session session) {
        this.pgid = pgid;
        this.session = session;
    }

    public int pgid() { return pgid; }

    public Session session() { return session; }

    public List<ThreadGroup> members() { return List.copyOf(members); }
}
