/* escape: paths that try to leave the container's root, each of which must stay inside: its open or stat fails, or
 * what it reaches is not the host file named in argv[1] (whose contents are argv[2]); and the errors Linux gives for
 * moves across mounts, link loops and names too long. */
#include "fs.h"

static char buf[4096];
static const char *secret;

static int strstr_(const char *h, const char *n) {
    int ln = strlen(n);
    for (; *h; h++) if (!strncmp(h, n, ln)) return 1;
    return 0;
}

static void try_path(const char *p) {
    int n = get(p, buf, sizeof buf);
    int leaked = n >= 0 && strstr_(buf, secret);
    CHECK(!leaked, "stays inside: %s (%d)", p, n);
}


int main(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc < 3) return 2;
    const char *host = argv[1];
    secret = argv[2];
    static char p[8192];
    try_path(host);
    snprintf(p, sizeof p, "/..%s", host); try_path(p);
    snprintf(p, sizeof p, "/../../../../../../..%s", host); try_path(p);
    snprintf(p, sizeof p, "../../../../..%s", host); try_path(p);
    try_path("/../secret");
    try_path("../secret");
    try_path("/./../.././secret");
    try_path("//..//..//secret");
    try_path("/bin/../../secret");
    try_path("/proc/self/root/../secret");
    snprintf(p, sizeof p, "/proc/self/root/../../..%s", host); try_path(p);
    try_path("/proc/self/cwd/../../../secret");
    try_path("/proc/1/root/../../secret");
    try_path("/dev/../../secret");
    try_path("/tmp/../../secret");
    try_path("/proc/../../secret");
    /* links made now, absolute and relative, chained */
    sys2(NR_symlink, "../../../../secret", "/tmp/rel");
    try_path("/tmp/rel");
    sys2(NR_symlink, host, "/tmp/abs");
    try_path("/tmp/abs");
    sys2(NR_symlink, "/tmp/rel", "/tmp/chain");
    try_path("/tmp/chain");
    sys2(NR_symlink, "/", "/tmp/rootlink");
    snprintf(p, sizeof p, "/tmp/rootlink/../..%s", host); try_path(p);
    try_path("/tmp/rootlink/../secret");
    sys2(NR_symlink, "/proc/self/root/..", "/tmp/magic");
    try_path("/tmp/magic/secret");
    /* a long run of ".." just under PATH_MAX */
    int at = 0;
    while (at < 4000) at += snprintf(p + at, sizeof p - at, "../");
    snprintf(p + at, sizeof p - at, "secret");
    try_path(p);
    /* openat with a directory descriptor */
    int d = sys_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
    int n = sys4(NR_openat, d, "../../../secret", O_RDONLY, 0);
    CHECK(n < 0, "openat(/tmp, ../../../secret) stays inside (%d)", n);
    /* rename a link to the root across directories, then use it */
    sys2(NR_mkdir, "/tmp/x", 0755);
    sys2(NR_rename, "/tmp/rootlink", "/tmp/x/moved");
    try_path("/tmp/x/moved/../../secret");
    /* chroot, then .. and links from inside it */
    int pid = sys_fork();
    if (pid == 0) {
        t_failures = 0;
        sys1(NR_chroot, "/tmp/x");
        try_path("/../../secret");
        try_path("../../../secret");
        snprintf(p, sizeof p, "/..%s", host); try_path(p);
        try_path("/moved/../secret");
        sys_exit(t_failures);
    }
    int status;
    sys_wait(pid, &status);
    CHECK_EQ(status, 0, "the chroot attempts");
    struct stat64 s;
    CHECK_EQ(sys_stat("/..", &s) == 0 && sys_stat("/", &s) == 0, 1, "/.. is /");
    /* fchdir to the root's descriptor, then up */
    int rootfd = sys_open("/", O_RDONLY | O_DIRECTORY, 0);
    sys1(NR_fchdir, rootfd);
    sys1(NR_chdir, "..");
    sys1(NR_chdir, "..");
    try_path("secret");
    sys1(NR_chdir, "/");
    /* another process's working directory, through /proc/[pid]/cwd */
    int child = sys_fork();
    if (child == 0) { sys1(NR_chdir, "/tmp"); for (;;) sys0(29); }
    struct timespec nap = {0, 20000000};
    sys2(NR_nanosleep, &nap, 0);
    snprintf(p, sizeof p, "/proc/%d/cwd/../../secret", child); try_path(p);
    snprintf(p, sizeof p, "/proc/%d/root/../secret", child); try_path(p);
    sys2(NR_kill, child, 9);
    sys_wait(child, &status);
    /* a descriptor's magic link, then up */
    int tmpfd = sys_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
    snprintf(p, sizeof p, "/proc/self/fd/%d/../../secret", tmpfd); try_path(p);
    /* moving things between mounts is EXDEV, not a way out */
    put("/tmp/moving", "x");
    CHECK_EQ(sys2(NR_rename, "/tmp/moving", "/moving"), -EXDEV, "rename from /tmp (a tmpfs) to the root: EXDEV");
    CHECK_EQ(sys2(NR_link, "/tmp/moving", "/linked"), -EXDEV, "link across mounts: EXDEV");
    /* a loop of links, a chain past 40, names and paths too long */
    sys2(NR_symlink, "/tmp/loop2", "/tmp/loop1");
    sys2(NR_symlink, "/tmp/loop1", "/tmp/loop2");
    CHECK_EQ(sys_open("/tmp/loop1", O_RDONLY, 0), -ELOOP, "a symlink loop: ELOOP");
    char name[16], next[16];
    for (int i = 0; i < 41; i++) {
        snprintf(name, sizeof name, "/tmp/c%d", i);
        snprintf(next, sizeof next, "/tmp/c%d", i + 1);
        sys2(NR_symlink, next, name);
    }
    put("/tmp/c41", "end");
    CHECK_EQ(sys_open("/tmp/c0", O_RDONLY, 0), -ELOOP, "a chain of 41 links: ELOOP");
    static char longname[300];
    memset(longname, 'n', 256);
    longname[256] = 0;
    CHECK_EQ(sys_open(longname, O_RDONLY, 0), -ENAMETOOLONG, "a name of 256 bytes: ENAMETOOLONG");
    at = 0;
    while (at < 4100) at += snprintf(p + at, sizeof p - at, "/..");
    CHECK_EQ(sys_open(p, O_RDONLY, 0), -ENAMETOOLONG, "a path of 4096 bytes or more: ENAMETOOLONG");
    /* a mount namespace of its own, a bind mount of its root's parent, a proc mounted anew: still inside */
    child = sys_fork();
    if (child == 0) {
        t_failures = 0;
        CHECK_EQ(sys1(310, 0x20000), 0, "unshare(CLONE_NEWNS)");
        try_path("/../secret");
        sys2(NR_mkdir, "/tmp/b", 0755);
        CHECK_EQ(sys5(NR_mount, "/..", "/tmp/b", 0, 4096, 0), 0, "bind-mounting /.. (which is /)");
        try_path("/tmp/b/../../secret");
        try_path("/tmp/b/tmp/b/../../../secret");
        sys2(NR_mkdir, "/tmp/p", 0755);
        sys5(NR_mount, "proc", "/tmp/p", "proc", 0, 0);
        try_path("/tmp/p/self/root/../secret");
        try_path("/tmp/p/1/cwd/../../secret");
        sys_exit(t_failures);
    }
    sys_wait(child, &status);
    CHECK_EQ(status, 0, "the attempts from a mount namespace of its own");
    return t_failures;
}
