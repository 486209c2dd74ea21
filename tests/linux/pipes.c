/* pipes: pipes and FIFOs (short reads, EOF, PIPE_BUF atomicity, EPIPE and SIGPIPE, O_NONBLOCK, F_SETPIPE_SZ, FIONREAD,
 * FIFO opens waiting for the other side), poll and select over them, eventfd. */
#include "fs.h"

static char buf[70000];
static volatile int sigpipes;

static void on_sigpipe(int sig) { (void)sig; sigpipes++; }

/* rt_sigaction with SA_SIGINFO (an rt frame, which the restorer ends with rt_sigreturn). */
extern void restorer(void);
__asm__(".text\nrestorer:\n movl $173, %eax\n int $0x80\n");

static void handle(int sig, void (*h)(int)) {
    struct { void (*handler)(int); unsigned long flags; void (*restorer)(void); unsigned long long mask; } act = {h, 0x04000004, restorer, 0};   /* SA_RESTORER | SA_SIGINFO: an rt frame */
    sys4(NR_rt_sigaction, sig, &act, 0, 8);
}

int main(int argc, char **argv, char **envp) {
    (void)argc; (void)argv; (void)envp;
    int p[2];
    CHECK_EQ(sys1(NR_pipe, p), 0, "pipe");
    CHECK_EQ(sys_write(p[1], "abc", 3), 3, "write to a pipe");
    CHECK_EQ(sys_read(p[0], buf, 100), 3, "a read takes what is there (a short read)");
    int avail = -1;
    sys_write(p[1], "12345", 5);
    CHECK_EQ(sys3(NR_ioctl, p[0], FIONREAD, &avail), 0, "FIONREAD");
    CHECK_EQ(avail, 5, "FIONREAD counts the buffered bytes");
    struct pollfd pf[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
    CHECK_EQ(sys3(NR_poll, pf, 2, 0), 2, "poll: both ends ready");
    CHECK(pf[0].revents == POLLIN && pf[1].revents == POLLOUT, "revents %d %d", pf[0].revents, pf[1].revents);
    sys_read(p[0], buf, 100);
    pf[0].revents = 0;
    CHECK_EQ(sys3(NR_poll, pf, 1, 0), 0, "poll of an empty pipe, no wait");
    CHECK_EQ(sys3(NR_poll, pf, 1, 30), 0, "poll times out");
    unsigned int rset = 1u << p[0];
    struct { int sec, usec; } tv = {0, 20000};
    CHECK_EQ(sys5(NR__newselect, p[0] + 1, &rset, 0, 0, &tv), 0, "select times out");
    CHECK(tv.sec == 0 && tv.usec == 0, "select leaves the time left (none)");
    int pid = sys_fork();
    if (pid == 0) {
        t_failures = 0;
        struct timespec ts = {0, 50000000};
        sys2(NR_nanosleep, &ts, 0);
        sys_write(p[1], "late", 4);
        sys_exit(0);
    }
    rset = 1u << p[0];
    CHECK_EQ(sys5(NR__newselect, p[0] + 1, &rset, 0, 0, 0), 1, "select waits for a writer");
    CHECK_EQ(rset, 1u << p[0], "the read end is ready");
    CHECK_EQ(sys_read(p[0], buf, 100), 4, "and has its bytes");
    int status;
    sys_wait(pid, &status);
    /* a blocking reader wakes for a writer in another process */
    pid = sys_fork();
    if (pid == 0) {
        t_failures = 0;
        struct timespec ts = {0, 30000000};
        sys2(NR_nanosleep, &ts, 0);
        sys_write(p[1], "wake", 4);
        sys_exit(0);
    }
    CHECK_EQ(sys_read(p[0], buf, 100), 4, "a read waits for the writer");
    sys_wait(pid, &status);
    /* EOF once every writer is gone */
    sys_close(p[1]);
    CHECK_EQ(sys_read(p[0], buf, 100), 0, "EOF with no writer");
    pf[0].events = POLLIN;
    sys3(NR_poll, pf, 1, 0);
    CHECK(pf[0].revents & POLLHUP, "POLLHUP on the read end");
    sys_close(p[0]);
    /* EPIPE and SIGPIPE */
    handle(13, on_sigpipe);
    sys1(NR_pipe, p);
    sys_close(p[0]);
    CHECK_EQ(sys_write(p[1], "x", 1), -EPIPE, "a write with no reader is EPIPE");
    CHECK_EQ(sigpipes, 1, "and SIGPIPE");
    sys_close(p[1]);
    /* O_NONBLOCK, capacity, PIPE_BUF */
    CHECK_EQ(sys2(NR_pipe2, p, O_NONBLOCK), 0, "pipe2 O_NONBLOCK");
    CHECK_EQ(sys_read(p[0], buf, 10), -EAGAIN, "an empty non-blocking read");
    CHECK_EQ(sys2(NR_fcntl64, p[0], F_GETPIPE_SZ), 65536, "64 KiB by default");
    int total = 0, n;
    while ((n = sys_write(p[1], buf, 1000)) > 0) total += n;
    CHECK_EQ(n, -EAGAIN, "a full non-blocking pipe is EAGAIN");
    CHECK_EQ(total, 65000, "1000-byte writes go in whole (PIPE_BUF): 65 of them");
    CHECK_EQ(sys_write(p[1], buf, 5000), 536, "a write past PIPE_BUF goes in partly");
    CHECK_EQ(sys3(NR_fcntl64, p[0], F_SETPIPE_SZ, 4096), -EBUSY, "shrinking below what is buffered");
    while (sys_read(p[0], buf, sizeof buf) > 0) { }
    CHECK_EQ(sys3(NR_fcntl64, p[0], F_SETPIPE_SZ, 5000), 8192, "F_SETPIPE_SZ rounds up to pages");
    sys_close(p[0]);
    sys_close(p[1]);
    /* a large blocking write is split between reads of another process */
    sys1(NR_pipe, p);
    pid = sys_fork();
    if (pid == 0) {
        t_failures = 0;
        sys_close(p[0]);
        memset(buf, 'z', 200000 > sizeof buf ? sizeof buf : 200000);
        sys_exit(sys_write(p[1], buf, sizeof buf) == sizeof buf ? 0 : 1);
    }
    sys_close(p[1]);
    total = 0;
    while ((n = sys_read(p[0], buf, 3000)) > 0) total += n;
    CHECK_EQ(total, (int)sizeof buf, "a 70000-byte write arrives whole through a 64 KiB pipe");
    sys_wait(pid, &status);
    CHECK_EQ(status, 0, "the writer's write returned its full count");
    sys_close(p[0]);
    /* FIFOs */
    CHECK_EQ(sys3(NR_mknod, "/tmp/fifo", S_IFIFO | 0644, 0), 0, "mkfifo");
    CHECK_EQ(sys_open("/tmp/fifo", O_WRONLY | O_NONBLOCK, 0), -ENXIO, "a non-blocking writer with no reader");
    int r = sys_open("/tmp/fifo", O_RDONLY | O_NONBLOCK, 0);
    CHECK(r >= 0, "a non-blocking reader opens at once");
    sys_close(r);
    pid = sys_fork();
    if (pid == 0) {
        t_failures = 0;
        int w = sys_open("/tmp/fifo", O_WRONLY, 0);
        sys_write(w, "through the fifo", 16);
        sys_exit(w >= 0 ? 0 : 1);
    }
    r = sys_open("/tmp/fifo", O_RDONLY, 0);
    CHECK(r >= 0, "a reader's open waits for the writer");
    n = 0;
    int m;
    while ((m = sys_read(r, buf + n, 100)) > 0) n += m;
    buf[n] = 0;
    CHECK(!strcmp(buf, "through the fifo"), "what came through: %s", buf);
    sys_wait(pid, &status);
    CHECK_EQ(status, 0, "the writer's open");
    struct stat64 s;
    sys_fstat(r, &s);
    CHECK_EQ(s.st_mode & S_IFMT, S_IFIFO, "fstat of a FIFO end");
    sys_close(r);
    int rw = sys_open("/tmp/fifo", O_RDWR, 0);
    CHECK(rw >= 0, "O_RDWR never waits");
    sys_write(rw, "self", 4);
    CHECK_EQ(sys_read(rw, buf, 10), 4, "and reads what it wrote");
    sys_close(rw);
    /* ppoll's mask is the call's own: the task's is back afterwards */
    unsigned long long block_usr1 = 1ull << 9, before = 0, after = 0;
    sys4(NR_rt_sigprocmask, 2, 0, &before, 8);
    struct timespec none = {0, 0};
    pf[0].fd = -1;
    CHECK_EQ(sys5(NR_ppoll, pf, 1, &none, &block_usr1, 8), 0, "ppoll with a signal mask");
    sys4(NR_rt_sigprocmask, 2, 0, &after, 8);
    CHECK(before == after, "the mask after ppoll is the one before it (%x)", (int)after);
    /* eventfd */
    int e = sys2(NR_eventfd2, 3, O_NONBLOCK);
    unsigned long long v = 0;
    CHECK_EQ(sys_read(e, &v, 8), 8, "eventfd read");
    CHECK_EQ((int)v, 3, "its initial count");
    CHECK_EQ(sys_read(e, &v, 8), -EAGAIN, "then empty");
    v = 5;
    sys_write(e, &v, 8);
    sys_write(e, &v, 8);
    sys_read(e, &v, 8);
    CHECK_EQ((int)v, 10, "writes add up");
    CHECK_EQ(sys_read(e, &v, 4), -EINVAL, "a read of fewer than 8 bytes");
    unsigned long long two[2] = {5, 7};
    CHECK_EQ(sys_write(e, two, 16), -EINVAL, "a write of other than 8 bytes (Linux 6.5 and later)");
    CHECK_EQ(sys_write(e, two, 8), 8, "then one of 8");
    CHECK_EQ(sys_read(e, &v, 16), 8, "a read of 16 bytes takes 8");
    CHECK_EQ((int)v, 5, "the value written");
    return t_failures;
}
