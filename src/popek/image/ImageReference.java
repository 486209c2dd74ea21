package popek.image;

import java.util.regex.Pattern;

/**
 * An image's name and tag, as Docker spells them: {@code NAME[:TAG]}, NAME lower-case path components
 * ({@code [a-z0-9]+} joined by {@code .}, {@code _}, {@code __} or dashes, separated by {@code /}, an optional
 * {@code host[:port]/} first), TAG up to 128 of {@code [A-Za-z0-9_.-]} not starting with {@code .} or {@code -};
 * the tag is {@code latest} when none is given.
 */
public record ImageReference(String name, String tag) {
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern HOST = Pattern.compile("[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    /** A reference that cannot be parsed: the reason, for one line. */
    public static final class InvalidException extends Exception {
        public InvalidException(String message) { super(message); }
    }

    /** Parses {@code NAME[:TAG]}. */
    public static ImageReference parse(String s) throws InvalidException {
        if (s == null || s.isEmpty()) throw new InvalidException("an image name is empty");
        if (s.contains("@")) throw new InvalidException("'" + s + "': references by digest are not supported (use NAME[:TAG] or an image ID)");
        int slash = s.lastIndexOf('/'), colon = s.lastIndexOf(':');
        String name = s, tag = "latest";
        if (colon > slash) {
            name = s.substring(0, colon);
            tag = s.substring(colon + 1);
            if (!TAG.matcher(tag).matches()) throw new InvalidException("'" + s + "': invalid tag '" + tag + "' (letters, digits, _ . -, at most 128, not starting with . or -)");
        }
        if (name.length() > 255) throw new InvalidException("'" + s + "': the name is longer than 255 characters");
        String[] parts = name.split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            boolean host = i == 0 && parts.length > 1 && (p.contains(".") || p.contains(":") || p.equals("localhost"));
            if (host ? !HOST.matcher(p).matches() : !COMPONENT.matcher(p).matches()) {
                throw new InvalidException("'" + s + "': invalid image name (lower-case letters, digits and separators . _ - /)");
            }
        }
        return new ImageReference(name, tag);
    }

    /** Is {@code s} a valid reference? */
    public static boolean isValid(String s) {
        try {
            parse(s);
            return true;
        } catch (InvalidException e) {
            return false;
        }
    }

    @Override
    public String toString() { return name + ":" + tag; }
}
