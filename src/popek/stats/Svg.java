package popek.stats;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * A minimal SVG writer: elements with attributes given as name, value pairs, every text and attribute value escaped,
 * numbers rounded to 0.1 px (finer is invisible and bloats the file), one element per indented line so the output
 * diffs and reads well. Tracks open elements so a missing close fails loudly instead of producing broken XML.
 */
final class Svg {
    private final StringBuilder out = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    private final Deque<String> open = new ArrayDeque<>();

    /** {@code <name a="v" …>}, to be closed by {@link #close(String)}. */
    void open(String name, Object... attributes) {
        indent().append('<').append(name);
        attributes(attributes);
        out.append(">\n");
        open.push(name);
    }

    void close(String name) {
        String expected = open.pop();
        if (!expected.equals(name)) throw new IllegalStateException("closing <" + name + "> inside <" + expected + ">");
        indent().append("</").append(name).append(">\n");
    }

    /** {@code <name a="v" …/>}. */
    void leaf(String name, Object... attributes) {
        indent().append('<').append(name);
        attributes(attributes);
        out.append("/>\n");
    }

    /** {@code <name a="v" …>text</name>}. */
    void element(String name, String text, Object... attributes) {
        indent().append('<').append(name);
        attributes(attributes);
        out.append('>').append(ReportFormat.xml(text)).append("</").append(name).append(">\n");
    }

    /** A {@code <text>} element. */
    void text(String text, Object... attributes) { element("text", text, attributes); }

    @Override
    public String toString() {
        if (!open.isEmpty()) throw new IllegalStateException("unclosed <" + open.peek() + ">");
        return out.toString();
    }

    private StringBuilder indent() { return out.append("  ".repeat(open.size())); }

    private void attributes(Object[] pairs) {
        if (pairs.length % 2 != 0) throw new IllegalArgumentException("attributes come in name, value pairs");
        for (int i = 0; i < pairs.length; i += 2) {
            out.append(' ').append(pairs[i]).append("=\"").append(ReportFormat.xml(value(pairs[i + 1]))).append('"');
        }
    }

    private static String value(Object v) {
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            String s = String.format(Locale.ROOT, "%.1f", d);
            if (s.endsWith(".0")) s = s.substring(0, s.length() - 2);
            return s.equals("-0") ? "0" : s;
        }
        return String.valueOf(v);
    }
}
