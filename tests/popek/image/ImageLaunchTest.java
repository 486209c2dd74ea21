package popek.image;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What popek run starts for an image: Docker's combination of ENTRYPOINT, CMD, the arguments and --entrypoint; USER resolved. */
class ImageLaunchTest {
    @TempDir Path dir;

    private StoredImage image(ImageStore store, String file, Map<String, String> files) throws Exception {
        return ImageTesting.build(store, dir.resolve("ctx" + file.hashCode()), file, files, Map.of(), false, null).image();
    }

    @Test
    void entrypointCmdArgumentsAndOverride() throws Exception {
        ImageStore store = new ImageStore(dir.resolve("home"));
        StoredImage both = image(store, "FROM scratch\nENTRYPOINT [\"/bin/ep\", \"-x\"]\nCMD [\"default\"]\n", Map.of());
        assertEquals(List.of("/bin/ep", "-x", "default"), ImageLaunch.of(store, both, List.of(), null, null).command());
        assertEquals(List.of("/bin/ep", "-x", "given"), ImageLaunch.of(store, both, List.of("given"), null, null).command());
        assertEquals(List.of("/bin/other", "given"), ImageLaunch.of(store, both, List.of("given"), "/bin/other", null).command(),
                "--entrypoint replaces ENTRYPOINT and drops CMD");
        StoredImage cmdOnly = image(store, "FROM scratch\nCMD [\"default\"]\n", Map.of());
        assertEquals(List.of("given", "x"), ImageLaunch.of(store, cmdOnly, List.of("given", "x"), null, null).command());
        StoredImage none = image(store, "FROM scratch\nENV A=1\n", Map.of());
        StoreException e = assertThrows(StoreException.class, () -> ImageLaunch.of(store, none, List.of(), null, null));
        assertTrue(e.getMessage().contains("no command given"), e.getMessage());
        assertEquals(List.of("A=1"), ImageLaunch.of(store, none, List.of("x"), null, null).env());
    }

    @Test
    void theUserIsResolvedAgainstTheImagesPasswdAndGroup() throws Exception {
        ImageStore store = new ImageStore(dir.resolve("home"));
        StoredImage im = image(store, "FROM scratch\nCOPY etc /etc/\nUSER app\nWORKDIR /srv\nCMD [\"x\"]\n",
                Map.of("etc/passwd", "root:x:0:0::/root:/bin/sh\napp:x:1001:1002::/home/app:/bin/sh\n", "etc/group", "root:x:0:\nstaff:x:50:\n"));
        ImageLaunch l = ImageLaunch.of(store, im, List.of(), null, null);
        assertEquals(1001, l.uid());
        assertEquals(1002, l.gid());
        assertEquals("/srv", l.workdir());
        ImageLaunch g = ImageLaunch.of(store, im, List.of(), null, "app:staff");
        assertEquals(50, g.gid());
        assertEquals(77, ImageLaunch.of(store, im, List.of(), null, "77").gid(), "a number not in passwd: the same number as group");
        StoreException e = assertThrows(StoreException.class, () -> ImageLaunch.of(store, im, List.of(), null, "nobody"));
        assertEquals("unable to find user nobody: no matching entries in passwd file", e.getMessage());
    }
}
