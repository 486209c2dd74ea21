package popek.cpu;

import java.util.Arrays;

/**
 * CPUID leaves the user configured (`--cpuid`): each replaces what the CPU model answers for its leaf, or for one
 * sub-leaf of it. Leaves not listed keep the model's answer (Unicorn's). Immutable; lookups allocate nothing.
 */
public final class CpuidTable {
    /** Sub-leaf wildcard: the entry answers for every ECX. */
    public static final int ANY = -1;

    private final int[] leaves, subleaves, values;   // values: 4 per entry, EAX EBX ECX EDX

    private CpuidTable(int[] leaves, int[] subleaves, int[] values) {
        this.leaves = leaves;
        this.subleaves = subleaves;
        this.values = values;
    }

    public static final CpuidTable EMPTY = new CpuidTable(new int[0], new int[0], new int[0]);

    /** This table with one more entry (a later entry for the same leaf and sub-leaf wins). */
    public CpuidTable with(int leaf, int subleaf, int eax, int ebx, int ecx, int edx) {
        int n = leaves.length;
        int[] l = Arrays.copyOf(leaves, n + 1), s = Arrays.copyOf(subleaves, n + 1), v = Arrays.copyOf(values, 4 * n + 4);
        l[n] = leaf;
        s[n] = subleaf;
        v[4 * n] = eax;
        v[4 * n + 1] = ebx;
        v[4 * n + 2] = ecx;
        v[4 * n + 3] = edx;
        return new CpuidTable(l, s, v);
    }

    public boolean isEmpty() { return leaves.length == 0; }

    /** This table's entries, then {@code later}'s (which win where both answer the same leaf). */
    public CpuidTable then(CpuidTable later) {
        CpuidTable t = this;
        for (int i = 0; i < later.leaves.length; i++) {
            t = t.with(later.leaves[i], later.subleaves[i], later.value(i, 0), later.value(i, 1), later.value(i, 2), later.value(i, 3));
        }
        return t;
    }

    /** The entry answering (leaf, subleaf): an exact sub-leaf first, then a wildcard; -1 if none. Latest wins. */
    int find(int leaf, int subleaf) {
        int wildcard = -1;
        for (int i = leaves.length - 1; i >= 0; i--) {
            if (leaves[i] != leaf) continue;
            if (subleaves[i] == subleaf) return i;
            if (subleaves[i] == ANY && wildcard < 0) wildcard = i;
        }
        return wildcard;
    }

    /** Register {@code r} (0 EAX, 1 EBX, 2 ECX, 3 EDX) of entry {@code i}. */
    int value(int i, int r) { return values[4 * i + r]; }
}
