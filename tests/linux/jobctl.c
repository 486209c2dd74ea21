/* jobctl: a controlling terminal and job control on a pty, as a shell uses them. Process 1 holds the master; a child
 * makes a session that takes the slave as its controlling terminal, runs background and foreground jobs on it
 * (SIGTTIN, SIGTTOU with TOSTOP, EIO for orphaned groups and ignored SIGTTIN), and receives what the terminal sends:
 * ^C's SIGINT, SIGWINCH on a resize, and SIGHUP when the master closes. */
#include "ttylib.h"

enum { SYS_setpgid_ = 57, SYS_getpgid_ = 132 };
#define TIOCSTI 0x5412

static volatile int got_int, got_winch, got_hup;
static void on_int(int s) { (void)s; got_int++; }
static void on_winch(int s) { (void)s; got_winch++; }
static void on_hup(int s) { (void)s; got_hup++; }

static int wait_status(int pid) {
    int st = -1;
    sys3(SYS_waitpid, pid, &st, WUNTRACED);
    return st;
}

static int stopped_by(int st) { return (st & 0xFF) == 0x7F ? (st >> 8) & 0xFF : 0; }

/* Waits up to 5 s for *flag to become non-zero. */
static int await(volatile int *flag) {
    for (int i = 0; i < 500 && !*flag; i++) sleep_ms(10);
    return *flag;
}

static void push(int fd, const char *s) {
    for (; *s; s++) xioctl(fd, TIOCSTI, (void *)s);
}

/* A job in a process group of its own: returns its pid (the parent also puts it in its group, as shells do). */
static int job(void) {
    int pid = (int)sys0(SYS_fork);
    if (pid == 0) sys2(SYS_setpgid_, 0, 0);
    else sys2(SYS_setpgid_, pid, pid);
    return pid;
}

static char slave_name[32];

static int session(int master) {
    char buf[64];
    sys1(SYS_close, master);
    int me = (int)sys0(SYS_getpid);
    CHECK_EQ(sys0(SYS_setsid), me, "setsid: a session of its own");
    CHECK_EQ(xopen("/dev/tty", O_RDWR), -ENXIO, "no controlling terminal yet: /dev/tty is ENXIO");
    int s = (int)xopen(slave_name, O_RDWR);
    CHECK(s >= 0, "the session leader opens the slave: %d", s);
    int v = 0;
    CHECK_EQ(xioctl(s, TIOCGSID, &v), 0, "TIOCGSID");
    CHECK_EQ(v, me, "the slave became the session's controlling terminal");
    CHECK_EQ(xioctl(s, TIOCGPGRP, &v), 0, "TIOCGPGRP");
    CHECK_EQ(v, me, "with the leader's group in the foreground");
    int tty = (int)xopen("/dev/tty", O_RDWR);
    CHECK(tty >= 0, "/dev/tty opens now: %d", tty);
    CHECK_EQ(xioctl(tty, TIOCSCTTY, 0), 0, "TIOCSCTTY on its own terminal: nothing to do");
    on_signal(SIGINT, on_int, 0);
    on_signal(SIGWINCH, on_winch, 0);
    on_signal(SIGHUP, on_hup, 0);
    on_signal(SIGTTOU, SIG_IGN_HANDLER, 0);   /* as a shell: tcsetpgrp from the background must not stop it */

    /* A background read stops the job with SIGTTIN; in the foreground it reads. */
    int b = job();
    if (b == 0) {
        long r = xread(s, buf, sizeof buf);
        exit(r == 3 && !memcmp(buf, "hi\n", 3) ? 0 : 10 + (int)(r < 0 ? -r : 0));
    }
    int st = wait_status(b);
    CHECK_EQ(stopped_by(st), SIGTTIN, "a background read: stopped by SIGTTIN");
    CHECK_EQ(xioctl(s, TIOCSPGRP, &b), 0, "TIOCSPGRP: the job to the foreground");
    CHECK_EQ(xioctl(s, TIOCGPGRP, &v), 0, "TIOCGPGRP");
    CHECK_EQ(v, b, "the job's group is the foreground");
    push(s, "hi\n");
    CHECK_EQ(sys2(SYS_kill, b, SIGCONT), 0, "SIGCONT");
    st = wait_status(b);
    CHECK_EQ(st, 0, "in the foreground the job read its line");
    int me_pg = (int)sys1(SYS_getpgid_, 0);
    CHECK_EQ(xioctl(s, TIOCSPGRP, &me_pg), 0, "the shell takes the foreground back (SIGTTOU ignored)");
    int nope = 77777;
    CHECK_EQ(xioctl(s, TIOCSPGRP, &nope), -3, "TIOCSPGRP to no group: ESRCH");

    /* Background writes: allowed, unless TOSTOP. */
    int w = job();
    if (w == 0) exit(xwrites(s, "bg\n") == 3 ? 0 : 1);
    CHECK_EQ(wait_status(w), 0, "a background write goes out without TOSTOP");
    struct termios t;
    xioctl(s, TCGETS, &t);
    t.c_lflag |= TOSTOP;
    xioctl(s, TCSETS, &t);
    w = job();
    if (w == 0) {
        on_signal(SIGTTOU, 0, 0);   /* SIG_DFL: the shell's ignoring it is inherited */
        exit(xwrites(s, "bg\n") == 3 ? 3 : 4);
    }
    CHECK_EQ(stopped_by(wait_status(w)), SIGTTOU, "with TOSTOP it stops the job with SIGTTOU");
    sys2(SYS_kill, w, SIGKILL);
    wait_status(w);
    t.c_lflag &= ~TOSTOP;
    xioctl(s, TCSETS, &t);

    /* A job that ignores SIGTTIN, or whose group is orphaned, reads EIO instead of stopping. */
    int g = job();
    if (g == 0) {
        on_signal(SIGTTIN, SIG_IGN_HANDLER, 0);
        exit(xread(s, buf, sizeof buf) == -EIO ? 0 : 1);
    }
    CHECK_EQ(wait_status(g), 0, "a background read with SIGTTIN ignored: EIO");
    int e = (int)sys0(SYS_fork);
    if (e == 0) {   /* its child's group is orphaned once it exits: no parent left in the session to continue it */
        int f = (int)sys0(SYS_fork);
        if (f == 0) {
            sys2(SYS_setpgid_, 0, 0);
            sleep_ms(200);
            long r = xread(s, buf, sizeof buf);
            CHECK_EQ(r, -EIO, "an orphaned background group reads EIO");
            exit(0);
        }
        exit(0);
    }
    wait_status(e);
    sleep_ms(500);

    /* A session that is not the terminal's cannot take it. */
    int o = (int)sys0(SYS_fork);
    if (o == 0) {
        sys0(SYS_setsid);
        exit(xioctl(s, TIOCSCTTY, 0) == -EPERM ? 0 : 1);
    }
    CHECK_EQ(wait_status(o), 0, "TIOCSCTTY of another session's terminal: EPERM");

    /* What the terminal sends: ^C, a resize, the hangup. Process 1 acts on each READY line it reads. */
    xwrites(s, "READY1\n");
    CHECK(await(&got_int), "^C typed at the master: SIGINT to the foreground group");
    xwrites(s, "READY2\n");
    CHECK(await(&got_winch), "the master resizes: SIGWINCH");
    xioctl(s, TIOCGWINSZ, buf);
    CHECK_EQ(((unsigned short *)buf)[0], 50, "the new size is seen");
    xwrites(s, "READY3\n");
    CHECK(await(&got_hup), "the master closes: SIGHUP to the session leader");
    CHECK_EQ(xread(s, buf, sizeof buf), 0, "the hung-up terminal reads the end");
    CHECK_EQ(xwrites(s, "x"), -EIO, "and refuses writes");
    CHECK_EQ(xopen("/dev/tty", O_RDWR), -ENXIO, "the session has no controlling terminal any more");
    return t_failures;
}

