/**
 * The PC platform as a guest sees it at power-on: how much RAM there is ({@link popek.platform.MemorySize}), which
 * physical ranges are usable ({@link popek.platform.MemoryMap}), and the boot loaders that put a kernel into guest
 * RAM ({@link popek.platform.multiboot}). No Unicorn here: loaders write into {@link popek.memory.GuestMemory} and
 * describe the CPU state at entry; the engine applies it.
 */
package popek.platform;
