/* schedbench: the container workloads of `popek bench sched`, timed by the program itself:
 *   hog START_NS END_NS   waits until CLOCK_REALTIME reaches START_NS, then spins until END_NS (0: for ever),
 *                         counting loop iterations; prints "hog ITERATIONS" (work done: its share of the CPU)
 *   wake N PERIOD_US      N times sleeps PERIOD_US and notes how late it woke (CLOCK_MONOTONIC), as cyclictest
 *                         does; prints "wake N P50_NS P99_NS MAX_NS" */
#include "t.h"

static uint64_t clock_ns(int clock) {
    unsigned int ts[2];
    sys2(SYS_clock_gettime, clock, ts);
    return (uint64_t)ts[0] * 1000000000ULL + ts[1];
}

static uint64_t atou64(const char *s) { uint64_t v = 0; while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0'); return v; }

/* Writes v in decimal (the tiny printf has no 64-bit conversion). */
static void put_u64(uint64_t v) {
    char buf[24];
    int i = 23;
    buf[i] = 0;
    do { buf[--i] = '0' + (char)(v % 10); v /= 10; } while (v);
    puts_raw(buf + i);
}

static void sleep_ns(uint64_t ns) {
    unsigned int ts[2] = {(unsigned int)(ns / 1000000000ULL), (unsigned int)(ns % 1000000000ULL)};
    sys2(SYS_nanosleep, ts, 0);
}

static int hog(uint64_t start, uint64_t end) {
    uint64_t now;
    while ((now = clock_ns(0)) < start) sleep_ns(start - now);
    uint64_t n = 0;
    for (;;) {
        for (int i = 0; i < 65536; i++) __asm__ volatile("" ::: "memory");
        n += 65536;
        if (end != 0 && clock_ns(0) >= end) break;
    }
    puts_raw("hog ");
    put_u64(n);
    puts_raw("\n");
    return 0;
}

static uint64_t late[4096];

static int wake(int n, uint64_t period) {
    if (n > 4096) n = 4096;
    for (int i = 0; i < n; i++) {
        uint64_t due = clock_ns(1) + period;
        sleep_ns(period);
        uint64_t now = clock_ns(1);
        late[i] = now > due ? now - due : 0;
    }
    for (int i = 1; i < n; i++) {   /* insertion sort: n is small */
        uint64_t v = late[i];
        int j = i - 1;
        while (j >= 0 && late[j] > v) { late[j + 1] = late[j]; j--; }
        late[j + 1] = v;
    }
    puts_raw("wake ");
    put_u64(n);
    puts_raw(" ");
    put_u64(late[n / 2]);
    puts_raw(" ");
    put_u64(late[(n * 99) / 100]);
    puts_raw(" ");
    put_u64(late[n - 1]);
    puts_raw("\n");
    return 0;
}

int main(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc == 4 && !strcmp(argv[1], "hog")) return hog(atou64(argv[2]), atou64(argv[3]));
    if (argc == 4 && !strcmp(argv[1], "wake")) return wake((int)atou64(argv[2]), atou64(argv[3]) * 1000);
    dprintf(2, "usage: schedbench hog START_NS END_NS | wake N PERIOD_US\n");
    return 2;
}
