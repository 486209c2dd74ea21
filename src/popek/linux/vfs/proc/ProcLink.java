package popek.linux.vfs.proc;

import java.util.function.Function;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.vfs.Caller;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.Location;

/**
 * A symbolic link of /proc: its text (made for the reader: /proc/self), and for the magic ones (cwd, root, exe,
 * fd/N) where following it leads without reading the text: a place, or an open file with no place (a pipe).
 */
final class ProcLink extends ProcNode {
    private final Function<Caller, String> text;
    private final Function<Caller, Location> place;
    private final Function<Caller, FileDescription> file;

    ProcLink(ProcFs proc, String key, int uid, int gid, Function<Caller, String> text, Function<Caller, Location> place,
             Function<Caller, FileDescription> file) {
        super(proc, key, FileFlags.S_IFLNK | 0777, uid, gid);
        this.text = text;
        this.place = place;
        this.file = file;
    }

    @Override
    public String readlink() { throw Errno.error(Errno.EINVAL); }

    @Override
    public String readlink(Caller c) {
        String t = text.apply(c);
        if (t == null) throw Errno.error(Errno.ENOENT);
        return t;
    }

    @Override
    public Location followMagic(Caller c) { return place == null ? null : place.apply(c); }

    @Override
    public FileDescription magicFile(Caller c) { return file == null ? null : file.apply(c); }
}
