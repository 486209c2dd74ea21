/* tinyos system call ABI (int 0x80, DPL 3): eax = number, ebx = argument, result in eax. */
#ifndef TINYOS_SYSCALL_H
#define TINYOS_SYSCALL_H
#include <stdint.h>

#define SYSCALL_VEC 0x80
#define SYS_WRITE   1   /* ebx = NUL-terminated line (user memory); the kernel prefixes "[X] " */
#define SYS_GETID   2   /* returns the task id (1..4) */
#define SYS_YIELD   3   /* give the CPU to the next runnable task */
#define SYS_EXIT    4   /* ebx = exit code; does not return */

/* Timer tick count, written by the kernel, on a page user tasks can read but not write. */
extern volatile uint32_t user_ticks;

static inline uint32_t syscall1(uint32_t nr, uint32_t arg)
{
    uint32_t ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(arg) : "memory");
    return ret;
}
#endif
