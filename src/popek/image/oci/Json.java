package popek.image.oci;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The store's JSON: compact, map keys sorted (so the same image is the same bytes, hence the same digest). */
public final class Json {
    private Json() { }

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    /** A JSON document that is not what it should be: a one-line reason. */
    public static final class MalformedException extends Exception {
        public MalformedException(String message) { super(message); }
    }

    public static byte[] write(Object value) { return MAPPER.writeValueAsBytes(value); }

    public static <T> T read(byte[] json, Class<T> type, String what) throws MalformedException {
        try {
            T v = MAPPER.readValue(json, type);
            if (v == null) throw new MalformedException(what + " is empty");
            return v;
        } catch (JacksonException e) {
            throw new MalformedException(what + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    public static ObjectMapper mapper() { return MAPPER; }
}
