/* fileloop N [MASK]: the common file calls, N times each, for the allocation test: reads of /dev/zero, writes to /dev/null,
 * pread/pwrite/lseek/fstat64 of a tmpfs file and of a file of the image, a pipe's write and read, and poll. */
#include "fs.h"

static char buf[256];

int main(int argc, char **argv, char **envp) {
    (void)envp;
    int n = 0, mask = 0;
    for (const char *p = argc > 1 ? argv[1] : "1"; *p; p++) n = n * 10 + (*p - '0');
    for (const char *p = argc > 2 ? argv[2] : "31"; *p; p++) mask = mask * 10 + (*p - '0');
    int zero = sys_open("/dev/zero", O_RDONLY, 0), null = sys_open("/dev/null", O_WRONLY, 0);
    int tmp = sys_open("/tmp/data", O_RDWR | O_CREAT, 0644), image = sys_open("/fileloop", O_RDONLY, 0);
    sys_write(tmp, buf, sizeof buf);
    int p[2];
    sys1(NR_pipe, p);
    struct stat64 s;
    struct pollfd pf = {p[0], POLLIN, 0};
    for (int i = 0; i < n; i++) {
        if ((mask & 1) && (sys_read(zero, buf, 1) != 1 || sys_write(null, buf, 1) != 1)) return 1;
        if ((mask & 2) && (sys5(NR_pread64, tmp, buf, 64, 0, 0) != 64 || sys5(NR_pwrite64, tmp, buf, 64, 64, 0) != 64)) return 2;
        if ((mask & 4) && (sys5(NR_pread64, image, buf, 64, 128, 0) != 64 || sys3(NR_lseek, image, 0, SEEK_SET) != 0)) return 3;
        if ((mask & 8) && (sys_fstat(tmp, &s) != 0 || sys_fstat(image, &s) != 0)) return 4;
        if ((mask & 16) && (sys_write(p[1], buf, 1) != 1 || sys3(NR_poll, &pf, 1, 0) != 1 || sys_read(p[0], buf, 1) != 1)) return 5;
    }
    return 0;
}
