package popek.linux.vfs.overlay;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.vfs.DirectoryFile;
import popek.linux.vfs.FileData;
import popek.linux.vfs.Inode;
import popek.linux.vfs.StatBuf;
import popek.linux.vfs.tmpfs.MemDirectory;
import popek.linux.vfs.tmpfs.MemInode;

import static popek.linux.vfs.overlay.OverlayFs.OPAQUE;
import static popek.linux.vfs.overlay.OverlayFs.WHITEOUT;

/**
 * One name of an overlay: its upper inode (once made or copied up) and its lower ones (a file's one lower inode, or
 * the lower directories a directory merges, the top one first), and whether a lower layer has this name at all (so
 * removing it must leave a whiteout). It remembers its parent and name, where a copy-up puts the copy. Attributes are
 * the upper inode's when there is one, else the top lower one's; the inode number is kept across a copy-up.
 */
public final class OverlayInode extends Inode {
    private final OverlayFs ofs;
    private OverlayInode parent;
    private String name;
    private volatile MemInode upper;
    private List<Inode> lowers;
    private boolean coversLower;
    private int mergedLinks = -1;

    OverlayInode(OverlayFs fs, OverlayInode parent, String name, MemInode upper, List<Inode> lowers) {
        this(fs, parent, name, upper, lowers, !lowers.isEmpty());
    }

    private OverlayInode(OverlayFs fs, OverlayInode parent, String name, MemInode upper, List<Inode> lowers, boolean coversLower) {
        super(fs);
        this.ofs = fs;
        this.parent = parent;
        this.name = name;
        this.upper = upper;
        this.lowers = lowers;
        this.coversLower = coversLower;
    }

    MemInode upper() { return upper; }

    /** The lower inode a file's contents come from until it is copied up. */
    Inode lowest() { return lowers.get(0); }

    private Inode top() {
        MemInode u = upper;
        return u != null ? u : lowers.get(0);
    }

    private MemDirectory upperDir() { return upper instanceof MemDirectory d ? d : null; }

    // ---------------------------------------------------------------- attributes

    @Override
    public long ino() { return top().ino(); }

    @Override
    public int mode() { return top().mode(); }

    @Override
    public int uid() { return top().uid(); }

    @Override
    public int gid() { return top().gid(); }

    @Override
    public int rdev() { return top().rdev(); }

    @Override
    public Inode fifoHolder() { return top(); }

    @Override
    public void stat(StatBuf out) {
        Inode t = top();
        t.stat(out);
        out.dev = fs.dev();
        if (t.isDirectory() && (lowers.size() > 1 || (upper != null && !lowers.isEmpty()))) out.nlink = mergedLinks();
    }

    /** A merged directory's link count, as a single directory holding the same entries would have: 2 + subdirectories. */
    private synchronized int mergedLinks() {
        if (mergedLinks < 0) {
            List<Entry> es = new ArrayList<>();
            list(es);
            int n = 2;
            for (Entry e : es) if (e.type() == popek.linux.vfs.DirentSink.DT_DIR) n++;
            mergedLinks = n;
        }
        return mergedLinks;
    }

    private synchronized void changedEntries() { mergedLinks = -1; }

    @Override
    public void chmod(int mode) {
        copyUp(true);
        upper.chmod(mode);
    }

    @Override
    public void chown(int uid, int gid) {
        copyUp(true);
        upper.chown(uid, gid);
    }

    @Override
    public void setTimes(long atime, long mtime) {
        copyUp(true);
        upper.setTimes(atime, mtime);
    }

    @Override
    public void accessed() {
        MemInode u = upper;
        if (u != null) u.accessed();
    }

    // ---------------------------------------------------------------- lookups and listings

    @Override
    public Inode lookup(String n) {
        if (n.startsWith(WHITEOUT)) return null;   // the convention's own names are never seen
        MemDirectory ud = upperDir();
        MemInode u = null;
        if (ud != null) {
            if (ud.get(WHITEOUT + n) != null) return null;
            u = ud.get(n);
        }
        List<Inode> found = new ArrayList<>(2);
        for (Inode ld : lowers) {
            if (ld.lookup(WHITEOUT + n) != null) break;
            Inode c = ld.lookup(n);
            if (c == null) continue;
            if (!c.isDirectory()) {
                if (found.isEmpty()) found.add(c);
                break;
            }
            found.add(c);
            if (c.lookup(OPAQUE) != null) break;
        }
        boolean covers = !found.isEmpty();
        if (u != null) {
            boolean merge = u instanceof MemDirectory d && d.get(OPAQUE) == null && covers && found.get(0).isDirectory();
            return new OverlayInode(ofs, this, n, u, merge ? dirsOnly(found) : List.of(), covers);
        }
        if (!covers) return null;
        return new OverlayInode(ofs, this, n, null, found.get(0).isDirectory() ? dirsOnly(found) : List.of(found.get(0)), true);
    }

    private static List<Inode> dirsOnly(List<Inode> found) {
        List<Inode> out = new ArrayList<>(found.size());
        for (Inode i : found) {
            if (!i.isDirectory()) break;
            out.add(i);
        }
        return List.copyOf(out);
    }

