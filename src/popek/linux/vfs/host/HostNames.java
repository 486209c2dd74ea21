package popek.linux.vfs.host;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * File names between the container (bytes, held as ISO-8859-1 strings, one character per byte) and the host (Java
 * strings decoded with the JVM's file-name encoding, {@code sun.jnu.encoding}).
 */
final class HostNames {
    private HostNames() { }

    private static final Charset HOST = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"), StandardCharsets.UTF_8);

    static String toHost(String container) {
        if (isAscii(container)) return container;
        return new String(container.getBytes(StandardCharsets.ISO_8859_1), HOST);
    }

    static String toContainer(String host) {
        if (isAscii(host)) return host;
        return new String(host.getBytes(HOST), StandardCharsets.ISO_8859_1);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80) return false;
        return true;
    }
}
