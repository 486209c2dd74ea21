package popek.image;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import popek.container.ContainerConfig;
import popek.container.Images;
import popek.image.oci.Descriptor;
import popek.image.oci.ImageConfiguration;
import popek.image.oci.Json;
import popek.image.oci.Manifest;
import popek.image.oci.MediaTypes;

/**
 * The built-in images ({@code busybox}, {@code debian}: popek.container.Images assembles them from Debian packages)
 * brought into the store as OCI images the first time a Popekfile says {@code FROM busybox}: each of their two layer
 * directories written as a layer blob (so the image can be saved and read by other tools), and recorded as that
 * layer's unpacked copy (so running it unpacks nothing). Tagged NAME:latest with the built-in's recipe in an
 * annotation; when the recipe changes (new package pins), the next use imports it again.
 */
public final class BuiltinImages {
    private BuiltinImages() { }

    /** 2023-06-10 00:00 UTC (Debian 12's release, the time the built-in images' own files carry). */
    private static final String CREATED = Instant.ofEpochSecond(1_686_355_200L).toString();

    public static boolean isBuiltin(String ref) {
        return Images.NAMES.contains(ref) || Images.NAMES.stream().anyMatch(n -> ref.equals(n + ":latest"));
    }

    /** The store's copy of built-in image {@code name}, imported now if it lacks it or has an older recipe's. */
    public static StoredImage ensure(ImageStore store, String name, PrintStream log) throws StoreException {
        List<Path> dirs;
        try {
            dirs = Images.layers(name, log);
        } catch (Images.ImageException e) {
            throw new StoreException(e.getMessage());
        }
        String recipe = dirs.getFirst().getParent().getFileName().toString();
        ImageReference ref = new ImageReference(name, "latest");
        StoredImage have = store.find(ref.toString());
        if (have != null && recipe.equals(have.descriptor().annotation(MediaTypes.BUILTIN))) return have;
        if (have != null && have.descriptor().annotation(MediaTypes.BUILTIN) == null) return have;   // the user's own image of that name
        log.println("popek: importing the built-in " + name + " image into " + store.layout());
        try {
            List<Descriptor> layers = new ArrayList<>();
            ImageConfiguration config = ImageConfiguration.scratch();
            for (int i = dirs.size() - 1; i >= 0; i--) {
                Path dir = dirs.get(i);
                LayerWriter.Written w;
                try (LayerWriter out = store.newLayer()) {
                    new DirectoryLayer(out).write(dir, "");
                    w = out.finish();
                }
                store.linkUnpacked(w.diffId(), dir);
                layers.add(w.descriptor());
                config = config.withStep(CREATED, "popek built-in " + name + ": " + dir.getFileName() + " (" + recipe + ")", w.diffId());
            }
            config = config.withConfig(new ImageConfiguration.RunConfig(null, null, List.of(ContainerConfig.DEFAULT_PATH), null,
                    Images.defaultCommand(name), null, null, null, null))
                    .withStep(CREATED, "CMD " + Json.mapper().writeValueAsString(Images.defaultCommand(name)), null);
            Descriptor cfg = store.putBlob(MediaTypes.CONFIG, Json.write(config));
            Descriptor man = store.putBlob(MediaTypes.MANIFEST, Json.write(new Manifest(cfg, layers)));
            store.tag(man, ref, Map.of(MediaTypes.BUILTIN, recipe));
            return store.find(ref.toString());
        } catch (IOException e) {
            throw new StoreException("cannot import the " + name + " image into " + store.layout() + ": " + e.getMessage());
        }
    }
}
