package popek.image.oci;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An OCI image manifest: the config blob and the layers, the lowest first. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(int schemaVersion, String mediaType, Descriptor config, List<Descriptor> layers, Map<String, String> annotations) {
    public Manifest(Descriptor config, List<Descriptor> layers) { this(2, MediaTypes.MANIFEST, config, List.copyOf(layers), null); }

    /** The layers, the lowest first (an empty list, never null: the spec requires the field). */
    public List<Descriptor> layers() { return layers == null ? List.of() : layers; }
}
