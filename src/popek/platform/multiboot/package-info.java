/**
 * Boots Multiboot 1 kernels (Multiboot Specification 0.6.96) the way GRUB and QEMU's {@code -kernel} do: find the
 * header, load the ELF32 segments (or the a.out-kludge range), write the boot information into low memory and describe
 * the CPU state at entry. {@link popek.platform.multiboot.MultibootLoader} is the entry point.
 */
package popek.platform.multiboot;
