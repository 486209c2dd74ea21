/* ptys: a Unix98 pseudo-terminal pair as glibc and busybox use one (open /dev/ptmx, TIOCGPTN, unlockpt, open
 * /dev/pts/N), the terminal ioctls on both ends, canonical and raw reads with VMIN and VTIME, and poll. */
#include "ttylib.h"

static char buf[4096];
static char name[32], other[32];

static int statbuf(const char *path, unsigned int *mode, unsigned long long *rdev, int fd) {
    unsigned char st[96];
    long r = path ? sys2(SYS_stat64, path, st) : sys2(SYS_fstat64, fd, st);
    if (r < 0) return (int)r;
    memcpy(mode, st + 16, 4);
    memcpy(rdev, st + 32, 8);
    return 0;
}

static void set_raw(int fd, int vmin, int vtime) {
    struct termios t;
    xioctl(fd, TCGETS, &t);
    t.c_lflag &= ~(ICANON | ECHO);
    t.c_cc[VMIN] = (unsigned char)vmin;
    t.c_cc[VTIME] = (unsigned char)vtime;
    xioctl(fd, TCSETS, &t);
}

int main(int argc, char **argv, char **envp) {
    (void)argc; (void)argv; (void)envp;
    int m = (int)xopen("/dev/ptmx", O_RDWR | O_NOCTTY);
    CHECK(m >= 0, "open /dev/ptmx: %d", m);
    unsigned int n = 99, lock = 0;
    CHECK_EQ(xioctl(m, TIOCGPTN, &n), 0, "TIOCGPTN");
    CHECK_EQ(n, 0, "the first pty is number 0");
    snprintf(name, sizeof name, "/dev/pts/%u", n);
    snprintf(other, sizeof other, "/dev/pts/%u", n + 1000);
    CHECK_EQ(xioctl(m, TIOCGPTLCK, &lock), 0, "TIOCGPTLCK");
    CHECK_EQ(lock, 1, "a new pty is locked");
    CHECK_EQ(xopen(name, O_RDWR | O_NOCTTY), -EIO, "a locked slave does not open (EIO)");
    lock = 0;
    CHECK_EQ(xioctl(m, TIOCSPTLCK, &lock), 0, "unlockpt");
    int s = (int)xopen(name, O_RDWR | O_NOCTTY);
    CHECK(s >= 0, "open /dev/pts/0 after unlockpt: %d", s);
    CHECK_EQ(xopen(other, O_RDWR | O_NOCTTY), -2, "a pty that does not exist is not there (ENOENT)");

    unsigned int mode; unsigned long long rdev;
    CHECK_EQ(statbuf(name, &mode, &rdev, 0), 0, "stat /dev/pts/0");
    CHECK_EQ(mode, 020620, "/dev/pts/0 is crw--w----");
    CHECK_EQ(rdev, (136 << 8) | n, "its device is 136:N");
    CHECK_EQ(statbuf(0, &mode, &rdev, s), 0, "fstat of the slave");
    CHECK_EQ(rdev, (136 << 8) | n, "the slave's fstat has the same device (what ttyname compares)");

    /* Settings a new slave has: those of Linux's pts driver. */
    struct termios t;
    CHECK_EQ(xioctl(s, TCGETS, &t), 0, "TCGETS on the slave");
    CHECK_EQ(t.c_iflag, ICRNL | IXON, "c_iflag icrnl ixon");
    CHECK_EQ(t.c_oflag, OPOST | ONLCR, "c_oflag opost onlcr");
    CHECK_EQ(t.c_cflag, 0277, "c_cflag B38400 cs8 cread");
    CHECK_EQ(t.c_lflag, 0105073, "c_lflag isig icanon echo echoe echok echoctl echoke iexten");
    CHECK_EQ(t.c_cc[VINTR], 3, "VINTR is ^C");
    CHECK_EQ(t.c_cc[VMIN], 1, "VMIN 1");
    unsigned char t2[44];
    CHECK_EQ(xioctl(m, TCGETS2, t2), 0, "TCGETS2 on the master (the slave's settings)");
    CHECK_EQ(*(unsigned int *)(t2 + 36), 38400, "termios2's c_ispeed");
    CHECK_EQ(xioctl(m, TIOCGPTN, &n) | xioctl(s, TIOCGPTN, &n), -ENOTTY, "TIOCGPTN is the master's alone");

    /* Canonical mode: a line typed at the master is echoed back and read whole. */
    CHECK_EQ(xwrites(m, "ab\177c\r"), 5, "type a line with an erase");
    long r = xread(s, buf, sizeof buf);
    CHECK(r == 3 && !memcmp(buf, "ac\n", 3), "the slave reads the edited line (%ld)", r);
    r = drain(m, buf, sizeof buf);
    CHECK(r == 8 && !memcmp(buf, "ab\b \bc\r\n", 8), "the master reads the echo (%ld)", r);
    CHECK_EQ(xwrites(s, "out\n"), 4, "write to the slave");
    r = drain(m, buf, sizeof buf);
    CHECK(r == 5 && !memcmp(buf, "out\r\n", 5), "ONLCR on the way to the master (%ld)", r);

    /* FIONREAD, TIOCOUTQ, poll, O_NONBLOCK. */
    xwrites(m, "partial");
    int count = -1;
    CHECK_EQ(xioctl(s, FIONREAD, &count), 0, "FIONREAD");
    CHECK_EQ(count, 0, "an unfinished line is not counted");
    struct pollfd p[2] = {{s, POLLIN, 0}, {m, POLLIN | POLLOUT, 0}};
    CHECK_EQ(sys3(SYS_poll, p, 2, 0), 1, "poll: only the master is ready");
    CHECK_EQ(p[0].revents, 0, "the slave has no line yet");
    CHECK_EQ(p[1].revents, POLLIN | POLLOUT, "the master has echo to read and room");
    drain(m, buf, sizeof buf);
    xwrites(m, "\n");
    CHECK_EQ(sys3(SYS_poll, p, 1, 1000), 1, "poll: the line wakes the slave");
    CHECK_EQ(xioctl(s, FIONREAD, &count), 0, "FIONREAD again");
    CHECK_EQ(count, 8, "a whole line counts");
    xread(s, buf, sizeof buf);
    CHECK_EQ(xioctl(s, TIOCOUTQ, &count), 0, "TIOCOUTQ");
    CHECK_EQ(count, 0, "nothing waits in a pty's driver");
    int nb = (int)xopen(name, O_RDWR | O_NOCTTY | O_NONBLOCK);
    CHECK_EQ(xread(nb, buf, 10), -EAGAIN, "a non-blocking read with nothing typed: EAGAIN");
    sys1(SYS_close, nb);
    drain(m, buf, sizeof buf);

    /* Window size: set at the master, seen at the slave. */
    struct winsize w = {24, 80, 0, 0}, got = {0, 0, 0, 0};
    CHECK_EQ(xioctl(m, TIOCSWINSZ, &w), 0, "TIOCSWINSZ on the master");
    CHECK_EQ(xioctl(s, TIOCGWINSZ, &got), 0, "TIOCGWINSZ on the slave");
    CHECK(got.ws_row == 24 && got.ws_col == 80, "24 x 80 (%d x %d)", got.ws_row, got.ws_col);

    /* Raw reads by VMIN and VTIME. */
    set_raw(s, 0, 0);
    CHECK_EQ(xread(s, buf, 10), 0, "VMIN 0 VTIME 0 with nothing: 0 at once");
    xwrites(m, "xy");
    CHECK_EQ(xread(s, buf, 10), 2, "VMIN 0 VTIME 0: what is there");
    set_raw(s, 0, 2);
    long long t0 = now_ms();
    CHECK_EQ(xread(s, buf, 10), 0, "VMIN 0 VTIME 2 with nothing: 0 after the timeout");
    CHECK(now_ms() - t0 >= 150, "it waited for the 0.2 s (%ld ms)", (long)(now_ms() - t0));
    set_raw(s, 2, 0);
    xwrites(m, "a");
    p[0].revents = 0;
    CHECK_EQ(sys3(SYS_poll, p, 1, 0), 0, "VMIN 2: poll waits for two bytes");
    xwrites(m, "bc");
    CHECK_EQ(xread(s, buf, 10), 3, "VMIN 2: a read takes everything there");
    set_raw(s, 3, 1);
    xwrites(m, "q");
    t0 = now_ms();
    CHECK_EQ(xread(s, buf, 10), 1, "VMIN 3 VTIME 1: one byte, after the inter-byte timer");
    CHECK(now_ms() - t0 >= 50, "it waited for the timer (%ld ms)", (long)(now_ms() - t0));

    /* TCFLSH and TCSETSF drop typed input. */
    xwrites(m, "junk");
    CHECK_EQ(xioctl(s, TCFLSH, (void *)0), 0, "TCFLSH(TCIFLUSH)");
    CHECK_EQ(xioctl(s, FIONREAD, &count), 0, "FIONREAD after the flush");
    CHECK_EQ(count, 0, "the input is gone");
    CHECK_EQ(xioctl(s, TCFLSH, (void *)7), -22, "TCFLSH with a bad queue: EINVAL");

    /* TIOCGPTPEER: the slave without a path. */
    int peer = (int)sys3(SYS_ioctl, m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    CHECK(peer >= 0, "TIOCGPTPEER: %d", peer);
    CHECK_EQ(xioctl(peer, TCGETS, &t), 0, "the peer is a terminal");
    CHECK_EQ(t.c_lflag & ICANON, 0, "with the same settings (raw now)");

    /* Hangup: closing the master makes the slave read the end and fail writes. */
    sys1(SYS_close, m);
    CHECK_EQ(xread(s, buf, 10), 0, "a hung-up slave reads 0");
    CHECK_EQ(xwrites(s, "x"), -EIO, "and writing it fails with EIO");
    CHECK_EQ(xopen(name, O_RDWR | O_NOCTTY), -2, "the pty left /dev/pts");
    printf("failures: %d\n", t_failures);
    return t_failures != 0;
}
