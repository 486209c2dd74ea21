package popek.image.oci;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An OCI content descriptor: what a blob is, its digest ("sha256:HEX") and size, and annotations. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Descriptor(String mediaType, String digest, long size, Map<String, String> annotations, Platform platform) {
    public Descriptor(String mediaType, String digest, long size) { this(mediaType, digest, size, null, null); }

    /** The platform an index entry is for. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Platform(String architecture, String os) { }

    /** The annotation {@code key}, or null. */
    public String annotation(String key) { return annotations == null ? null : annotations.get(key); }

    public Descriptor withAnnotations(Map<String, String> a) { return new Descriptor(mediaType, digest, size, a, platform); }
}
