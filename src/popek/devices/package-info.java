/** One class per emulated device, each behind {@link popek.devices.PortDevice} (and later MmioDevice); no Unicorn here. */
package popek.devices;
