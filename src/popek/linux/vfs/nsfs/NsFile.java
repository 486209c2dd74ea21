package popek.linux.vfs.nsfs;

import popek.linux.vfs.Location;
import popek.linux.vfs.VfsFile;

/** An open namespace file: nothing to read or write (EINVAL), a handle for setns(2). */
final class NsFile extends VfsFile {
    NsFile(Location at, int flags) { super(at, flags); }

    @Override
    public String path() { return location().entry().name(); }
}
