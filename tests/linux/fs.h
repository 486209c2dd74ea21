/* What the file system test programs use beyond t.h: i386 system call numbers, flags and structures of Linux. */
#ifndef FS_H
#define FS_H
#include "t.h"

enum {
    NR_read = 3, NR_write = 4, NR_open = 5, NR_close = 6, NR_creat = 8, NR_link = 9, NR_unlink = 10, NR_execve = 11,
    NR_chdir = 12, NR_mknod = 14, NR_chmod = 15, NR_lseek = 19, NR_getpid = 20, NR_mount = 21, NR_access = 33,
    NR_kill = 37, NR_rename = 38, NR_mkdir = 39, NR_rmdir = 40, NR_dup = 41, NR_pipe = 42, NR_ioctl = 54,
    NR_fcntl = 55, NR_umask = 60, NR_chroot = 61, NR_dup2 = 63, NR_symlink = 83, NR_readlink = 85,
    NR_truncate = 92, NR_ftruncate = 93, NR_fchmod = 94, NR_statfs = 99, NR_fchdir = 133, NR_getdents = 141,
    NR__newselect = 142, NR_flock = 143, NR_readv = 145, NR_writev = 146, NR_poll = 168, NR_pread64 = 180,
    NR_pwrite64 = 181, NR_chown = 182, NR_getcwd = 183, NR_sendfile = 187, NR_truncate64 = 193, NR_stat64 = 195,
    NR_lstat64 = 196, NR_fstat64 = 197, NR_setresuid32 = 208, NR_setresgid32 = 210, NR_chown32 = 212,
    NR_getdents64 = 220, NR_fcntl64 = 221, NR_sendfile64 = 239, NR_statfs64 = 268, NR_utimes = 271,
    NR_openat = 295, NR_mkdirat = 296, NR_mknodat = 297, NR_fstatat64 = 300, NR_unlinkat = 301, NR_renameat = 302,
    NR_linkat = 303, NR_symlinkat = 304, NR_readlinkat = 305, NR_faccessat = 307, NR_pselect6 = 308, NR_ppoll = 309,
    NR_utimensat = 320, NR_eventfd2 = 328, NR_dup3 = 330, NR_pipe2 = 331, NR_renameat2 = 353, NR_memfd_create = 356,
    NR_copy_file_range = 377, NR_statx = 383, NR_wait4 = 114, NR_exit_group = 252, NR_rt_sigaction = 174,
    NR_rt_sigprocmask = 175, NR_fork = 2, NR_nanosleep = 162,
};

enum {
    O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_EXCL = 0200, O_NOCTTY = 0400, O_TRUNC = 01000,
    O_APPEND = 02000, O_NONBLOCK = 04000, O_LARGEFILE = 0100000, O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000,
    O_CLOEXEC = 02000000, O_PATH = 010000000,
};
enum { AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_SYMLINK_FOLLOW = 0x400, AT_EMPTY_PATH = 0x1000 };
enum { F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7,
       F_DUPFD_CLOEXEC = 1030, F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032 };
enum { F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2 };
enum { S_IFMT = 0170000, S_IFDIR = 040000, S_IFREG = 0100000, S_IFLNK = 0120000, S_IFIFO = 010000, S_IFCHR = 020000 };
enum { SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2 };
enum { POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 16, POLLNVAL = 32 };
enum { RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2 };
enum { FIONREAD = 0x541B, FIONBIO = 0x5421 };

enum {
    EPERM = 1, ENOENT = 2, EINTR = 4, EBADF = 9, EAGAIN = 11, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17,
    EXDEV = 18, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENOSPC = 28, ESPIPE = 29, EROFS = 30, EPIPE = 32,
    EDEADLK = 35, ENAMETOOLONG = 36, ENOTEMPTY = 39, ELOOP = 40, ENXIO = 6,
};

/* struct stat64 as i386 lays it out (96 bytes). */
struct stat64 {
    unsigned long long st_dev; unsigned int __pad1; unsigned int __st_ino; unsigned int st_mode; unsigned int st_nlink;
    unsigned int st_uid; unsigned int st_gid; unsigned long long st_rdev; unsigned int __pad2; long long st_size;
    unsigned int st_blksize; unsigned long long st_blocks; int st_atime; unsigned int st_atime_nsec; int st_mtime;
    unsigned int st_mtime_nsec; int st_ctime; unsigned int st_ctime_nsec; unsigned long long st_ino;
} __attribute__((packed));

struct pollfd { int fd; short events, revents; };
struct iovec { void *base; unsigned int len; };
struct flock { short l_type, l_whence; int l_start, l_len, l_pid; };
struct timespec { int sec, nsec; };

/* Small helpers over the raw calls. */
static inline int sys_open(const char *p, int flags, int mode) { return sys3(NR_open, p, flags, mode); }
static inline int sys_close(int fd) { return sys1(NR_close, fd); }
static inline int sys_read(int fd, void *b, int n) { return sys3(NR_read, fd, b, n); }
static inline int sys_write(int fd, const void *b, int n) { return sys3(NR_write, fd, b, n); }
static inline int sys_stat(const char *p, struct stat64 *s) { return sys2(NR_stat64, p, s); }
static inline int sys_lstat(const char *p, struct stat64 *s) { return sys2(NR_lstat64, p, s); }
static inline int sys_fstat(int fd, struct stat64 *s) { return sys2(NR_fstat64, fd, s); }
static inline int put(const char *path, const char *text) {
    int fd = sys_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return fd;
    int n = sys_write(fd, text, strlen(text));
    sys_close(fd);
    return n;
}
/* The whole of a (small) file into buf, NUL-terminated; the length or -errno. */
static inline int get(const char *path, char *buf, int cap) {
    int fd = sys_open(path, O_RDONLY, 0);
    if (fd < 0) return fd;
    int total = 0, n;
    while (total < cap - 1 && (n = sys_read(fd, buf + total, cap - 1 - total)) > 0) total += n;
    sys_close(fd);
    buf[total] = 0;
    return total;
}
static inline int sys_fork(void) { return sys0(NR_fork); }
static inline int sys_wait(int pid, int *status) { return sys4(NR_wait4, pid, status, 0, 0); }
static inline void sys_exit(int code) { sys1(NR_exit_group, code); }
#endif
