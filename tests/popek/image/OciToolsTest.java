package popek.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import popek.image.oci.Json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The store read by OCI tools others wrote (Debian's skopeo and umoci; each part is skipped, saying why, where the
 * tool is not installed): skopeo inspects the image and copies it (checking every blob's digest), and umoci unpacks it
 * (rootless), whose root must hold exactly the files, links, modes and contents that Popek's own layers give once
 * merged with their whiteouts.
 */
class OciToolsTest {
    @TempDir Path dir;

    @AfterEach
    void unlink() throws Exception { ImageTesting.unlinkBuiltins(new ImageStore(dir.resolve("home"))); }

    private static boolean installed(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) if (Files.isExecutable(Path.of(d, tool))) return true;
        return false;
    }

    private static String run(Path cwd, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + " did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + text);
        return text;
    }

    private StoredImage built(ImageStore store) throws Exception {
        ImageTesting.needBusybox();
        return ImageTesting.build(store, dir.resolve("ctx"), """
                FROM busybox
                RUN rm /etc/hostname && ln -s /www/page.html /page && mkdir -p /var/empty && chmod 0700 /var/empty \\
                    && rm -r /home && mkdir /home && echo made > /home/new
                COPY page.html /www/
                CMD ["cat", "/www/page.html"]
                """, Map.of("page.html", "<h1>hi</h1>\n"), Map.of(), false, "web").image();
    }

    @Test
    void skopeoInspectsAndCopiesTheImage() throws Exception {
        assumeTrue(installed("skopeo"), "skopeo is not installed (Debian: apt-get install skopeo): no oracle");
        ImageStore store = new ImageStore(dir.resolve("home"));
        StoredImage im = built(store);
        JsonNode j = Json.mapper().readTree(run(dir, "skopeo", "inspect", "oci:" + store.layout() + ":web:latest"));
        assertEquals(im.manifestDigest(), j.path("Digest").asString());
        assertEquals("386", j.path("Architecture").asString());
        assertEquals(im.manifest().layers().size(), j.path("Layers").size());
        JsonNode cfg = Json.mapper().readTree(run(dir, "skopeo", "inspect", "--config", "oci:" + store.layout() + ":web:latest"));
        assertEquals("cat", cfg.path("config").path("Cmd").get(0).asString());
        assertEquals(im.config().diffIds().size(), cfg.path("rootfs").path("diff_ids").size());
        // A copy reads every blob and checks it against its digest.
        run(dir, "skopeo", "copy", "oci:" + store.layout() + ":web:latest", "dir:" + dir.resolve("copy"));
        assertTrue(Files.exists(dir.resolve("copy/manifest.json")));
    }

    @Test
    void umociUnpacksTheSameFilesPopekRuns() throws Exception {
        assumeTrue(installed("umoci"), "umoci is not installed (Debian: apt-get install umoci): no oracle");
        ImageStore store = new ImageStore(dir.resolve("home"));
        StoredImage im = built(store);
        run(dir, "umoci", "unpack", "--rootless", "--image", store.layout() + ":web:latest", dir.resolve("bundle").toString());
        Map<String, String> theirs = tree(List.of(dir.resolve("bundle/rootfs")));
        Map<String, String> ours = tree(store.layerDirectories(im));
        assertFalse(theirs.containsKey("etc/hostname"), "umoci applied the whiteout");
        assertEquals("-rw-r--r-- <h1>hi</h1>\n", theirs.get("www/page.html"));
        assertEquals("drwx------", theirs.get("var/empty"));
        assertEquals("-rw-r--r-- made\n", theirs.get("home/new"));
        assertEquals(ours, theirs);
    }

    /** The merged tree of {@code layers} (the top first; whiteouts and opaque markers applied): path -> type, mode, contents. */
    private static Map<String, String> tree(List<Path> layers) throws IOException {
        Map<String, String> out = new TreeMap<>();
        List<Path> lowestFirst = new ArrayList<>(layers);
        java.util.Collections.reverse(lowestFirst);
        for (Path layer : lowestFirst) apply(layer, layer, out);
        return out;
    }

    private static void apply(Path root, Path d, Map<String, String> out) throws IOException {
        List<Path> kids;
        try (var s = Files.list(d)) {
            kids = s.sorted().toList();
        }
        String rel = root.relativize(d).toString();
        String prefix = rel.isEmpty() ? "" : rel + "/";
        if (kids.stream().anyMatch(k -> k.getFileName().toString().equals(".wh..wh..opq"))) out.keySet().removeIf(k -> k.startsWith(prefix) && !k.equals(rel));
        for (Path k : kids) {
            String name = k.getFileName().toString();
            if (name.equals(".wh..wh..opq")) continue;
            if (name.startsWith(".wh.")) {
                String gone = prefix + name.substring(4);
                out.keySet().removeIf(x -> x.equals(gone) || x.startsWith(gone + "/"));
                continue;
            }
            String path = prefix + name;
            int mode = (Integer) Files.getAttribute(k, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            String perms = java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.attribute.PosixFilePermissions.fromString(rwx(mode)));
            if (Files.isSymbolicLink(k)) {
                out.keySet().removeIf(x -> x.startsWith(path + "/"));
                out.put(path, "l " + Files.readSymbolicLink(k));
            } else if (Files.isDirectory(k, LinkOption.NOFOLLOW_LINKS)) {
                if (out.containsKey(path) && !out.get(path).startsWith("d")) out.remove(path);
                out.put(path, "d" + perms);
                apply(root, k, out);
            } else {
                out.keySet().removeIf(x -> x.startsWith(path + "/"));
                out.put(path, "-" + perms + " " + (Files.size(k) < 4096 ? Files.readString(k, StandardCharsets.ISO_8859_1) : Digests.of(k)));
            }
        }
    }

    private static String rwx(int mode) {
        String s = "rwxrwxrwx";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 9; i++) b.append((mode & (0400 >> i)) != 0 ? s.charAt(i) : '-');
        return b.toString();
    }
}
