/* memory: brk, anonymous mmap and munmap, mprotect, mremap, MAP_FIXED, shared anonymous memory across fork,
 * file mappings, EFAULT from system calls on bad buffers, stack growth. */
#include "t.h"

enum { PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_FIXED = 0x10, MAP_ANON = 0x20 };
#define MAP_FAILED(p) ((unsigned int)(p) > 0xfffff000u)

static void *mmap_(void *addr, size_t len, int prot, int flags, int fd, int pgoff) {
    return (void *)syscall6(SYS_mmap2, (long)addr, (long)len, prot, flags, fd, pgoff);
}

struct ksigaction { void *handler; unsigned int flags; void *restorer; unsigned int mask[2]; };
void t_restore_rt(void);
static volatile int faulted;
static volatile unsigned int fault_addr;
struct siginfo { int signo, errno_, code; void *addr; int pad[29]; };
static void on_segv(int sig, struct siginfo *info, void *uc) {
    (void)sig;
    faulted++;
    fault_addr = (unsigned int)info->addr;
    ((unsigned int *)uc)[5 + 14] += 2;   /* skip the 2-byte access */
}

static int probe_read(volatile void *p) { faulted = 0; unsigned int v; __asm__ volatile("movl (%1), %0" : "=r"(v) : "a"(p) : "memory"); return faulted; }
static int probe_write(volatile void *p) { faulted = 0; __asm__ volatile("movl %1, (%0)" : : "a"(p), "b"(1) : "memory"); return faulted; }

static int popek;   /* argv[1] == "popek": also the checks where qemu-user 7.2 differs from Linux */

static void brk_(void) {
    char *start = (char *)sys1(SYS_brk, 0);
    CHECK_EQ((unsigned int)start & 0xfff, 0, "the first break is page-aligned");
    char *end = (char *)sys1(SYS_brk, start + 100000);
    CHECK_EQ(end, start + 100000, "brk grows the heap");
    end[-1] = 1;
    memset(start, 7, 100000);
    CHECK_EQ(start[99999], 7, "the new heap is usable");
    CHECK_EQ(sys1(SYS_brk, start + 4096), (long)(start + 4096), "brk shrinks it");
    CHECK_EQ(sys1(SYS_brk, start - 4096), (long)(start + 4096), "brk below the start is refused (returns the break)");
    if (!popek) return;   /* qemu-user keeps the pages a shrinking brk gives back */
    CHECK_EQ(probe_write(start + 50000), 1, "a page past the shrunk break faults");
    sys1(SYS_brk, start + 8192);
    CHECK_EQ(start[5000], 0, "a page given back and taken again is zero");
}

static void anonymous(void) {
    char *p = mmap_(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);
    CHECK(!MAP_FAILED(p), "mmap of anonymous memory");
    CHECK_EQ(p[0] + p[4096] + p[3 * 4096 - 1], 0, "it reads as zeros");
    p[4096] = 5;
    CHECK_EQ(sys2(SYS_munmap, p + 4096, 4096), 0, "munmap of the middle page");
    CHECK_EQ(probe_read(p + 4096), 1, "the hole faults");
    CHECK_EQ(fault_addr, (unsigned int)(p + 4096), "at its address");
    CHECK_EQ(probe_read(p + 8192), 0, "the pages around it stay");
    CHECK_EQ(sys2(SYS_munmap, p + 1, 4096), -22, "munmap of an unaligned address: EINVAL");
    char *q = mmap_(p + 4096, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON | MAP_FIXED, -1, 0);
    CHECK_EQ(q, p + 4096, "MAP_FIXED fills the hole exactly");
    CHECK_EQ(q[0], 0, "with fresh zeros");
    CHECK(MAP_FAILED(mmap_(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANON, -1, 0)), "mmap of 0 bytes fails");
    CHECK(MAP_FAILED(mmap_(0, 4096, PROT_READ, MAP_PRIVATE, 99, 0)), "mmap of a bad descriptor fails");
    sys2(SYS_munmap, p, 3 * 4096);
}

static void protect(void) {
    char *p = mmap_(0, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);
    p[0] = 1;
    CHECK_EQ(sys3(SYS_mprotect, p, 4096, PROT_READ), 0, "mprotect to read-only");
    CHECK_EQ(probe_write(p), 1, "a write then faults");
    CHECK_EQ(probe_read(p), 0, "a read does not");
    CHECK_EQ(p[0], 1, "and the contents stay");
    CHECK_EQ(sys3(SYS_mprotect, p, 4096, 0), 0, "mprotect to PROT_NONE");
    CHECK_EQ(probe_read(p), 1, "now a read faults too");
    CHECK_EQ(sys3(SYS_mprotect, p, 4096, PROT_READ | PROT_WRITE), 0, "and back to read-write");
    CHECK_EQ(p[0], 1, "the page kept its contents through PROT_NONE");
    CHECK_EQ(probe_write(p + 4096), 0, "the other page was writable all along");
    if (popek) CHECK_EQ(sys3(SYS_mprotect, (char *)0x10000000, 4096, PROT_READ), -12, "mprotect of unmapped memory: ENOMEM");
    sys2(SYS_munmap, p, 2 * 4096);
}

