package popek.linux.ns;

import org.junit.jupiter.api.Test;

import popek.linux.abi.Errno;
import popek.linux.abi.SyscallException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The namespace objects without a kernel: a user namespace's uid_map and gid_map as user_namespaces(7) defines them
 * (the lines a write may hold, who may write what, how ids translate both ways and show to readers in other
 * namespaces), a cgroup namespace's paths, a time namespace's offsets as time_namespaces(7) has them.
 */
class NamespaceObjectsTest {
    private static int errno(Runnable r) { return assertThrows(SyscallException.class, r::run).errno(); }

    /** A child of the initial namespace made by uid 1000, which had no capabilities. */
    private static UserNamespace child() { return UserNamespace.INITIAL.child(1000, 1000, false); }

    @Test
    void malformedMapsAreEinval() {
        UserNamespace ns = child();
        for (String bad : new String[] {"", "0 1000", "0 1000 0", "a 1000 1", "0 1000 1 junk", "0 1000 1\n\n",
                "4294967295 0 1", "0 4294967295 1", "4294967294 0 2", "0 0 10\n5 100 10", "0 0 10\n100 5 10",
                "99999999999 0 1"}) {
            assertEquals(Errno.EINVAL, errno(() -> ns.writeMap(false, bad, UserNamespace.INITIAL, 0, 0, n -> true)), "'" + bad + "'");
        }
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 341; i++) many.append(i).append(' ').append(i).append(" 1\n");
        assertEquals(Errno.EINVAL, errno(() -> ns.writeMap(false, many.toString().strip(), UserNamespace.INITIAL, 0, 0, n -> true)),
                "341 lines");
    }

    @Test
    void anUnprivilegedWriterMapsOnlyItsOwnIdOnce() {
        UserNamespace ns = child();
        // uid 1000, capable in the new namespace only (as its creator is, until execve)
        java.util.function.Predicate<UserNamespace> own = n -> n == ns;
        assertEquals(Errno.EPERM, errno(() -> ns.writeMap(false, "0 0 1", ns, 1000, 1000, own)), "another id");
        assertEquals(Errno.EPERM, errno(() -> ns.writeMap(false, "0 1000 2", ns, 1000, 1000, own)), "more than its own");
        ns.writeMap(false, "0 1000 1", ns, 1000, 1000, own);
        assertEquals(Errno.EPERM, errno(() -> ns.writeMap(false, "0 1000 1", ns, 1000, 1000, own)), "a second write");
        assertEquals(Errno.EPERM, errno(() -> ns.writeMap(true, "0 1000 1", ns, 1000, 1000, own)), "gid_map while setgroups is allowed");
        ns.writeSetgroups("deny", true);
        ns.writeMap(true, "0 1000 1", ns, 1000, 1000, own);
        assertEquals(Errno.EPERM, errno(() -> ns.writeSetgroups("allow", true)));
        assertEquals(1000, ns.rootKuid());
        assertEquals(1000, ns.uidToKernel(0));
        assertEquals(-1, ns.uidToKernel(1));
        assertEquals(0, ns.uidFromKernel(1000));
        assertEquals(UserNamespace.OVERFLOW_ID, ns.uidSeen(0), "root's files show as nobody");
        assertTrue(!ns.maySetgroups());
    }

    @Test
    void aPrivilegedParentMapsRangesAndReadersSeeTheirOwnIds() {
        UserNamespace ns = UserNamespace.INITIAL.child(0, 0, true);
        ns.writeMap(false, "0 100000 65536\n65536 1000 1", UserNamespace.INITIAL, 0, 0, n -> true);
        assertEquals(100005, ns.uidToKernel(5));
        assertEquals(65536, ns.uidFromKernel(1000));
        assertEquals("         0     100000      65536\n     65536       1000          1\n", ns.showMap(false, UserNamespace.INITIAL));
        assertEquals(ns.showMap(false, UserNamespace.INITIAL), ns.showMap(false, ns), "from inside: the lower ids as the parent names them");
        UserNamespace grandchild = ns.child(100000, 100000, true);
        grandchild.writeMap(false, "0 0 10", ns, 100000, 100000, n -> true);
        assertEquals(100000, grandchild.uidToKernel(0), "a grandchild's ids map through its parent's to kernel ids");
        assertEquals("         0          0         10\n", grandchild.showMap(false, ns));
        assertEquals("         0     100000         10\n", grandchild.showMap(false, UserNamespace.INITIAL));
        assertEquals(Errno.EPERM, errno(() -> UserNamespace.INITIAL.child(0, 0, true).writeMap(false, "0 0 1", grandchild, 0, 0, n -> true)),
                "only from the namespace itself or its parent");
    }

    @Test
    void aCgroupNamespaceShowsPathsFromItsRoot() {
        CgroupNamespace ns = CgroupNamespace.initial().fresh(UserNamespace.INITIAL, "/a/b");
        assertEquals("/", ns.view("/a/b"));
        assertEquals("/c", ns.view("/a/b/c"));
        assertEquals("/../x", ns.view("/a/x"));
        assertEquals("/../..", ns.view("/"));
        assertEquals("/a/b", CgroupNamespace.initial().view("/a/b"));
    }

    @Test
    void timeOffsetsAreWrittenBeforeAnyoneEntersAndPrintedAsLinuxDoes() {
        TimeNamespace t = TimeNamespace.initial().copy(UserNamespace.INITIAL);
        t.writeOffsets("monotonic -5 500000000\nboottime 7 0", true, 10_000_000_000L, 10_000_000_000L);
        assertEquals("monotonic          -5 500000000\nboottime            7         0\n", t.showOffsets());
        assertEquals(-4_500_000_000L, t.monotonicOffset());
        assertEquals(Errno.ERANGE, errno(() -> t.writeOffsets("1 -11 0", true, 10_000_000_000L, 0)), "a clock below 0");
        assertEquals(Errno.EINVAL, errno(() -> t.writeOffsets("realtime 1 0", true, 0, 0)));
        assertEquals(Errno.EPERM, errno(() -> t.writeOffsets("7 1 0", false, 0, 0)));
        t.enter();
        assertEquals(Errno.EACCES, errno(() -> t.writeOffsets("7 1 0", true, 0, 0)));
    }
}
