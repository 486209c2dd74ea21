package popek.image.oci;

/** The media types of the OCI image spec (and Docker's, which an archive made by docker save may hold). */
public final class MediaTypes {
    private MediaTypes() { }

    public static final String INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /** The annotation that names an index entry (Popek writes NAME:TAG there). */
    public static final String REF_NAME = "org.opencontainers.image.ref.name";
    /** containerd's and docker save's full image name, read by docker load. */
    public static final String CONTAINERD_NAME = "io.containerd.image.name";
    /** Popek's own: which built-in image (and recipe) an imported image was made from. */
    public static final String BUILTIN = "io.popek.builtin";

    public static boolean isIndex(String t) { return INDEX.equals(t) || DOCKER_MANIFEST_LIST.equals(t); }

    public static boolean isManifest(String t) { return MANIFEST.equals(t) || DOCKER_MANIFEST.equals(t); }
}
