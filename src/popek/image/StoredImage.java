package popek.image;

import java.util.List;

import popek.image.oci.Descriptor;
import popek.image.oci.ImageConfiguration;
import popek.image.oci.Manifest;

/**
 * An image of the store: its manifest (and the descriptor pointing at it), its configuration, its ID (the config's
 * digest, as Docker's image ID) and the tags that name it.
 */
public record StoredImage(Descriptor descriptor, Manifest manifest, ImageConfiguration config, List<String> tags) {
    public String id() { return manifest.config().digest(); }

    public String manifestDigest() { return descriptor.digest(); }

    /** The compressed size of its layers plus its config: what it takes in the store. */
    public long size() {
        long n = manifest.config().size();
        for (Descriptor d : manifest.layers()) n += d.size();
        return n;
    }
}
