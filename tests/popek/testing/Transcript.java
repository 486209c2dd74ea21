package popek.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares a guest's serial output with a transcript recorded under QEMU (tests/guests/expected), by the rules in
 * tests/guests/README.md: lines in order; an expected line starting with "~ " is a whole-line regular expression;
 * lines tagged "[X] " are compared per tag (each tag's lines in order, each after the same number of untagged lines
 * as expected), because how concurrent tasks interleave depends on timing.
 */
public final class Transcript {
    private static final Pattern TAG = Pattern.compile("^\\[([A-Za-z0-9]+)\\] ");

    private Transcript() { }

    /** Null if {@code actual} matches {@code expected}; otherwise a description of the first difference. */
    public static String mismatch(List<String> expected, List<String> actual) {
        Split e = split(expected), a = split(actual);
        String d = compare("untagged lines", e.untagged, a.untagged);
        if (d != null) return d;
        for (Map.Entry<String, List<Line>> tag : e.tagged.entrySet()) {
            List<Line> got = a.tagged.getOrDefault(tag.getKey(), List.of());
            d = compare("[" + tag.getKey() + "] lines", tag.getValue(), got);
            if (d != null) return d;
        }
        for (String tag : a.tagged.keySet()) {
            if (!e.tagged.containsKey(tag)) return "unexpected lines tagged [" + tag + "]: " + a.tagged.get(tag).get(0).text;
        }
        return null;
    }

    private record Line(String text, int untaggedBefore) { }

    private record Split(List<Line> untagged, Map<String, List<Line>> tagged) { }

    private static Split split(List<String> lines) {
        List<Line> untagged = new ArrayList<>();
        Map<String, List<Line>> tagged = new HashMap<>();
        for (String l : lines) {
            Matcher m = TAG.matcher(l);
            if (m.find()) tagged.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(new Line(l, untagged.size()));
            else untagged.add(new Line(l, untagged.size()));
        }
        return new Split(untagged, tagged);
    }

    private static String compare(String what, List<Line> expected, List<Line> actual) {
        for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
            if (i >= actual.size()) return what + ": missing line " + (i + 1) + ": " + expected.get(i).text;
            if (i >= expected.size()) return what + ": extra line " + (i + 1) + ": " + actual.get(i).text;
            Line e = expected.get(i), a = actual.get(i);
            boolean same = e.text.startsWith("~ ") ? a.text.matches(e.text.substring(2)) : a.text.equals(e.text);
            if (!same) return what + ", line " + (i + 1) + ": expected \"" + e.text + "\" but got \"" + a.text + "\"";
            if (e.untaggedBefore != a.untaggedBefore) {
                return what + ", line " + (i + 1) + " (\"" + a.text + "\") came after " + a.untaggedBefore
                        + " untagged lines, not " + e.untaggedBefore;
            }
        }
        return null;
    }
}
