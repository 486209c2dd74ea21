package popek.image;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.image.oci.MediaTypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** popek save and popek load: an OCI archive round trip between two stores, a docker-archive, a damaged archive. */
class ImageArchiveTest {
    @TempDir Path dir;

    private StoredImage image(ImageStore store) throws Exception {
        return ImageTesting.build(store, dir.resolve("ctx"), "FROM scratch\nCOPY site /www/\nENV X=1\nCMD [\"/bin/httpd\"]\n",
                Map.of("site/index.html", "<p>page</p>\n", "site/a/b.txt", "b"), Map.of(), false, "web:2").image();
    }

    private static byte[] save(ImageStore store, StoredImage im, String name) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ImageArchive(store).save(List.of(im), java.util.Arrays.asList(name), out);
        return out.toByteArray();
    }

    private static TreeSet<String> names(byte[] tar) throws IOException {
        TreeSet<String> out = new TreeSet<>();
        try (TarArchiveInputStream t = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) out.add(e.getName());
        }
        return out;
    }

    @Test
    void aSavedImageLoadsIntoAnotherStoreAsTheSameImage() throws Exception {
        ImageStore a = new ImageStore(dir.resolve("a")), b = new ImageStore(dir.resolve("b"));
        StoredImage im = image(a);
        byte[] tar = save(a, im, "web:2");
        TreeSet<String> names = names(tar);
        assertTrue(names.containsAll(List.of("oci-layout", "index.json", "manifest.json", "blobs/sha256/" + Digests.hex(im.manifestDigest()),
                "blobs/sha256/" + Digests.hex(im.id()))), names.toString());
        List<ImageArchive.Loaded> loaded = new ImageArchive(b).load(new ByteArrayInputStream(tar));
        assertEquals(1, loaded.size());
        assertEquals("web:2", loaded.getFirst().name());
        StoredImage back = b.find("web:2");
        assertEquals(im.manifestDigest(), back.manifestDigest(), "the same manifest, byte for byte");
        assertEquals(im.id(), back.id());
        Path layer = b.layerDirectories(back).getFirst();
        assertEquals("<p>page</p>\n", Files.readString(layer.resolve("www/index.html")));
        assertEquals("b", Files.readString(layer.resolve("www/a/b.txt")));
        assertEquals(names, names(save(b, back, "web:2")), "saved again, the same blobs");
        assertEquals(back.descriptor().annotation(MediaTypes.REF_NAME), "web:2");
    }

    @Test
    void aDockerArchiveLoadsWithItsLayersGzipped() throws Exception {
        ByteArrayOutputStream layer = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(layer)) {
            byte[] data = "from docker\n".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry("hello.txt");
            e.setSize(data.length);
            t.putArchiveEntry(e);
            t.write(data);
            t.closeArchiveEntry();
        }
        String diffId = Digests.of(layer.toByteArray());
        byte[] config = ("{\"architecture\":\"386\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"cat\",\"/hello.txt\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}}").getBytes(StandardCharsets.UTF_8);
        String manifest = "[{\"Config\":\"cfg.json\",\"RepoTags\":[\"old:1\"],\"Layers\":[\"l1/layer.tar\"]}]";
        ByteArrayOutputStream archive = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(archive)) {
            put(t, "cfg.json", config);
            put(t, "l1/layer.tar", layer.toByteArray());
            put(t, "manifest.json", manifest.getBytes(StandardCharsets.UTF_8));
        }
        ImageStore store = new ImageStore(dir.resolve("s"));
        List<ImageArchive.Loaded> loaded = new ImageArchive(store).load(new ByteArrayInputStream(archive.toByteArray()));
        assertEquals("old:1", loaded.getFirst().name());
        StoredImage im = store.find("old:1");
        assertEquals(Digests.of(config), im.id(), "the config is kept as it was (the image ID docker gave it)");
        assertEquals(MediaTypes.LAYER_GZIP, im.manifest().layers().getFirst().mediaType());
        assertEquals("from docker\n", Files.readString(store.layerDirectories(im).getFirst().resolve("hello.txt")));
    }

    @Test
    void aBlobThatIsNotItsDigestIsRefused() throws Exception {
        ImageStore a = new ImageStore(dir.resolve("a"));
        StoredImage im = image(a);
        byte[] tar = save(a, im, "web:2");
        // Change one byte of the config blob (it is JSON: "X=1" becomes "X=2").
        String text = new String(tar, StandardCharsets.ISO_8859_1).replace("\"X=1\"", "\"X=2\"");
        StoreException e = assertThrows(StoreException.class, () -> new ImageArchive(new ImageStore(dir.resolve("b")))
                .load(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1))));
        assertTrue(e.getMessage().contains("holds other content"), e.getMessage());
        assertThrows(StoreException.class, () -> new ImageArchive(new ImageStore(dir.resolve("c"))).load(new ByteArrayInputStream(new byte[1024])));
    }

    private static void put(TarArchiveOutputStream t, String name, byte[] data) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        t.putArchiveEntry(e);
        t.write(data);
        t.closeArchiveEntry();
    }
}
