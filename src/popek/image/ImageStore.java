package popek.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import popek.image.oci.Descriptor;
import popek.image.oci.ImageConfiguration;
import popek.image.oci.ImageIndex;
import popek.image.oci.Json;
import popek.image.oci.Manifest;
import popek.image.oci.MediaTypes;

/**
 * Popek's images: an OCI image layout ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/}) in
 * {@code HOME/images}, where HOME is {@code $POPEK_HOME}, else {@code $XDG_DATA_HOME/popek}, else
 * {@code ~/.local/share/popek}. Each tag is an entry of index.json whose {@code org.opencontainers.image.ref.name}
 * is NAME:TAG; an image whose last tag moved to another stays as an untagged entry (Docker's dangling image) until
 * removed. Blobs are shared by digest. Layers are unpacked once, by diff_id, into {@code HOME/layers} for containers
 * to run over. Changes to index.json are made under a file lock, so two Popeks may build at once.
 */
public final class ImageStore {
    private final Path home, layout, blobs, unpacked;

    public ImageStore(Path home) {
        this.home = home.toAbsolutePath().normalize();
        this.layout = this.home.resolve("images");
        this.blobs = layout.resolve("blobs").resolve("sha256");
        this.unpacked = this.home.resolve("layers");
    }

    /** The store of this user: {@code popek.dataHome} (a property, for tests), $POPEK_HOME, $XDG_DATA_HOME/popek or ~/.local/share/popek. */
    public static ImageStore forUser() {
        String p = System.getProperty("popek.dataHome");
        if (p != null && !p.isEmpty()) return new ImageStore(Path.of(p));
        String h = System.getenv("POPEK_HOME");
        if (h != null && !h.isEmpty()) return new ImageStore(Path.of(h));
        String x = System.getenv("XDG_DATA_HOME");
        if (x != null && !x.isEmpty()) return new ImageStore(Path.of(x, "popek"));
        return new ImageStore(Path.of(System.getProperty("user.home"), ".local", "share", "popek"));
    }

    public Path home() { return home; }

    /** The OCI layout's directory. */
    public Path layout() { return layout; }

