/* dirs: the tree's names (mkdir, rmdir, unlink, rename, link, symlink, readlink, mknod), walks (*at, "..", links,
 * ELOOP, ENAMETOOLONG, O_NOFOLLOW, O_PATH, AT_EMPTY_PATH), getdents64, getcwd, chdir, fchdir, chroot, permissions for
 * a user who is not root, umask, chmod, chown, utimensat and the times Linux keeps. */
#include "fs.h"

static char buf[8192];

/* The names a getdents64 of fd lists, space-separated, "." and ".." left out. */
static int names(int fd, char *out, int cap) {
    int len = 0, n;
    out[0] = 0;
    char d[512];
    while ((n = sys3(NR_getdents64, fd, d, sizeof d)) > 0) {
        for (int at = 0; at < n; ) {
            unsigned short reclen = *(unsigned short *)(d + at + 16);
            const char *name = d + at + 19;
            if (strcmp(name, ".") && strcmp(name, "..")) len += snprintf(out + len, cap - len, "%s ", name);
            at += reclen;
        }
    }
    return n < 0 ? n : len;
}

static int mode_of(const char *p) {
    struct stat64 s;
    int r = sys_lstat(p, &s);
    return r < 0 ? r : (int)s.st_mode;
}

int main(int argc, char **argv, char **envp) {
    if (argc > 1 && !strcmp(argv[1], "exit7")) return 7;
    struct stat64 s, s2;
    CHECK_EQ(sys2(NR_mkdir, "/tmp/d", 0755), 0, "mkdir");
    CHECK_EQ(sys2(NR_mkdir, "/tmp/d", 0755), -EEXIST, "mkdir of an existing name");
    CHECK_EQ(sys2(NR_mkdir, "/tmp/no/d", 0755), -ENOENT, "mkdir under a missing directory");
    CHECK_EQ(sys2(NR_mkdir, "/", 0755), -EEXIST, "mkdir /");
    sys1(NR_umask, 027);
    sys2(NR_mkdir, "/tmp/d/sub", 0777);
    CHECK_EQ(mode_of("/tmp/d/sub"), S_IFDIR | 0750, "mkdir's mode goes through the umask");
    sys1(NR_umask, 022);
    put("/tmp/d/f", "file");
    CHECK_EQ(sys1(NR_rmdir, "/tmp/d"), -ENOTEMPTY, "rmdir of a full directory");
    CHECK_EQ(sys1(NR_rmdir, "/tmp/d/f"), -ENOTDIR, "rmdir of a file");
    CHECK_EQ(sys1(NR_unlink, "/tmp/d/sub"), -EISDIR, "unlink of a directory");
    CHECK_EQ(sys1(NR_rmdir, "/tmp/d/sub/."), -EINVAL, "rmdir of .");
    CHECK_EQ(sys1(NR_rmdir, "/tmp/d/sub/.."), -ENOTEMPTY, "rmdir of ..");
    CHECK_EQ(sys1(NR_rmdir, "/tmp"), -EBUSY, "rmdir of a mount point");
    /* rename */
    sys2(NR_mkdir, "/tmp/r", 0755);
    sys2(NR_mkdir, "/tmp/r/full", 0755);
    put("/tmp/r/full/x", "x");
    sys2(NR_mkdir, "/tmp/r/empty", 0755);
    put("/tmp/r/file", "f");
    CHECK_EQ(sys2(NR_rename, "/tmp/r/empty", "/tmp/r/full"), -ENOTEMPTY, "rename over a full directory");
    CHECK_EQ(sys2(NR_rename, "/tmp/r/file", "/tmp/r/empty"), -EISDIR, "rename of a file over a directory");
    CHECK_EQ(sys2(NR_rename, "/tmp/r/empty", "/tmp/r/file"), -ENOTDIR, "rename of a directory over a file");
    CHECK_EQ(sys2(NR_rename, "/tmp/r/full", "/tmp/r/full/in"), -EINVAL, "rename into itself");
    CHECK_EQ(sys5(NR_renameat2, AT_FDCWD, "/tmp/r/file", AT_FDCWD, "/tmp/r/full/x", RENAME_NOREPLACE), -EEXIST, "RENAME_NOREPLACE");
    CHECK_EQ(sys5(NR_renameat2, AT_FDCWD, "/tmp/r/file", AT_FDCWD, "/tmp/r/full/x", RENAME_EXCHANGE), 0, "RENAME_EXCHANGE");
    get("/tmp/r/file", buf, sizeof buf);
    CHECK(!strcmp(buf, "x"), "exchanged");
    CHECK_EQ(sys2(NR_rename, "/tmp/r/full", "/tmp/r/empty"), 0, "rename over an empty directory");
    get("/tmp/r/empty/x", buf, sizeof buf);
    CHECK(!strcmp(buf, "f"), "the directory moved with its files");
    CHECK_EQ(sys2(NR_rename, "/tmp/r/file", "/root-file"), -EXDEV, "rename across mounts");
    CHECK_EQ(sys2(NR_rename, "/tmp/r/file", "/tmp/r/file"), 0, "rename onto itself");
    /* links */
    CHECK_EQ(sys2(NR_link, "/tmp/r/file", "/tmp/r/hard"), 0, "link");
    sys_stat("/tmp/r/file", &s);
    sys_stat("/tmp/r/hard", &s2);
    CHECK(s.st_ino == s2.st_ino && s.st_nlink == 2, "one inode, two links");
    CHECK_EQ(sys2(NR_link, "/tmp/r", "/tmp/r2"), -EPERM, "a hard link to a directory");
    CHECK_EQ(sys2(NR_link, "/tmp/r/file", "/hard"), -EXDEV, "a hard link across mounts");
    CHECK_EQ(sys2(NR_symlink, "file", "/tmp/r/soft"), 0, "symlink");
    CHECK_EQ(sys2(NR_symlink, "/tmp/r/loop2", "/tmp/r/loop1"), 0, "a link loop");
    sys2(NR_symlink, "/tmp/r/loop1", "/tmp/r/loop2");
    int n = sys3(NR_readlink, "/tmp/r/soft", buf, sizeof buf);
    CHECK(n == 4 && !memcmp(buf, "file", 4), "readlink (no NUL added)");
    CHECK_EQ(sys3(NR_readlink, "/tmp/r/file", buf, sizeof buf), -EINVAL, "readlink of a file");
    CHECK_EQ(sys3(NR_readlink, "/tmp/r/soft", buf, 2), 2, "readlink truncates to the buffer");
    CHECK_EQ(mode_of("/tmp/r/soft"), S_IFLNK | 0777, "lstat of a link");
    CHECK_EQ(sys_stat("/tmp/r/soft", &s), 0, "stat follows it");
    CHECK_EQ(sys_stat("/tmp/r/loop1", &s), -ELOOP, "a loop is ELOOP");
    CHECK_EQ(sys_open("/tmp/r/soft", O_RDONLY | O_NOFOLLOW, 0), -ELOOP, "O_NOFOLLOW on a link");
    int pf = sys_open("/tmp/r/soft", O_PATH | O_NOFOLLOW, 0);
    CHECK(pf >= 0, "O_PATH|O_NOFOLLOW opens the link itself");
    CHECK_EQ(sys_read(pf, buf, 1), -EBADF, "an O_PATH descriptor cannot be read");
    n = sys4(NR_readlinkat, pf, "", buf, sizeof buf);
    CHECK(n == 4 && !memcmp(buf, "file", 4), "readlinkat of an O_PATH link with an empty path");
    CHECK_EQ(sys4(NR_fstatat64, pf, "", &s, AT_EMPTY_PATH), 0, "fstatat64 with AT_EMPTY_PATH");
    CHECK_EQ(s.st_mode & S_IFMT, S_IFLNK, "describes the link");
    sys_close(pf);
    char longname[300];
    memset(longname, 'a', 299);
    longname[0] = '/';
    longname[299] = 0;
    CHECK_EQ(sys_stat(longname, &s), -ENAMETOOLONG, "a 298-byte name");
    static char longpath[5000];
    memset(longpath, '/', sizeof longpath - 1);
    CHECK_EQ(sys_stat(longpath, &s), -ENAMETOOLONG, "a path past PATH_MAX");
    /* *at calls from a directory descriptor */
    int dfd = sys_open("/tmp/r", O_RDONLY | O_DIRECTORY, 0);
    CHECK(dfd >= 0, "open of a directory");
    CHECK_EQ(sys4(NR_openat, dfd, "file", O_RDONLY, 0) >= 0, 1, "openat relative to it");
    CHECK_EQ(sys3(NR_mkdirat, dfd, "at", 0700), 0, "mkdirat");
    CHECK_EQ(sys3(NR_unlinkat, dfd, "at", AT_REMOVEDIR), 0, "unlinkat AT_REMOVEDIR");
    CHECK_EQ(sys3(NR_unlinkat, dfd, "hard", 0), 0, "unlinkat");
    CHECK_EQ(sys4(NR_openat, sys_open("/tmp/r/file", O_RDONLY, 0), "x", O_RDONLY, 0), -ENOTDIR, "openat from a file");
    CHECK_EQ(sys4(NR_fstatat64, dfd, "soft", &s, AT_SYMLINK_NOFOLLOW), 0, "fstatat64 AT_SYMLINK_NOFOLLOW");
    CHECK_EQ(s.st_mode & S_IFMT, S_IFLNK, "sees the link");
    n = names(dfd, buf, sizeof buf);
    CHECK(n > 0, "getdents64 lists: %s", buf);
    CHECK_EQ(sys4(NR_openat, dfd, "../../tmp/r/file", O_RDONLY, 0) >= 0, 1, "openat with .. in the path");
    /* getcwd, chdir, fchdir */
    CHECK_EQ(sys1(NR_chdir, "/tmp/r/empty"), 0, "chdir");
    CHECK_EQ(sys2(NR_getcwd, buf, sizeof buf), 13, "getcwd's length with the NUL");
    CHECK(!strcmp(buf, "/tmp/r/empty"), "getcwd: %s", buf);
    CHECK_EQ(sys2(NR_getcwd, buf, 5), -34, "getcwd into a short buffer is ERANGE");
    CHECK_EQ(sys1(NR_fchdir, dfd), 0, "fchdir");
    sys2(NR_getcwd, buf, sizeof buf);
    CHECK(!strcmp(buf, "/tmp/r"), "getcwd after fchdir: %s", buf);
    CHECK_EQ(sys_open("../r/file", O_RDONLY, 0) >= 0, 1, "a relative path from the new cwd");
    CHECK_EQ(sys1(NR_chdir, "/tmp/r/file"), -ENOTDIR, "chdir to a file");
    /* mknod: FIFOs for anyone, devices for root */
    CHECK_EQ(sys3(NR_mknod, "/tmp/r/fifo", S_IFIFO | 0600, 0), 0, "mknod of a FIFO");
    CHECK_EQ(mode_of("/tmp/r/fifo"), S_IFIFO | 0600, "the FIFO's mode");
    CHECK_EQ(sys3(NR_mknod, "/devnull", S_IFCHR | 0666, (1 << 8) | 3), 0, "mknod of /dev/null's number (root)");
    int nul = sys_open("/devnull", O_WRONLY, 0);
    CHECK_EQ(sys_write(nul, "gone", 4), 4, "a node opens its driver wherever it is");
    /* times */
    put("/tmp/r/times", "t");
    struct timespec ts[2] = {{1000000000, 5}, {1200000000, 7}};
    CHECK_EQ(sys4(NR_utimensat, AT_FDCWD, "/tmp/r/times", ts, 0), 0, "utimensat");
    sys_stat("/tmp/r/times", &s);
    CHECK(s.st_atime == 1000000000 && s.st_atime_nsec == 5 && s.st_mtime == 1200000000 && s.st_mtime_nsec == 7, "the times set");
    int ctime_before = s.st_ctime;
    int fd = sys_open("/tmp/r/times", O_WRONLY | O_APPEND, 0);
    sys_write(fd, "more", 4);
    sys_fstat(fd, &s);
    CHECK(s.st_mtime > 1200000000 && s.st_ctime >= ctime_before, "a write sets mtime and ctime to now");
    sys_close(fd);
    struct timespec omit[2] = {{0, (1 << 30) - 2}, {0, (1 << 30) - 1}};
    sys4(NR_utimensat, AT_FDCWD, "/tmp/r/times", omit, 0);
    sys_stat("/tmp/r/times", &s2);
    CHECK(s2.st_atime == 1000000000 && s2.st_mtime >= s.st_mtime, "UTIME_OMIT keeps atime, UTIME_NOW sets mtime");
    sys_stat("/tmp/r", &s);
    sys2(NR_mkdir, "/tmp/r/newer", 0755);
    sys_stat("/tmp/r", &s2);
    CHECK(s2.st_nlink == s.st_nlink + 1, "a subdirectory adds a link to its parent");
    /* permissions as a user */
    sys2(NR_chmod, "/tmp/r/times", 0600);
    CHECK_EQ(mode_of("/tmp/r/times"), S_IFREG | 0600, "chmod");
    sys2(NR_mkdir, "/tmp/mine", 0755);
    CHECK_EQ(sys3(NR_chown32, "/tmp/mine", 1000, 1000), 0, "chown32 by root");
    sys2(NR_mkdir, "/tmp/closed", 0700);
    put("/tmp/closed/in", "secret");
    int from = sys_open(argv[0], O_RDONLY, 0), to = sys_open("/tmp/xonly", O_WRONLY | O_CREAT, 0711);
    while ((n = sys_read(from, buf, sizeof buf)) > 0) sys_write(to, buf, n);
    sys_close(from);
    sys_close(to);
    int pid = sys_fork();
    if (pid == 0) {
        t_failures = 0;
        sys3(NR_setresgid32, 1000, 1000, 1000);
        sys3(NR_setresuid32, 1000, 1000, 1000);
        CHECK_EQ(sys_open("/tmp/r/times", O_RDONLY, 0), -EACCES, "a user cannot read root's 0600 file");
        CHECK_EQ(sys_stat("/tmp/closed/in", &s), -EACCES, "nor search root's 0700 directory");
        CHECK_EQ(sys3(NR_access, "/tmp/r/times", 4, 0), -EACCES, "access(R_OK) says so");
        CHECK_EQ(sys2(NR_chmod, "/tmp/r/times", 0666), -EPERM, "nor chmod it");
        CHECK_EQ(sys3(NR_chown32, "/tmp/mine", 0, 0), -EPERM, "nor give a file away");
        CHECK_EQ(put("/tmp/mine/f", "mine"), 4, "a user writes in a directory of its own");
        CHECK_EQ(put("/tmp/r/denied", "x"), -EACCES, "but not in root's");
        CHECK_EQ(sys1(NR_unlink, "/tmp/r/file"), -EACCES, "nor remove root's files");
        CHECK_EQ(sys3(NR_mknod, "/tmp/mine/dev", S_IFCHR | 0666, 0x103), -EPERM, "nor make devices");
        CHECK_EQ(sys_open("/tmp/r/fifo", O_RDONLY | O_NONBLOCK, 0), -EACCES, "nor open root's 0600 FIFO");
        CHECK_EQ(sys1(NR_chroot, "/tmp"), -EPERM, "nor chroot");
        CHECK_EQ(sys_open("/tmp/xonly", O_RDONLY, 0), -EACCES, "nor read root's --x--x--x program");
        int runner = sys_fork();
        if (runner == 0) {
            char *args[] = {"xonly", "exit7", 0};
            sys3(NR_execve, "/tmp/xonly", args, envp);
            sys_exit(99);
        }
        int xs = -1;
        sys_wait(runner, &xs);
        CHECK_EQ(xs, 7 << 8, "but runs it: execve needs execute permission only");
        sys_stat("/tmp/mine/f", &s);
        CHECK(s.st_uid == 1000 && s.st_gid == 1000, "its files are its own");
        put("/tmp/user-in-tmp", "u");
        sys_exit(t_failures);
    }
    int status = -1;
    sys_wait(pid, &status);
    CHECK_EQ(status, 0, "the user's checks");
    sys_stat("/tmp", &s);
    CHECK_EQ(s.st_mode, S_IFDIR | 01777, "/tmp is sticky");
    pid = sys_fork();
    if (pid == 0) {
        t_failures = 0;
        sys3(NR_setresuid32, 2000, 2000, 2000);
        CHECK_EQ(sys1(NR_unlink, "/tmp/user-in-tmp"), -EPERM, "the sticky bit keeps others' files");
        sys_exit(t_failures);
    }
    sys_wait(pid, &status);
    CHECK_EQ(status, 0, "another user's checks");
    /* chroot */
    pid = sys_fork();
    if (pid == 0) {
        t_failures = 0;
        CHECK_EQ(sys1(NR_chroot, "/tmp/r"), 0, "chroot");
        sys1(NR_chdir, "/");
        get("/empty/x", buf, sizeof buf);
        CHECK(!strcmp(buf, "f"), "the new root's files");
        CHECK_EQ(sys_stat("/tmp", &s), -ENOENT, "what is outside is gone");
        CHECK_EQ(sys_stat("/../../../tmp", &s), -ENOENT, "and .. does not reach it");
        sys2(NR_getcwd, buf, sizeof buf);
        CHECK(!strcmp(buf, "/"), "getcwd in the new root: %s", buf);
        sys_exit(t_failures);
    }
    sys_wait(pid, &status);
    CHECK_EQ(status, 0, "the chroot checks");
    return t_failures;
}
