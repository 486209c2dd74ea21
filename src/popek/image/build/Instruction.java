package popek.image.build;

import java.util.List;
import java.util.Map;

/**
 * One instruction of a Popekfile: where it starts (its first line), its keyword (upper case), its flags
 * ({@code --chown=0:0} as chown -> 0:0), its arguments as written (continuations joined, flags taken off) and, for
 * the exec (JSON) form, the parsed array (null for the shell form).
 */
public record Instruction(int line, String keyword, Map<String, String> flags, String args, List<String> json) {
    public boolean isJson() { return json != null; }

    /** The instruction as history shows it (flags and arguments as written). */
    public String text() {
        StringBuilder b = new StringBuilder(keyword);
        for (Map.Entry<String, String> f : flags.entrySet()) b.append(" --").append(f.getKey()).append('=').append(f.getValue());
        return b.append(' ').append(args).toString();
    }
}
