package popek.container.images;

import java.util.List;

/**
 * An image Popek assembles itself from Debian 12's i386 packages, each pinned by version and SHA-256: what to fetch,
 * and what to add around the packages' files.
 */
public record BuiltinImage(String name, List<String> packages, boolean busyboxApplets) {
    /** Debian 12's static busybox, its applet links, and the few files a shell expects in /etc. */
    public static final BuiltinImage BUSYBOX = new BuiltinImage("busybox",
            List.of("busybox-static=1:1.35.0-4+deb12u1+b1@725ef9e6fbac4ab79b353165b05005e8c140d6e42177ebbc202ff1e13ded8b7c"), true);

    /** The built-in images by name. */
    public static BuiltinImage named(String name) {
        return switch (name) {
            case "busybox" -> BUSYBOX;
            case "debian" -> DebianImage.IMAGE;
            default -> null;
        };
    }

    /** A short key of the pins: the cache directory changes when a pin does. */
    public String key() {
        return Integer.toHexString(String.join("\n", packages).hashCode() & 0x7FFFFFFF);
    }
}
