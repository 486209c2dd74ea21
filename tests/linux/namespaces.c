/* namespaces: unshare, setns and the /proc/[pid]/ns files; pid namespaces (ids, init, orphans, init protection, the
 * end of an init, kill -1), UTS, time offsets, user namespaces (maps, setgroups, capabilities) and the permission
 * rules. Run as root (uid 0 with every capability). Every line prints the same under Popek and under qemu-i386 as
 * root on a Linux host (which does the namespace calls itself). With "popek", also what qemu-user cannot show:
 * init protection (qemu catches every signal, so no init of it lacks a handler), user namespaces (qemu runs a
 * thread of its own, and unshare(CLONE_NEWUSER) wants a single-threaded caller), clone's CLONE_NEW* flags (qemu
 * refuses them), mount namespaces (its mounts would be the host's) and cgroup namespaces (the host's cgroups differ). */
#include "fs.h"

enum {
    NR_getppid = 64, NR_sethostname = 74, NR_uname = 122, NR_clone = 120, NR_setgroups32 = 206, NR_getuid32 = 199,
    NR_getgid32 = 200, NR_unshare = 310, NR_setns = 346, NR_clock_gettime = 265, NR_setresuid32_ = 208,
    NR_pause = 29, NR_exit = 1, NR_getgroups32 = 205, NR_prctl = 172, PR_SET_DUMPABLE = 4,
};
enum {
    CLONE_NEWTIME = 0x80, CLONE_NEWNS = 0x20000, CLONE_NEWCGROUP = 0x02000000, CLONE_NEWUTS = 0x04000000,
    CLONE_NEWIPC = 0x08000000, CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000,
    CLONE_FS = 0x200, SIGCHLD_ = 17,
};
enum { ESRCH = 3, ENOMEM = 12, EUSERS = 87 };
enum { MS_REC = 16384, MS_PRIVATE = 1 << 18 };

struct utsname { char f[6][65]; };

static int wait_status(int pid) { int st = -1; int r = sys_wait(pid, &st); return r == pid ? st : -1000 + r; }

static void nap(int ms) { struct timespec ts = {0, ms * 1000000}; sys2(NR_nanosleep, &ts, 0); }

/* The inode number in a /proc/[pid]/ns link's text ("uts:[4026531838]"), 0 if it cannot be read. */
static unsigned long long ns_ino(const char *link, const char *kind) {
    char buf[64];
    int n = sys3(NR_readlink, link, buf, sizeof buf - 1);
    if (n <= 0) return 0;
    buf[n] = 0;
    int k = strlen(kind);
    if (strncmp(buf, kind, k) || buf[k] != ':' || buf[k + 1] != '[' || buf[n - 1] != ']') return 0;
    unsigned long long v = 0;
    for (int i = k + 2; i < n - 1; i++) v = v * 10 + (buf[i] - '0');
    return v;
}

static int write_file(const char *path, const char *text) {
    int fd = sys_open(path, O_WRONLY, 0);
    if (fd < 0) return fd;
    int n = sys_write(fd, text, strlen(text));
    sys_close(fd);
    return n;
}

static const char *nodename(void) {
    static struct utsname u;
    sys1(NR_uname, &u);
    return u.f[1];
}

static long long clock_ns(int clock) {
    struct timespec ts;
    sys2(NR_clock_gettime, clock, &ts);
    return (long long)ts.sec * 1000000000LL + ts.nsec;
}

/* A child that runs f() and exits with its count of failures; the parent checks that it passed. */
static void in_child(void (*f)(void), const char *what) {
    int pid = sys_fork();
    if (pid == 0) { t_failures = 0; f(); sys_exit(t_failures); }
    CHECK_EQ(wait_status(pid), 0, what);
}

/* ---------------------------------------------------------------- nsfs and /proc/[pid]/ns */

