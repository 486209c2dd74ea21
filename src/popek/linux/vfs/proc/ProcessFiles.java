package popek.linux.vfs.proc;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import popek.linux.abi.Errno;
import popek.linux.auth.Credentials;
import popek.linux.mm.Vma;
import popek.linux.ns.Namespace;
import popek.linux.vfs.Caller;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.FsContext;
import popek.linux.vfs.Inode;
import popek.linux.vfs.Location;
import popek.linux.vfs.Mount;
import popek.linux.vfs.RegularFile;
import popek.linux.vfs.VfsFile;
import popek.linux.vfs.proc.ProcSource.ProcessInfo;

/**
 * /proc/[pid]: stat, statm, status, cmdline, environ, comm, maps, mounts, mountinfo, cgroup, the magic links cwd,
 * root and exe, fd/ and fdinfo/, and task/[tid] (the threads), in the formats proc(5) gives (what ps, top and pgrep
 * parse). Links are followed only by the process's owner or root, as ptrace access requires.
 */
final class ProcessFiles {
    private static final List<String> NAMES = List.of("cgroup", "cmdline", "comm", "cwd", "environ", "exe", "fd", "fdinfo",
            "gid_map", "maps", "mountinfo", "mounts", "ns", "oom_score_adj", "root", "setgroups", "stat", "statm", "status",
            "task", "timens_offsets", "uid_map");
    private static final List<String> THREAD_NAMES = List.of("cmdline", "comm", "stat", "statm", "status");

    private final ProcFs proc;

    ProcessFiles(ProcFs proc) { this.proc = proc; }

    private ProcessInfo info(int pid) {
        ProcessInfo i = proc.processes().process(pid);
        if (i == null) throw Errno.error(Errno.ESRCH);
        return i;
    }

    Inode directory(int pid) {
        ProcessInfo i = proc.processes().process(pid);
        if (i == null) return null;
        int uid = i.creds().euid(), gid = i.creds().egid();
        return proc.dir(Integer.toString(pid), 0555, uid, gid, () -> NAMES, name -> child(pid, name, uid, gid));
    }

    private Inode child(int pid, String name, int uid, int gid) {
        String key = pid + "/" + name;
        return switch (name) {
            case "stat" -> proc.file(key, 0444, uid, gid, c -> stat(info(pid), pid));
            case "statm" -> proc.file(key, 0444, uid, gid, c -> statm(info(pid)));
            case "status" -> proc.file(key, 0444, uid, gid, c -> status(c, info(pid), pid));
            case "cmdline" -> proc.bytes(key, 0444, uid, gid, c -> info(pid).cmdline());
            case "environ" -> proc.bytes(key, 0400, uid, gid, c -> info(pid).environ());
            case "comm" -> proc.file(key, 0644, uid, gid, c -> info(pid).comm() + "\n");
            case "maps" -> proc.file(key, 0444, uid, gid, c -> maps(info(pid)));
            case "mounts" -> proc.file(key, 0444, uid, gid, c -> mounts(pid, false));
            case "mountinfo" -> proc.file(key, 0444, uid, gid, c -> mounts(pid, true));
            case "cgroup" -> proc.file(key, 0444, uid, gid, c -> proc.processes().cgroup(c, pid));
            case "ns" -> proc.dir(key, 0511, uid, gid, () -> ProcSource.NAMESPACE_LINKS, n -> nsLink(pid, n, uid, gid));
            case "uid_map", "gid_map" -> proc.writable(key, 0644, uid, gid, c -> proc.processes().idMap(c, pid, name.equals("gid_map")),
                    (c, v) -> proc.processes().writeIdMap(c, pid, name.equals("gid_map"), v));
            case "setgroups" -> proc.writable(key, 0644, uid, gid, c -> proc.processes().setgroups(pid),
                    (c, v) -> proc.processes().writeSetgroups(c, pid, v));
            case "timens_offsets" -> proc.writable(key, 0644, uid, gid, c -> proc.processes().timensOffsets(pid),
                    (c, v) -> proc.processes().writeTimensOffsets(c, pid, v));
            case "oom_score_adj" -> proc.file(key, 0644, uid, gid, c -> "0\n");
            case "cwd" -> proc.magic(key, uid, gid, c -> path(c, pid, false), c -> place(c, pid, false), null);
            case "root" -> proc.magic(key, uid, gid, c -> path(c, pid, true), c -> place(c, pid, true), null);
            case "exe" -> proc.magic(key, uid, gid, c -> exeText(c, pid), c -> exe(c, pid), null);
            case "fd" -> proc.dir(key, 0500, uid, gid, () -> fdNames(pid), n -> fdLink(pid, n, uid, gid));
            case "fdinfo" -> proc.dir(key, 0500, uid, gid, () -> fdNames(pid), n -> fdInfo(pid, n, uid, gid));
            case "task" -> proc.dir(key, 0555, uid, gid, () -> threadNames(pid), n -> thread(pid, n, uid, gid));
            default -> null;
        };
    }

