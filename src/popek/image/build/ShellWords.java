package popek.image.build;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Docker's word processing of instruction arguments (its shell lexer): quotes ({@code '...'} literal,
 * {@code "..."} with variables and escapes of {@code " $} and the escape character), the escape character outside
 * quotes, and variables {@code $NAME}, {@code ${NAME}}, {@code ${NAME:-word}}, {@code ${NAME-word}},
 * {@code ${NAME:+word}}, {@code ${NAME+word}}, {@code ${NAME:?message}}, {@code ${NAME?message}}. {@link #word}
 * makes one string of the whole text; {@link #words} splits it at unquoted blanks.
 */
public final class ShellWords {
    private final char escape;
    private final Function<String, String> env;

    /** A variable that must be set ({@code ${X:?message}}) and is not. */
    public static final class UnsetException extends Exception {
        UnsetException(String message) { super(message); }
    }

    /** Words with the escape character {@code escape}, variables looked up in {@code env} (null: unset). */
    public ShellWords(char escape, Function<String, String> env) {
        this.escape = escape;
        this.env = env;
    }

    public String word(String text) throws UnsetException {
        List<String> out = new ArrayList<>();
        new Lexer(text, false).run(out);
        return out.isEmpty() ? "" : out.getFirst();
    }

    public List<String> words(String text) throws UnsetException {
        List<String> out = new ArrayList<>();
        new Lexer(text, true).run(out);
        return out;
    }

    /**
     * {@code text} split at unquoted blanks with quotes and escapes left in (ENV and LABEL split so, then process
     * each KEY=VALUE as a word).
     */
    public static List<String> rawWords(String text, char escape) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                if (!cur.isEmpty()) out.add(cur.toString());
                cur.setLength(0);
                continue;
            }
            cur.append(c);
            if (c == escape && quote != '\'' && i + 1 < text.length()) {
                cur.append(text.charAt(++i));
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            }
        }
        if (!cur.isEmpty()) out.add(cur.toString());
        return out;
    }

    private final class Lexer {
        private final String s;
        private final boolean split;
        private int i;
        private final StringBuilder cur = new StringBuilder();
        private boolean inWord;

        Lexer(String s, boolean split) {
            this.s = s;
            this.split = split;
        }

        void run(List<String> out) throws UnsetException {
            while (i < s.length()) {
                char c = s.charAt(i);
                if (split && Character.isWhitespace(c)) {
                    end(out);
                    i++;
                } else if (c == '\'') {
                    inWord = true;
                    int close = s.indexOf('\'', i + 1);
                    if (close < 0) close = s.length();   // as Docker: an unclosed quote runs to the end
                    cur.append(s, i + 1, close);
                    i = close + 1;
                } else if (c == '"') {
                    inWord = true;
                    i++;
                    doubleQuoted();
                } else if (c == escape) {
                    inWord = true;
                    if (i + 1 < s.length()) cur.append(s.charAt(i + 1));
                    i += 2;
                } else if (c == '$') {
                    String v = dollar();
                    if (split) {
                        // An unquoted expansion is split at blanks, as a shell splits it.
                        for (int k = 0; k < v.length(); k++) {
                            char x = v.charAt(k);
                            if (Character.isWhitespace(x)) end(out);
                            else {
                                cur.append(x);
                                inWord = true;
                            }
                        }
                    } else {
                        cur.append(v);
                        inWord = true;
                    }
                } else {
                    cur.append(c);
                    inWord = true;
                    i++;
                }
            }
            end(out);
        }

        private void end(List<String> out) {
            if (inWord || (!split && out.isEmpty())) out.add(cur.toString());
            cur.setLength(0);
            inWord = false;
        }

        private void doubleQuoted() throws UnsetException {
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '"') {
                    i++;
                    return;
                }
                if (c == escape && i + 1 < s.length()) {
                    char n = s.charAt(i + 1);
                    if (n == '"' || n == '$' || n == escape) {
                        cur.append(n);
                        i += 2;
                        continue;
                    }
                    cur.append(c);
                    i++;
                    continue;
                }
                if (c == '$') {
                    cur.append(dollar());
                    continue;
                }
                cur.append(c);
                i++;
            }
        }

        /** At a '$': the expansion (or "$" itself when no name follows). */
        private String dollar() throws UnsetException {
            i++;
            if (i >= s.length()) return "$";
            char c = s.charAt(i);
            if (c != '{') {
                int start = i;
                while (i < s.length() && isNameChar(s.charAt(i))) i++;
                if (i == start) return "$";
                return value(s.substring(start, i));
            }
            i++;
            int start = i;
            while (i < s.length() && isNameChar(s.charAt(i))) i++;
            String name = s.substring(start, i);
            if (name.isEmpty()) throw new UnsetException("bad substitution: a ${...} without a name");
            if (i < s.length() && s.charAt(i) == '}') {
                i++;
                return value(name);
            }
            boolean colon = i < s.length() && s.charAt(i) == ':';
            if (colon) i++;
            if (i >= s.length()) throw new UnsetException("bad substitution: ${" + name + " is not closed");
            char op = s.charAt(i++);
            int close = closing();
            String wordText = s.substring(i, close);
            i = close + 1;
            String v = env.apply(name);
            boolean set = colon ? v != null && !v.isEmpty() : v != null;
            return switch (op) {
                case '-' -> set ? v : new ShellWords(escape, env).word(wordText);
                case '+' -> set ? new ShellWords(escape, env).word(wordText) : "";
                case '?' -> {
                    if (!set) throw new UnsetException(name + ": " + (wordText.isEmpty() ? "is not set" : new ShellWords(escape, env).word(wordText)));
                    yield v;
                }
                default -> throw new UnsetException("unsupported modifier '" + (colon ? ":" : "") + op + "' in ${" + name + "...}");
            };
        }

        /** The '}' closing the current ${...}, nested braces counted. */
        private int closing() throws UnsetException {
            int depth = 1;
            for (int k = i; k < s.length(); k++) {
                char c = s.charAt(k);
                if (c == escape) k++;
                else if (c == '{') depth++;
                else if (c == '}' && --depth == 0) return k;
            }
            throw new UnsetException("bad substitution: a ${...} is not closed");
        }

        private String value(String name) {
            String v = env.apply(name);
            return v == null ? "" : v;
        }
    }

    private static boolean isNameChar(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
}