static void ns_files(void) {
    static const char *kinds[] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"};
    for (int i = 0; i < 8; i++) {
        char link[64];
        snprintf(link, sizeof link, "/proc/self/ns/%s", kinds[i]);
        unsigned long long ino = ns_ino(link, kinds[i]);
        struct stat64 st;
        int r = sys_stat(link, &st);
        CHECK(ino != 0 && r == 0 && st.st_ino == ino && (st.st_mode & S_IFMT) == S_IFREG,
              "/proc/self/ns/%s reads KIND:[INODE] and leads to a file of that inode", kinds[i]);
    }
    CHECK(ns_ino("/proc/self/ns/pid_for_children", "pid") == ns_ino("/proc/self/ns/pid", "pid"),
          "pid_for_children is the process's own pid namespace");
    int fd = sys_open("/proc/self/ns/uts", O_RDONLY, 0);
    char b[8];
    CHECK_EQ(sys_read(fd, b, sizeof b), -EINVAL, "reading a namespace file: EINVAL");
    struct stat64 a, c;
    sys_fstat(fd, &a);
    sys_stat("/proc/self/ns/ipc", &c);
    CHECK(a.st_ino == ns_ino("/proc/self/ns/uts", "uts") && a.st_dev == c.st_dev, "its descriptor stats as the namespace's file, on nsfs's device");
    sys_close(fd);
}

/* ---------------------------------------------------------------- UTS */

static void uts_child(void) {
    unsigned long long before = ns_ino("/proc/self/ns/uts", "uts");
    CHECK_EQ(sys1(NR_unshare, CLONE_NEWUTS), 0, "unshare(CLONE_NEWUTS)");
    CHECK(ns_ino("/proc/self/ns/uts", "uts") != before, "the process is in a new UTS namespace");
    CHECK_EQ(sys2(NR_sethostname, "inner", 5), 0, "sethostname in it");
    CHECK(!strcmp(nodename(), "inner"), "uname shows the new name");
    CHECK_EQ(sys2(NR_sethostname, "x", 65), -EINVAL, "sethostname of more than 64 bytes: EINVAL");
}

static void uts(void) {
    char saved[65];
    memcpy(saved, nodename(), 65);
    in_child(uts_child, "a child changed its own UTS namespace's name");
    CHECK(!strcmp(nodename(), saved), "the parent's host name is unchanged");
}

/* ---------------------------------------------------------------- setns */

static void setns_(void) {
    int p[2];
    sys1(NR_pipe, p);
    int holder = sys_fork();
    if (holder == 0) {
        sys1(NR_unshare, CLONE_NEWUTS);
        sys2(NR_sethostname, "alpha", 5);
        sys_write(p[1], "x", 1);
        for (;;) sys0(NR_pause);
    }
    char c;
    sys_read(p[0], &c, 1);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/uts", holder);
    int fd = sys_open(path, O_RDONLY, 0);
    CHECK(fd >= 0, "opening another process's /proc/[pid]/ns/uts");
    int pid = sys_fork();
    if (pid == 0) {
        t_failures = 0;
        CHECK_EQ(sys2(NR_setns, fd, CLONE_NEWPID), -EINVAL, "setns with the wrong type: EINVAL");
        CHECK_EQ(sys2(NR_setns, p[0], 0), -EINVAL, "setns of a pipe: EINVAL");
        CHECK_EQ(sys2(NR_setns, 999, 0), -EBADF, "setns of no descriptor: EBADF");
        CHECK_EQ(sys2(NR_setns, fd, CLONE_NEWUTS), 0, "setns into its UTS namespace");
        CHECK(!strcmp(nodename(), "alpha"), "then uname shows that namespace's name");
        CHECK(ns_ino("/proc/self/ns/uts", "uts") == ns_ino(path, "uts"), "and /proc/self/ns/uts is that namespace");
        sys_exit(t_failures);
    }
    CHECK_EQ(wait_status(pid), 0, "a child joined another process's UTS namespace");
    pid = sys_fork();
    if (pid == 0) {
        t_failures = 0;
        sys3(NR_setresuid32_, 1000, 1000, 1000);
        CHECK_EQ(sys2(NR_setns, fd, CLONE_NEWUTS), -EPERM, "setns without CAP_SYS_ADMIN: EPERM");
        CHECK_EQ(sys1(NR_unshare, CLONE_NEWUTS), -EPERM, "unshare(CLONE_NEWUTS) without it: EPERM");
        CHECK_EQ(sys2(NR_sethostname, "nope", 4), -EPERM, "sethostname without it: EPERM");
        sys_exit(t_failures);
    }
    CHECK_EQ(wait_status(pid), 0, "uid 1000 may not enter or make namespaces");
    sys_close(fd);
    sys2(NR_kill, holder, 9);
    wait_status(holder);
}

