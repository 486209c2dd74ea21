package popek.linux.vfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.auth.Credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static popek.linux.vfs.VfsFixture.errno;

/** Path resolution without a CPU: "..", symbolic links, mounts, chroot, limits, open's flags, permissions. */
class PathResolutionTest {
    @TempDir Path dir;
    private VfsFixture v;

    @BeforeEach
    void setUp() throws IOException {
        Path layer = dir.resolve("layer");
        VfsFixture.hostFile(layer.resolve("etc/passwd"), "root:x:0:0\n");
        VfsFixture.hostFile(layer.resolve("a/b/c/file"), "deep\n");
        VfsFixture.hostFile(layer.resolve("plain"), "plain\n");
        Files.createSymbolicLink(layer.resolve("abs"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(layer.resolve("a/rel"), Path.of("../etc/passwd"));
        Files.createSymbolicLink(layer.resolve("loop1"), Path.of("loop2"));
        Files.createSymbolicLink(layer.resolve("loop2"), Path.of("loop1"));
        Files.createSymbolicLink(layer.resolve("dirlink"), Path.of("a/b"));
        Files.createSymbolicLink(layer.resolve("dangling"), Path.of("/etc/made-through-link"));
        v = new VfsFixture(List.of(layer));
    }

    @AfterEach
    void tearDown() throws IOException {
        v.close();
        VfsFixture.removeTree(dir.resolve("layer"));
    }

    @Test
    void dotDotNeverRisesAboveTheRoot() {
        assertEquals("root:x:0:0\n", v.read("/../../etc/passwd"));
        assertEquals("root:x:0:0\n", v.read("../../../etc/passwd"));
        assertEquals("root:x:0:0\n", v.read("/a/b/c/../../../../../etc/passwd"));
        assertEquals(v.list("/"), v.list("/.."));
    }

    @Test
    void symbolicLinksResolveInsideTheRoot() {
        assertEquals("root:x:0:0\n", v.read("/abs"));
        assertEquals("root:x:0:0\n", v.read("/a/rel"));
        assertEquals("deep\n", v.read("/dirlink/c/file"));
        assertEquals("deep\n", v.read("/dirlink/../b/c/file"));   // ".." of the link's target, not of /
        assertEquals(Errno.ELOOP, errno(() -> v.read("/loop1")));
        assertEquals(Errno.ENOENT, errno(() -> v.read("/dangling")));
        assertEquals(FileFlags.S_IFLNK, v.stat("/abs", false).mode & FileFlags.S_IFMT);
        assertEquals(FileFlags.S_IFREG, v.stat("/abs", true).mode & FileFlags.S_IFMT);
    }

    @Test
    void limitsOfNamesAndPaths() {
        assertEquals(Errno.ENOENT, errno(() -> v.stat("/" + "x".repeat(255), true)));
        assertEquals(Errno.ENAMETOOLONG, errno(() -> v.stat("/" + "x".repeat(256), true)));
        assertEquals(Errno.ENAMETOOLONG, errno(() -> v.stat("/" + "a/".repeat(2048), true)));
        assertEquals(Errno.ENOENT, errno(() -> v.stat("", true)));
        assertEquals(Errno.ENOTDIR, errno(() -> v.stat("/plain/x", true)));
        assertEquals(Errno.ENOTDIR, errno(() -> v.stat("/plain/", true)));
        assertEquals(Errno.ENOENT, errno(() -> v.stat("/nothing/x", true)));
    }

    @Test
    void openFlags() {
        assertEquals(Errno.ELOOP, errno(() -> v.open("/abs", FileFlags.O_RDONLY | FileFlags.O_NOFOLLOW, 0)));
        assertEquals(0, errno(() -> v.open("/abs", FileFlags.O_PATH | FileFlags.O_NOFOLLOW, 0).close()));
        assertEquals(Errno.ENOTDIR, errno(() -> v.open("/plain", FileFlags.O_RDONLY | FileFlags.O_DIRECTORY, 0)));
        assertEquals(Errno.EISDIR, errno(() -> v.open("/a", FileFlags.O_WRONLY, 0)));
        assertEquals(Errno.EEXIST, errno(() -> v.open("/plain", FileFlags.O_CREAT | FileFlags.O_EXCL | FileFlags.O_WRONLY, 0644)));
        assertEquals(Errno.EEXIST, errno(() -> v.open("/dangling", FileFlags.O_CREAT | FileFlags.O_EXCL | FileFlags.O_WRONLY, 0644)));
        assertEquals(Errno.EISDIR, errno(() -> v.open("/newdir/", FileFlags.O_CREAT | FileFlags.O_WRONLY, 0644)));
        v.open("/dangling", FileFlags.O_CREAT | FileFlags.O_WRONLY, 0644).close();   // creates the link's target
        assertEquals(FileFlags.S_IFREG | 0644, v.stat("/etc/made-through-link", false).mode);
        v.writeFile("/f", "12345");
        FileDescription f = v.open("/f", FileFlags.O_WRONLY | FileFlags.O_APPEND, 0);
        v.write(f, "67");
        f.close();
        assertEquals("1234567", v.read("/f"));
        v.open("/f", FileFlags.O_WRONLY | FileFlags.O_TRUNC, 0).close();
        assertEquals("", v.read("/f"));
        assertEquals(Errno.EBADF, -v.open("/f", FileFlags.O_PATH, 0).read(v, null));
    }

    @Test
    void umaskAndOwnership() {
        v.fs.setUmask(027);
        v.open("/u", FileFlags.O_CREAT | FileFlags.O_WRONLY, 0666).close();
        assertEquals(FileFlags.S_IFREG | 0640, v.stat("/u", false).mode);
        v.creds = Credentials.of(1000, 1000);
        v.mkdir("/tmp/mine", 0777);
        StatBuf s = v.stat("/tmp/mine", false);
        assertEquals(1000, s.uid);
        assertEquals(FileFlags.S_IFDIR | 0750, s.mode);
    }

    @Test
    void permissionsAreCheckedByCredentials() {
        v.writeFile("/secret", "s");
        v.attrs("/secret", 0600);
        v.mkdir("/closed", 0700);
        v.writeFile("/closed/inside", "i");
        v.creds = Credentials.of(1000, 1000);
        assertEquals(Errno.EACCES, errno(() -> v.read("/secret")));
        assertEquals(Errno.EACCES, errno(() -> v.stat("/closed/inside", true)));
        assertEquals(Errno.EACCES, errno(() -> v.open("/newfile", FileFlags.O_CREAT | FileFlags.O_WRONLY, 0644)));
        assertEquals(Errno.EACCES, errno(() -> v.unlink("/plain")));
        assertEquals("plain\n", v.read("/plain"));
        v.creds = Credentials.ROOT;
        assertEquals("s", v.read("/secret"));   // root reads anything
    }

    @Test
    void mountsAreCrossedBothWays() {
        StatBuf root = v.stat("/", true), tmp = v.stat("/tmp", true);
        assertNotEquals(root.dev, tmp.dev);
        assertEquals(FileFlags.S_IFDIR | 01777, tmp.mode);
        assertEquals(root.ino, v.stat("/tmp/..", true).ino);
        assertEquals(root.dev, v.stat("/tmp/..", true).dev);
        v.writeFile("/tmp/x", "in tmpfs");
        assertEquals(tmp.dev, v.stat("/tmp/x", true).dev);
        assertEquals(Errno.EBUSY, errno(() -> v.rmdir("/tmp")));
        assertEquals(Errno.EXDEV, errno(() -> v.rename("/tmp/x", "/x", 0)));
    }

    @Test
    void chrootConfinesWalksAndGetcwd() {
        v.chdir("/a");
        v.fs.setRoot(v.fs.cwd());
        v.chdir("b");
        assertEquals("/b", v.vfs.cwd(v.fs));
        assertEquals("deep\n", v.read("/b/c/file"));
        assertEquals("deep\n", v.read("/../../../b/c/file"));
        assertEquals(Errno.ENOENT, errno(() -> v.read("/rel")));   // ../etc/passwd from /a is /etc/passwd of the new root
        assertEquals(Errno.ENOENT, errno(() -> v.read("/etc/passwd")));
    }

    @Test
    void renameRules() {
        v.mkdir("/d1", 0755);
        v.mkdir("/d2", 0755);
        v.writeFile("/d2/f", "x");
        v.writeFile("/file", "f");
        assertEquals(Errno.ENOTEMPTY, errno(() -> v.rename("/d1", "/d2", 0)));
        assertEquals(Errno.EISDIR, errno(() -> v.rename("/file", "/d1", 0)));
        assertEquals(Errno.ENOTDIR, errno(() -> v.rename("/d1", "/file", 0)));
        assertEquals(Errno.EINVAL, errno(() -> v.rename("/d2", "/d2/sub", 0)));
        assertEquals(Errno.EEXIST, errno(() -> v.rename("/file", "/d2/f", TreeChanges.RENAME_NOREPLACE)));
        v.rename("/file", "/d2/f", TreeChanges.RENAME_EXCHANGE);
        assertEquals("f", v.read("/d2/f"));
        assertEquals("x", v.read("/file"));
        v.mkdir("/d3", 0755);
        v.rename("/d2", "/d3", 0);   // over an empty directory
        assertEquals(List.of("f"), v.list("/d3"));
        assertEquals(Errno.ENOENT, errno(() -> v.stat("/d2", true)));
    }

    @Test
    void nestingDeeperThanAnyPathCannotHideACycle() {
        v.mkdir("/tmp/top", 0755);
        v.chdir("/tmp/top");
        for (int i = 0; i < 5000; i++) {   // each step short, the whole far past PATH_MAX
            v.mkdir("d", 0755);
            v.chdir("d");
        }
        assertEquals(Errno.EINVAL, errno(() -> v.vfs.tree().rename(v, v.fs, v.vfs.root(), "/tmp/top", v.fs.cwd(), "moved", 0)));
        assertTrue(v.vfs.cwd(v.fs).length() > 10_000);
    }

    @Test
    void anUnlinkedOpenFileStaysReadable() {
        v.writeFile("/tmp/gone", "still here");
        FileDescription f = v.open("/tmp/gone", FileFlags.O_RDONLY, 0);
        v.unlink("/tmp/gone");
        assertEquals(Errno.ENOENT, errno(() -> v.stat("/tmp/gone", true)));
        assertEquals("still here", v.read(f));
        StatBuf s = new StatBuf();
        f.stat(v, s);
        assertEquals(0, s.nlink);
        f.close();
    }

    @Test
    void readingADirectoryWhileRemovingItsEntries() {
        v.mkdir("/tmp/many", 0755);
        for (int i = 0; i < 300; i++) v.writeFile("/tmp/many/f" + i, "x");
        FileDescription d = v.open("/tmp/many", FileFlags.O_RDONLY | FileFlags.O_DIRECTORY, 0);
        int[] seen = {0}, inCall = {0};
        int n;
        do {
            inCall[0] = 0;
            n = d.getdents(v, (ino, next, type, name) -> {
                if (inCall[0] == 7) return false;   // a small buffer: many getdents calls
                inCall[0]++;
                if (name.startsWith("f")) {
                    v.unlink("/tmp/many/" + name);
                    seen[0]++;
                }
                return true;
            });
        } while (n > 0);
        d.close();
        assertEquals(300, seen[0]);
        assertTrue(v.list("/tmp/many").isEmpty());
        v.rmdir("/tmp/many");
    }
}
