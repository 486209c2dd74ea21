package popek.image.oci;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * The store's three kinds of JSON (index, manifest, image config) read with Jackson's streaming parser alone: every
 * {@code popek run IMAGE} reads them, and jackson-core starts in a fraction of the time jackson-databind's object
 * mapper takes to build itself (measured: about 0.2 s of CPU against 0.8 s, cold), so the mapper is left to writing
 * and to builds. The values become plain maps and lists first, then the records.
 */
final class JsonReading {
    private JsonReading() { }

    private static final JsonFactory FACTORY = new JsonFactory();

    static Object parse(byte[] json, String what) throws Json.MalformedException {
        try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), json)) {
            if (p.nextToken() == null) throw new Json.MalformedException(what + " is empty");
            Object v = value(p);
            if (p.nextToken() != null) throw new Json.MalformedException(what + " has more after its JSON value");
            return v;
        } catch (JacksonException e) {
            throw new Json.MalformedException(what + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static Object value(JsonParser p) {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String k = p.currentName();
                    p.nextToken();
                    m.put(k, value(p));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) l.add(value(p));
                return l;
            }
            case VALUE_STRING -> { return p.getString(); }
            case VALUE_NUMBER_INT -> { return p.getLongValue(); }
            case VALUE_NUMBER_FLOAT -> { return p.getDoubleValue(); }
            case VALUE_TRUE -> { return Boolean.TRUE; }
            case VALUE_FALSE -> { return Boolean.FALSE; }
            default -> { return null; }
        }
    }

    /** Reads {@code json} as {@code type} if it is one of the store's records; null for any other type. */
    @SuppressWarnings("unchecked")
    static <T> T read(byte[] json, Class<T> type, String what) throws Json.MalformedException {
        if (type != ImageIndex.class && type != Manifest.class && type != ImageConfiguration.class) return null;
        Map<String, Object> m = object(parse(json, what), what);
        if (type == ImageIndex.class) return (T) new ImageIndex(integer(m, "schemaVersion", what), string(m, "mediaType", what), descriptors(m.get("manifests"), what));
        if (type == Manifest.class) {
            return (T) new Manifest(integer(m, "schemaVersion", what), string(m, "mediaType", what),
                    m.get("config") == null ? null : descriptor(m.get("config"), what), descriptors(m.get("layers"), what), strings(m.get("annotations"), what));
        }
        Map<String, Object> rootfs = m.get("rootfs") == null ? null : object(m.get("rootfs"), what);
        List<ImageConfiguration.History> history = null;
        if (m.get("history") != null) {
            history = new ArrayList<>();
            for (Object h : list(m.get("history"), what)) {
                Map<String, Object> e = object(h, what);
                history.add(new ImageConfiguration.History(string(e, "created", what), string(e, "created_by", what), string(e, "comment", what),
                        e.get("empty_layer") instanceof Boolean b ? b : null));
            }
        }
        return (T) new ImageConfiguration(string(m, "created", what), string(m, "author", what), string(m, "architecture", what),
                string(m, "os", what), m.get("config") == null ? null : runConfig(object(m.get("config"), what), what),
                rootfs == null ? null : new ImageConfiguration.RootFs(string(rootfs, "type", what), stringList(rootfs.get("diff_ids"), what)), history);
    }

    private static ImageConfiguration.RunConfig runConfig(Map<String, Object> c, String what) throws Json.MalformedException {
        return new ImageConfiguration.RunConfig(string(c, "User", what), set(c.get("ExposedPorts"), what), stringList(c.get("Env"), what),
                stringList(c.get("Entrypoint"), what), stringList(c.get("Cmd"), what), set(c.get("Volumes"), what), string(c, "WorkingDir", what),
                strings(c.get("Labels"), what), string(c, "StopSignal", what));
    }

    private static List<Descriptor> descriptors(Object v, String what) throws Json.MalformedException {
        if (v == null) return null;
        List<Descriptor> out = new ArrayList<>();
        for (Object d : list(v, what)) out.add(descriptor(d, what));
        return out;
    }

    private static Descriptor descriptor(Object v, String what) throws Json.MalformedException {
        Map<String, Object> d = object(v, what);
        Descriptor.Platform platform = null;
        if (d.get("platform") != null) {
            Map<String, Object> p = object(d.get("platform"), what);
            platform = new Descriptor.Platform(string(p, "architecture", what), string(p, "os", what));
        }
        Object size = d.get("size");
        if (size != null && !(size instanceof Long)) throw new Json.MalformedException(what + ": a descriptor's size is not a whole number");
        return new Descriptor(string(d, "mediaType", what), string(d, "digest", what), size == null ? 0 : (Long) size,
                strings(d.get("annotations"), what), platform);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object v, String what) throws Json.MalformedException {
        if (v instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw new Json.MalformedException(what + ": an object was expected");
    }

    private static List<Object> list(Object v, String what) throws Json.MalformedException {
        if (v instanceof List<?> l) return new ArrayList<>(l);
        throw new Json.MalformedException(what + ": a list was expected");
    }

    private static String string(Map<String, Object> m, String key, String what) throws Json.MalformedException {
        Object v = m.get(key);
        if (v == null || v instanceof String) return (String) v;
        throw new Json.MalformedException(what + ": " + key + " is not a string");
    }

    private static int integer(Map<String, Object> m, String key, String what) throws Json.MalformedException {
        Object v = m.get(key);
        if (v == null) return 0;
        if (v instanceof Long l) return l.intValue();
        throw new Json.MalformedException(what + ": " + key + " is not a number");
    }

    private static List<String> stringList(Object v, String what) throws Json.MalformedException {
        if (v == null) return null;
        List<String> out = new ArrayList<>();
        for (Object s : list(v, what)) {
            if (!(s instanceof String str)) throw new Json.MalformedException(what + ": a list of strings holds something else");
            out.add(str);
        }
        return out;
    }

    private static Map<String, String> strings(Object v, String what) throws Json.MalformedException {
        if (v == null) return null;
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : object(v, what).entrySet()) {
            if (!(e.getValue() instanceof String s)) throw new Json.MalformedException(what + ": " + e.getKey() + " is not a string");
            out.put(e.getKey(), s);
        }
        return out;
    }

    /** ExposedPorts and Volumes: keys whose values are empty objects. */
    private static Map<String, Map<String, Object>> set(Object v, String what) throws Json.MalformedException {
        if (v == null) return null;
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (String k : object(v, what).keySet()) out.put(k, Map.of());
        return out;
    }
}