    @Override
    public void list(List<Entry> out) {
        Set<String> seen = new HashSet<>(), hidden = new HashSet<>();
        MemDirectory ud = upperDir();
        boolean opaque = false;
        if (ud != null) {
            for (String n : ud.names()) {
                if (n.equals(OPAQUE)) {
                    opaque = true;
                } else if (n.startsWith(WHITEOUT)) {
                    hidden.add(n.substring(WHITEOUT.length()));
                } else {
                    MemInode i = ud.get(n);
                    if (i == null) continue;
                    seen.add(n);
                    out.add(new Entry(n, i.ino(), DirectoryFile.direntType(i.mode())));
                }
            }
        }
        if (opaque) return;
        List<Entry> layer = new ArrayList<>();
        for (Inode ld : lowers) {
            layer.clear();
            ld.list(layer);
            List<String> whiteouts = new ArrayList<>();
            boolean stop = false;
            for (Entry e : layer) {
                if (e.name().equals(OPAQUE)) stop = true;
                else if (e.name().startsWith(WHITEOUT)) whiteouts.add(e.name().substring(WHITEOUT.length()));
                else if (!hidden.contains(e.name()) && seen.add(e.name())) out.add(e);
            }
            hidden.addAll(whiteouts);
            if (stop) break;
        }
    }

    private boolean mergedEmpty() {
        List<Entry> es = new ArrayList<>();
        list(es);
        return es.isEmpty();
    }

    // ---------------------------------------------------------------- copy-up

    /**
     * Gives this name an upper inode if it has none: its parent first, then a copy of the lower file (its contents
     * when {@code withData}, its mode, owner, atime and mtime, and its inode number). The parent directory's own
     * times are put back afterwards, as overlayfs does: a copy-up is not a change the program made to it.
     */
    void copyUp(boolean withData) {
        if (upper != null) return;
        synchronized (ofs) {
            if (upper != null) return;
            if (parent == null) throw Errno.error(Errno.EIO);
            parent.copyUp(true);
            MemDirectory pu = parent.upperDir();
            Inode low = lowers.get(0);
            StatBuf st = new StatBuf();
            low.stat(st);
            long pa = pu.atime(), pm = pu.mtime(), pc = pu.ctime();
            MemInode made = switch (st.mode & FileFlags.S_IFMT) {
                case FileFlags.S_IFDIR -> (MemInode) pu.mkdir(name, st.mode, st.uid, st.gid);
                case FileFlags.S_IFLNK -> (MemInode) pu.symlink(name, low.readlink(), st.uid, st.gid);
                default -> (MemInode) pu.create(name, st.mode, low.rdev(), st.uid, st.gid);
            };
            if (withData && (st.mode & FileFlags.S_IFMT) == FileFlags.S_IFREG) copyData(low, (popek.linux.vfs.tmpfs.MemFile) made);
            if ((st.mode & FileFlags.S_IFMT) != FileFlags.S_IFLNK) made.chmod(st.mode & 07777);
            made.keepNumber(low.ino());
            made.copyTimes(st.atimeSec * 1_000_000_000L + st.atimeNsec, st.mtimeSec * 1_000_000_000L + st.mtimeNsec,
                    popek.linux.vfs.FileTimes.now());
            pu.copyTimes(pa, pm, pc);
            upper = made;
        }
    }

    private static void copyData(Inode from, popek.linux.vfs.tmpfs.MemFile to) {
        FileData d = from.openData(FileFlags.O_RDONLY);
        try {
            byte[] buf = new byte[65536];
            long at = 0;
            for (;;) {
                int n = d.readBytes(at, buf, 0, buf.length);
                if (n <= 0) break;
                to.writeBytes(at, buf, 0, n);
                at += n;
            }
        } finally {
            d.close();
        }
    }

    // ---------------------------------------------------------------- contents

    @Override
    public FileData openData(int flags) {
        if ((flags & FileFlags.O_ACCMODE) != FileFlags.O_RDONLY) {
            copyUp(true);
            return upper.openData(flags);
        }
        MemInode u = upper;
        return u != null ? u.openData(flags) : new OverlayData(this);
    }

    @Override
    public void truncate(long size) {
        copyUp(size != 0);
        upper.truncate(size);
    }

    @Override
    public String readlink() { return top().readlink(); }

    // ---------------------------------------------------------------- changes to names

    private static void reserved(String n) {
        if (n.startsWith(WHITEOUT)) throw Errno.error(Errno.EPERM);   // OCI reserves these names for whiteouts
    }

    /** Before making {@code n} here: this directory copied up, and a whiteout of {@code n} taken away (true if one was). */
    private boolean prepareCreate(String n) {
        reserved(n);
        copyUp(true);
        MemDirectory ud = upperDir();
        if (ud.get(WHITEOUT + n) == null) return false;
        ud.removeTree(WHITEOUT + n);
        return true;
    }

