package popek.image.build;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.image.ImageStore;
import popek.image.ImageTesting;
import popek.image.StoredImage;
import popek.image.oci.ImageConfiguration.RunConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Builds FROM scratch, which run nothing: what each instruction puts in the image's configuration (Docker's rules for
 * ENV, LABEL, EXPOSE, VOLUME, USER, WORKDIR, CMD and ENTRYPOINT and how they combine), and what COPY and ADD put in a
 * layer (directories' contents, destinations, .popekignore, ADD's unpacking of a local tar).
 */
class BuildConfigTest {
    @TempDir Path dir;

    private ImageTesting.Built build(String file, Map<String, String> files) throws Exception {
        return ImageTesting.build(new ImageStore(dir.resolve("home")), dir.resolve("ctx"), file, files, Map.of(), false, "t");
    }

    @Test
    void configurationInstructionsFillTheImagesConfig() throws Exception {
        StoredImage im = build("""
                FROM scratch
                ENV A=1 B="two words"
                ENV C $A-and-$B
                ENV A=2 D=$A
                LABEL org.example.vendor="ACME Inc" "quoted key"=v
                EXPOSE 80 53/udp 8000-8001
                VOLUME /data /cache
                VOLUME ["/logs"]
                USER 1000:1000
                WORKDIR /app
                WORKDIR sub
                STOPSIGNAL SIGINT
                MAINTAINER someone
                """, Map.of()).image();
        RunConfig c = im.config().config();
        assertEquals(List.of("A=2", "B=two words", "C=1-and-two words", "D=1"), c.env(), "an ENV's values see the variables before it");
        assertEquals(Map.of("org.example.vendor", "ACME Inc", "quoted key", "v"), c.labels());
        assertEquals(List.of("53/udp", "80/tcp", "8000/tcp", "8001/tcp"), List.copyOf(c.exposedPorts().keySet()));
        assertEquals(List.of("/cache", "/data", "/logs"), List.copyOf(c.volumes().keySet()));
        assertEquals("1000:1000", c.user());
        assertEquals("/app/sub", c.workingDir());
        assertEquals("SIGINT", c.stopSignal());
        assertEquals("someone", im.config().author());
        assertEquals("386", im.config().architecture());
        assertEquals(2, im.manifest().layers().size(), "each WORKDIR made its directory: /app, then /app/sub");
        assertEquals(2, im.config().history().stream().filter(h -> !h.isEmptyLayer()).count());
        assertEquals(12, im.config().history().size(), "a history entry per instruction after FROM");
    }

    @Test
    void entrypointAndCmdCombineAsInDocker() throws Exception {
        RunConfig shell = build("FROM scratch\nCMD echo $HOME\nENTRYPOINT [\"/bin/x\"]\n", Map.of()).image().config().config();
        assertEquals(List.of("/bin/sh", "-c", "echo $HOME"), shell.cmd(), "a CMD set in this stage survives ENTRYPOINT");
        assertEquals(List.of("/bin/x"), shell.entrypoint());
        ImageStore store = new ImageStore(dir.resolve("home"));
        ImageTesting.build(store, dir.resolve("base"), "FROM scratch\nCMD [\"base-cmd\"]\n", Map.of(), Map.of(), false, "base");
        RunConfig child = ImageTesting.build(store, dir.resolve("child"), "FROM base\nENTRYPOINT top -b\n", Map.of(), Map.of(), false, "child")
                .image().config().config();
        assertNull(child.cmd(), "ENTRYPOINT drops a CMD inherited from the base");
        assertEquals(List.of("/bin/sh", "-c", "top -b"), child.entrypoint());
        RunConfig shellChanged = build("FROM scratch\nSHELL [\"/bin/bash\", \"-ec\"]\nCMD run me\n", Map.of()).image().config().config();
        assertEquals(List.of("/bin/bash", "-ec", "run me"), shellChanged.cmd());
    }

    @Test
    void aLaterStageStartsFromAnEarlierOneAndTheLastIsTheImage() throws Exception {
        StoredImage im = build("FROM scratch AS base\nENV A=1\nCMD [\"x\"]\nFROM base\nENV B=2\n", Map.of()).image();
        assertEquals(List.of("A=1", "B=2"), im.config().config().env());
        assertEquals(List.of("x"), im.config().config().cmd());
    }

