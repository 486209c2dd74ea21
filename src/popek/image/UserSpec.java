package popek.image;

import java.io.IOException;

/**
 * A USER or {@code --chown} value, {@code user[:group]} by name or number, resolved against the image's
 * /etc/passwd and /etc/group as Docker resolves it: a user alone takes that user's primary group (a number alone, the
 * same number as group).
 */
public record UserSpec(int uid, int gid) {
    /** A name the image's files do not have. */
    public static final class UnknownException extends Exception {
        UnknownException(String message) { super(message); }
    }

    public static UserSpec resolve(String spec, RootfsView root) throws UnknownException, IOException {
        if (spec == null || spec.isEmpty()) return new UserSpec(0, 0);
        String[] p = spec.split(":", 2);
        String user = p[0], group = p.length > 1 ? p[1] : null;
        int uid, gid;
        if (isNumber(user)) {
            uid = Integer.parseInt(user);
            String[] entry = entry(root, "/etc/passwd", user, 2);
            gid = entry != null ? Integer.parseInt(entry[3]) : uid;
        } else {
            String[] entry = entry(root, "/etc/passwd", user, 0);
            if (entry == null) throw new UnknownException("unable to find user " + user + ": no matching entries in passwd file");
            uid = Integer.parseInt(entry[2]);
            gid = Integer.parseInt(entry[3]);
        }
        if (group != null && !group.isEmpty()) {
            if (isNumber(group)) {
                gid = Integer.parseInt(group);
            } else {
                String[] entry = entry(root, "/etc/group", group, 0);
                if (entry == null) throw new UnknownException("unable to find group " + group + ": no matching entries in group file");
                gid = Integer.parseInt(entry[2]);
            }
        }
        return new UserSpec(uid, gid);
    }

    private static boolean isNumber(String s) { return !s.isEmpty() && s.length() < 10 && s.chars().allMatch(Character::isDigit); }

    /** The first line of {@code file} whose field {@code field} is {@code value}, split at ':', or null. */
    private static String[] entry(RootfsView root, String file, String value, int field) throws IOException {
        String text = root.read(file);
        if (text == null) return null;
        for (String line : text.split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length > Math.max(field, 3) && f[field].equals(value) && isNumber(f[2]) && (file.endsWith("group") || isNumber(f[3]))) return f;
        }
        return null;
    }
}
