/* Multiboot 1 constants (usable from .S and C) and the boot information structure. */
#ifndef MULTIBOOT_H
#define MULTIBOOT_H

#define MB_HEADER_MAGIC     0x1BADB002  /* in the kernel image, first 8 KiB, 4-byte aligned */
#define MB_BOOT_MAGIC       0x2BADB002  /* in EAX at entry */
#define MB_FLAG_PAGE_ALIGN  0x00000001  /* header flag bit 0: align modules on 4 KiB */
#define MB_FLAG_MEMINFO     0x00000002  /* header flag bit 1: provide mem_lower/mem_upper (+ mmap) */
#define MB_FLAG_AOUT_KLUDGE 0x00010000  /* header flag bit 16: use the address fields, not ELF */

/* info->flags bits */
#define MB_INFO_MEMORY      0x00000001
#define MB_INFO_BOOTDEV     0x00000002
#define MB_INFO_CMDLINE     0x00000004
#define MB_INFO_MODS        0x00000008
#define MB_INFO_MMAP        0x00000040

#ifndef __ASSEMBLER__
#include <stdint.h>

struct mb_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;      /* KiB below 1 MiB / above 1 MiB (flags bit 0) */
    uint32_t boot_device;
    uint32_t cmdline;                   /* physical address of a NUL-terminated string (bit 2) */
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;    /* bit 6 */
    uint32_t drives_length, drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
    uint32_t apm_table;
} __attribute__((packed));

struct mb_mmap_entry {
    uint32_t size;                      /* size of the rest of the entry (not counting this field) */
    uint64_t addr, len;
    uint32_t type;                      /* 1 = available RAM */
} __attribute__((packed));
#endif
#endif
