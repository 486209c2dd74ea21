package popek.container;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The debian image's dynamically linked tools (bash, coreutils' ls/cat/sort/cp/stat/wc/md5sum, grep, sed, mawk, GNU
 * tar, findutils, gzip) in Popek and under qemu-i386, line for line; only dates are normalised.
 */
class DebianToolsDifferentialTest {
    @TempDir Path dir;

    static final List<String> LINES = List.of(
            "/bin/ls -l /etc/os-release /usr/lib/os-release",
            "/bin/cat /etc/os-release",
            "/usr/bin/sort /etc/passwd",
            "/usr/bin/sort -t : -k 3 -n -r /etc/group | /usr/bin/head -5",
            "/bin/grep -c nologin /etc/passwd",
            "/bin/grep -rn bookworm /etc/os-release /usr/lib/os-release",
            "/bin/mkdir -p w/d/e w/x",
            "/bin/cp -a /etc/passwd /etc/group /etc/hostname w/d/",
            "/bin/ln -s ../passwd w/d/e/link",
            "/bin/ls -lR w",
            "/bin/ls -la --full-time /etc/hostname",
            "/bin/tar cf w/t.tar w/d",
            "/bin/tar tvf w/t.tar | /usr/bin/sort",
            "/bin/tar xf w/t.tar -C w/x",
            "/usr/bin/find w -newer /etc/os-release -o -print | /usr/bin/sort",
            "/usr/bin/find w/x -type l -printf '%p %l\\n'",
            "/bin/bash -c 'echo $((6*7)); for i in a b c; do echo $i; done; [[ -f /etc/passwd ]] && echo yes; echo ${BASH_VERSINFO[0]}'",
            "/usr/bin/stat -c '%n %s %a %F %h %U:%G' /etc/passwd w/d w/d/e/link",
            "/usr/bin/wc -l /etc/passwd /etc/group",
            "/bin/sed -n '2p;$p' /etc/passwd",
            "/usr/bin/awk -F: '$3 >= 100 {print $1}' /etc/group",
            "/usr/bin/md5sum /etc/passwd w/d/passwd",
            "/bin/gzip -k w/d/passwd",
            "/bin/ls w/d",
            "/bin/gzip -dc w/d/passwd.gz | /usr/bin/tail -1",
            "/bin/rm -r w/d/e",
            "/bin/rmdir w/d",
            "/bin/ls -A w/d",
            "/usr/bin/du -s w/x");

    @Test
    void toolsMatchQemu() throws Exception {
        ChrootOracle o = new ChrootOracle(ChrootOracle.image("debian"), dir, "");
        String popek = o.inPopek("/bin/bash", LINES);
        String qemu = o.underQemu(LINES);
        assertEquals(qemu, popek);
    }
}
