package popek.image.build;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import popek.image.oci.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads a Popekfile (a Dockerfile) into instructions with Docker's rules: parser directives at the very top
 * ({@code # escape=`}, {@code # syntax=...} ignored), comment lines (a {@code #} first on the line, also between
 * continued lines), blank lines, continuations (the escape character last on a line, blanks after it allowed),
 * keywords in any case, leading {@code --flag=value}s, and the exec form: arguments that are a JSON array of strings
 * (anything else is the shell form, as Docker takes it).
 */
public final class PopekfileParser {
    private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9_-]*)\\s*=\\s*(.*?)\\s*$");
    private static final Set<String> KEYWORDS = Set.of("FROM", "ARG", "ENV", "LABEL", "RUN", "COPY", "ADD", "WORKDIR", "USER",
            "EXPOSE", "VOLUME", "CMD", "ENTRYPOINT", "SHELL", "STOPSIGNAL", "MAINTAINER", "ONBUILD", "HEALTHCHECK");
    private static final Set<String> JSON_FORMS = Set.of("RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "VOLUME", "SHELL");
    private static final Set<String> FLAGGED = Set.of("FROM", "RUN", "COPY", "ADD");

    private final String file;
    private char escape = '\\';

    public PopekfileParser(String file) { this.file = file; }

    /** The escape character the file's directive chose (default backslash). */
    public char escape() { return escape; }

    public List<Instruction> parse(String text) throws BuildException {
        String[] lines = text.split("\n", -1);
        List<Instruction> out = new ArrayList<>();
        int i = 0;
        // Directives: only at the very top, before any comment, blank line or instruction.
        Set<String> seen = new java.util.HashSet<>();
        for (; i < lines.length; i++) {
            Matcher m = DIRECTIVE.matcher(stripCr(lines[i]));
            if (!m.matches()) break;
            String name = m.group(1).toLowerCase();
            if (!Set.of("escape", "syntax", "check").contains(name)) break;   // an unknown one is a comment, and ends them
            if (!seen.add(name)) throw new BuildException(file, i + 1, "the parser directive '" + name + "' is given twice");
            if (name.equals("escape")) {
                String v = m.group(2);
                if (!v.equals("\\") && !v.equals("`")) throw new BuildException(file, i + 1, "invalid escape character '" + v + "': must be ` or \\");
                escape = v.charAt(0);
            }
        }
        Pattern continuation = Pattern.compile(Pattern.quote(String.valueOf(escape)) + "[ \\t]*$");
        while (i < lines.length) {
            String line = stripCr(lines[i]);
            int start = i + 1;
            i++;
            if (isCommentOrBlank(line)) continue;
            StringBuilder logical = new StringBuilder();
            Matcher c = continuation.matcher(line);
            boolean more = c.find();
            logical.append(more ? line.substring(0, c.start()) : line);
            while (more && i < lines.length) {
                String next = stripCr(lines[i]);
                i++;
                if (isCommentOrBlank(next)) continue;
                c = continuation.matcher(next);
                more = c.find();
                logical.append(more ? next.substring(0, c.start()) : next);
            }
            out.add(instruction(start, logical.toString().strip()));
        }
        return out;
    }

    private static String stripCr(String s) { return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s; }

    private static boolean isCommentOrBlank(String s) {
        String t = s.stripLeading();
        return t.isEmpty() || t.startsWith("#");
    }

    private Instruction instruction(int line, String text) throws BuildException {
        int sp = 0;
        while (sp < text.length() && !Character.isWhitespace(text.charAt(sp))) sp++;
        String keyword = text.substring(0, sp).toUpperCase();
        if (!KEYWORDS.contains(keyword)) throw new BuildException(file, line, "unknown instruction: " + text.substring(0, sp));
        String args = text.substring(sp).strip();
        Map<String, String> flags = new LinkedHashMap<>();
        if (FLAGGED.contains(keyword)) {
            while (args.startsWith("--")) {
                int end = 0;
                while (end < args.length() && !Character.isWhitespace(args.charAt(end))) end++;
                String flag = args.substring(2, end);
                int eq = flag.indexOf('=');
                if (flag.isEmpty() || eq == 0) throw new BuildException(file, line, keyword + ": malformed flag '" + args.substring(0, end) + "'");
                flags.put(eq < 0 ? flag : flag.substring(0, eq), eq < 0 ? "" : flag.substring(eq + 1));
                args = args.substring(end).stripLeading();
            }
        }
        List<String> json = JSON_FORMS.contains(keyword) ? jsonArray(args) : null;
        if (args.isEmpty() && !keyword.equals("ARG")) throw new BuildException(file, line, keyword + " requires at least one argument");
        return new Instruction(line, keyword, flags, args, json);
    }

    /** The strings of a JSON array, or null if {@code s} is not one (then it is the shell form). */
    static List<String> jsonArray(String s) {
        if (!s.startsWith("[")) return null;
        try {
            JsonNode n = Json.mapper().readTree(s);
            if (n == null || !n.isArray()) return null;
            List<String> out = new ArrayList<>();
            for (JsonNode e : n) {
                if (!e.isString()) return null;
                out.add(e.asString());
            }
            return out;
        } catch (JacksonException e) {
            return null;
        }
    }
}