/* ---------------------------------------------------------------- pid namespaces */

static int c_pid;   /* the test's child that unshared its pid namespace, by its own number */
static int popek;   /* also what qemu-user cannot show: it catches every signal itself, so no init lacks a handler */

/* The init (pid 1) of the new namespace. */
static void init_process(int report, int go) {
    t_failures = 0;
    CHECK_EQ(sys0(NR_getpid), 1, "the first process of a new pid namespace is pid 1");
    CHECK_EQ(sys0(NR_getppid), 0, "its parent is outside: getppid is 0");
    int e = sys_fork();
    if (e == 0) {
        t_failures = 0;
        CHECK(sys0(NR_getpid) > 1, "a later process is not pid 1");
        CHECK_EQ(sys0(NR_getppid), 1, "its parent is 1");
        CHECK_EQ(sys2(NR_kill, c_pid, 0), -ESRCH, "the parent namespace's processes are not there (ESRCH)");
        if (popek) {
            CHECK_EQ(sys2(NR_kill, 1, 15), 0, "kill(1, SIGTERM) from inside returns 0");
            CHECK_EQ(sys2(NR_kill, 1, 9), 0, "kill(1, SIGKILL) from inside returns 0");
        }
        sys_exit(t_failures);
    }
    int st = wait_status(e);
    CHECK_EQ(st, 0, "init waited for its child");
    if (popek) CHECK_EQ(sys2(NR_kill, 1, 0), 0, "init survived its child's SIGTERM and SIGKILL (it has no handler for them)");
    /* an orphan goes to init */
    int p[2];
    sys1(NR_pipe, p);
    int f = sys_fork();
    if (f == 0) {
        int g = sys_fork();
        if (g == 0) {
            char c;
            sys_read(p[0], &c, 1);
            sys_exit(sys0(NR_getppid) == 1 ? 0 : 1);
        }
        sys_exit(0);
    }
    wait_status(f);
    sys_write(p[1], "x", 1);
    int orphan = sys4(NR_wait4, -1, &st, 0, 0);
    CHECK(orphan > 2 && st == 0, "an orphan is reparented to init, which reaps it (and it saw getppid 1)");
    /* kill -1 inside: everything but init and the caller */
    int a = sys_fork();
    if (a == 0) for (;;) sys0(NR_pause);
    int b = sys_fork();
    if (b == 0) { nap(20); sys_exit(sys2(NR_kill, -1, 9) == 0 ? 0 : 1); }
    CHECK_EQ(wait_status(a), 9, "kill(-1, SIGKILL) inside kills the namespace's other processes");
    CHECK_EQ(wait_status(b), 0, "but not the caller, nor init");
    /* a child left running when init ends: its pid in the parent's namespace is reported for the check below */
    int left = sys_fork();
    if (left == 0) {
        char buf[1024];
        get("/proc/self/status", buf, sizeof buf);
        const char *s = buf;
        while (*s && strncmp(s, "NSpid:", 6)) s++;
        int outer = 0;
        s += 6;
        while (*s == '\t') s++;
        while (*s >= '0' && *s <= '9') outer = outer * 10 + (*s++ - '0');
        sys_write(report, &outer, 4);
        for (;;) sys0(NR_pause);
    }
    char c;
    sys_read(go, &c, 1);
    sys_exit(t_failures ? 100 : 7);
}

