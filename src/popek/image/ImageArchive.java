package popek.image;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import popek.image.oci.Descriptor;
import popek.image.oci.ImageConfiguration;
import popek.image.oci.ImageIndex;
import popek.image.oci.Json;
import popek.image.oci.Manifest;
import popek.image.oci.MediaTypes;
import tools.jackson.databind.JsonNode;

/**
 * {@code popek save} and {@code popek load}: an OCI archive, a tar of an OCI image layout (oci-layout, index.json
 * naming each image by {@code org.opencontainers.image.ref.name} NAME:TAG and by containerd's
 * {@code io.containerd.image.name}, blobs/sha256/...) with, beside it, the {@code manifest.json} Docker's
 * {@code docker load} reads, as {@code docker save} (Docker 25 and later) writes both. Load takes such an archive, or a
 * docker-archive of older Dockers (manifest.json only, uncompressed layer tars, which are gzip'ed into the store).
 * Every blob is checked against its digest.
 */
public final class ImageArchive {
    private final ImageStore store;

    public ImageArchive(ImageStore store) { this.store = store; }

    /** Writes {@code images} (each named by {@code names}, NAME:TAG or null) to the tar {@code out}, and closes it. */
    public void save(List<StoredImage> images, List<String> names, OutputStream out) throws IOException, StoreException {
        Set<String> blobs = new LinkedHashSet<>();
        List<Descriptor> entries = new ArrayList<>();
        List<Map<String, Object>> dockerManifest = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            StoredImage im = images.get(i);
            String name = names.get(i);
            blobs.add(im.manifestDigest());
            blobs.add(im.id());
            List<String> layerPaths = new ArrayList<>();
            for (Descriptor l : im.manifest().layers()) {
                blobs.add(l.digest());
                layerPaths.add("blobs/sha256/" + Digests.hex(l.digest()));
            }
            Map<String, String> a = new LinkedHashMap<>();
            if (name != null) {
                a.put(MediaTypes.CONTAINERD_NAME, name);
                a.put(MediaTypes.REF_NAME, name);
            }
            entries.add(new Descriptor(MediaTypes.MANIFEST, im.manifestDigest(), im.descriptor().size(), a.isEmpty() ? null : a,
                    new Descriptor.Platform(im.config().architecture(), im.config().os())));
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("Config", "blobs/sha256/" + Digests.hex(im.id()));
            dm.put("RepoTags", name == null ? List.of() : List.of(name));
            dm.put("Layers", layerPaths);
            dockerManifest.add(dm);
        }
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new BufferedOutputStream(out, 1 << 16), "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        directory(tar, "blobs/");
        directory(tar, "blobs/sha256/");
        for (String b : blobs) {
            Path p = store.blob(b);
            if (!Files.isRegularFile(p)) throw new StoreException("the store lacks the blob " + b);
            TarArchiveEntry e = new TarArchiveEntry("blobs/sha256/" + Digests.hex(b));
            e.setSize(Files.size(p));
            e.setMode(0644);
            tar.putArchiveEntry(e);
            Files.copy(p, tar);
            tar.closeArchiveEntry();
        }
        file(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        file(tar, "index.json", Json.write(new ImageIndex(entries)));
        file(tar, "manifest.json", Json.write(dockerManifest));
        tar.finish();
        tar.close();   // the tar's last block is written only when it is closed (which closes out)
    }

    private static void directory(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(0755);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        e.setMode(0644);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    /** What {@link #load} brought in: each image and the name it was given (null: none). */
    public record Loaded(StoredImage image, String name) { }

    /** Reads an OCI archive or a docker-archive (plain or compressed tar) into the store. */
    public List<Loaded> load(InputStream raw) throws IOException, StoreException {
        Path tmp = store.newTempDirectory("load");
        try {
            extract(raw, tmp);
            if (Files.isRegularFile(tmp.resolve("index.json"))) return loadOci(tmp);
            if (Files.isRegularFile(tmp.resolve("manifest.json"))) return loadDocker(tmp);
            throw new StoreException("not an image archive: it has neither index.json (OCI) nor manifest.json (docker save)");
        } finally {
            ImageStore.deleteTree(tmp);
        }
    }

    /** The archive's regular files, by cleaned name (nothing outside {@code to}, no links). */
    private static void extract(InputStream raw, Path to) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(TarStreams.decompressed(new BufferedInputStream(raw, 1 << 16)), "UTF-8")) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                if (!e.isFile()) continue;
                String rel = LayerUnpacker.clean(e.getName());
                if (rel.isEmpty()) continue;
                Path p = to.resolve(rel);
                for (Path d = p.getParent(); !d.equals(to); d = d.getParent()) {
                    if (Files.isSymbolicLink(d)) throw new IOException("the archive's " + rel + " is below a link");
                }
                Files.createDirectories(p.getParent());
                Files.copy(tar, p, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private Path blobIn(Path dir, String digest) throws StoreException {
        if (!Digests.isValid(digest)) throw new StoreException("the archive names an invalid digest: " + digest);
        Path p = dir.resolve("blobs/sha256/" + Digests.hex(digest));
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) throw new StoreException("the archive lacks the blob " + digest);
        return p;
    }

    private void importBlob(Path dir, String digest) throws IOException, StoreException {
        try (InputStream in = Files.newInputStream(blobIn(dir, digest))) {
            store.importBlob(in, digest);
        }
    }