    private void init() throws IOException {
        Files.createDirectories(blobs);
        Path marker = layout.resolve("oci-layout");
        if (!Files.exists(marker)) writeAtomically(marker, "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        Path index = layout.resolve("index.json");
        if (!Files.exists(index)) writeAtomically(index, Json.write(ImageIndex.empty()));
    }

    /** A new temporary file in the store (on the blobs' file system, so it can be renamed into place). */
    Path newTemp(String what) throws IOException {
        init();
        return Files.createTempFile(layout, ".tmp-" + what + "-", "");
    }

    /** A new temporary directory in the store. */
    Path newTempDirectory(String what) throws IOException {
        init();
        return Files.createTempDirectory(layout, ".tmp-" + what + "-");
    }

    private void writeAtomically(Path to, byte[] data) throws IOException {
        Path tmp = Files.createTempFile(to.getParent(), ".tmp-", "");
        try {
            Files.write(tmp, data);
            Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ---------------------------------------------------------------- blobs

    public Path blob(String digest) {
        if (!Digests.isValid(digest)) throw new IllegalArgumentException("not a sha256 digest: " + digest);
        return blobs.resolve(Digests.hex(digest));
    }

    public boolean hasBlob(String digest) { return Digests.isValid(digest) && Files.isRegularFile(blob(digest)); }

    /** Stores {@code data}; returns its descriptor. */
    public Descriptor putBlob(String mediaType, byte[] data) throws IOException {
        String digest = Digests.of(data);
        if (!hasBlob(digest)) {
            Path tmp = newTemp("blob");
            Files.write(tmp, data);
            adoptBlob(tmp, digest);
        }
        return new Descriptor(mediaType, digest, data.length);
    }

    /** Moves a finished temporary file into blobs/ as {@code digest} (or drops it when that blob is there already). */
    void adoptBlob(Path tmp, String digest) throws IOException {
        try {
            Files.move(tmp, blob(digest), StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(tmp);
        }
    }

    /** Copies a blob from {@code in}, checking it is {@code digest}. */
    public void importBlob(InputStream in, String digest) throws IOException, StoreException {
        if (hasBlob(digest)) return;
        Path tmp = newTemp("blob");
        try {
            Digests.CountingDigestStream d = new Digests.CountingDigestStream(Files.newOutputStream(tmp));
            try (d) {
                in.transferTo(d);
            }
            if (!d.digest().equals(digest)) throw new StoreException("the blob " + digest + " holds other content (" + d.digest() + ")");
            adoptBlob(tmp, digest);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public byte[] readBlob(String digest) throws StoreException {
        try {
            return Files.readAllBytes(blob(digest));
        } catch (NoSuchFileException e) {
            throw new StoreException("the store lacks the blob " + digest + " (" + layout + " is damaged)");
        } catch (IOException e) {
            throw new StoreException("cannot read the blob " + digest + ": " + e.getMessage());
        }
    }

    /** A new layer, written into the store (see {@link LayerWriter}). */
    public LayerWriter newLayer() throws IOException { return new LayerWriter(this); }

    // ---------------------------------------------------------------- index.json

    private ImageIndex readIndex() throws StoreException {
        Path index = layout.resolve("index.json");
        if (!Files.exists(index)) return ImageIndex.empty();
        try {
            return Json.read(Files.readAllBytes(index), ImageIndex.class, index.toString());
        } catch (IOException e) {
            throw new StoreException("cannot read " + index + ": " + e.getMessage());
        } catch (Json.MalformedException e) {
            throw new StoreException(e.getMessage());
        }
    }

    /** A change to index.json, made under the store's lock. */
    @FunctionalInterface
    public interface IndexChange {
        List<Descriptor> apply(List<Descriptor> entries) throws StoreException;
    }

    /** Applies {@code change} to the index's entries under the lock; returns what it returned. */
    public synchronized List<Descriptor> updateIndex(IndexChange change) throws StoreException {
        try {
            init();
            try (FileChannel lock = FileChannel.open(layout.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lock.lock()) {
                List<Descriptor> entries = new ArrayList<>(readIndex().manifests());
                List<Descriptor> out = change.apply(entries);
                writeAtomically(layout.resolve("index.json"), Json.write(new ImageIndex(out)));
                return out;
            }
        } catch (IOException e) {
            throw new StoreException("cannot update " + layout.resolve("index.json") + ": " + e.getMessage());
        }
    }

    /** The entries of index.json. */
    public List<Descriptor> entries() throws StoreException { return readIndex().manifests(); }

    // ---------------------------------------------------------------- images

    public Manifest manifest(String digest) throws StoreException {
        try {
            return Json.read(readBlob(digest), Manifest.class, "the manifest " + digest);
        } catch (Json.MalformedException e) {
            throw new StoreException(e.getMessage());
        }
    }

    public ImageConfiguration configuration(String digest) throws StoreException {
        try {
            return Json.read(readBlob(digest), ImageConfiguration.class, "the image config " + digest);
        } catch (Json.MalformedException e) {
            throw new StoreException(e.getMessage());
        }
    }

    /** The image whose manifest is {@code manifestDigest}, with its tags. */
    public StoredImage image(Descriptor d) throws StoreException {
        Manifest m = manifest(d.digest());
        if (m.config() == null) throw new StoreException("the manifest " + d.digest() + " has no config");
        List<String> tags = new ArrayList<>();
        for (Descriptor e : entries()) {
            String ref = e.annotation(MediaTypes.REF_NAME);
            if (e.digest().equals(d.digest()) && ref != null) tags.add(ref);
        }
        return new StoredImage(d, m, configuration(m.config().digest()), tags);
    }

    /** Every image of the store, once each, in index order. */
    public List<StoredImage> images() throws StoreException {
        Map<String, Descriptor> seen = new LinkedHashMap<>();
        for (Descriptor e : entries()) if (MediaTypes.isManifest(e.mediaType())) seen.putIfAbsent(e.digest(), e);
        List<StoredImage> out = new ArrayList<>();
        for (Descriptor d : seen.values()) out.add(image(d));
        return out;
    }

    /**
     * The image named {@code ref}: NAME[:TAG], or an image ID (the config's digest, with or without "sha256:", or a
     * unique prefix of at least 4 of its hex digits); null if none.
     */
    public StoredImage find(String ref) throws StoreException {
        if (ImageReference.isValid(ref)) {
            String full = parse(ref).toString();
            for (Descriptor e : entries()) if (full.equals(e.annotation(MediaTypes.REF_NAME))) return image(e);
        }
        String hex = ref.startsWith("sha256:") ? ref.substring(7) : ref;
        if (hex.length() < 4 || !hex.matches("[0-9a-f]+")) return null;
        StoredImage found = null;
        for (StoredImage i : images()) {
            if (!Digests.hex(i.id()).startsWith(hex)) continue;
            if (found != null && !found.id().equals(i.id())) throw new StoreException("'" + ref + "' is the start of more than one image ID");
            found = i;
        }
        return found;
    }

    private static ImageReference parse(String ref) throws StoreException {
        try {
            return ImageReference.parse(ref);
        } catch (ImageReference.InvalidException e) {
            throw new StoreException(e.getMessage());
        }
    }

    /** Names the image of manifest {@code d} {@code ref}, taking the name from any image that had it. */
    public void tag(Descriptor d, ImageReference ref, Map<String, String> extra) throws StoreException {
        updateIndex(entries -> {
            List<Descriptor> out = untagged(entries, ref.toString());
            Map<String, String> a = new LinkedHashMap<>();
            if (extra != null) a.putAll(extra);
            a.put(MediaTypes.REF_NAME, ref.toString());
            Descriptor named = new Descriptor(d.mediaType(), d.digest(), d.size()).withAnnotations(a);
            out.removeIf(e -> e.digest().equals(d.digest()) && e.annotation(MediaTypes.REF_NAME) == null);
            out.add(named);
            return out;
        });
    }

    /** {@code entries} without the tag {@code ref}; an image left with no tag stays, untagged. */
    private static List<Descriptor> untagged(List<Descriptor> entries, String ref) {
        List<Descriptor> out = new ArrayList<>();
        for (Descriptor e : entries) {
            if (!ref.equals(e.annotation(MediaTypes.REF_NAME))) {
                out.add(e);
                continue;
            }
            boolean otherTag = entries.stream().anyMatch(x -> x != e && x.digest().equals(e.digest()));
            if (!otherTag) out.add(new Descriptor(e.mediaType(), e.digest(), e.size()));
        }
        return out;
    }

    /** Removes the tag {@code ref} (the image stays, untagged, if it had no other). */
    public void untag(String ref) throws StoreException {
        updateIndex(entries -> untagged(entries, ref));
    }

    /** Removes every entry (every tag) of the image {@code manifestDigest} from index.json; its blobs stay until collected. */
    public void remove(String manifestDigest) throws StoreException {
        updateIndex(entries -> {
            List<Descriptor> out = new ArrayList<>(entries);
            out.removeIf(e -> e.digest().equals(manifestDigest));
            return out;
        });
    }

    /**
     * Deletes blobs reachable from neither index.json nor {@code roots} (manifest digests the build cache keeps), and
     * the unpacked layers of deleted layer blobs; returns the IDs (config digests) of the images whose manifests went.
     */
    public synchronized List<String> collectGarbage(Set<String> roots) throws StoreException {
        Set<String> live = new HashSet<>();
        List<String> manifests = new ArrayList<>();
        for (Descriptor e : entries()) manifests.add(e.digest());
        manifests.addAll(roots);
        Set<String> liveDiffIds = new HashSet<>();
        for (String m : manifests) {
            if (!hasBlob(m)) continue;
            live.add(m);
            Manifest man = manifest(m);
            live.add(man.config().digest());
            for (Descriptor l : man.layers()) live.add(l.digest());
            if (hasBlob(man.config().digest())) liveDiffIds.addAll(configuration(man.config().digest()).diffIds());
        }
        List<String> deletedManifests = new ArrayList<>();
        try (var s = Files.list(blobs)) {
            for (Path p : s.toList()) {
                String digest = "sha256:" + p.getFileName();
                if (live.contains(digest)) continue;
                String id = manifestConfig(p);
                if (id != null) deletedManifests.add(id);
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException e) {
            return deletedManifests;
        } catch (IOException e) {
            throw new StoreException("cannot clean " + blobs + ": " + e.getMessage());
        }
        removeStaleTemporaries(layout);
        try (var s = Files.list(unpacked)) {
            for (Path p : s.toList()) {
                if (p.getFileName().toString().startsWith(".")) {
                    removeStaleTemporaries(unpacked);
                    continue;
                }
                if (!liveDiffIds.contains("sha256:" + p.getFileName())) deleteTree(p);
            }
        } catch (NoSuchFileException e) {
            // nothing unpacked yet
        } catch (IOException e) {
            throw new StoreException("cannot clean " + unpacked + ": " + e.getMessage());
        }
        return deletedManifests;
    }

    /** Deletes what a Popek killed while writing left in {@code dir} (".tmp-*", ".unpacking-*" a day old or more). */
    private static void removeStaleTemporaries(Path dir) {
        long dayAgo = System.currentTimeMillis() - 86_400_000L;
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if ((n.startsWith(".tmp-") || n.startsWith(".unpacking-")) && Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() < dayAgo) {
                    deleteTree(p);
                }
            }
        } catch (IOException e) {
            // a temporary file left behind takes space but harms nothing; the next collection tries again
        }
    }

    /** If blob {@code p} is a manifest, its config's digest (the image ID); else null. */
    private static String manifestConfig(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] head = in.readNBytes(1 << 16);
            if (head.length == 0 || head[0] != '{' || head.length == 1 << 16) return null;
            Manifest m = Json.read(head, Manifest.class, "a blob");
            return m.config() != null && m.layers() != null ? m.config().digest() : null;
        } catch (IOException | Json.MalformedException | RuntimeException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- unpacked layers

    /**
     * The host directory holding layer {@code layer} (diff_id {@code diffId}) unpacked, made now if needed: unpacked
     * into a temporary directory and renamed into place when whole. A link there (to a built-in image's own layer
     * directory) is followed, once, by Popek itself.
     */
    public Path unpackedLayer(String diffId, Descriptor layer) throws StoreException {
        Path dir = unpacked.resolve(Digests.hex(diffId));
        try {
            if (Files.isSymbolicLink(dir)) {
                Path real = dir.toRealPath();
                if (Files.isDirectory(real)) return real;
                Files.delete(dir);
            } else if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return dir;
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(dir);   // a link to a directory that is gone: unpack the blob instead
            } catch (IOException ignored) {
                // the unpack below says what is wrong
            }
        }
        if (!hasBlob(layer.digest())) throw new StoreException("the store lacks the layer " + layer.digest());
        try {
            Files.createDirectories(unpacked);
            Path tmp = Files.createTempDirectory(unpacked, ".unpacking-");
            try {
                try (InputStream in = Files.newInputStream(blob(layer.digest()))) {
                    new LayerUnpacker(tmp).unpack(in);
                }
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException | java.nio.file.DirectoryNotEmptyException e) {
                    if (!Files.isDirectory(dir)) throw e;   // another Popek unpacked it first
                }
            } finally {
                if (Files.exists(tmp)) deleteTree(tmp);
            }
        } catch (IOException | UncheckedIOException e) {
            throw new StoreException("cannot unpack the layer " + layer.digest() + ": " + e.getMessage());
        }
        return dir;
    }

    /** Records {@code existing} (a built-in image's layer directory) as layer {@code diffId} unpacked. */
    public void linkUnpacked(String diffId, Path existing) throws IOException {
        Files.createDirectories(unpacked);
        Path dir = unpacked.resolve(Digests.hex(diffId));
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try {
            Files.createSymbolicLink(dir, existing.toAbsolutePath());
        } catch (FileAlreadyExistsException e) {
            // another Popek recorded it first
        }
    }

    /** The host directories of an image's layers, the top one first (as a container's root wants them). */
    public List<Path> layerDirectories(StoredImage image) throws StoreException {
        List<String> ids = image.config().diffIds();
        List<Descriptor> layers = image.manifest().layers();
        if (ids.size() != layers.size()) throw new StoreException("the image " + Digests.shortId(image.id()) + " has " + layers.size() + " layers but " + ids.size() + " diff_ids");
        List<Path> out = new ArrayList<>();
        for (int i = layers.size() - 1; i >= 0; i--) out.add(unpackedLayer(ids.get(i), layers.get(i)));
        return out;
    }

    static void deleteTree(Path p) throws IOException {
        if (Files.isSymbolicLink(p) || !Files.isDirectory(p)) {
            Files.deleteIfExists(p);
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                if (Files.isDirectory(x, LinkOption.NOFOLLOW_LINKS)) x.toFile().setWritable(true);
                Files.deleteIfExists(x);
            }
        }
    }
}