static void pid_child(void) {
    c_pid = sys0(NR_getpid);
    CHECK_EQ(sys1(NR_unshare, CLONE_NEWPID), 0, "unshare(CLONE_NEWPID)");
    CHECK_EQ(sys0(NR_getpid), c_pid, "the caller keeps its pid and namespace");
    char buf[64];
    CHECK_EQ(sys3(NR_readlink, "/proc/self/ns/pid_for_children", buf, sizeof buf), -ENOENT,
             "pid_for_children leads nowhere until its first process");
    CHECK_EQ(sys1(NR_unshare, CLONE_NEWPID), -EINVAL, "a second unshare(CLONE_NEWPID) before it: EINVAL");
    int p[2], go[2];
    sys1(NR_pipe, p);
    sys1(NR_pipe, go);
    int d = sys_fork();
    if (d == 0) init_process(p[1], go[0]);
    int left = 0;
    sys_read(p[0], &left, 4);   /* the init has printed its lines by now: ours follow */
    CHECK(d > 1, "in the parent's namespace the new init has an ordinary pid");
    CHECK(ns_ino("/proc/self/ns/pid_for_children", "pid") != ns_ino("/proc/self/ns/pid", "pid"),
          "pid_for_children now names the new namespace");
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/pid", d);
    CHECK(ns_ino(path, "pid") == ns_ino("/proc/self/ns/pid_for_children", "pid"), "and the new init is in it");
    CHECK(left > 1, "a process left running in it has a pid here too");
    if (popek) {
        CHECK_EQ(sys2(NR_kill, d, 15), 0, "SIGTERM to the init from the parent namespace returns 0");
        nap(20);
        CHECK_EQ(sys2(NR_kill, d, 0), 0, "and, as it has no handler, the init goes on");
    }
    sys_write(go[1], "x", 1);
    int st = wait_status(d);
    CHECK_EQ(st, 7 << 8, "the init's exit status reaches its parent");
    CHECK_EQ(sys2(NR_kill, left, 0), -ESRCH, "when the init ended, the process left in its namespace was killed and reaped");
    int r = sys_fork();
    if (r == 0) sys_exit(99);
    CHECK_EQ(r, -ENOMEM, "no process can be made in a namespace whose init ended: ENOMEM");
}

static void killed_init_child(void) {
    sys1(NR_unshare, CLONE_NEWPID);
    int d = sys_fork();
    if (d == 0) for (;;) sys0(NR_pause);
    nap(20);
    CHECK_EQ(sys2(NR_kill, d, 9), 0, "SIGKILL to an init from its parent namespace");
    CHECK_EQ(wait_status(d), 9, "kills it");
}

static void pids(void) {
    in_child(pid_child, "a child made a pid namespace and watched its init");
    in_child(killed_init_child, "SIGKILL from outside reaches an init");
}

/* ---------------------------------------------------------------- time namespaces */

static void time_child(void) {
    CHECK_EQ(sys1(NR_unshare, CLONE_NEWTIME), 0, "unshare(CLONE_NEWTIME)");
    CHECK(ns_ino("/proc/self/ns/time_for_children", "time") != ns_ino("/proc/self/ns/time", "time"),
          "the new time namespace is for the children only");
    char buf[256];
    get("/proc/self/timens_offsets", buf, sizeof buf);
    CHECK(!strcmp(buf, "monotonic           0         0\nboottime            0         0\n"), "its offsets start as the creator's");
    CHECK_EQ(write_file("/proc/self/timens_offsets", "monotonic 1000 0\n"), 17, "setting the monotonic offset");
    CHECK_EQ(write_file("/proc/self/timens_offsets", "realtime 1 0\n"), -EINVAL, "the realtime clock has none: EINVAL");
    CHECK_EQ(write_file("/proc/self/timens_offsets", "monotonic 0 1000000000\n"), -EINVAL, "nanoseconds past a second: EINVAL");
    get("/proc/self/timens_offsets", buf, sizeof buf);
    CHECK(!strcmp(buf, "monotonic        1000         0\nboottime            0         0\n"), "the offsets read back");
    long long mono = clock_ns(1), boot = clock_ns(7);
    int p[2];
    sys1(NR_pipe, p);
    int pid = sys_fork();
    if (pid == 0) {
        long long v[2] = {clock_ns(1), clock_ns(7)};
        sys_write(p[1], v, sizeof v);
        sys_exit(ns_ino("/proc/self/ns/time", "time") == ns_ino("/proc/self/ns/time_for_children", "time") ? 0 : 1);
    }
    long long v[2];
    sys_read(p[0], v, sizeof v);
    CHECK_EQ(wait_status(pid), 0, "the child is in the new time namespace");
    long long dm = (v[0] - mono) / 1000000000LL, db = (v[1] - boot) / 1000000000LL;
    CHECK(dm >= 1000 && dm < 1010, "its CLOCK_MONOTONIC is 1000 s ahead");
    CHECK(db >= 0 && db < 10, "its CLOCK_BOOTTIME is not");
    CHECK_EQ(write_file("/proc/self/timens_offsets", "monotonic 5 0\n"), -EACCES, "once entered, the offsets are fixed: EACCES");
}

