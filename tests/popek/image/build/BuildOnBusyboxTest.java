package popek.image.build;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.image.ImageStore;
import popek.image.ImageTesting;
import popek.image.StoredImage;
import popek.image.oci.Descriptor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Builds FROM the built-in busybox image (skipped, saying why, where it cannot be had): RUN in a Popek container
 * whose changes become a layer (whiteouts for what it removed), COPY, the image then run; the build cache's hits and
 * misses; ARG's scopes; a failing RUN.
 */
class BuildOnBusyboxTest {
    @TempDir Path dir;

    @BeforeAll
    static void busybox() { ImageTesting.needBusybox(); }

    private ImageStore store() { return new ImageStore(dir.resolve("home")); }

    @AfterEach
    void unlink() throws Exception { ImageTesting.unlinkBuiltins(store()); }

    @Test
    void anImageBuiltWithRunAndCopyRunsAndPrintsTheCopiedPage() throws Exception {
        ImageStore store = store();
        var b = ImageTesting.build(store, dir.resolve("ctx"), """
                FROM busybox
                RUN echo "made by RUN as $(id -u)" > /ran.txt && mkdir /www
                COPY page.html /www/
                WORKDIR /www
                CMD ["cat", "page.html"]
                """, Map.of("page.html", "<h1>hello from popek</h1>\n"), Map.of(), false, "web:1");
        StoredImage image = b.image();
        assertEquals(List.of("web:1"), image.tags());
        var ran = ImageTesting.run(store, image);
        assertEquals(0, ran.status(), ran.err());
        assertEquals("<h1>hello from popek</h1>\n", ran.out());
        var again = ImageTesting.run(store, image, "sh", "-c", "cat /ran.txt; pwd");
        assertEquals("made by RUN as 0\n/www\n", again.out(), again.err());
        assertEquals(2 + 2, image.manifest().layers().size(), "busybox's two layers, RUN's and COPY's (WORKDIR's directory exists)");
    }

    @Test
    void aRunThatRemovesFilesOfALowerLayerLeavesWhiteoutsAndAnOpaqueDirectory() throws Exception {
        ImageStore store = store();
        var b = ImageTesting.build(store, dir.resolve("ctx"), """
                FROM busybox
                RUN rm /etc/hostname && rm -r /home && mkdir /home && touch /home/new && echo x > /tmp/kept
                """, Map.of(), Map.of(), false, "wh");
        List<Descriptor> layers = b.image().manifest().layers();
        Map<String, TarArchiveEntry> e = ImageTesting.entries(store, layers.getLast().digest());
        assertTrue(e.containsKey("etc/.wh.hostname"), e.keySet().toString());
        assertTrue(e.containsKey("home/.wh..wh..opq"), e.keySet().toString());
        assertTrue(e.containsKey("home/new"), e.keySet().toString());
        assertTrue(e.containsKey("tmp/kept"), "no tmpfs on /tmp during a build, as in Docker's: " + e.keySet());
        assertFalse(e.keySet().stream().anyMatch(n -> n.startsWith("proc") || n.startsWith("dev/")), "mount points are not changes: " + e.keySet());
        var ran = ImageTesting.run(store, b.image(), "sh", "-c", "ls /etc/hostname 2>&1; ls /home");
        assertEquals("ls: /etc/hostname: No such file or directory\nnew\n", ran.out(), ran.err());
    }

