package popek.image.oci;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The store's JSON: written compact with map keys sorted (so the same image is the same bytes, hence the same digest)
 * by jackson-databind; the store's own records read by the streaming parser ({@link JsonReading}), which starts much
 * faster, so that popek run never builds the object mapper.
 */
public final class Json {
    private Json() { }

    /** The mapper, built on first use. */
    private static final class Mapper {
        static final ObjectMapper MAPPER = JsonMapper.builder()
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .build();
    }

    /** A JSON document that is not what it should be: a one-line reason. */
    public static final class MalformedException extends Exception {
        public MalformedException(String message) { super(message); }
    }

    public static byte[] write(Object value) { return Mapper.MAPPER.writeValueAsBytes(value); }

    public static <T> T read(byte[] json, Class<T> type, String what) throws MalformedException {
        T fast = JsonReading.read(json, type, what);
        if (fast != null) return fast;
        try {
            T v = Mapper.MAPPER.readValue(json, type);
            if (v == null) throw new MalformedException(what + " is empty");
            return v;
        } catch (JacksonException e) {
            throw new MalformedException(what + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    public static ObjectMapper mapper() { return Mapper.MAPPER; }
}
