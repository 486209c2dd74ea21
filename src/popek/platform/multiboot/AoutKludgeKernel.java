package popek.platform.multiboot;

import java.util.List;

import popek.platform.BootImageException;

/**
 * Reads the load plan of a kernel whose Multiboot header carries its own load addresses (flag bit 16, the "a.out
 * kludge"): one flat range of the file goes to load_addr, followed by zeroed bss, and execution starts at entry_addr.
 * The file offset of the range follows from where the header sits: the header at header_addr was at its file offset,
 * so load_addr is (header_addr − load_addr) bytes before it.
 */
final class AoutKludgeKernel {
    private AoutKludgeKernel() {}

    static LoadPlan plan(MultibootHeader h, byte[] image, String name) throws BootImageException {
        if (h.headerAddr() < h.loadAddr()) {
            throw new BootImageException(String.format(
                    "%s: Multiboot header_addr %#x is below load_addr %#x; the header must lie inside the loaded range", name, h.headerAddr(), h.loadAddr()));
        }
        long fileOffset = h.offset() - (h.headerAddr() - h.loadAddr());
        if (fileOffset < 0) {
            throw new BootImageException(String.format(
                    "%s: Multiboot load_addr %#x is %#x bytes before header_addr %#x, but the header is only at file offset %#x",
                    name, h.loadAddr(), h.headerAddr() - h.loadAddr(), h.headerAddr(), h.offset()));
        }
        long loadEnd;
        if (h.loadEndAddr() == 0) {
            loadEnd = h.loadAddr() + (image.length - fileOffset);   // 0 means: text and data run to the end of the file
        } else if (h.loadEndAddr() < h.loadAddr()) {
            throw new BootImageException(String.format(
                    "%s: Multiboot load_end_addr %#x is below load_addr %#x", name, h.loadEndAddr(), h.loadAddr()));
        } else {
            loadEnd = h.loadEndAddr();
        }
        long fileSize = loadEnd - h.loadAddr();
        if (fileOffset + fileSize > image.length) {
            throw new BootImageException(String.format(
                    "%s: is truncated: load_addr..load_end_addr needs file bytes %#x-%#x but the file is only %d bytes",
                    name, fileOffset, fileOffset + fileSize, image.length));
        }
        long end;
        if (h.bssEndAddr() == 0) {
            end = loadEnd;   // 0 means: no bss
        } else if (h.bssEndAddr() < loadEnd) {
            throw new BootImageException(String.format(
                    "%s: Multiboot bss_end_addr %#x is below the end of the loaded data %#x", name, h.bssEndAddr(), loadEnd));
        } else {
            end = h.bssEndAddr();
        }
        if (end == h.loadAddr()) throw new BootImageException(name + ": the Multiboot load addresses describe an empty range, so nothing to load");
        LoadSegment range = new LoadSegment(0, fileOffset, fileSize, h.loadAddr(), end - h.loadAddr(), h.loadAddr());
        long entry = h.entryAddr();
        if (entry < range.address() || entry >= range.end()) {
            throw new BootImageException(String.format(
                    "%s: the entry point %#x lies outside every loaded segment (the image loads at %#x-%#x)", name, entry, range.address(), range.end()));
        }
        if (entry >= range.fileEnd()) {
            throw new BootImageException(String.format(
                    "%s: the entry point %#x lies in the zero-filled bss (%#x-%#x), not in code from the file", name, entry, range.fileEnd(), range.end()));
        }
        return new LoadPlan(LoadPlan.Format.AOUT_KLUDGE, List.of(range), entry);
    }
}
