package popek.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** SHA-256 digests as the OCI spec writes them ({@code sha256:} and 64 lower-case hex digits). */
public final class Digests {
    private Digests() { }

    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String of(MessageDigest d) { return "sha256:" + HexFormat.of().formatHex(d.digest()); }

    public static String of(byte[] data) {
        MessageDigest d = sha256();
        d.update(data);
        return of(d);
    }

    public static String of(Path file) throws IOException {
        MessageDigest d = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
        }
        return of(d);
    }

    public static boolean isValid(String digest) { return digest != null && DIGEST.matcher(digest).matches(); }

    /** The hex part of a digest. */
    public static String hex(String digest) { return digest.substring(digest.indexOf(':') + 1); }

    /** Docker's short image ID: the first 12 hex digits. */
    public static String shortId(String digest) { return hex(digest).substring(0, 12); }

    /** An output stream that digests and counts what passes through it. */
    public static final class CountingDigestStream extends OutputStream {
        private final OutputStream out;
        private final MessageDigest digest = sha256();
        private long count;

        public CountingDigestStream(OutputStream out) { this.out = out; }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            digest.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException { out.flush(); }

        @Override
        public void close() throws IOException { out.close(); }

        public long count() { return count; }

        /** The digest of everything written (call once, after the last write). */
        public String digest() { return of(digest); }
    }
}
