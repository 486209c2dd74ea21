package popek.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import popek.container.Container;
import popek.container.ContainerConfig;
import popek.container.Images;
import popek.container.Stdio;
import popek.image.build.BuildContext;
import popek.image.build.BuildException;
import popek.image.build.Builder;

import static org.junit.jupiter.api.Assumptions.abort;

/** Helpers of the image tests: a build into a store, a run of a stored image, a layer's entries. */
public final class ImageTesting {
    private ImageTesting() { }

    /** The built-in busybox image is there (or the test is skipped, saying why it cannot be had). */
    public static void needBusybox() {
        try {
            Images.layers("busybox", new PrintStream(OutputStream.nullOutputStream()));
        } catch (Images.ImageException e) {
            abort("the busybox image cannot be built here: " + e.getMessage());
        }
    }

    /**
     * Removes the links a store's layers/ holds to the built-in images' directories (outside a test's temporary
     * directory, which JUnit would warn about when deleting it).
     */
    public static void unlinkBuiltins(ImageStore store) throws IOException {
        Path layers = store.home().resolve("layers");
        if (!Files.isDirectory(layers)) return;
        try (var s = Files.list(layers)) {
            for (Path p : s.toList()) if (Files.isSymbolicLink(p)) Files.delete(p);
        }
    }

    /** A build's result and what it printed. */
    public record Built(StoredImage image, String output) { }

    /** Writes {@code files} (path -> text) into {@code context} and builds its Popekfile into {@code store}. */
    public static Built build(ImageStore store, Path context, String popekfile, Map<String, String> files, Map<String, String> args,
                              boolean noCache, String tag) throws IOException, BuildException {
        Files.createDirectories(context);
        Files.writeString(context.resolve("Popekfile"), popekfile);
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = context.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        StoredImage image;
        try {
            image = new Builder(store, ps).build(new Builder.Request("Popekfile", popekfile, new BuildContext(context), args, noCache,
                    tag == null ? List.of() : List.of(parse(tag))));
        } catch (BuildException e) {
            throw new BuildException(e.getMessage() + "\n--- build output:\n" + out.toString(StandardCharsets.UTF_8));
        }
        return new Built(image, out.toString(StandardCharsets.UTF_8));
    }

    private static ImageReference parse(String tag) {
        try {
            return ImageReference.parse(tag);
        } catch (ImageReference.InvalidException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A run's status and output. */
    public record Ran(int status, String out, String err) { }

    /** Runs {@code image} as popek run would, with {@code args} (empty: the image's command). */
    public static Ran run(ImageStore store, StoredImage image, String... args) throws StoreException {
        ImageLaunch l = ImageLaunch.of(store, image, List.of(args), null, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        ContainerConfig c = new ContainerConfig(l.layers(), l.command(), l.env(), l.workdir(), l.uid(), l.gid(), false, false, false, 256L << 20);
        int status = new Container(c, new Stdio(InputStream.nullInputStream(), out, err), new PrintStream(err, true)).run();
        return new Ran(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The entries of a layer blob: name -> the entry. */
    public static Map<String, TarArchiveEntry> entries(ImageStore store, String digest) throws IOException {
        Map<String, TarArchiveEntry> out = new LinkedHashMap<>();
        try (TarArchiveInputStream t = new TarArchiveInputStream(TarStreams.decompressed(Files.newInputStream(store.blob(digest))))) {
            for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) out.put(e.getName(), e);
        }
        return out;
    }

    /** The text of file {@code name} in a layer blob, or null. */
    public static String fileText(ImageStore store, String digest, String name) throws IOException {
        try (TarArchiveInputStream t = new TarArchiveInputStream(TarStreams.decompressed(Files.newInputStream(store.blob(digest))))) {
            for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) if (e.getName().equals(name)) return new String(t.readAllBytes(), StandardCharsets.UTF_8);
        }
        return null;
    }
}