    @Test
    void copyFollowsDockersDestinationRulesAndTheIgnoreFile() throws Exception {
        ImageStore store = new ImageStore(dir.resolve("home"));
        var b = ImageTesting.build(store, dir.resolve("ctx"), """
                FROM scratch
                COPY dir /into/
                COPY one.txt /renamed.txt
                COPY *.md /docs/
                WORKDIR /w
                COPY one.txt rel/
                """, Map.of("dir/a", "A", "dir/sub/b", "B", "dir/skip.log", "L", "one.txt", "1", "x.md", "x", "y.md", "y",
                ".popekignore", "**/*.log\n"), Map.of(), false, "t");
        var layers = b.image().manifest().layers();
        assertEquals(List.of("into/", "into/a", "into/sub/", "into/sub/b"), List.copyOf(ImageTesting.entries(store, layers.get(0).digest()).keySet()),
                "a directory's contents, less what .popekignore excludes");
        assertEquals("1", ImageTesting.fileText(store, layers.get(1).digest(), "renamed.txt"));
        assertEquals(List.of("docs/", "docs/x.md", "docs/y.md"), List.copyOf(ImageTesting.entries(store, layers.get(2).digest()).keySet()));
        assertEquals("1", ImageTesting.fileText(store, layers.get(4).digest(), "w/rel/one.txt"), "relative to WORKDIR");
        TarArchiveEntry e = ImageTesting.entries(store, layers.get(1).digest()).get("renamed.txt");
        assertEquals(0, e.getLongUserId(), "COPY's files are root's");
    }

    @Test
    void addUnpacksALocalTarAndCopyDoesNot() throws Exception {
        Path ctx = dir.resolve("ctx");
        Files.createDirectories(ctx);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(new GZIPOutputStream(b))) {
            byte[] data = "inside".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry("pkg/file.txt");
            e.setSize(data.length);
            e.setUserId(7);
            t.putArchiveEntry(e);
            t.write(data);
            t.closeArchiveEntry();
        }
        Files.write(ctx.resolve("bundle.tgz"), b.toByteArray());
        ImageStore store = new ImageStore(dir.resolve("home"));
        var built = ImageTesting.build(store, ctx, "FROM scratch\nADD bundle.tgz /opt/\nCOPY bundle.tgz /copied/\n", Map.of(), Map.of(), false, "t");
        var layers = built.image().manifest().layers();
        assertEquals("inside", ImageTesting.fileText(store, layers.get(0).digest(), "opt/pkg/file.txt"));
        assertEquals(7, ImageTesting.entries(store, layers.get(0).digest()).get("opt/pkg/file.txt").getLongUserId(), "the archive's owner");
        assertTrue(ImageTesting.entries(store, layers.get(1).digest()).containsKey("copied/bundle.tgz"));
    }

    @Test
    void mistakesAreOneLineWithTheFileAndLine() {
        assertMessage("FROM scratch\nCOPY missing.txt /\n", "Popekfile:2: COPY failed: file not found in the build context or excluded by .popekignore/.dockerignore: missing.txt");
        assertMessage("FROM scratch\nCOPY a b /notadir\n", "Popekfile:2: When using COPY with more than one source file, the destination must be a directory and end with a /");
        assertMessage("FROM scratch\nADD https://example.com/x /\n", "Popekfile:2: ADD of a URL (https://example.com/x) is not supported: a Popek build reaches no network");
        assertMessage("FROM nosuch\n", "Popekfile:1: FROM nosuch: no such image");
        assertMessage("RUN true\n", "Popekfile: no FROM instruction");
        assertMessage("ENV X=1\nFROM scratch\n", "Popekfile:1: ENV before the first FROM");
        assertMessage("FROM scratch\nEXPOSE 70000\n", "Popekfile:2: EXPOSE: invalid port '70000'");
        assertMessage("FROM scratch\nHEALTHCHECK CMD true\n", "Popekfile:2: HEALTHCHECK is not supported by Popek");
        assertMessage("FROM scratch\nRUN --mount=type=cache,target=/x true\n", "Popekfile:2: RUN: unknown or unsupported flag --mount");
        assertMessage("FROM scratch\nENV X=${Y:?needed}\n", "Popekfile:2: ENV: Y: needed");
        assertMessage("FROM scratch\nUSER nobody\nCOPY --chown=nobody a /\n", "Popekfile:3: COPY --chown=nobody: unable to find user nobody");
    }

    private void assertMessage(String file, String start) {
        BuildException e = assertThrows(BuildException.class, () -> build(file, Map.of("a", "a", "b", "b")));
        String first = e.getMessage().lines().findFirst().orElse("");
        assertTrue(first.startsWith(start), first);
        assertFalse(first.contains("Exception"), first);
    }
}
