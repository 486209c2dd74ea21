/* tinyos user tasks (CPL 3): this object's sections are renamed .user.* so they land on U/S=1 pages.
 * They may only touch user memory: no kernel calls, no libc (gcc must not emit memset/memcpy here). */
#include "syscall.h"

uint8_t user_stacks[4][4096] __attribute__((aligned(16)));

static void write(const char *s) { syscall1(SYS_WRITE, (uint32_t)s); }
static uint32_t getid(void)      { return syscall1(SYS_GETID, 0); }
static void yield(void)          { syscall1(SYS_YIELD, 0); }
static void __attribute__((noreturn)) exit(uint32_t code)
{
    syscall1(SYS_EXIT, code);
    for (;;)
        ;
}

/* Writes prefix, a number (< 100) and suffix as one line. */
static void write_num(const char *prefix, uint32_t n, const char *suffix)
{
    char buf[80];
    int i = 0;
    for (; *prefix && i < 60; prefix++)
        buf[i++] = *prefix;
    if (n >= 10)
        buf[i++] = (char)('0' + n / 10);
    buf[i++] = (char)('0' + n % 10);
    for (; *suffix && i < 78; suffix++)
        buf[i++] = *suffix;
    buf[i] = 0;
    write(buf);
}

/* Busy-waits (interrupts on) until the tick count has advanced by n: the timer preempts us. */
static void spin_ticks(uint32_t n)
{
    uint32_t start = user_ticks;
    while (user_ticks - start < n)
        ;
}

/* Tasks A and B: rounds of busy work (preempted by the timer), a yield, then exit(id). */
void task_worker(void)
{
    uint32_t id = getid();
    write_num("started, my id is ", id, "");
    for (uint32_t round = 1; round <= 3; round++) {
        write_num("round ", round, ": spinning for 3 ticks");
        spin_ticks(3);
    }
    write("yielding");
    yield();
    write("back from yield");
    write_num("calling exit(", id, ")");
    exit(id);
}

/* Task C: reads a supervisor-only kernel page -> page fault -> killed. */
void task_pagefault(void)
{
    write_num("started, my id is ", getid(), "");
    write("reading kernel memory at 0x00100000");
    (void)*(volatile uint32_t *)0x00100000;
    write("still alive after the page fault (wrong)");
    exit(99);
}

/* Task D: executes a privileged instruction (cli at CPL 3, IOPL 0) -> #GP -> killed. */
void task_gp(void)
{
    write_num("started, my id is ", getid(), "");
    write("executing cli at cpl 3");
    __asm__ volatile("cli");
    write("still alive after cli (wrong)");
    exit(99);
}