    private List<Loaded> loadOci(Path dir) throws IOException, StoreException {
        ImageIndex index;
        try {
            index = Json.read(Files.readAllBytes(dir.resolve("index.json")), ImageIndex.class, "the archive's index.json");
        } catch (Json.MalformedException e) {
            throw new StoreException(e.getMessage());
        }
        List<Loaded> out = new ArrayList<>();
        for (Descriptor d : index.manifests()) {
            Descriptor m = d;
            if (MediaTypes.isIndex(d.mediaType())) m = pick(dir, d);
            if (!MediaTypes.isManifest(m.mediaType())) continue;
            Manifest man;
            try {
                man = Json.read(Files.readAllBytes(blobIn(dir, m.digest())), Manifest.class, "the manifest " + m.digest());
            } catch (Json.MalformedException e) {
                throw new StoreException(e.getMessage());
            }
            importBlob(dir, man.config().digest());
            for (Descriptor l : man.layers()) importBlob(dir, l.digest());
            importBlob(dir, m.digest());
            String name = d.annotation(MediaTypes.CONTAINERD_NAME);
            if (name == null || !ImageReference.isValid(name)) name = d.annotation(MediaTypes.REF_NAME);
            out.add(register(new Descriptor(MediaTypes.MANIFEST, m.digest(), m.size()), name));
        }
        if (out.isEmpty()) throw new StoreException("the archive's index.json names no image manifest");
        return out;
    }

    /** In a nested index, the linux/386 manifest (or the only one). */
    private Descriptor pick(Path dir, Descriptor nested) throws IOException, StoreException {
        ImageIndex idx;
        try {
            idx = Json.read(Files.readAllBytes(blobIn(dir, nested.digest())), ImageIndex.class, "the index " + nested.digest());
        } catch (Json.MalformedException e) {
            throw new StoreException(e.getMessage());
        }
        for (Descriptor d : idx.manifests()) {
            if (d.platform() != null && "386".equals(d.platform().architecture()) && "linux".equals(d.platform().os())) return d;
        }
        if (idx.manifests().size() == 1) return idx.manifests().getFirst();
        throw new StoreException("the archive's image index has no linux/386 image");
    }

    private Loaded register(Descriptor d, String name) throws StoreException {
        ImageReference ref = null;
        if (name != null) {
            try {
                ref = ImageReference.parse(name.startsWith("docker.io/library/") ? name.substring(18) : name);
            } catch (ImageReference.InvalidException e) {
                ref = null;   // a tag alone ("latest") or a foreign name: loaded untagged, as Docker does
            }
        }
        if (ref != null) {
            store.tag(d, ref, null);
        } else {
            store.updateIndex(entries -> {
                if (entries.stream().noneMatch(e -> e.digest().equals(d.digest()))) entries.add(d);
                return entries;
            });
        }
        return new Loaded(store.image(d), ref == null ? null : ref.toString());
    }

    /** A docker-archive: manifest.json's Config and Layers (uncompressed tars, gzip'ed here). */
    private List<Loaded> loadDocker(Path dir) throws IOException, StoreException {
        JsonNode list = Json.mapper().readTree(Files.readAllBytes(dir.resolve("manifest.json")));
        if (list == null || !list.isArray()) throw new StoreException("the archive's manifest.json is not a list");
        List<Loaded> out = new ArrayList<>();
        for (JsonNode item : list) {
            Path cfgPath = inside(dir, item.path("Config").asString(""));
            byte[] cfgBytes = Files.readAllBytes(cfgPath);
            ImageConfiguration cfg;
            try {
                cfg = Json.read(cfgBytes, ImageConfiguration.class, "the image config " + cfgPath.getFileName());
            } catch (Json.MalformedException e) {
                throw new StoreException(e.getMessage());
            }
            Descriptor cfgDesc = store.putBlob(MediaTypes.CONFIG, cfgBytes);
            List<Descriptor> layers = new ArrayList<>();
            int k = 0;
            for (JsonNode l : item.path("Layers")) {
                Path layer = inside(dir, l.asString(""));
                LayerWriter.Written w = gzipLayer(layer);
                if (k >= cfg.diffIds().size() || !cfg.diffIds().get(k).equals(w.diffId())) {
                    throw new StoreException("the archive's layer " + l.asString("") + " is not the image's diff_id " + (k < cfg.diffIds().size() ? cfg.diffIds().get(k) : "(none)"));
                }
                layers.add(w.descriptor());
                k++;
            }
            Descriptor man = store.putBlob(MediaTypes.MANIFEST, Json.write(new Manifest(cfgDesc, layers)));
            String name = item.path("RepoTags").isArray() && !item.path("RepoTags").isEmpty() ? item.path("RepoTags").get(0).asString() : null;
            out.add(register(man, name));
        }
        return out;
    }

    private static Path inside(Path dir, String rel) throws IOException, StoreException {
        if (rel.isEmpty()) throw new StoreException("the archive's manifest.json names no file");
        Path p = dir.resolve(LayerUnpacker.clean(rel));
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) throw new StoreException("the archive lacks " + rel);
        return p;
    }

    /** A layer tar (maybe compressed) stored gzip'ed, with its diff_id computed from the plain tar. */
    private LayerWriter.Written gzipLayer(Path layer) throws IOException {
        Path tmp = store.newTemp("layer");
        try {
            Digests.CountingDigestStream compressed = new Digests.CountingDigestStream(new BufferedOutputStream(Files.newOutputStream(tmp)));
            Digests.CountingDigestStream plain;
            try (InputStream in = TarStreams.decompressed(new BufferedInputStream(Files.newInputStream(layer)))) {
                GZIPOutputStream gz = new GZIPOutputStream(compressed, 1 << 16);
                plain = new Digests.CountingDigestStream(gz);
                in.transferTo(plain);
                plain.close();
            }
            String digest = compressed.digest();
            store.adoptBlob(tmp, digest);
            return new LayerWriter.Written(new Descriptor(MediaTypes.LAYER_GZIP, digest, compressed.count()), plain.digest());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