    // ---------------------------------------------------------------- threads

    private List<String> threadNames(int pid) {
        List<String> out = new ArrayList<>();
        for (int t : proc.processes().threads(pid)) out.add(Integer.toString(t));
        return out;
    }

    private Inode thread(int pid, String name, int uid, int gid) {
        int tid = ProcFs.number(name);
        boolean found = false;
        for (int t : proc.processes().threads(pid)) found |= t == tid;
        if (!found) return null;
        String key = pid + "/task/" + tid;
        return proc.dir(key, 0555, uid, gid, () -> THREAD_NAMES, n -> switch (n) {
            case "stat" -> proc.file(key + "/stat", 0444, uid, gid, c -> stat(info(pid), tid));
            case "statm" -> proc.file(key + "/statm", 0444, uid, gid, c -> statm(info(pid)));
            case "status" -> proc.file(key + "/status", 0444, uid, gid, c -> status(c, info(pid), tid));
            case "cmdline" -> proc.bytes(key + "/cmdline", 0444, uid, gid, c -> info(pid).cmdline());
            case "comm" -> proc.file(key + "/comm", 0644, uid, gid, c -> info(pid).comm() + "\n");
            default -> null;
        });
    }

    // ---------------------------------------------------------------- links

    /**
     * Throws EACCES unless {@code c} may look into process {@code pid}: its owner, or one with the capabilities in its
     * user namespace (ptrace's PTRACE_MODE_READ_FSCREDS check).
     */
    private void mayTrace(Caller c, int pid) {
        Credentials me = c.credentials();
        ProcessInfo i = info(pid);
        if (me.capable(i.creds().userNs())) return;
        if (me.fsuid() != i.creds().euid() && me.fsuid() != i.creds().uid()) throw Errno.error(Errno.EACCES);
    }

    /** /proc/[pid]/ns/KIND: a magic link whose text names the namespace and which leads to its nsfs file. */
    private Inode nsLink(int pid, String link, int uid, int gid) {
        if (!ProcSource.NAMESPACE_LINKS.contains(link)) return null;
        return proc.magic(pid + "/ns/" + link, uid, gid, c -> {
            mayTrace(c, pid);
            Namespace n = proc.processes().namespace(pid, link);
            return n == null ? null : n.linkText();
        }, c -> {
            mayTrace(c, pid);
            Namespace n = proc.processes().namespace(pid, link);
            if (n == null) throw Errno.error(Errno.ENOENT);
            return proc.resolver().namespaceFile(n);
        }, null);
    }

    private FsContext fs(int pid) {
        FsContext f = proc.processes().fs(pid);
        if (f == null) throw Errno.error(Errno.ENOENT);
        return f;
    }

    private Location readerRoot(Caller c) {
        FsContext mine = c == null ? null : proc.processes().callerFs(c);
        return mine != null && mine.root() instanceof Location l ? l : null;
    }

    private Location place(Caller c, int pid, boolean root) {
        mayTrace(c, pid);
        FsContext f = fs(pid);
        return (Location) (root ? f.root() : f.cwd());
    }

    private String path(Caller c, int pid, boolean root) {
        mayTrace(c, pid);
        return seenFrom(place(c, pid, root), readerRoot(c));
    }

