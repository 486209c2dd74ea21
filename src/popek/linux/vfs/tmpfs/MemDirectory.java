package popek.linux.vfs.tmpfs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.vfs.DirectoryFile;
import popek.linux.vfs.Inode;

/**
 * A memory directory: its entries in the order they were made (readdir's order), a link count of 2 plus its
 * subdirectories, mtime and ctime updated by every change to its names.
 */
public final class MemDirectory extends MemInode {
    private final Map<String, MemInode> entries = new LinkedHashMap<>();
    MemDirectory parent;

    MemDirectory(TmpFs fs, int mode, int uid, int gid) {
        super(fs, mode, uid, gid);
        nlink = 2;
    }

    /** tmpfs's directory size: 20 bytes ("BOGO_DIRENT_SIZE") per entry, "." and ".." included, and no blocks. */
    @Override
    protected synchronized long size() { return tmpfs.diskLike() ? 4096 : 20L * (entries.size() + 2); }

    @Override
    protected long blocks() { return tmpfs.diskLike() ? 8 : 0; }

    @Override
    public synchronized Inode lookup(String name) { return entries.get(name); }

    /** The entry {@code name} as the memory inode it is (for the overlay, which reads its upper layer directly). */
    public synchronized MemInode get(String name) { return entries.get(name); }

    public synchronized boolean isEmpty() { return entries.isEmpty(); }

    @Override
    public synchronized void list(List<Entry> out) {
        for (Map.Entry<String, MemInode> e : entries.entrySet()) {
            out.add(new Entry(e.getKey(), e.getValue().ino(), DirectoryFile.direntType(e.getValue().mode())));
        }
    }

    /** The names, in order (the overlay merges them with its lower layers'). */
    public synchronized List<String> names() { return List.copyOf(entries.keySet()); }

    private void exists(String name) {
        if (entries.containsKey(name)) throw Errno.error(Errno.EEXIST);
    }

    @Override
    public synchronized Inode create(String name, int mode, int rdev, int uid, int gid) {
        exists(name);
        MemInode i = switch (mode & FileFlags.S_IFMT) {
            case FileFlags.S_IFREG -> new MemFile(tmpfs, mode, uid, gid);
            case FileFlags.S_IFIFO, FileFlags.S_IFCHR, FileFlags.S_IFBLK, FileFlags.S_IFSOCK -> new MemNode(tmpfs, mode, rdev, uid, gid);
            default -> throw Errno.error(Errno.EINVAL);
        };
        entries.put(name, i);
        modified();
        return i;
    }

    @Override
    public synchronized Inode mkdir(String name, int mode, int uid, int gid) {
        exists(name);
        MemDirectory d = new MemDirectory(tmpfs, FileFlags.S_IFDIR | (mode & 07777), uid, gid);
        d.parent = this;
        entries.put(name, d);
        nlink++;
        modified();
        return d;
    }

    @Override
    public synchronized Inode symlink(String name, String target, int uid, int gid) {
        exists(name);
        MemSymlink s = new MemSymlink(tmpfs, target, uid, gid);
        entries.put(name, s);
        modified();
        return s;
    }

    /** Puts an existing memory inode under {@code name} (the overlay's copy-up and whiteouts). */
    public synchronized void put(String name, MemInode i) {
        exists(name);
        entries.put(name, i);
        if (i instanceof MemDirectory d) {
            d.parent = this;
            nlink++;
        }
        modified();
    }

    @Override
    public synchronized void link(String name, Inode target) {
        if (!(target instanceof MemInode m) || !tmpfs.owns(target)) throw Errno.error(Errno.EXDEV);
        exists(name);
        entries.put(name, m);
        m.linkAdded();
        modified();
    }

    @Override
    public synchronized void unlink(String name, Inode child) {
        MemInode i = entries.get(name);
        if (i == null) throw Errno.error(Errno.ENOENT);
        if (i instanceof MemDirectory) throw Errno.error(Errno.EISDIR);
        entries.remove(name);
        i.linkRemoved();
        modified();
    }

    @Override
    public synchronized void rmdir(String name, Inode child) {
        MemInode i = entries.get(name);
        if (i == null) throw Errno.error(Errno.ENOENT);
        if (!(i instanceof MemDirectory d)) throw Errno.error(Errno.ENOTDIR);
        if (!d.isEmpty()) throw Errno.error(Errno.ENOTEMPTY);
        entries.remove(name);
        nlink--;
        d.removed();
        modified();
    }

    /** Removes {@code name} whatever it is, and everything below it (the overlay replacing an upper directory). */
    public synchronized void removeTree(String name) {
        MemInode i = entries.remove(name);
        if (i == null) return;
        if (i instanceof MemDirectory d) {
            for (String n : d.names()) d.removeTree(n);
            nlink--;
            d.removed();
        } else {
            i.linkRemoved();
        }
        modified();
    }

    private synchronized void removed() {
        nlink = 0;
        changed();
        dropped();
    }

    @Override
    public void rename(String oldName, Inode child, Inode newDir, String newName, Inode replaced) {
        if (!(newDir instanceof MemDirectory to) || !tmpfs.owns(newDir)) throw Errno.error(Errno.EXDEV);
        // Both directories locked in one order (by identity) so two renames cannot deadlock.
        Object first = System.identityHashCode(this) <= System.identityHashCode(to) ? this : to;
        Object second = first == this ? to : this;
        synchronized (first) {
            synchronized (second) {
                MemInode moving = entries.get(oldName);
                if (moving == null) throw Errno.error(Errno.ENOENT);
                MemInode old = to.entries.get(newName);
                if (old != null) {
                    if (old instanceof MemDirectory d) {
                        if (!d.isEmpty()) throw Errno.error(Errno.ENOTEMPTY);
                        to.entries.remove(newName);
                        to.nlink--;
                        d.removed();
                    } else {
                        to.entries.remove(newName);
                        old.linkRemoved();
                    }
                }
                entries.remove(oldName);
                to.entries.put(newName, moving);
                if (moving instanceof MemDirectory d && to != this) {
                    nlink--;
                    to.nlink++;
                    d.parent = to;
                }
                moving.changed();
                modified();
                if (to != this) to.modified();
            }
        }
    }

    @Override
    public void exchange(String oldName, Inode child, Inode newDir, String newName, Inode other) {
        if (!(newDir instanceof MemDirectory to) || !tmpfs.owns(newDir)) throw Errno.error(Errno.EXDEV);
        Object first = System.identityHashCode(this) <= System.identityHashCode(to) ? this : to;
        Object second = first == this ? to : this;
        synchronized (first) {
            synchronized (second) {
                MemInode a = entries.get(oldName), b = to.entries.get(newName);
                if (a == null || b == null) throw Errno.error(Errno.ENOENT);
                entries.put(oldName, b);
                to.entries.put(newName, a);
                if (to != this) {
                    if (a instanceof MemDirectory da) {
                        nlink--;
                        to.nlink++;
                        da.parent = to;
                    }
                    if (b instanceof MemDirectory db) {
                        to.nlink--;
                        nlink++;
                        db.parent = this;
                    }
                }
                a.changed();
                b.changed();
                modified();
                if (to != this) to.modified();
            }
        }
    }
}
