/* locks: fcntl record locks between processes (F_GETLK, F_SETLK, F_SETLKW waiting, EDEADLK, released by close and by
 * exit) and flock. */
#include "fs.h"

static void nap(int ms) {
    struct timespec ts = {0, ms * 1000000};
    sys2(NR_nanosleep, &ts, 0);
}

static int lock(int fd, int cmd, int type, int start, int len) {
    struct flock fl = {(short)type, SEEK_SET, start, len, 0};
    return sys3(NR_fcntl64, fd, cmd, &fl);
}

int main(int argc, char **argv, char **envp) {
    (void)argc; (void)argv; (void)envp;
    put("/tmp/locked", "0123456789");
    int fd = sys_open("/tmp/locked", O_RDWR, 0);
    CHECK_EQ(lock(fd, F_SETLK, F_WRLCK, 0, 5), 0, "a write lock on bytes 0-4");
    CHECK_EQ(lock(fd, F_SETLK, F_RDLCK, 2, 2), 0, "the owner may change its own lock");
    int pid = sys_fork();
    if (pid == 0) {
        t_failures = 0;
        int f = sys_open("/tmp/locked", O_RDWR, 0);
        struct flock q = {F_WRLCK, SEEK_SET, 0, 10, 0};
        sys3(NR_fcntl64, f, F_GETLK, &q);
        CHECK(q.l_type == F_WRLCK && q.l_start == 0 && q.l_len == 2 && q.l_pid == (int)sys0(NR_getpid) - 1,
              "F_GETLK shows the parent's lock: type %d start %d len %d pid %d", q.l_type, q.l_start, q.l_len, q.l_pid);
        CHECK_EQ(lock(f, F_SETLK, F_RDLCK, 2, 1), 0, "a read lock beside the parent's read lock");
        CHECK_EQ(lock(f, F_SETLK, F_WRLCK, 4, 1), -EAGAIN, "a write lock over the parent's is EAGAIN");
        CHECK_EQ(lock(f, F_SETLK, F_WRLCK, 5, 5), 0, "a write lock on the free bytes");
        nap(100);
        CHECK_EQ(lock(f, F_SETLKW, F_WRLCK, 0, 1), -EDEADLK, "waiting for the parent, who waits for us, is EDEADLK");
        sys_exit(t_failures);
    }
    nap(50);
    struct flock q = {F_WRLCK, SEEK_SET, 5, 1, 0};
    sys3(NR_fcntl64, fd, F_GETLK, &q);
    CHECK(q.l_type == F_WRLCK && q.l_pid == pid, "the child's lock, seen from the parent");
    CHECK_EQ(lock(fd, F_SETLKW, F_WRLCK, 9, 1), 0, "F_SETLKW waits until the child's lock goes (at its exit)");
    int status;
    sys_wait(pid, &status);
    CHECK_EQ(status, 0, "the child's checks");
    /* a close of any descriptor of the file drops the process's locks */
    int other = sys_open("/tmp/locked", O_RDONLY, 0);
    sys_close(other);
    pid = sys_fork();
    if (pid == 0) {
        t_failures = 0;
        int f = sys_open("/tmp/locked", O_RDWR, 0);
        sys_exit(lock(f, F_SETLK, F_WRLCK, 0, 10) == 0 ? 0 : 1);
    }
    sys_wait(pid, &status);
    CHECK_EQ(status, 0, "closing another descriptor of the file released the locks");
    /* flock */
    int a = sys_open("/tmp/locked", O_RDONLY, 0), b = sys_open("/tmp/locked", O_RDONLY, 0);
    CHECK_EQ(sys2(NR_flock, a, 2), 0, "flock LOCK_EX");
    CHECK_EQ(sys2(NR_flock, b, 2 | 4), -EAGAIN, "another open file's LOCK_EX|LOCK_NB");
    CHECK_EQ(sys2(NR_flock, b, 1 | 4), -EAGAIN, "or LOCK_SH|LOCK_NB");
    int c = sys1(NR_dup, a);
    CHECK_EQ(sys2(NR_flock, c, 2), 0, "the same open file through a dup holds it already");
    CHECK_EQ(sys2(NR_flock, a, 8), 0, "LOCK_UN");
    CHECK_EQ(sys2(NR_flock, b, 1 | 4), 0, "then LOCK_SH goes through");
    pid = sys_fork();
    if (pid == 0) {
        t_failures = 0;
        sys_close(b);   /* its copy of the parent's open file, which holds the shared lock too */
        int f = sys_open("/tmp/locked", O_RDONLY, 0);
        sys_exit(sys2(NR_flock, f, 2) == 0 ? 0 : 1);
    }
    nap(50);
    sys_close(b);
    sys_wait(pid, &status);
    CHECK_EQ(status, 0, "a waiting LOCK_EX gets the lock once the last holder closes");
    return t_failures;
}
