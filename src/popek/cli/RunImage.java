package popek.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import popek.container.Images;
import popek.image.ImageLaunch;
import popek.image.ImageStore;
import popek.image.StoreException;
import popek.image.StoredImage;

/**
 * The image {@code popek run} names: an image of the store by NAME[:TAG] or ID (Docker's rules for its command,
 * environment, working directory and user: {@link ImageLaunch}), else a built-in one ({@code busybox},
 * {@code debian}); a mistake is one line and exit 125.
 */
final class RunImage {
    private RunImage() { }

    /** What to run: layers (top first), command, the image's environment, working directory (null: /), and user. */
    record Resolved(List<Path> layers, List<String> command, List<String> env, String workdir, int uid, int gid) { }

    static Resolved resolve(String image, List<String> args, String entrypoint, String user, PrintStream log) {
        try {
            ImageStore store = ImageStore.forUser();
            StoredImage local = java.nio.file.Files.isDirectory(store.layout()) ? store.find(image) : null;
            if (local != null) {
                ImageLaunch l = ImageLaunch.of(store, local, args, entrypoint, user);
                return new Resolved(l.layers(), l.command(), l.env(), l.workdir(), l.uid(), l.gid());
            }
        } catch (StoreException e) {
            throw new Main.UserError(image + ": " + e.getMessage(), 125);
        }
        if (!Images.NAMES.contains(image)) {
            throw new Main.UserError("no image named '" + image + "' (see 'popek images'; built in: " + String.join(", ", Images.NAMES)
                    + "; or use --rootfs DIR)", 125);
        }
        List<Path> layers;
        try {
            layers = Images.layers(image, log);
        } catch (Images.ImageException e) {
            throw new Main.UserError(e.getMessage(), 125);
        }
        List<String> cmd = new ArrayList<>();
        if (entrypoint != null && !entrypoint.isEmpty()) cmd.add(entrypoint);
        cmd.addAll(args);
        if (cmd.isEmpty()) cmd.addAll(Images.defaultCommand(image));
        int[] ids = numericUser(user);
        return new Resolved(layers, cmd, List.of(), null, ids[0], ids[1]);
    }

    /** {@code --user UID[:GID]} where there is no image's /etc/passwd to read names from. */
    static int[] numericUser(String user) {
        if (user == null) return new int[] {0, 0};
        try {
            String[] p = user.split(":", 2);
            int uid = Integer.parseInt(p[0]);
            return new int[] {uid, p.length > 1 ? Integer.parseInt(p[1]) : uid};
        } catch (NumberFormatException e) {
            throw new Main.UserError("--user " + user + ": give a numeric UID[:GID]", 125);
        }
    }
}
