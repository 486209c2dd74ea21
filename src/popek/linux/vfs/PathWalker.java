package popek.linux.vfs;

import java.util.ArrayDeque;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.auth.Credentials;

/**
 * Path resolution (Linux's namei, gVisor's resolvingPath): component by component from the task's root or a base
 * directory, with search permission checked on every directory passed, mounts crossed in both directions, "." and
 * ".." (which never rise above the task's root, nor above its namespace's root), and symbolic links followed inside
 * the root (absolute targets start again from it), at most {@link #MAX_SYMLINKS} per walk (ELOOP). Names longer than
 * {@link #NAME_MAX} bytes fail with ENAMETOOLONG. Names are Java strings of ISO-8859-1 characters, one per byte.
 */
public final class PathWalker {
    private PathWalker() { }

    public static final int MAX_SYMLINKS = 40, NAME_MAX = 255;

    /**
     * Where a walk ended: the directory holding the last component, that component as written ("" for "/", or "."
     * and ".."), what it names (null when it does not exist: a creation can make it there) and whether the path ended
     * with a slash (so it must name a directory).
     */
    public static final class Walk {
        public Location parent;
        public String name;
        public Location child;
        public boolean trailingSlash;
    }

    /**
     * Walks {@code path} from {@code base} (relative paths) or {@code root} (absolute ones), following a final
     * symbolic link if {@code followLast} (or the path ends with a slash). Intermediate components must exist and be
     * directories (ENOENT, ENOTDIR); the last need not exist.
     */
    public static Walk walk(Caller caller, Credentials creds, Location root, Location base, String path, boolean followLast) {
        if (path.isEmpty()) throw Errno.error(Errno.ENOENT);
        if (path.length() >= FileFlags.PATH_MAX) throw Errno.error(Errno.ENAMETOOLONG);
        ArrayDeque<String> todo = new ArrayDeque<>();
        push(todo, path);
        Walk w = new Walk();
        boolean trailing = path.charAt(path.length() - 1) == '/';
        Location cur = path.charAt(0) == '/' ? root : base;
        int links = 0;
        while (true) {
            if (todo.isEmpty()) {   // "/" (or a link to it) as the whole or the rest of the path
                w.parent = cur;
                w.name = "";
                w.child = cur;
                w.trailingSlash = trailing;
                return w;
            }
            String name = todo.pollFirst();
            boolean last = todo.isEmpty();
            Inode dir = cur.inode();
            if (!dir.isDirectory()) throw Errno.error(Errno.ENOTDIR);
            if (!Permissions.allowed(creds, dir, Permissions.MAY_EXEC)) throw Errno.error(Errno.EACCES);
            Location next;
            if (name.equals(".")) next = cur;
            else if (name.equals("..")) next = parent(cur, root);
            else {
                if (name.length() > NAME_MAX) throw Errno.error(Errno.ENAMETOOLONG);
                next = child(cur, name);
            }
            boolean follow = !last || followLast || trailing;
            if (next != null && follow && next.inode().isSymlink()) {
                if (++links > MAX_SYMLINKS) throw Errno.error(Errno.ELOOP);
                Location magic = next.inode().followMagic(caller);
                if (magic != null) {
                    if (last) {
                        w.parent = cur;
                        w.name = name;
                        w.child = magic;
                        w.trailingSlash = trailing;
                        return w;
                    }
                    cur = magic;
                    continue;
                }
                if (next.inode().magicFile(caller) != null) {
                    if (!last) throw Errno.error(Errno.ENOTDIR);
                    w.parent = cur;
                    w.name = name;
                    w.child = next;
                    w.trailingSlash = trailing;
                    return w;
                }
                String target = next.inode().readlink(caller);
                if (target.isEmpty()) throw Errno.error(Errno.ENOENT);
                if (target.charAt(0) == '/') cur = root;
                if (last && target.charAt(target.length() - 1) == '/') trailing = true;
                push(todo, target);
                continue;
            }
            if (last) {
                w.parent = cur;
                w.name = name;
                w.child = next;
                w.trailingSlash = trailing;
                return w;
            }
            if (next == null) throw Errno.error(Errno.ENOENT);
            cur = next;
        }
    }

    /** Puts {@code path}'s components in front of what is left to walk. */
    private static void push(ArrayDeque<String> todo, String path) {
        int end = path.length();
        while (end > 0) {
            while (end > 0 && path.charAt(end - 1) == '/') end--;
            if (end == 0) break;
            int start = path.lastIndexOf('/', end - 1) + 1;
            todo.addFirst(path.substring(start, end));
            end = start;
        }
    }

    /** The entry {@code name} of directory {@code dir}, inside whatever is mounted on it; null if absent. */
    public static Location child(Location dir, String name) {
        DirEntry c = dir.entry().child(name);
        return c == null ? null : crossMounts(new Location(dir.mount(), c));
    }

    /** Into the mounts stacked on {@code l}, to the top one's root. */
    public static Location crossMounts(Location l) {
        while (l.entry().mountPoint()) {
            Mount m = l.mount().namespace().mountedAt(l.mount(), l.entry());
            if (m == null) break;
            l = new Location(m, m.root());
        }
        return l;
    }

    /** ".." of {@code cur}: out of mounts at their roots, and never above {@code root} or the namespace's root. */
    public static Location parent(Location cur, Location root) {
        if (cur.equals(root)) return cur;
        Mount m = cur.mount();
        DirEntry e = cur.entry();
        while (e == m.root()) {
            if (m.parent() == null) return new Location(m, e);
            e = m.mountpoint();
            m = m.parent();
            if (m == root.mount() && e == root.entry()) return root;
        }
        return crossMounts(new Location(m, e.parent()));
    }
}
