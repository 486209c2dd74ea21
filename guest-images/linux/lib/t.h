/* A tiny libc for Popek's Linux test programs: raw i386 system calls (int 0x80), strings, formatted output. */
#ifndef T_H
#define T_H

typedef unsigned int size_t;
typedef int ssize_t;
typedef unsigned int uint32_t;
typedef unsigned long long uint64_t;
typedef long long int64_t;

#define NULL ((void *)0)

/* i386 system call numbers used by the tests. */
enum {
    SYS_exit = 1, SYS_fork = 2, SYS_read = 3, SYS_write = 4, SYS_open = 5, SYS_close = 6, SYS_waitpid = 7,
    SYS_execve = 11, SYS_chdir = 12, SYS_time = 13, SYS_lseek = 19, SYS_getpid = 20, SYS_alarm = 27, SYS_pause = 29,
    SYS_kill = 37, SYS_pipe = 42, SYS_brk = 45, SYS_signal = 48, SYS_ioctl = 54, SYS_setpgid = 57, SYS_dup2 = 63,
    SYS_getppid = 64, SYS_sigreturn = 119, SYS_munmap = 91, SYS_wait4 = 114, SYS_clone = 120, SYS_uname = 122,
    SYS_mprotect = 125, SYS_getpgid = 132, SYS_readv = 145, SYS_writev = 146, SYS_nanosleep = 162,
    SYS_rt_sigreturn = 173, SYS_rt_sigaction = 174, SYS_rt_sigprocmask = 175, SYS_rt_sigsuspend = 179,
    SYS_sigaltstack = 186, SYS_vfork = 190, SYS_mmap2 = 192, SYS_getuid32 = 199, SYS_gettid = 224,
    SYS_futex = 240, SYS_set_thread_area = 243, SYS_get_thread_area = 244, SYS_exit_group = 252,
    SYS_set_tid_address = 258, SYS_clock_gettime = 265, SYS_tgkill = 270, SYS_pipe2 = 331, SYS_getrandom = 355,
};

long syscall6(long nr, long a, long b, long c, long d, long e, long f);
#define sys0(n) syscall6(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a) syscall6(n, (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) syscall6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) syscall6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define sys5(n, a, b, c, d, e) syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

extern int t_argc;
extern char **t_argv, **t_envp;
extern unsigned int *t_auxv;

size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
unsigned int getauxval(unsigned int type);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);

/* printf to fd 1 (%d %u %x %s %c %p, with l and width/zero flags); returns bytes written. */
int printf(const char *fmt, ...);
int dprintf(int fd, const char *fmt, ...);
int snprintf(char *buf, size_t n, const char *fmt, ...);
void puts_raw(const char *s);

/* The check the tests are made of: prints "ok <what>" or "FAIL <what> ..." and counts failures. */
extern int t_failures;
#define CHECK(cond, ...) do { if (cond) printf("ok " __VA_ARGS__); else { t_failures++; printf("FAIL line %d: ", __LINE__); printf(__VA_ARGS__); } printf("\n"); } while (0)
#define CHECK_EQ(got, want, what) do { long _g = (long)(got), _w = (long)(want); if (_g == _w) printf("ok %s\n", what); \
    else { t_failures++; printf("FAIL line %d: %s: got %ld, want %ld\n", __LINE__, what, _g, _w); } } while (0)

int main(int argc, char **argv, char **envp);
int t_vfork(void);
int t_clone(int flags, void *stack_top, int *ptid, void *tls, int *ctid, int (*fn)(void *), void *arg);
void exit(int code) __attribute__((noreturn));
#endif
