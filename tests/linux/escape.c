/* escape: paths that try to leave the container's root, each of which must stay inside: its open or stat fails, or
 * what it reaches is not the host file named in argv[1] (whose contents are argv[2]). */
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
    return t_failures;
}
