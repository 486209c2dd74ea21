package popek.cli;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.image.ImageStore;
import popek.image.ImageTesting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The image commands as a user types them: popek build, images, tag, history, save, rmi, load, and popek run of a
 * built image; mistakes are one line and exit 1 (docker's status for these commands), 125 for popek run.
 */
class ImageCommandsTest {
    @TempDir Path dir;

    private record Outcome(int code, String out, String err) { }

    @BeforeEach
    void store() { System.setProperty("popek.dataHome", dir.resolve("home").toString()); }

    @AfterEach
    void forget() throws Exception {
        ImageTesting.unlinkBuiltins(new ImageStore(dir.resolve("home")));
        System.clearProperty("popek.dataHome");
    }

    private Outcome popek(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.execute(args, new PrintWriter(err, true), new Terminal(InputStream.nullInputStream(), out));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    private Path context(String popekfile) throws Exception {
        Path ctx = dir.resolve("ctx");
        Files.createDirectories(ctx.resolve("site"));
        Files.writeString(ctx.resolve("Popekfile"), popekfile);
        Files.writeString(ctx.resolve("site/index.html"), "<h1>hello</h1>\n");
        return ctx;
    }

    @Test
    void buildTagListHistorySaveRemoveAndLoad() throws Exception {
        Path ctx = context("FROM scratch\nCOPY site /www/\nLABEL a=b\n");
        Outcome b = popek("build", "-t", "site:1", ctx.toString());
        assertEquals(0, b.code, b.err);
        assertTrue(b.out.contains("Step 2/3 : COPY site /www/"), b.out);
        assertTrue(b.out.contains("Successfully tagged site:1"), b.out);
        assertEquals(0, popek("tag", "site:1", "other").code);
        Outcome images = popek("images");
        assertTrue(images.out.startsWith("REPOSITORY"), images.out);
        assertTrue(images.out.contains("site ") && images.out.contains("other ") && images.out.contains("latest"), images.out);
        Outcome history = popek("history", "other");
        assertTrue(history.out.contains("LABEL a=b") && history.out.contains("COPY site /www/"), history.out);
        Path tar = dir.resolve("site.tar");
        assertEquals(0, popek("save", "-o", tar.toString(), "site:1").code);
        Outcome rmi = popek("rmi", "site:1", "other");
        assertEquals(0, rmi.code, rmi.err);
        assertTrue(rmi.out.contains("Untagged: site:1") && rmi.out.contains("Deleted: sha256:"), rmi.out);
        assertEquals("", popek("images", "-q").out);
        Outcome load = popek("load", "-i", tar.toString());
        assertEquals("Loaded image: site:1\n", load.out, load.err);
        assertEquals(1, popek("images", "-q").out.lines().count());
    }

    @Test
    void aBuiltImageRunsWithItsCmdAndTheArgumentsGiven() throws Exception {
        ImageTesting.needBusybox();
        Path ctx = context("FROM busybox\nCOPY site /www/\nWORKDIR /www\nENV WHO=popek\nCMD [\"cat\", \"index.html\"]\n");
        assertEquals(0, popek("build", "-q", "-t", "web", ctx.toString()).code);
        Outcome run = popek("run", "--rm", "web");
        assertEquals(0, run.code, run.err);
        assertEquals("<h1>hello</h1>\n", run.out);
        Outcome args = popek("run", "--rm", "-e", "EXTRA=1", "web", "sh", "-c", "echo $WHO $EXTRA; pwd");
        assertEquals("popek 1\n/www\n", args.out, args.err);
        Outcome ep = popek("run", "--rm", "--entrypoint", "echo", "web", "replaced");
        assertEquals("replaced\n", ep.out, ep.err);
    }

    private static void assertOneLine(Outcome o, int code, String containing) {
        assertEquals(code, o.code, o.err);
        assertEquals(1, o.err.lines().count(), "one line: " + o.err);
        assertTrue(o.err.startsWith("popek: ") && o.err.contains(containing), o.err);
        assertFalse(o.err.contains("Exception") || o.err.contains("\tat "), o.err);
    }

    @Test
    void mistakesAreOneLine() throws Exception {
        assertOneLine(popek("build", "-t", "x", context("FROM scratch\nCOPY nothere /\n").toString()), 1, "Popekfile:2: COPY failed");
        assertOneLine(popek("build", "-t", "Bad Name", context("FROM scratch\n").toString()), 1, "invalid");
        assertOneLine(popek("build", dir.resolve("none").toString()), 1, "not a directory");
        assertOneLine(popek("build", "-f", dir.resolve("nofile").toString(), context("FROM scratch\n").toString()), 1, "no such file");
        assertOneLine(popek("rmi", "nosuch"), 1, "No such image: nosuch");
        assertOneLine(popek("history", "nosuch"), 1, "No such image");
        assertOneLine(popek("tag", "nosuch", "x"), 1, "No such image");
        assertOneLine(popek("load", "-i", dir.resolve("none.tar").toString()), 1, "no such file");
        assertOneLine(popek("run", "nosuch"), 125, "no image named 'nosuch'");
    }
}