static void times(void) { in_child(time_child, "a child made a time namespace"); }

/* ---------------------------------------------------------------- user namespaces */

static void user_child(void) {
    unsigned long long before = ns_ino("/proc/self/ns/user", "user");
    sys3(NR_setresgid32, 1000, 1000, 1000);
    sys3(NR_setresuid32_, 1000, 1000, 1000);
    sys2(NR_prctl, PR_SET_DUMPABLE, 1);   /* else, having changed uid, its /proc files are root's (Linux's non-dumpable) */
    CHECK_EQ(sys1(NR_unshare, CLONE_NEWUTS), -EPERM, "uid 1000 alone may not make a UTS namespace");
    CHECK_EQ(sys1(NR_unshare, CLONE_NEWUSER | CLONE_NEWUTS), 0, "with a new user namespace it may");
    CHECK(ns_ino("/proc/self/ns/user", "user") != before, "the process is in a new user namespace");
    CHECK_EQ(sys0(NR_getuid32), 65534, "before its map is written, its uid shows as the overflow uid");
    CHECK_EQ(sys0(NR_getgid32), 65534, "and its gid as the overflow gid");
    char buf[256];
    CHECK_EQ(get("/proc/self/uid_map", buf, sizeof buf), 0, "uid_map starts empty");
    CHECK_EQ(write_file("/proc/self/uid_map", "0 0 1\n"), -EPERM, "mapping an id that is not its own: EPERM");
    CHECK_EQ(write_file("/proc/self/uid_map", "0 1000\n"), -EINVAL, "a line without a count: EINVAL");
    CHECK_EQ(write_file("/proc/self/uid_map", "0 1000 1\n"), 9, "mapping uid 0 inside to its own uid");
    CHECK_EQ(write_file("/proc/self/uid_map", "0 1000 1\n"), -EPERM, "uid_map is written once");
    CHECK_EQ(sys0(NR_getuid32), 0, "now it is uid 0 inside");
    get("/proc/self/uid_map", buf, sizeof buf);
    CHECK(!strcmp(buf, "         0       1000          1\n"), "uid_map reads back, the outside id as its parent names it");
    CHECK_EQ(write_file("/proc/self/gid_map", "0 1000 1\n"), -EPERM, "gid_map before setgroups is denied: EPERM");
    get("/proc/self/setgroups", buf, sizeof buf);
    CHECK(!strcmp(buf, "allow\n"), "setgroups starts as its parent's: allow");
    CHECK_EQ(write_file("/proc/self/setgroups", "deny"), 4, "denying setgroups");
    CHECK_EQ(write_file("/proc/self/gid_map", "0 1000 1\n"), 9, "then its own gid may be mapped");
    CHECK_EQ(sys0(NR_getgid32), 0, "gid 0 inside");
    CHECK_EQ(write_file("/proc/self/setgroups", "allow"), -EPERM, "setgroups stays denied");
    CHECK_EQ(sys2(NR_setgroups32, 0, 0), -EPERM, "and setgroups(2) fails: EPERM");
    CHECK_EQ(sys2(NR_sethostname, "userns", 6), 0, "its own UTS namespace's name it may set");
    struct stat64 st;
    sys_stat("/", &st);
    CHECK_EQ(st.st_uid, 65534, "root's files show the overflow uid");
    CHECK_EQ(sys3(NR_setresuid32_, 5, 5, 5), -EINVAL, "an id the namespace does not map: EINVAL");
    CHECK_EQ(sys3(NR_setresuid32_, 0, 0, 0), 0, "its mapped root it may be");
    CHECK_EQ(sys2(NR_kill, 1, 0), -EPERM, "no capability over processes of the parent user namespace: EPERM");
}

static void users(void) { in_child(user_child, "uid 1000 made a user namespace and became root in it"); }

/* ---------------------------------------------------------------- what only Popek can be asked here */

