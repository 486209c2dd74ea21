package popek.image.oci;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store's JSON: written by databind, read back by the streaming reader into equal records; bad documents refused. */
class JsonTest {
    private static final Descriptor D = new Descriptor(MediaTypes.MANIFEST, "sha256:" + "ab".repeat(32), 1234,
            Map.of(MediaTypes.REF_NAME, "web:1"), new Descriptor.Platform("386", "linux"));

    @Test
    void everyRecordReadsBackEqual() throws Exception {
        ImageIndex index = new ImageIndex(List.of(D, new Descriptor(MediaTypes.MANIFEST, D.digest(), 5)));
        assertEquals(index, Json.read(Json.write(index), ImageIndex.class, "index"));
        Manifest m = new Manifest(new Descriptor(MediaTypes.CONFIG, D.digest(), 7), List.of(new Descriptor(MediaTypes.LAYER_GZIP, D.digest(), 1L << 33)));
        assertEquals(m, Json.read(Json.write(m), Manifest.class, "manifest"));
        ImageConfiguration c = ImageConfiguration.scratch()
                .withConfig(new ImageConfiguration.RunConfig("app:staff", Map.of("80/tcp", Map.of()), List.of("A=1", "B=two words"), List.of("/ep"),
                        List.of("cmd", "arg"), Map.of("/data", Map.of()), "/srv", Map.of("k", "v"), "SIGINT"))
                .withStep("2026-01-01T00:00:00Z", "RUN x", "sha256:" + "cd".repeat(32))
                .withStep("2026-01-01T00:00:01Z", "CMD [\"cmd\"]", null)
                .withAuthor("someone");
        assertEquals(c, Json.read(Json.write(c), ImageConfiguration.class, "config"));
        assertTrue(new String(Json.write(c), StandardCharsets.UTF_8).contains("\"empty_layer\":true"));
    }

    @Test
    void unknownFieldsAreIgnoredAndMistakesNamed() throws Exception {
        ImageConfiguration c = Json.read("{\"architecture\":\"386\",\"os\":\"linux\",\"os.version\":\"x\",\"config\":{\"Healthcheck\":{\"Test\":[\"x\"]}}}"
                .getBytes(StandardCharsets.UTF_8), ImageConfiguration.class, "cfg");
        assertEquals("386", c.architecture());
        assertEquals(List.of(), c.diffIds());
        Json.MalformedException e = assertThrows(Json.MalformedException.class,
                () -> Json.read("{\"config\":{\"Env\":[1]}}".getBytes(StandardCharsets.UTF_8), ImageConfiguration.class, "cfg"));
        assertEquals("cfg: a list of strings holds something else", e.getMessage());
        assertThrows(Json.MalformedException.class, () -> Json.read("{\"manifests\":".getBytes(StandardCharsets.UTF_8), ImageIndex.class, "idx"));
        assertThrows(Json.MalformedException.class, () -> Json.read("[]".getBytes(StandardCharsets.UTF_8), Manifest.class, "m"));
        assertThrows(Json.MalformedException.class, () -> Json.read("{} {}".getBytes(StandardCharsets.UTF_8), Manifest.class, "m"));
    }
}