    @Test
    void onAnImageWithoutMountPointsARunsLayerHoldsOnlyWhatTheCommandMade() throws Exception {
        ImageStore store = store();
        Path ctx = dir.resolve("ctx");
        Files.createDirectories(ctx);
        Path busybox = popek.container.Images.layers("busybox", new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                .getLast().resolve("bin/busybox");
        Files.copy(busybox, ctx.resolve("busybox"));
        var b = ImageTesting.build(store, ctx, """
                FROM scratch
                COPY busybox /bin/
                RUN ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir /made && /bin/busybox ls / > /made/root.txt"]
                """, Map.of(), Map.of(), false, "tiny");
        List<Descriptor> layers = b.image().manifest().layers();
        assertEquals(List.of("made/", "made/root.txt"), List.copyOf(ImageTesting.entries(store, layers.getLast().digest()).keySet()),
                "the directories made to mount /proc, /dev and /sys on are not the command's changes");
        String seen = ImageTesting.fileText(store, layers.getLast().digest(), "made/root.txt");
        assertTrue(seen.contains("proc") && seen.contains("dev"), "the command saw them: " + seen);
    }

    @Test
    void anUnchangedStepIsTakenFromTheCacheAndAChangedInputMissesFromThereOn() throws Exception {
        ImageStore store = store();
        String file = """
                FROM busybox
                RUN echo one > /one
                COPY page.html /
                RUN cat /page.html > /two
                """;
        var first = ImageTesting.build(store, dir.resolve("ctx"), file, Map.of("page.html", "v1"), Map.of(), false, "c");
        assertFalse(first.output().contains("Using cache"), first.output());
        var second = ImageTesting.build(store, dir.resolve("ctx"), file, Map.of(), Map.of(), false, "c");
        assertEquals(3, count(second.output(), "Using cache"), second.output());
        assertEquals(first.image().id(), second.image().id());
        Files.setLastModifiedTime(dir.resolve("ctx/page.html"), java.nio.file.attribute.FileTime.fromMillis(0));
        var touched = ImageTesting.build(store, dir.resolve("ctx"), file, Map.of(), Map.of(), false, "c");
        assertEquals(3, count(touched.output(), "Using cache"), "a new modification time alone is no change: " + touched.output());
        var changed = ImageTesting.build(store, dir.resolve("ctx"), file, Map.of("page.html", "v2"), Map.of(), false, "c");
        assertEquals(1, count(changed.output(), "Using cache"), "the RUN before the COPY only: " + changed.output());
        assertNotEquals(first.image().id(), changed.image().id());
        assertEquals("v2", ImageTesting.run(store, changed.image(), "cat", "/two").out());
        var noCache = ImageTesting.build(store, dir.resolve("ctx"), file, Map.of(), Map.of(), true, "c");
        assertEquals(0, count(noCache.output(), "Using cache"), noCache.output());
    }

    @Test
    void argsBeforeFromServeFromOnlyAndAreRedeclaredInTheStage() throws Exception {
        ImageStore store = store();
        String file = """
                ARG BASE=busybox
                ARG V=global
                FROM $BASE
                RUN echo "[$V]" > /before
                ARG V
                ARG W=default
                RUN echo "[$V][$W]" > /after
                """;
        var b = ImageTesting.build(store, dir.resolve("ctx"), file, Map.of(), Map.of(), false, "args");
        assertEquals("[]\n[global][default]\n", ImageTesting.run(store, b.image(), "cat", "/before", "/after").out());
        var over = ImageTesting.build(store, dir.resolve("ctx"), file, Map.of(), Map.of("V", "cli", "W", "w2"), false, "args");
        assertEquals("[]\n[cli][w2]\n", ImageTesting.run(store, over.image(), "cat", "/before", "/after").out());
        assertEquals(1, count(over.output(), "Using cache"), "the first RUN sees no ARG and is reused; the second misses: " + over.output());
        assertFalse(ImageTesting.run(store, over.image(), "env").out().contains("W="), "build arguments are not the image's environment");
        var envFromArg = ImageTesting.build(store, dir.resolve("ctx2"), "FROM busybox\nARG V=a\nENV FROM_ARG=$V\n", Map.of(), Map.of("V", "b"), false, "e");
        var envFromArg2 = ImageTesting.build(store, dir.resolve("ctx2"), "FROM busybox\nARG V=a\nENV FROM_ARG=$V\n", Map.of(), Map.of("V", "c"), false, "e");
        assertEquals(List.of(ImageTesting.run(store, envFromArg.image(), "sh", "-c", "echo $FROM_ARG").out(), ImageTesting.run(store, envFromArg2.image(), "sh", "-c", "echo $FROM_ARG").out()),
                List.of("b\n", "c\n"), "an ENV expanding a changed ARG is no cache hit");
        var unused = ImageTesting.build(store, dir.resolve("ctx"), file, Map.of(), Map.of("NOPE", "1"), false, "args");
        assertTrue(unused.output().contains("[Warning] One or more build-args [NOPE] were not consumed"), unused.output());
    }

    @Test
    void copyChownTakesNamesFromTheImagesPasswd() throws Exception {
        ImageStore store = store();
        var b = ImageTesting.build(store, dir.resolve("ctx"), """
                FROM busybox
                COPY --chown=www-data:nogroup --chmod=640 a.txt /srv/
                USER www-data
                RUN echo "RUN as $(id -u):$(id -g)"; touch /srv/denied 2>/dev/null || echo "not root"
                """, Map.of("a.txt", "a"), Map.of(), false, "own");
        assertTrue(b.output().contains("RUN as 33:33\nnot root\n"), "USER applies to RUN: " + b.output());
        var ran = ImageTesting.run(store, b.image(), "sh", "-c", "stat -c '%u:%g %a' /srv/a.txt; id -u");
        assertEquals("33:65534 640\n33\n", ran.out(), ran.err());
    }

    @Test
    void aFailingRunStopsTheBuildNamingTheLine() throws Exception {
        BuildException e = assertThrows(BuildException.class, () -> ImageTesting.build(store(), dir.resolve("ctx"), """
                FROM busybox

                RUN echo building; exit 3
                """, Map.of(), Map.of(), false, "bad"));
        assertTrue(e.getMessage().startsWith("Popekfile:3: the command '/bin/sh -c echo building; exit 3' returned a non-zero code: 3"), e.getMessage());
        assertTrue(e.getMessage().contains("building"), "the command's output was shown: " + e.getMessage());
        assertEquals(null, store().find("bad"));
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }
}