    /** A place as the reader names it: from its root, or whole when it lies in another namespace (a memfd's); an nsfs file by its name. */
    private static String seenFrom(Location l, Location root) {
        if (l.mount().fs() instanceof popek.linux.vfs.nsfs.NsFs) return l.entry().name();
        if (root == null || l.mount().namespace() != root.mount().namespace()) return l.absolutePath();
        return l.pathFrom(root);
    }

    private Location exe(Caller c, int pid) {
        mayTrace(c, pid);
        String p = info(pid).exe();
        if (p == null || p.isEmpty()) throw Errno.error(Errno.ENOENT);
        return proc.resolver().resolve(fs(pid), p);
    }

    private String exeText(Caller c, int pid) { return seenFrom(exe(c, pid), readerRoot(c)); }

    private List<String> fdNames(int pid) {
        List<String> out = new ArrayList<>();
        for (int fd : proc.processes().fds(pid)) out.add(Integer.toString(fd));
        return out;
    }

    private FileDescription file(int pid, int fd) {
        FileDescription f = proc.processes().fd(pid, fd);
        if (f == null) throw Errno.error(Errno.ENOENT);
        return f;
    }

    private Inode fdLink(int pid, String name, int uid, int gid) {
        int fd = ProcFs.number(name);
        if (fd < 0 || proc.processes().fd(pid, fd) == null) return null;
        return proc.magic(pid + "/fd/" + fd, uid, gid, c -> {
            mayTrace(c, pid);
            FileDescription f = file(pid, fd);
            return f instanceof VfsFile v ? seenFrom(v.location(), readerRoot(c)) : f.path();
        }, c -> {
            mayTrace(c, pid);
            return file(pid, fd) instanceof VfsFile v ? v.location() : null;
        }, c -> {
            mayTrace(c, pid);
            FileDescription f = file(pid, fd);
            return f instanceof VfsFile ? null : f;
        });
    }

    private Inode fdInfo(int pid, String name, int uid, int gid) {
        int fd = ProcFs.number(name);
        if (fd < 0 || proc.processes().fd(pid, fd) == null) return null;
        return proc.file(pid + "/fdinfo/" + fd, 0444, uid, gid, c -> {
            FileDescription f = file(pid, fd);
            long pos = f instanceof RegularFile r ? r.offset() : 0;
            int flags = f.flags() | (proc.processes().closeOnExec(pid, fd) ? 02000000 : 0);
            return "pos:\t" + pos + "\nflags:\t0" + Integer.toOctalString(flags) + "\nmnt_id:\t0\nino:\t" + ino(f) + "\n";
        });
    }

    private static long ino(FileDescription f) {
        var s = new popek.linux.vfs.StatBuf();
        f.stat(null, s);
        return s.ino;
    }

    // ---------------------------------------------------------------- texts

    private static long vsize(ProcessInfo i) {
        long n = 0;
        for (Vma v : i.areas()) n += v.end() - v.start();
        return n;
    }

    private static long sizeOf(ProcessInfo i, boolean exec, boolean stack) {
        long n = 0;
        for (Vma v : i.areas()) {
            boolean x = (v.prot() & Vma.PROT_EXEC) != 0;
            if (stack ? v.growsDown() || "[stack]".equals(v.name()) : exec == x && !v.growsDown()) n += v.end() - v.start();
        }
        return n;
    }

    private static long low32(long mask) { return mask & 0xFFFFFFFFL; }

