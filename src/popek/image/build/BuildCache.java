package popek.image.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import popek.image.Digests;
import popek.image.ImageStore;
import popek.image.StoreException;
import popek.image.oci.Descriptor;
import popek.image.oci.Manifest;

/**
 * The build cache, as Docker's: each step's result (an image: a manifest in the store) under a key made of the
 * image the step started from (its manifest's digest), the instruction and the digests of its inputs (for COPY and
 * ADD the files' contents; for RUN the build arguments in scope). A step whose key is there (and whose blobs still
 * are) is not run again; once one misses, the next keys differ too, as in Docker. Entries are files in
 * {@code HOME/build-cache}, one per key, holding the result's and the parent's manifest digests; their manifests are
 * kept by the store's garbage collection until {@link #prune} drops the entries no tagged image descends from.
 */
public final class BuildCache {
    private final ImageStore store;
    private final Path dir;

    public BuildCache(ImageStore store) {
        this.store = store;
        this.dir = store.home().resolve("build-cache");
    }

    /** The key of a step: its parent image, its instruction, its inputs. */
    public static String key(String parentManifest, String instruction, String inputs) {
        return Digests.of((parentManifest + "\0" + instruction + "\0" + inputs).getBytes(StandardCharsets.UTF_8));
    }

    /** The manifest digest cached under {@code key}, if it and every blob it needs are in the store; else null. */
    public String lookup(String key) {
        String[] e = read(dir.resolve(Digests.hex(key)));
        if (e == null || !store.hasBlob(e[0])) return null;
        try {
            Manifest m = store.manifest(e[0]);
            if (!store.hasBlob(m.config().digest())) return null;
            for (Descriptor l : m.layers()) if (!store.hasBlob(l.digest())) return null;
            return e[0];
        } catch (StoreException x) {
            return null;
        }
    }

    public void put(String key, String manifest, String parentManifest) throws IOException {
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".tmp-", "");
        Files.writeString(tmp, manifest + " " + parentManifest + "\n");
        Files.move(tmp, dir.resolve(Digests.hex(key)), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String[] read(Path p) {
        try {
            String[] f = Files.readString(p).strip().split(" ");
            return f.length == 2 && Digests.isValid(f[0]) ? f : null;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private Map<Path, String[]> entries() throws IOException {
        Map<Path, String[]> out = new HashMap<>();
        if (!Files.isDirectory(dir)) return out;
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                if (p.getFileName().toString().startsWith(".")) continue;
                String[] e = read(p);
                if (e != null) out.put(p, e);
            }
        }
        return out;
    }

    /** The manifests the cache keeps (roots for the store's garbage collection). */
    public Set<String> manifests() throws IOException {
        Set<String> out = new HashSet<>();
        for (String[] e : entries().values()) out.add(e[0]);
        return out;
    }

    /**
     * Drops the entries whose result is no step on the way to one of {@code live} (the manifests of the store's
     * images), as Docker deletes an image's untagged parents with it; returns how many were dropped.
     */
    public int prune(List<String> live) throws IOException {
        Map<Path, String[]> entries = entries();
        Map<String, String> parentOf = new HashMap<>();
        for (String[] e : entries.values()) parentOf.put(e[0], e[1]);
        Set<String> keep = new HashSet<>();
        for (String m : live) {
            for (String at = m; at != null && keep.add(at); ) at = parentOf.get(at);
        }
        int dropped = 0;
        for (Map.Entry<Path, String[]> e : entries.entrySet()) {
            if (keep.contains(e.getValue()[0])) continue;
            Files.deleteIfExists(e.getKey());
            dropped++;
        }
        return dropped;
    }
}
