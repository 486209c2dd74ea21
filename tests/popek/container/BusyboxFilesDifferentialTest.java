package popek.container;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Busybox's file commands on the busybox image in Popek and under qemu-i386 (real Linux system calls beneath it),
 * line for line: ls -l, cp -a, mv, rm -r, mkdir -p, ln -s, ln, find, grep -r, tar c|x, gzip, gunzip, stat, touch,
 * chmod, du, wc, error messages and exit statuses; only dates are normalised.
 */
class BusyboxFilesDifferentialTest {
    @TempDir Path dir;

    static final List<String> LINES = List.of(
            "mkdir -p w/a/b/c w/u",
            "cp /etc/hostname w/a/b/c/f1",
            "cp /etc/passwd w/a/f2",
            "ln -s b/c/f1 w/a/link",
            "ls -l w/a",
            "ls -lR w/a",
            "cp -a w/a w/a2",
            "ls -lR w/a2",
            "mv w/a2 w/a3",
            "ls -a w",
            "rm -r w/a3",
            "ls w",
            "find w | sort",
            "find w -type f | sort",
            "find w -name f1",
            "grep -r root w/a",
            "grep -rl x w | sort",
            "tar cf w/x.tar w/a",
            "tar tf w/x.tar | sort",
            "tar cf - w/a | tar xf - -C w/u",
            "find w/u | sort",
            "cat w/u/w/a/link",
            "gzip w/x.tar",
            "ls w",
            "gunzip w/x.tar.gz",
            "ls -l w/x.tar",
            "touch -d 2020-01-02T03:04:05 w/a/f2",
            "stat -c '%n %s %F %a %U %G %h %y' w/a/f2 w/a/link w/a w/a/b",
            "chmod 600 w/a/f2",
            "chmod -R go-rx w/a/b",
            "ls -lR w/a",
            "ln w/a/f2 w/a/hard",
            "stat -c '%n %h %s' w/a/f2 w/a/hard",
            "mv w/a/f2 w/a/b/",
            "ls -l w/a w/a/b",
            "rmdir w/a/b",
            "rm w/nothing",
            "mkdir w/a",
            "du -s w/a",
            "wc -c w/a/b/f2",
            "cat w/a/b/c/f1 w/a/link",
            "ls -ld w/a/link w/a/link/",
            "readlink w/a/link",
            "realpath w/a/link",
            "rm -rf w/a",
            "ls -A w");

    @Test
    void fileCommandsMatchQemu() throws Exception {
        ChrootOracle o = new ChrootOracle(ChrootOracle.image("busybox"), dir, "/bin/busybox ");
        String popek = o.inPopek("/bin/sh", LINES);   // first: Popek never changes the directory, QEMU does
        String qemu = o.underQemu(LINES);
        assertEquals(qemu, popek);
    }
}