static void clone_child(void) {
    int pid = sys5(NR_clone, CLONE_NEWPID | CLONE_NEWUTS | SIGCHLD_, 0, 0, 0, 0);
    if (pid == 0) {
        t_failures = 0;
        CHECK_EQ(sys0(NR_getpid), 1, "clone(CLONE_NEWPID): the child is pid 1");
        CHECK_EQ(sys2(NR_sethostname, "cloned", 6), 0, "clone(CLONE_NEWUTS): its own host name");
        sys_exit(t_failures);
    }
    CHECK_EQ(wait_status(pid), 0, "a child cloned into new pid and UTS namespaces");
    CHECK_EQ(sys5(NR_clone, CLONE_NEWNS | CLONE_FS | SIGCHLD_, 0, 0, 0, 0), -EINVAL, "CLONE_NEWNS with CLONE_FS: EINVAL");
}

static void mount_child(void) {
    CHECK_EQ(sys1(NR_unshare, CLONE_NEWNS), 0, "unshare(CLONE_NEWNS)");
    CHECK_EQ(sys5(NR_mount, "none", "/", 0, MS_REC | MS_PRIVATE, 0), 0, "making / private");
    CHECK_EQ(sys5(NR_mount, "none", "/tmp/inner", 0, MS_PRIVATE, 0), -EINVAL, "propagation of a place that is not a mount: EINVAL");
    CHECK_EQ(sys5(NR_mount, "tmpfs", "/tmp", "tmpfs", 0, 0), 0, "mounting a tmpfs on /tmp in the copy");
    CHECK(put("/tmp/inner", "x") == 1, "a file in it");
    CHECK(sys3(NR_readlink, "/proc/self/ns/mnt", (char[64]){0}, 63) > 0, "mnt link readable");
}

static void cgroup_child(void) {
    char buf[256];
    CHECK_EQ(sys2(NR_mkdir, "/sys/fs/cgroup/nsa", 0755), 0, "a child cgroup");
    CHECK_EQ(write_file("/sys/fs/cgroup/nsa/cgroup.procs", "0"), 1, "moving into it");
    get("/proc/self/cgroup", buf, sizeof buf);
    CHECK(!strcmp(buf, "0::/nsa\n"), "/proc/self/cgroup names it");
    CHECK_EQ(sys1(NR_unshare, CLONE_NEWCGROUP), 0, "unshare(CLONE_NEWCGROUP)");
    get("/proc/self/cgroup", buf, sizeof buf);
    CHECK(!strcmp(buf, "0::/\n"), "in a new cgroup namespace, its cgroup is the root");
    get("/proc/1/cgroup", buf, sizeof buf);
    CHECK(!strcmp(buf, "0::/..\n"), "and a process one cgroup up shows as ..");
}

static void popek_only(void) {
    in_child(clone_child, "clone with CLONE_NEW* flags");
    in_child(cgroup_child, "a child made a cgroup namespace");
    sys2(NR_mkdir, "/tmp/inner", 0755);
    int p[2];
    sys1(NR_pipe, p);
    int pid = sys_fork();
    if (pid == 0) { t_failures = 0; mount_child(); sys_write(p[1], &t_failures, 4); for (;;) sys0(NR_pause); }
    int fails = -1;
    sys_read(p[0], &fails, 4);
    CHECK_EQ(fails, 0, "a child made its own mount namespace and mounted in it");
    struct stat64 st;
    CHECK(sys_stat("/tmp/inner", &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR, "the parent still sees its own /tmp");
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/mnt", pid);
    int fd = sys_open(path, O_RDONLY, 0);
    int q = sys_fork();
    if (q == 0) {
        t_failures = 0;
        CHECK_EQ(sys2(NR_setns, fd, CLONE_NEWNS), 0, "setns into the child's mount namespace");
        struct stat64 s;
        CHECK(sys_stat("/tmp/inner", &s) == 0 && (s.st_mode & S_IFMT) == S_IFREG, "there /tmp is the child's tmpfs");
        sys_exit(t_failures);
    }
    CHECK_EQ(wait_status(q), 0, "a process entered another mount namespace");
    sys_close(fd);
    sys2(NR_kill, pid, 9);
    wait_status(pid);
}

int main(int argc, char **argv, char **envp) {
    (void)envp;
    popek = argc > 1 && !strcmp(argv[1], "popek");
    ns_files();
    uts();
    setns_();
    pids();
    times();
    if (popek) {   /* qemu-user runs a thread of its own, and unshare(CLONE_NEWUSER) needs a single-threaded caller */
        users();
        popek_only();
    }
    printf("%d failures\n", t_failures);
    return t_failures != 0;
}