/* A session leader with a controlling terminal exits: its foreground group gets SIGHUP. */
static void leader_exit(void) {
    int x;
    while (sys3(SYS_waitpid, -1, &x, 1) > 0) { }   /* earlier orphans process 1 inherited (WNOHANG) */
    int m = (int)xopen("/dev/ptmx", O_RDWR | O_NOCTTY);
    unsigned int unlock = 0, n = 0;
    xioctl(m, TIOCSPTLCK, &unlock);
    xioctl(m, TIOCGPTN, &n);
    snprintf(slave_name, sizeof slave_name, "/dev/pts/%u", n);
    int p[2];
    sys1(SYS_pipe, p);
    int leader = (int)sys0(SYS_fork);
    if (leader == 0) {
        sys0(SYS_setsid);
        int s = (int)xopen(slave_name, O_RDWR);
        int member = (int)sys0(SYS_fork);
        if (member == 0) {   /* in the leader's (foreground) group */
            on_signal(SIGHUP, on_hup, 0);
            xwrite(p[1], "r", 1);
            exit(await(&got_hup) ? 40 : 41);
        }
        char c;
        xread(p[0], &c, 1);
        exit(s >= 0 ? 0 : 1);
    }
    CHECK_EQ(wait_status(leader), 0, "the leader took a terminal and exited");
    int st = wait_status(-1);   /* its group's member, now process 1's child */
    CHECK_EQ(st, 40 << 8, "the leader's exit: SIGHUP to the terminal's foreground group");
    sys1(SYS_close, m);
}

/* Process 1: reads the master until {@code marker} shows. */
static int read_until(int m, const char *marker) {
    static char seen[8192];
    static int len;
    for (int i = 0; i < 500; i++) {
        long r = drain(m, seen + len, (int)(sizeof seen - 1 - len));
        if (r > 0) len += (int)r;
        seen[len] = 0;
        for (int k = 0; k + (int)strlen(marker) <= len; k++) {
            if (!memcmp(seen + k, marker, strlen(marker))) {
                len = 0;
                return 1;
            }
        }
        if (len > 4096) len = 0;
    }
    return 0;
}

int main(int argc, char **argv, char **envp) {
    (void)argc; (void)argv; (void)envp;
    /* Orphans come to process 1: a container's init is their reaper; on a host (under qemu-i386) it asks to be. */
    sys2(172, 36, 1);   /* prctl(PR_SET_CHILD_SUBREAPER, 1) */
    int m = (int)xopen("/dev/ptmx", O_RDWR | O_NOCTTY);
    unsigned int unlock = 0, n = 0;
    xioctl(m, TIOCSPTLCK, &unlock);
    xioctl(m, TIOCGPTN, &n);
    snprintf(slave_name, sizeof slave_name, "/dev/pts/%u", n);
    int a = (int)sys0(SYS_fork);
    if (a == 0) exit(session(m));
    CHECK(read_until(m, "READY1"), "process 1 saw READY1");
    xwrites(m, "\003");
    CHECK(read_until(m, "READY2"), "process 1 saw READY2");
    struct winsize w = {50, 132, 0, 0};
    xioctl(m, TIOCSWINSZ, &w);
    CHECK(read_until(m, "READY3"), "process 1 saw READY3");
    sys1(SYS_close, m);
    int st = wait_status(a);
    CHECK_EQ(st, 0, "the session's checks passed");
    leader_exit();
    printf("failures: %d\n", t_failures);
    return t_failures != 0;
}
