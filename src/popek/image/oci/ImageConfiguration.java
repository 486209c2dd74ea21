package popek.image.oci;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An OCI image configuration: the platform, what a container of the image runs ({@link RunConfig}), the layers'
 * uncompressed digests (rootfs.diff_ids, the lowest first) and the history of the steps that made it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageConfiguration(String created, String author, String architecture, String os, RunConfig config,
                                 RootFs rootfs, List<History> history) {
    /** The execution parameters (the OCI spec's "config" object, with Docker's capitalised names). */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record RunConfig(@JsonProperty("User") String user, @JsonProperty("ExposedPorts") Map<String, Map<String, Object>> exposedPorts,
                            @JsonProperty("Env") List<String> env, @JsonProperty("Entrypoint") List<String> entrypoint,
                            @JsonProperty("Cmd") List<String> cmd, @JsonProperty("Volumes") Map<String, Map<String, Object>> volumes,
                            @JsonProperty("WorkingDir") String workingDir, @JsonProperty("Labels") Map<String, String> labels,
                            @JsonProperty("StopSignal") String stopSignal) {
        public static final RunConfig EMPTY = new RunConfig(null, null, null, null, null, null, null, null, null);
    }

    /** The layers' diff_ids: sha256 of each layer's uncompressed tar. */
    public record RootFs(String type, @JsonProperty("diff_ids") List<String> diffIds) {
        public List<String> diffIds() { return diffIds == null ? List.of() : diffIds; }
    }

    /** One step of the image's making; {@code empty_layer} when it added no layer. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record History(String created, @JsonProperty("created_by") String createdBy, String comment,
                          @JsonProperty("empty_layer") Boolean emptyLayer) {
        public boolean isEmptyLayer() { return emptyLayer != null && emptyLayer; }
    }

    public RunConfig config() { return config == null ? RunConfig.EMPTY : config; }

    public List<History> history() { return history == null ? List.of() : history; }

    public List<String> diffIds() { return rootfs == null ? List.of() : rootfs.diffIds(); }

    /** An empty image for i386 Linux (FROM scratch). */
    public static ImageConfiguration scratch() {
        return new ImageConfiguration(null, null, "386", "linux", RunConfig.EMPTY, new RootFs("layers", List.of()), List.of());
    }

    public ImageConfiguration withConfig(RunConfig c) { return new ImageConfiguration(created, author, architecture, os, c, rootfs, history); }

    public ImageConfiguration withAuthor(String a) { return new ImageConfiguration(created, a, architecture, os, config, rootfs, history); }

    /** This image with one more step: a layer ({@code diffId}) or none (null), made at {@code time} by {@code createdBy}. */
    public ImageConfiguration withStep(String time, String createdBy, String diffId) {
        List<History> h = new ArrayList<>(history());
        h.add(new History(time, createdBy, null, diffId == null ? Boolean.TRUE : null));
        List<String> ids = new ArrayList<>(diffIds());
        if (diffId != null) ids.add(diffId);
        return new ImageConfiguration(time, author, architecture, os, config, new RootFs("layers", ids), h);
    }
}
