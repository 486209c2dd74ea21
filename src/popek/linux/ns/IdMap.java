package popek.linux.ns;

import java.util.ArrayList;
import java.util.List;

import popek.linux.abi.Errno;

/**
 * A uid_map or gid_map of a user namespace (Linux's uid_gid_map): ranges of ids of the namespace, each mapped to a
 * range of kernel ids (the ids of the initial namespace, which credentials and inodes hold). Ids are unsigned 32-bit;
 * (u32)-1 is never mapped. Immutable.
 */
public final class IdMap {
    /** Linux's limit on the lines of a map (since 4.15). */
    static final int MAX_EXTENTS = 340;
    private static final long NONE = 0xFFFFFFFFL;

    /** {@code count} ids from {@code first} in the namespace are the kernel ids from {@code lower}. */
    record Extent(long first, long lower, long count) {
        boolean holds(long id) { return id >= first && id - first < count; }

        boolean holdsKernel(long kid) { return kid >= lower && kid - lower < count; }
    }

    /** The initial namespace's map: 0..4294967294 to themselves. */
    static final IdMap IDENTITY = new IdMap(List.of(new Extent(0, 0, NONE)));

    private final List<Extent> extents;

    private IdMap(List<Extent> extents) { this.extents = List.copyOf(extents); }

    /** The kernel id of namespace id {@code id}, or -1 when it is not mapped. */
    public int down(int id) {
        long v = id & NONE;
        for (Extent e : extents) if (e.holds(v)) return (int) (e.lower + (v - e.first));
        return -1;
    }

    /** The namespace id of kernel id {@code kid}, or -1 when it is not mapped. */
    public int up(int kid) {
        long v = kid & NONE;
        for (Extent e : extents) if (e.holdsKernel(v)) return (int) (e.first + (v - e.lower));
        return -1;
    }

    /** The kernel id of {@code first}, if the {@code count} ids from it all lie in one extent (map_id_range_down); else -1. */
    long downRange(long first, long count) {
        for (Extent e : extents) {
            if (first >= e.first && first - e.first < e.count && first - e.first + count <= e.count) return e.lower + (first - e.first);
        }
        return -1;
    }

    List<Extent> extents() { return extents; }

    /**
     * The lines a program writes to uid_map or gid_map (its final newline already dropped), parsed as Linux's
     * map_write parses them: each line three numbers (first, lower first, count), at most 340 lines, no range wrapping or empty, none overlapping another
     * (in either column). The lower ids are left as written (ids of the parent namespace). EINVAL for anything else.
     */
    static List<Extent> parse(String text) {
        List<Extent> out = new ArrayList<>();
        if (text.isEmpty()) throw Errno.error(Errno.EINVAL);
        for (String line : text.split("\n", -1)) {
            int[] pos = {0};
            long first = number(line, pos, true), lower = number(line, pos, true), count = number(line, pos, false);
            while (pos[0] < line.length() && Character.isWhitespace(line.charAt(pos[0]))) pos[0]++;
            if (pos[0] != line.length()) throw Errno.error(Errno.EINVAL);
            if (first == NONE || lower == NONE) throw Errno.error(Errno.EINVAL);
            if (count == 0 || first + count > NONE || lower + count > NONE) throw Errno.error(Errno.EINVAL);   // wraps in u32
            for (Extent e : out) {
                if (overlaps(first, count, e.first, e.count) || overlaps(lower, count, e.lower, e.count)) throw Errno.error(Errno.EINVAL);
            }
            if (out.size() == MAX_EXTENTS) throw Errno.error(Errno.EINVAL);
            out.add(new Extent(first, lower, count));
        }
        return out;
    }

    private static boolean overlaps(long a, long n, long b, long m) { return a < b + m && b < a + n; }

    /** An unsigned decimal number at {@code pos[0]} (leading blanks skipped), followed by a blank unless {@code last}. */
    private static long number(String s, int[] pos, boolean spaceAfter) {
        int i = pos[0];
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        int start = i;
        long v = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            v = v * 10 + (s.charAt(i) - '0');
            if (v > NONE) throw Errno.error(Errno.EINVAL);
            i++;
        }
        if (i == start) throw Errno.error(Errno.EINVAL);
        if (spaceAfter && (i == s.length() || !Character.isWhitespace(s.charAt(i)))) throw Errno.error(Errno.EINVAL);
        pos[0] = i;
        return v;
    }

    /** A map of {@code extents} whose lower ids are already kernel ids. */
    static IdMap of(List<Extent> extents) { return new IdMap(extents); }
}
