package popek.image.build;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code .popekignore} / {@code .dockerignore}: one pattern a line ({@code #} lines are comments), Go's
 * filepath.Match syntax ({@code *}, {@code ?}, {@code [...]}, the escape {@code \}) plus {@code **} for any number of
 * directories, a leading {@code !} making an exception. A path is excluded if the last pattern matching it or one of
 * its parent directories is not an exception, as Docker's pattern matcher decides.
 */
public final class IgnoreRules {
    private record Rule(Pattern pattern, boolean exception) { }

    private final List<Rule> rules = new ArrayList<>();

    public static IgnoreRules parse(String text) {
        IgnoreRules r = new IgnoreRules();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            boolean exception = line.startsWith("!");
            if (exception) line = line.substring(1).strip();
            line = clean(line);
            if (line.isEmpty()) continue;
            r.rules.add(new Rule(Pattern.compile(regex(line)), exception));
        }
        return r;
    }

    public static IgnoreRules none() { return new IgnoreRules(); }

    /** Leading '/', "./" and repeated or trailing slashes taken off; "a/../b" resolved (Go's filepath.Clean). */
    private static String clean(String p) {
        List<String> parts = new ArrayList<>();
        for (String s : p.split("/")) {
            if (s.isEmpty() || s.equals(".")) continue;
            if (s.equals("..")) {
                if (!parts.isEmpty()) parts.removeLast();
                continue;
            }
            parts.add(s);
        }
        return String.join("/", parts);
    }

    static String regex(String pattern) {
        StringBuilder b = new StringBuilder("^");
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*') {
                if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                    i++;
                    if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '/') {
                        i++;
                        b.append("(?:.*/)?");   // "**/" is zero or more directories
                    } else {
                        b.append(".*");
                    }
                } else {
                    b.append("[^/]*");
                }
            } else if (c == '?') {
                b.append("[^/]");
            } else if (c == '[') {
                int close = pattern.indexOf(']', i + 2);
                if (close < 0) {
                    b.append("\\[");
                    continue;
                }
                String cls = pattern.substring(i + 1, close);
                if (cls.startsWith("^")) cls = "!" + cls.substring(1);
                b.append('[').append(cls.startsWith("!") ? "^" + cls.substring(1).replace("\\", "\\\\") : cls.replace("\\", "\\\\")).append(']');
                i = close;
            } else if (c == '\\' && i + 1 < pattern.length()) {
                b.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
            } else {
                b.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return b.append('$').toString();
    }

    /** Is {@code path} (relative to the context, '/'-separated) left out of the build? */
    public boolean excludes(String path) {
        boolean excluded = false;
        String[] parts = path.split("/");
        for (Rule r : rules) {
            boolean match = false;
            StringBuilder prefix = new StringBuilder();
            for (int k = 0; k < parts.length && !match; k++) {
                if (k > 0) prefix.append('/');
                prefix.append(parts[k]);
                match = r.pattern.matcher(prefix).matches();
            }
            if (match) excluded = !r.exception;
        }
        return excluded;
    }

    /** Could an exception re-include something below the excluded directory {@code dir}? (Then it must be walked.) */
    public boolean hasExceptions() { return rules.stream().anyMatch(Rule::exception); }
}