    String stat(ProcessInfo i, int id) {
        long startCode = 0, endCode = 0, startStack = 0;
        for (Vma v : i.areas()) {
            if (startCode == 0 && (v.prot() & Vma.PROT_EXEC) != 0) {
                startCode = v.start();
                endCode = v.end();
            }
            if (v.growsDown() || "[stack]".equals(v.name())) startStack = v.end() - 4;
        }
        StringBuilder b = new StringBuilder(256);
        b.append(id).append(" (").append(i.comm()).append(") ").append(i.state()).append(' ')
                .append(i.ppid()).append(' ').append(i.pgrp()).append(' ').append(i.session()).append(' ')
                .append(i.ttyNr()).append(' ').append(i.tpgid()).append(" 4194560 ")
                .append(i.minorFaults()).append(" 0 0 0 ")
                .append(i.utime()).append(' ').append(i.stime()).append(' ').append(i.cutime()).append(' ').append(i.cstime())
                .append(" 20 0 ").append(i.threads()).append(" 0 ").append(i.startTicks()).append(' ')
                .append(vsize(i)).append(' ').append(i.rssPages()).append(" 4294967295 ")
                .append(startCode).append(' ').append(endCode).append(' ').append(startStack).append(" 0 0 ")
                .append(low32(i.sigPending() | i.sigShared())).append(' ').append(low32(i.sigBlocked())).append(' ')
                .append(low32(i.sigIgnored())).append(' ').append(low32(i.sigCaught()))
                .append(" 0 0 0 17 0 0 0 0 0 0 0 0 ").append(i.brkStart()).append(" 0 0 0 0 ").append(i.exitCode()).append('\n');
        return b.toString();
    }

    private static String statm(ProcessInfo i) {
        long size = vsize(i) / 4096, text = sizeOf(i, true, false) / 4096, data = sizeOf(i, false, false) / 4096
                + sizeOf(i, false, true) / 4096;
        return size + " " + i.rssPages() + " 0 " + text + " 0 " + data + " 0\n";
    }

    private static String stateName(char s) {
        return switch (s) {
            case 'R' -> "R (running)";
            case 'S' -> "S (sleeping)";
            case 'T' -> "T (stopped)";
            case 'Z' -> "Z (zombie)";
            case 'X' -> "X (dead)";
            default -> "D (disk sleep)";
        };
    }

    private static String hex16(long v) { return String.format("%016x", v); }

    private static String kb(long bytes) { return String.format("%8d kB", bytes / 1024); }