    private void whiteout(String n) {
        upperDir().create(WHITEOUT + n, FileFlags.S_IFREG, 0, 0, 0);
    }

    @Override
    public Inode create(String n, int mode, int rdev, int uid, int gid) {
        synchronized (ofs) {
            boolean covered = prepareCreate(n);
            MemInode i = (MemInode) upperDir().create(n, mode, rdev, uid, gid);
            changedEntries();
            return new OverlayInode(ofs, this, n, i, List.of(), covered);
        }
    }

    @Override
    public Inode mkdir(String n, int mode, int uid, int gid) {
        synchronized (ofs) {
            boolean covered = prepareCreate(n);
            MemDirectory d = (MemDirectory) upperDir().mkdir(n, mode, uid, gid);
            if (covered) d.create(OPAQUE, FileFlags.S_IFREG, 0, 0, 0);   // the removed lower directory stays hidden
            changedEntries();
            return new OverlayInode(ofs, this, n, d, List.of(), covered);
        }
    }

    @Override
    public Inode symlink(String n, String target, int uid, int gid) {
        synchronized (ofs) {
            boolean covered = prepareCreate(n);
            MemInode i = (MemInode) upperDir().symlink(n, target, uid, gid);
            changedEntries();
            return new OverlayInode(ofs, this, n, i, List.of(), covered);
        }
    }

    @Override
    public void link(String n, Inode target) {
        if (!(target instanceof OverlayInode t) || t.ofs != ofs) throw Errno.error(Errno.EXDEV);
        synchronized (ofs) {
            prepareCreate(n);
            t.copyUp(true);
            upperDir().link(n, t.upper);
            changedEntries();
        }
    }

    @Override
    public void unlink(String n, Inode child) {
        OverlayInode c = (OverlayInode) child;
        synchronized (ofs) {
            copyUp(true);
            MemDirectory ud = upperDir();
            MemInode u = ud.get(n);
            if (u != null) ud.unlink(n, u);
            if (c.coversLower) whiteout(n);
            changedEntries();
        }
    }

    @Override
    public void rmdir(String n, Inode child) {
        OverlayInode c = (OverlayInode) child;
        synchronized (ofs) {
            if (!c.mergedEmpty()) throw Errno.error(Errno.ENOTEMPTY);
            copyUp(true);
            MemDirectory ud = upperDir();
            if (ud.get(n) != null) ud.removeTree(n);
            if (c.coversLower) whiteout(n);
            changedEntries();
        }
    }

    @Override
    public void rename(String oldName, Inode child, Inode newDir, String newName, Inode replaced) {
        OverlayInode c = (OverlayInode) child, to = (OverlayInode) newDir, r = (OverlayInode) replaced;
        if (!(newDir instanceof OverlayInode) || to.ofs != ofs) throw Errno.error(Errno.EXDEV);
        reserved(newName);
        synchronized (ofs) {
            // As overlayfs without redirect_dir: a directory with lower parts cannot be moved; mv copies it instead.
            if (c.isDirectory() && !c.lowers.isEmpty()) throw Errno.error(Errno.EXDEV);
            if (r != null && r.isDirectory() && !r.mergedEmpty()) throw Errno.error(Errno.ENOTEMPTY);
            copyUp(true);
            to.copyUp(true);
            c.copyUp(true);
            MemDirectory from = upperDir(), dst = to.upperDir();
            boolean whiteoutThere = dst.get(WHITEOUT + newName) != null;
            boolean coveredThere = whiteoutThere || (r != null && r.coversLower);
            MemInode replacedUpper = null;
            if (r != null && r.upper != null) {
                if (r.isDirectory()) dst.removeTree(newName);
                else replacedUpper = r.upper;
            }
            if (whiteoutThere) dst.removeTree(WHITEOUT + newName);
            if (c.isDirectory() && coveredThere && ((MemDirectory) c.upper).get(OPAQUE) == null) {
                ((MemDirectory) c.upper).create(OPAQUE, FileFlags.S_IFREG, 0, 0, 0);
            }
            from.rename(oldName, c.upper, dst, newName, replacedUpper);
            if (c.coversLower) whiteout(oldName);
            synchronized (c) {
                c.parent = to;
                c.name = newName;
                c.coversLower = coveredThere;
            }
            changedEntries();
            to.changedEntries();
        }
    }

    @Override
    public void exchange(String oldName, Inode child, Inode newDir, String newName, Inode other) {
        OverlayInode a = (OverlayInode) child, b = (OverlayInode) other, to = (OverlayInode) newDir;
        if (a.coversLower || b.coversLower || !a.lowers.isEmpty() || !b.lowers.isEmpty()) throw Errno.error(Errno.EXDEV);
        synchronized (ofs) {
            copyUp(true);
            to.copyUp(true);
            upperDir().exchange(oldName, a.upper, to.upperDir(), newName, b.upper);
            synchronized (a) {
                a.parent = to;
                a.name = newName;
            }
            synchronized (b) {
                b.parent = this;
                b.name = oldName;
            }
            changedEntries();
            to.changedEntries();
        }
    }
}
