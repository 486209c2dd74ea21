package popek.linux.vfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.vfs.overlay.OverlayFs;
import popek.linux.vfs.tmpfs.MemDirectory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static popek.linux.vfs.VfsFixture.errno;

/** The container's root: copy-up, whiteouts, opaque directories, layers stacked, the image never changed. */
class OverlayTest {
    @TempDir Path dir;

    private Path layer(String name) throws IOException {
        Path l = dir.resolve(name);
        Files.createDirectories(l);
        return l;
    }

    @Test
    void writesCopyUpAndLeaveTheLayerAlone() throws IOException {
        Path l = layer("l");
        VfsFixture.hostFile(l.resolve("etc/motd"), "hello\n");
        Files.setAttribute(l.resolve("etc/motd"), "unix:mode", 04750);
        Files.setLastModifiedTime(l.resolve("etc/motd"), FileTime.fromMillis(1_000_000_000_000L));
        try (VfsFixture v = new VfsFixture(List.of(l))) {
            StatBuf before = v.stat("/etc/motd", false);
            StatBuf dirBefore = v.stat("/etc", false);
            FileDescription f = v.open("/etc/motd", FileFlags.O_WRONLY | FileFlags.O_APPEND, 0);
            v.write(f, "more\n");
            f.close();
            assertEquals("hello\nmore\n", v.read("/etc/motd"));
            StatBuf after = v.stat("/etc/motd", false);
            assertEquals(before.ino, after.ino, "the inode number survives the copy-up");
            assertEquals(before.mode, after.mode, "and the mode (setuid included)");
            assertEquals(before.uid, after.uid);
            assertEquals(before.gid, after.gid);
            assertEquals(dirBefore.mtimeSec, v.stat("/etc", false).mtimeSec, "copying up is no change to the directory");
            v.vfs.attributes().chown(v.creds, v.vfs.lookup(v, v.fs, v.fs.cwd(), "/etc", true), 7, 8);
            assertEquals(7, v.stat("/etc", false).uid);
        }
        assertEquals("hello\n", Files.readString(l.resolve("etc/motd")));
        assertEquals(1_000_000_000_000L, Files.getLastModifiedTime(l.resolve("etc/motd")).toMillis());
        assertEquals(0100000 | 04750, Files.getAttribute(l.resolve("etc/motd"), "unix:mode"));
    }

    @Test
    void removalsLeaveWhiteoutsAndOpaqueDirectories() throws IOException {
        Path l = layer("l");
        VfsFixture.hostFile(l.resolve("a/x"), "x");
        VfsFixture.hostFile(l.resolve("a/y"), "y");
        VfsFixture.hostFile(l.resolve("d/old"), "old");
        try (VfsFixture v = new VfsFixture(List.of(l))) {
            v.unlink("/a/x");
            assertEquals(Errno.ENOENT, errno(() -> v.stat("/a/x", false)));
            assertEquals(List.of("y"), v.list("/a"));
            MemDirectory upperA = (MemDirectory) v.files.root().upper().root().lookup("a");
            assertNotNull(upperA.get(OverlayFs.WHITEOUT + "x"), "an OCI whiteout in the upper layer");
            assertEquals(Errno.ENOENT, errno(() -> v.stat("/a/.wh.x", false)));
            assertEquals(Errno.EPERM, errno(() -> v.writeFile("/a/.wh.y", "z")));
            v.writeFile("/a/x", "new");   // made again: the whiteout goes
            assertEquals("new", v.read("/a/x"));
            assertEquals(Errno.ENOTEMPTY, errno(() -> v.rmdir("/d")));
            v.unlink("/d/old");
            v.rmdir("/d");
            v.mkdir("/d", 0755);
            assertTrue(v.list("/d").isEmpty(), "a directory made where a lower one was removed is opaque");
            MemDirectory upperD = (MemDirectory) v.files.root().upper().root().lookup("d");
            assertNotNull(upperD.get(OverlayFs.OPAQUE));
        }
        assertTrue(Files.exists(l.resolve("a/x")) && Files.exists(l.resolve("d/old")));
    }

    @Test
    void layersStackWithTheirOwnWhiteouts() throws IOException {
        Path bottom = layer("bottom"), top = layer("top");
        VfsFixture.hostFile(bottom.resolve("etc/a"), "bottom a");
        VfsFixture.hostFile(bottom.resolve("etc/b"), "bottom b");
        VfsFixture.hostFile(bottom.resolve("opq/hidden"), "hidden");
        VfsFixture.hostFile(top.resolve("etc/a"), "top a");
        VfsFixture.hostFile(top.resolve("etc/.wh.b"), "");
        VfsFixture.hostFile(top.resolve("opq/.wh..wh..opq"), "");
        VfsFixture.hostFile(top.resolve("opq/shown"), "shown");
        try (VfsFixture v = new VfsFixture(List.of(top, bottom))) {
            assertEquals("top a", v.read("/etc/a"));
            assertEquals(Errno.ENOENT, errno(() -> v.read("/etc/b")));
            assertEquals(List.of("a"), v.list("/etc"));
            assertEquals(List.of("shown"), v.list("/opq"));
            assertEquals(Errno.ENOENT, errno(() -> v.read("/opq/hidden")));
        }
    }

    @Test
    void twoContainersOnOneImageSeeOnlyTheirOwnWrites() throws IOException {
        Path l = layer("l");
        VfsFixture.hostFile(l.resolve("data"), "image");
        try (VfsFixture one = new VfsFixture(List.of(l)); VfsFixture two = new VfsFixture(List.of(l))) {
            one.writeFile("/data", "one");
            two.writeFile("/data", "two");
            one.writeFile("/only-one", "1");
            assertEquals("one", one.read("/data"));
            assertEquals("two", two.read("/data"));
            assertEquals(Errno.ENOENT, errno(() -> two.read("/only-one")));
        }
        assertEquals("image", Files.readString(l.resolve("data")));
    }

    @Test
    void renamesAndLinksOfLowerFiles() throws IOException {
        Path l = layer("l");
        VfsFixture.hostFile(l.resolve("f"), "lower");
        VfsFixture.hostFile(l.resolve("dir/inner"), "i");
        try (VfsFixture v = new VfsFixture(List.of(l))) {
            v.rename("/f", "/g", 0);
            assertEquals("lower", v.read("/g"));
            assertEquals(Errno.ENOENT, errno(() -> v.read("/f")));
            assertFalse(v.list("/").contains("f"));
            assertEquals(Errno.EXDEV, errno(() -> v.rename("/dir", "/dir2", 0)), "as overlayfs without redirect_dir: mv copies");
            v.vfs.tree().link(v, v.fs, v.fs.cwd(), "/dir/inner", v.fs.cwd(), "/hard", false);
            assertEquals(v.stat("/dir/inner", false).ino, v.stat("/hard", false).ino);
            assertEquals(2, v.stat("/hard", false).nlink);
            v.writeFile("/g", "replaced");
            v.rename("/g", "/dir/inner", 0);
            assertEquals("replaced", v.read("/dir/inner"));
            v.unlink("/dir/inner");
            assertEquals(Errno.ENOENT, errno(() -> v.read("/dir/inner")), "the lower file stays hidden");
        }
    }
}