    String status(Caller reader, ProcessInfo i, int id) {
        Credentials c = i.creds();
        var seen = reader == null ? c.userNs() : reader.credentials().userNs();
        FsContext f = proc.processes().fs(i.pid());
        StringBuilder b = new StringBuilder(1024);
        b.append("Name:\t").append(i.comm()).append('\n');
        b.append("Umask:\t").append(String.format("%04o", f == null ? 022 : f.umask())).append('\n');
        b.append("State:\t").append(stateName(i.state())).append('\n');
        b.append("Tgid:\t").append(i.pid()).append("\nNgid:\t0\nPid:\t").append(id).append("\nPPid:\t").append(i.ppid())
                .append("\nTracerPid:\t0\n");
        b.append("Uid:\t").append(seen.uidSeen(c.uid())).append('\t').append(seen.uidSeen(c.euid())).append('\t')
                .append(seen.uidSeen(c.suid())).append('\t').append(seen.uidSeen(c.fsuid())).append('\n');
        b.append("Gid:\t").append(seen.gidSeen(c.gid())).append('\t').append(seen.gidSeen(c.egid())).append('\t')
                .append(seen.gidSeen(c.sgid())).append('\t').append(seen.gidSeen(c.fsgid())).append('\n');
        b.append("FDSize:\t64\nGroups:\t");
        for (int g : c.groups()) b.append(seen.gidSeen(g)).append(' ');
        b.append('\n');
        b.append("NStgid:");
        for (int n : i.nsTgid()) b.append('\t').append(n);
        b.append("\nNSpid:");
        for (int n : id == i.pid() ? i.nsTgid() : proc.processes().nsIds(id)) b.append('\t').append(n);
        b.append("\nNSpgid:");
        for (int n : i.nsPgid()) b.append('\t').append(n);
        b.append("\nNSsid:");
        for (int n : i.nsSid()) b.append('\t').append(n);
        b.append('\n');
        if (i.state() != 'Z') {
            long vs = vsize(i), rss = i.rssPages() * 4096;
            b.append("VmPeak:\t").append(kb(vs)).append("\nVmSize:\t").append(kb(vs)).append("\nVmLck:\t").append(kb(0))
                    .append("\nVmPin:\t").append(kb(0)).append("\nVmHWM:\t").append(kb(rss)).append("\nVmRSS:\t").append(kb(rss))
                    .append("\nRssAnon:\t").append(kb(rss)).append("\nRssFile:\t").append(kb(0)).append("\nRssShmem:\t").append(kb(0))
                    .append("\nVmData:\t").append(kb(sizeOf(i, false, false))).append("\nVmStk:\t").append(kb(sizeOf(i, false, true)))
                    .append("\nVmExe:\t").append(kb(sizeOf(i, true, false))).append("\nVmLib:\t").append(kb(0))
                    .append("\nVmPTE:\t").append(kb(0)).append("\nVmSwap:\t").append(kb(0)).append('\n');
        }
        b.append("Threads:\t").append(i.threads()).append("\nSigQ:\t0/7823\n");
        b.append("SigPnd:\t").append(hex16(i.sigPending())).append("\nShdPnd:\t").append(hex16(i.sigShared()))
                .append("\nSigBlk:\t").append(hex16(i.sigBlocked())).append("\nSigIgn:\t").append(hex16(i.sigIgnored()))
                .append("\nSigCgt:\t").append(hex16(i.sigCaught())).append('\n');
        String all = "000001ffffffffff", none = "0000000000000000";
        b.append("CapInh:\t0000000000000000\nCapPrm:\t").append(c.capPermitted() ? all : none).append("\nCapEff:\t")
                .append(c.capEffective() ? all : none)
                .append("\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n");
        b.append("Cpus_allowed:\t1\nCpus_allowed_list:\t0\nvoluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
        return b.toString();
    }

    private static String maps(ProcessInfo i) {
        StringBuilder b = new StringBuilder();
        for (Vma v : i.areas()) {
            int start = b.length();
            b.append(String.format("%08x-%08x %c%c%c%c %08x 00:00 0", v.start(), v.end(),
                    (v.prot() & Vma.PROT_READ) != 0 ? 'r' : '-', (v.prot() & Vma.PROT_WRITE) != 0 ? 'w' : '-',
                    (v.prot() & Vma.PROT_EXEC) != 0 ? 'x' : '-', v.shared() ? 's' : 'p', v.file() != null ? v.offset() : 0));
            String name = v.name();
            if (name != null && !name.isEmpty()) {
                while (b.length() - start < 48) b.append(' ');   // Linux pads to column 49 on a 32-bit kernel
                b.append(' ').append(name);
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** /proc/[pid]/mounts and mountinfo: the mounts of the process's namespace that its root can see. */
    private String mounts(int pid, boolean info) {
        FsContext f = fs(pid);
        Location root = (Location) f.root();
        List<Mount> all = root.mount().namespace().mounts();
        StringBuilder b = new StringBuilder();
        for (Mount m : all) {
            String at = new Location(m, m.root()).pathFrom(root);
            if (at.startsWith("(unreachable)")) continue;
            if (at.endsWith(" (deleted)")) at = at.substring(0, at.length() - 10);
            String point = escape(at);
            if (info) {
                int id = all.indexOf(m) + 20, parent = m.parent() == null ? 1 : all.indexOf(m.parent()) + 20;
                int dev = m.fs().dev();
                String superOptions = (m.fs().readOnly() ? "ro" : "rw") + (m.fs().options().isEmpty() ? "" : "," + m.fs().options());
                b.append(id).append(' ').append(parent).append(' ').append(popek.linux.vfs.DeviceNumbers.major(dev)).append(':')
                        .append(popek.linux.vfs.DeviceNumbers.minor(dev)).append(' ').append(escape(m.rootPath())).append(' ')
                        .append(point).append(' ').append(m.flagOptions()).append(" - ").append(m.fs().type()).append(' ')
                        .append(m.fs().source()).append(' ').append(superOptions).append('\n');
            } else {
                b.append(m.fs().source()).append(' ').append(point).append(' ').append(m.fs().type()).append(' ')
                        .append(m.options()).append(" 0 0\n");
            }
        }
        return b.toString();
    }

    /** Spaces, tabs, newlines and backslashes in mount paths as octal escapes, as the kernel writes them. */
    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\\') b.append('\\').append(String.format("%03o", (int) ch));
            else b.append(ch);
        }
        return b.toString();
    }

    static byte[] joined(byte[][] parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.write(p, 0, p.length);
            o.write(0);
        }
        return o.toByteArray();
    }
}