static void remap(void) {
    char *p = mmap_(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);
    p[10] = 42;
    char *q = (char *)syscall6(163 /* mremap */, (long)p, 4096, 3 * 4096, 1 /* MAYMOVE */, 0, 0);
    CHECK(!MAP_FAILED(q), "mremap grows a mapping");
    CHECK_EQ(q[10], 42, "keeping its contents");
    q[3 * 4096 - 1] = 1;
    CHECK_EQ(q[3 * 4096 - 1], 1, "and the new part is usable");
    char *r = (char *)syscall6(163, (long)q, 3 * 4096, 4096, 0, 0, 0);
    CHECK_EQ(r, q, "mremap shrinks in place");
    CHECK_EQ(probe_read(q + 8192), 1, "the cut pages are gone");
    sys2(SYS_munmap, r, 4096);
}

static void shared(void) {
    volatile int *s = mmap_(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANON, -1, 0);
    volatile int *priv = mmap_(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);
    s[0] = 1;
    priv[0] = 1;
    int pid = (int)sys0(SYS_fork);
    if (pid == 0) { s[0] = 2; s[1] = 3; priv[0] = 2; sys1(SYS_exit, 0); }
    int st;
    sys4(SYS_wait4, pid, &st, 0, 0);
    CHECK_EQ(s[0], 2, "MAP_SHARED|MAP_ANONYMOUS: the child's write is seen by the parent");
    CHECK_EQ(s[1], 3, "even on a word the parent never touched");
    CHECK_EQ(priv[0], 1, "MAP_PRIVATE: it is not");
}

static void file(void) {
    int fd = (int)sys2(SYS_open, "/data.txt", 0);
    CHECK(fd >= 0, "open a file to map");
    char *p = mmap_(0, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(!MAP_FAILED(p), "mmap of a file");
    CHECK_EQ(memcmp(p, "mapped file contents\n", 21), 0, "its bytes are the file's");
    CHECK_EQ(p[21], 0, "the rest of the last page is zero");
    char *w = mmap_(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    w[0] = 'M';
    CHECK_EQ(w[0], 'M', "a private writable file mapping takes writes");
    CHECK_EQ(p[0], 'm', "which other mappings of the file do not see");
    sys1(SYS_close, fd);
    CHECK_EQ(p[1], 'a', "the mapping outlives its descriptor");
}

static void efault(void) {
    int fds[2];
    sys1(SYS_pipe, fds);
    CHECK_EQ(sys3(SYS_write, fds[1], (void *)0x10, 4), -14, "write from an unmapped buffer: EFAULT");
    sys3(SYS_write, fds[1], "abcd", 4);
    CHECK_EQ(sys3(SYS_read, fds[0], (void *)0x10, 4), -14, "read into an unmapped buffer: EFAULT");
    CHECK_EQ(sys3(SYS_read, fds[0], (void *)0xc0000000, 4), -14, "read into kernel space: EFAULT");
    CHECK_EQ(sys1(SYS_pipe, (void *)0x10), -14, "pipe with a bad array: EFAULT");
    CHECK_EQ(sys2(SYS_open, (void *)0x10, 0), -14, "open with a bad path: EFAULT");
    CHECK_EQ(sys2(SYS_clock_gettime, 1, (void *)0x10), -14, "clock_gettime into a bad pointer: EFAULT");
    char *ro = mmap_(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANON, -1, 0);
    sys3(SYS_write, fds[1], "x", 1);
    CHECK_EQ(sys3(SYS_read, fds[0], ro, 1), -14, "read into a read-only page: EFAULT");
}

static int depth(int n) { volatile int big[1024]; big[0] = n; return n ? depth(n - 1) + big[0] : 0; }

static void stack(void) {
    CHECK_EQ(depth(500), 500 * 501 / 2, "the stack grows down by 2 MB on demand");
}

int main(int argc, char **argv, char **envp) {
    (void)envp;
    popek = argc > 1 && !strcmp(argv[1], "popek");
    struct ksigaction a = {on_segv, 4 | 0x04000000, t_restore_rt, {0, 0}};
    sys4(SYS_rt_sigaction, 11, &a, 0, 8);
    brk_();
    anonymous();
    protect();
    remap();
    shared();
    file();
    efault();
    stack();
    printf("%d failures\n", t_failures);
    return t_failures != 0;
}
