package popek.image.oci;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An OCI image index (the layout's index.json): the manifests it holds, each with its annotations. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageIndex(int schemaVersion, String mediaType, List<Descriptor> manifests) {
    public ImageIndex(List<Descriptor> manifests) { this(2, MediaTypes.INDEX, List.copyOf(manifests)); }

    public static ImageIndex empty() { return new ImageIndex(List.of()); }

    public List<Descriptor> manifests() { return manifests == null ? List.of() : manifests; }

    public ImageIndex with(List<Descriptor> m) { return new ImageIndex(new ArrayList<>(m)); }
}
