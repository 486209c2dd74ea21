package popek.image;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Layers written by LayerWriter and unpacked by LayerUnpacker: every kind of entry, digests, and names that try to leave. */
class LayerRoundTripTest {
    @TempDir Path dir;

    @Test
    void aLayerKeepsItsEntriesAndItsDigestsAreThoseOfItsBytes() throws Exception {
        ImageStore store = new ImageStore(dir.resolve("home"));
        LayerWriter.Written w;
        try (LayerWriter out = store.newLayer()) {
            out.directory("etc", 0755, 0, 0, 1_000_000);
            byte[] data = "hello\n".getBytes(StandardCharsets.UTF_8);
            out.file("etc/motd", 0640, 0, 0, 1_000_000, data.length, new ByteArrayInputStream(data));
            out.hardlink("etc/motd.again", "etc/motd", 0640, 0, 0, 1_000_000);
            out.symlink("etc/link", "motd", 0, 0, 1_000_000);
            out.whiteout("etc/removed", 1_000_000);
            out.file("var/.wh..wh..opq", 0, 0, 0, 1_000_000, 0, InputStream.nullInputStream());
            out.special("dev-null", 0020000, 0666, 1, 3, 0, 0, 1_000_000);
            w = out.finish();
        }
        Path blob = store.blob(w.descriptor().digest());
        assertEquals(w.descriptor().digest(), Digests.of(blob), "stored under the digest of its bytes");
        assertEquals(Files.size(blob), w.descriptor().size());
        byte[] plain;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(blob))) {
            plain = in.readAllBytes();
        }
        assertEquals(w.diffId(), Digests.of(plain), "the diff_id is the uncompressed tar's digest");
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream t = new TarArchiveInputStream(new ByteArrayInputStream(plain))) {
            for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) names.add(e.getName());
        }
        assertEquals(List.of("etc/", "etc/motd", "etc/motd.again", "etc/link", "etc/.wh.removed", "var/.wh..wh..opq", "dev-null"), names);

        Path to = dir.resolve("unpacked");
        Files.createDirectories(to);
        LayerUnpacker u = new LayerUnpacker(to);
        try (InputStream in = Files.newInputStream(blob)) {
            u.unpack(in);
        }
        assertEquals("hello\n", Files.readString(to.resolve("etc/motd")));
        assertEquals(0640, (Integer) Files.getAttribute(to.resolve("etc/motd"), "unix:mode") & 07777);
        assertEquals(Files.getAttribute(to.resolve("etc/motd"), "unix:ino"), Files.getAttribute(to.resolve("etc/motd.again"), "unix:ino"), "a hard link");
        assertEquals("motd", Files.readSymbolicLink(to.resolve("etc/link")).toString());
        assertTrue(Files.isRegularFile(to.resolve("etc/.wh.removed")), "whiteouts are kept for Popek's overlay to read");
        assertTrue(Files.isRegularFile(to.resolve("var/.wh..wh..opq")), "a parent the tar lacks is made");
        assertEquals(1_000_000L, Files.getLastModifiedTime(to.resolve("etc")).toMillis() / 1000);
        assertEquals(1, u.skipped(), "a device node cannot be made through NIO");
        assertFalse(Files.exists(to.resolve("dev-null"), LinkOption.NOFOLLOW_LINKS));
    }

    private static byte[] tar(String name, String linkTarget, byte type) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(b)) {
            TarArchiveEntry link = new TarArchiveEntry("up", org.apache.commons.compress.archivers.tar.TarConstants.LF_SYMLINK);
            link.setLinkName(".");
            t.putArchiveEntry(link);
            t.closeArchiveEntry();
            TarArchiveEntry e = linkTarget == null ? new TarArchiveEntry(name) : new TarArchiveEntry(name, type);
            if (linkTarget != null) e.setLinkName(linkTarget);
            e.setSize(0);
            t.putArchiveEntry(e);
            t.closeArchiveEntry();
        }
        return b.toByteArray();
    }

    @Test
    void noEntryIsWrittenOutsideTheDirectory() throws Exception {
        Path to = dir.resolve("jail");
        Files.createDirectories(to);
        assertThrows(IOException.class, () -> new LayerUnpacker(to).unpack(new ByteArrayInputStream(tar("../escaped", null, (byte) 0))));
        assertThrows(IOException.class, () -> new LayerUnpacker(to).unpack(new ByteArrayInputStream(tar("up/tmp/escaped", null, (byte) 0))),
                "not through a link the layer made");
        assertThrows(IOException.class, () -> new LayerUnpacker(to).unpack(new ByteArrayInputStream(
                tar("hard", "../../etc/passwd", org.apache.commons.compress.archivers.tar.TarConstants.LF_LINK))));
        assertFalse(Files.exists(dir.resolve("escaped")));
        assertFalse(Files.exists(Path.of("/tmp/escaped")));
    }

    @Test
    void aDirectoryLayerKeepsContentsModesAndLinks() throws Exception {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("a/b"));
        Files.writeString(src.resolve("a/b/f"), "data");
        Files.setAttribute(src.resolve("a/b/f"), "unix:mode", 04755);
        Files.createLink(src.resolve("a/g"), src.resolve("a/b/f"));
        Files.createSymbolicLink(src.resolve("l"), Path.of("a/b/f"));
        ImageStore store = new ImageStore(dir.resolve("home"));
        LayerWriter.Written w;
        try (LayerWriter out = store.newLayer()) {
            new DirectoryLayer(out).write(src, "");
            w = out.finish();
        }
        Path to = dir.resolve("out");
        Files.createDirectories(to);
        try (InputStream in = Files.newInputStream(store.blob(w.descriptor().digest()))) {
            new LayerUnpacker(to).unpack(in);
        }
        assertArrayEquals("data".getBytes(), Files.readAllBytes(to.resolve("a/b/f")));
        assertEquals(04755, (Integer) Files.getAttribute(to.resolve("a/b/f"), "unix:mode") & 07777, "set-uid kept");
        assertEquals(Files.getAttribute(to.resolve("a/b/f"), "unix:ino"), Files.getAttribute(to.resolve("a/g"), "unix:ino"));
        assertEquals("a/b/f", Files.readSymbolicLink(to.resolve("l")).toString());
    }
}
