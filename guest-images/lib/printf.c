/* kprintf: a tiny printf to COM1 (%s %c %d %i %u %x %X %p %%, flags '0' '-', field width). */
#include "guest.h"

static int out_str(const char *s, int len, int width, int left, char pad)
{
    int n = 0;
    if (!left)
        for (; width > len; width--, n++)
            serial_putc(pad);
    for (int i = 0; i < len; i++, n++)
        serial_putc(s[i]);
    if (left)
        for (; width > len; width--, n++)
            serial_putc(' ');
    return n;
}

int kvprintf(const char *fmt, va_list ap)
{
    int n = 0;
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            serial_putc(*fmt);
            n++;
            continue;
        }
        char pad = ' ';
        int left = 0, width = 0;
        for (fmt++; *fmt == '0' || *fmt == '-'; fmt++) {
            if (*fmt == '0') pad = '0';
            else left = 1;
        }
        for (; *fmt >= '0' && *fmt <= '9'; fmt++)
            width = width * 10 + (*fmt - '0');
        while (*fmt == 'l')
            fmt++;

        char buf[16];
        char *p = buf + sizeof buf;
        const char *digits = "0123456789abcdef";
        uint32_t v = 0;
        unsigned base = 10;
        int neg = 0;
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) s = "(null)";
            n += out_str(s, (int)strlen(s), width, left, ' ');
            continue;
        }
        case 'c':
            buf[0] = (char)va_arg(ap, int);
            n += out_str(buf, 1, width, left, ' ');
            continue;
        case 'd': case 'i': {
            int32_t s = va_arg(ap, int32_t);
            neg = s < 0;
            v = neg ? -(uint32_t)s : (uint32_t)s;
            break;
        }
        case 'u': v = va_arg(ap, uint32_t); break;
        case 'X': digits = "0123456789ABCDEF"; /* fall through */
        case 'x': v = va_arg(ap, uint32_t); base = 16; break;
        case 'p':                       /* 0x%08x */
            v = (uint32_t)va_arg(ap, void *);
            base = 16; width = 8; pad = '0';
            n += out_str("0x", 2, 0, 0, ' ');
            break;
        case '%':
            serial_putc('%');
            n++;
            continue;
        default:                        /* unknown: print it verbatim */
            serial_putc('%');
            if (!*fmt) return n + 1;
            serial_putc(*fmt);
            n += 2;
            continue;
        }
        do {
            *--p = digits[v % base];
            v /= base;
        } while (v);
        int len = (int)(buf + sizeof buf - p);
        if (neg) {
            if (pad == '0') {           /* sign before the zero padding */
                serial_putc('-');
                n++;
                width--;
            } else {
                *--p = '-';
                len++;
            }
        }
        n += out_str(p, len, width, left, pad);
    }
    return n;
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}
