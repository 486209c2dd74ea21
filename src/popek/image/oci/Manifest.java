package popek.image.oci;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An OCI image manifest: the config blob and the layers, the lowest first. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Manifest(int schemaVersion, String mediaType, Descriptor config, List<Descriptor> layers, Map<String, String> annotations) {
    public Manifest(Descriptor config, List<Descriptor> layers) { this(2, MediaTypes.MANIFEST, config, List.copyOf(layers), null); }
}
