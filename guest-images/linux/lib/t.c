/* The tiny libc's implementation (see t.h). */
#include "t.h"
#include <stdarg.h>

int t_argc;
char **t_argv, **t_envp;
unsigned int *t_auxv;
int t_failures;

void exit(int code) {
    for (;;) sys1(SYS_exit_group, code);
}

void __start_c(unsigned int *sp) {
    t_argc = (int)sp[0];
    t_argv = (char **)(sp + 1);
    t_envp = t_argv + t_argc + 1;
    char **e = t_envp;
    while (*e) e++;
    t_auxv = (unsigned int *)(e + 1);
    exit(main(t_argc, t_argv, t_envp));
}

unsigned int getauxval(unsigned int type) {
    for (unsigned int *a = t_auxv; a[0]; a += 2) if (a[0] == type) return a[1];
    return 0;
}

size_t strlen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }
int strcmp(const char *a, const char *b) { while (*a && *a == *b) { a++; b++; } return (unsigned char)*a - (unsigned char)*b; }
int strncmp(const char *a, const char *b, size_t n) {
    for (; n; n--, a++, b++) { if (*a != *b) return (unsigned char)*a - (unsigned char)*b; if (!*a) return 0; }
    return 0;
}
void *memset(void *d, int c, size_t n) { unsigned char *p = d; while (n--) *p++ = (unsigned char)c; return d; }
void *memcpy(void *d, const void *s, size_t n) { unsigned char *p = d; const unsigned char *q = s; while (n--) *p++ = *q++; return d; }
int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *p = a, *q = b;
    for (; n; n--, p++, q++) if (*p != *q) return *p - *q;
    return 0;
}

struct out { char *buf; size_t cap, len; };

static void put(struct out *o, char c) { if (o->len < o->cap) o->buf[o->len] = c; o->len++; }

/* 64-bit division by a small base without libgcc (there is no 32-bit libgcc here): shift and subtract. */
static unsigned long long divmod(unsigned long long v, unsigned int base, unsigned int *rem) {
    unsigned long long q = 0, r = 0;
    for (int i = 63; i >= 0; i--) {
        r = (r << 1) | ((v >> i) & 1);
        if (r >= base) { r -= base; q |= 1ULL << i; }
    }
    *rem = (unsigned int)r;
    return q;
}

static void number(struct out *o, unsigned long long v, int base, int neg, int width, char pad) {
    char tmp[24]; int n = 0;
    do { unsigned int r; v = divmod(v, (unsigned int)base, &r); tmp[n++] = "0123456789abcdef"[r]; } while (v);
    if (neg) tmp[n++] = '-';
    while (n < width--) put(o, pad);
    while (n) put(o, tmp[--n]);
}

static void format(struct out *o, const char *f, va_list ap) {
    for (; *f; f++) {
        if (*f != '%') { put(o, *f); continue; }
        f++;
        char pad = ' '; int width = 0, lng = 0;
        if (*f == '0') { pad = '0'; f++; }
        while (*f >= '0' && *f <= '9') width = width * 10 + (*f++ - '0');
        while (*f == 'l') { lng++; f++; }
        switch (*f) {
            case 'd': { long long v = lng > 1 ? va_arg(ap, long long) : va_arg(ap, long); number(o, v < 0 ? -v : v, 10, v < 0, width, pad); break; }
            case 'u': { unsigned long long v = lng > 1 ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned long); number(o, v, 10, 0, width, pad); break; }
            case 'x': { unsigned long long v = lng > 1 ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned long); number(o, v, 16, 0, width, pad); break; }
            case 'p': { put(o, '0'); put(o, 'x'); number(o, (unsigned long)va_arg(ap, void *), 16, 0, 8, '0'); break; }
            case 's': { const char *s = va_arg(ap, const char *); if (!s) s = "(null)"; while (*s) put(o, *s++); break; }
            case 'c': put(o, (char)va_arg(ap, int)); break;
            case '%': put(o, '%'); break;
            default: put(o, '%'); put(o, *f);
        }
    }
}

int snprintf(char *buf, size_t n, const char *fmt, ...) {
    struct out o = {buf, n ? n - 1 : 0, 0};
    va_list ap; va_start(ap, fmt); format(&o, fmt, ap); va_end(ap);
    if (n) buf[o.len < n - 1 ? o.len : n - 1] = 0;
    return (int)o.len;
}

static int vdprintf(int fd, const char *fmt, va_list ap) {
    char buf[1024];
    struct out o = {buf, sizeof buf, 0};
    format(&o, fmt, ap);
    size_t len = o.len < sizeof buf ? o.len : sizeof buf;
    return (int)sys3(SYS_write, fd, buf, len);
}

int printf(const char *fmt, ...) { va_list ap; va_start(ap, fmt); int r = vdprintf(1, fmt, ap); va_end(ap); return r; }
int dprintf(int fd, const char *fmt, ...) { va_list ap; va_start(ap, fmt); int r = vdprintf(fd, fmt, ap); va_end(ap); return r; }
void puts_raw(const char *s) { sys3(SYS_write, 1, s, strlen(s)); }

/* What gcc calls for 64-bit division on i386 (libgcc's, which has no 32-bit build here): shift and subtract. */
static uint64_t udivmod64(uint64_t n, uint64_t d, uint64_t *rem) {
    uint64_t q = 0, r = 0;
    for (int i = 63; i >= 0; i--) {
        r = (r << 1) | ((n >> i) & 1);
        if (r >= d) { r -= d; q |= 1ULL << i; }
    }
    if (rem) *rem = r;
    return q;
}
uint64_t __udivdi3(uint64_t n, uint64_t d) { return udivmod64(n, d, 0); }
uint64_t __umoddi3(uint64_t n, uint64_t d) { uint64_t r; udivmod64(n, d, &r); return r; }
int64_t __divdi3(int64_t n, int64_t d) {
    int neg = (n < 0) != (d < 0);
    uint64_t q = udivmod64(n < 0 ? -(uint64_t)n : (uint64_t)n, d < 0 ? -(uint64_t)d : (uint64_t)d, 0);
    return neg ? -(int64_t)q : (int64_t)q;
}
int64_t __moddi3(int64_t n, int64_t d) {
    uint64_t r;
    udivmod64(n < 0 ? -(uint64_t)n : (uint64_t)n, d < 0 ? -(uint64_t)d : (uint64_t)d, &r);
    return n < 0 ? -(int64_t)r : (int64_t)r;
}
