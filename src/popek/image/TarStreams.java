package popek.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/** A tar stream, decompressed by what its first bytes say it is (gzip, bzip2 or none), as Docker detects it. */
public final class TarStreams {
    private TarStreams() { }

    /** The kind of compression {@code in}'s first bytes announce. */
    public enum Compression { NONE, GZIP, BZIP2, XZ, ZSTD }

    public static Compression detect(InputStream in) throws IOException {
        in.mark(8);
        byte[] head = in.readNBytes(6);
        in.reset();
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) return Compression.GZIP;
        if (head.length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') return Compression.BZIP2;
        if (head.length >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X' && head[4] == 'Z' && head[5] == 0) return Compression.XZ;
        if (head.length >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f && (head[3] & 0xff) == 0xfd) return Compression.ZSTD;
        return Compression.NONE;
    }

    /** {@code raw} decompressed; xz and zstd are refused (Popek carries no decoder for them). */
    public static InputStream decompressed(InputStream raw) throws IOException {
        InputStream in = raw.markSupported() ? raw : new BufferedInputStream(raw, 1 << 16);
        return switch (detect(in)) {
            case GZIP -> new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
            case BZIP2 -> new BufferedInputStream(new BZip2CompressorInputStream(in, true), 1 << 16);
            case XZ -> throw new IOException("xz-compressed archives are not supported (gzip, bzip2 or none)");
            case ZSTD -> throw new IOException("zstd-compressed archives are not supported (gzip, bzip2 or none)");
            case NONE -> in;
        };
    }
}
