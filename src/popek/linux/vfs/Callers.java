package popek.linux.vfs;

import popek.linux.auth.Credentials;
import popek.linux.mm.UserMemory;

/** Callers made for the VFS's own use: the kernel opening a program with only credentials, or access(2)'s real ids. */
public final class Callers {
    private Callers() { }

    public static Caller of(Credentials creds) { return of(creds, null); }

    /** Root, for the VFS's own walks (following /proc/[pid]/exe). */
    public static Caller root() { return of(Credentials.ROOT, null); }

    /** {@code creds} in place of {@code c}'s (its memory and pid kept, if any). */
    public static Caller of(Credentials creds, Caller c) {
        return new Caller() {
            @Override
            public Credentials credentials() { return creds; }

            @Override
            public UserMemory memory() { return c == null ? null : c.memory(); }

            @Override
            public int pid() { return c == null ? 0 : c.pid(); }
        };
    }
}
