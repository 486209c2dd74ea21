/* Terminal helpers shared by the tty test programs: ioctl numbers, struct termios as i386 Linux has it, signals. */
#ifndef TTYLIB_H
#define TTYLIB_H
#include "t.h"

enum {
    SYS_setsid = 66, SYS_poll = 168, SYS_stat64 = 195, SYS_fstat64 = 197, SYS_getsid = 147, SYS_getpgrp = 65,
    SYS_tcgetpgrp_unused = 0,
};
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_NOCTTY 0400
#define O_NONBLOCK 04000
#define EIO 5
#define EAGAIN 11
#define ENOTTY 25
#define EPERM 1
#define ENXIO 6
#define EINTR 4

#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TCSETSF 0x5404
#define TCXONC 0x540A
#define TCFLSH 0x540B
#define TIOCSCTTY 0x540E
#define TIOCGPGRP 0x540F
#define TIOCSPGRP 0x5410
#define TIOCOUTQ 0x5411
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD 0x541B
#define TIOCNOTTY 0x5422
#define TIOCGSID 0x5429
#define TIOCGPTN 0x80045430
#define TIOCSPTLCK 0x40045431
#define TIOCGPTLCK 0x80045439
#define TIOCGPTPEER 0x5441
#define TCGETS2 0x802C542A

#define ISIG 01
#define ICANON 02
#define ECHO 010
#define TOSTOP 0400
#define ICRNL 0400
#define IXON 02000
#define OPOST 01
#define ONLCR 04
#define VINTR 0
#define VTIME 5
#define VMIN 6

#define POLLIN 1
#define POLLOUT 4
#define POLLHUP 0x10

#define SIGHUP 1
#define SIGINT 2
#define SIGKILL 9
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGWINCH 28
#define WUNTRACED 2

struct termios { unsigned int c_iflag, c_oflag, c_cflag, c_lflag; unsigned char c_line, c_cc[19]; };
struct winsize { unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel; };
struct pollfd { int fd; short events, revents; };

static inline long xioctl(int fd, unsigned int cmd, void *arg) { return sys3(SYS_ioctl, fd, cmd, arg); }
static inline long xopen(const char *p, int flags) { return sys3(SYS_open, p, flags, 0); }
static inline long xread(int fd, void *b, int n) { return sys3(SYS_read, fd, b, n); }
static inline long xwrite(int fd, const void *b, int n) { return sys3(SYS_write, fd, b, n); }
static inline long xwrites(int fd, const char *s) { return sys3(SYS_write, fd, s, strlen(s)); }

static inline long long now_ms(void) {
    struct { int sec, nsec; } ts;
    sys2(SYS_clock_gettime, 1, &ts);
    return (long long)ts.sec * 1000 + ts.nsec / 1000000;
}

static inline void sleep_ms(int ms) {
    struct { int sec, nsec; } ts = {ms / 1000, (ms % 1000) * 1000000};
    sys2(SYS_nanosleep, &ts, 0);
}

/* rt_sigaction with a restorer that makes the rt_sigreturn call, as libc does it. SA_SIGINFO is always set: without
 * it i386 Linux builds the old frame, whose restorer must pop the signal number and call sigreturn instead. */
void t_restorer(void);
__asm__(".text\n.globl t_restorer\nt_restorer:\n\tmovl $173, %eax\n\tint $0x80\n");
struct ksigaction { void (*handler)(int); unsigned int flags; void (*restorer)(void); unsigned int mask[2]; };
#define SA_RESTORER 0x04000000
#define SA_RESTART 0x10000000
#define SA_SIGINFO 4
static inline long on_signal(int sig, void (*h)(int), unsigned int flags) {
    struct ksigaction a = {h, SA_RESTORER | SA_SIGINFO | flags, t_restorer, {0, 0}};
    return sys4(SYS_rt_sigaction, sig, &a, 0, 8);
}
#define SIG_IGN_HANDLER ((void (*)(int))1)

/* The number of bytes a read of a non-blocking file gives now (-errno if it fails). */
static inline long drain(int fd, char *buf, int n) {
    struct pollfd p = {fd, POLLIN, 0};
    if (sys3(SYS_poll, &p, 1, 200) <= 0) return 0;
    return xread(fd, buf, n);
}
#endif
