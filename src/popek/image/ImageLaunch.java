package popek.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import popek.image.oci.ImageConfiguration.RunConfig;

/**
 * What {@code popek run IMAGE [COMMAND]} starts for an image of the store, by Docker's rules: the layers (unpacked if
 * need be), the environment (the image's ENV, then {@code -e}), the command (ENTRYPOINT followed by the command
 * given, else by CMD; {@code --entrypoint} replaces ENTRYPOINT and drops CMD), WORKDIR, and USER resolved against the
 * image's /etc/passwd and /etc/group.
 */
public record ImageLaunch(List<Path> layers, List<String> env, List<String> command, String workdir, int uid, int gid) {
    /** What to launch for {@code image}, with the user's {@code args} and {@code entrypoint} (null: the image's). */
    public static ImageLaunch of(ImageStore store, StoredImage image, List<String> args, String entrypoint, String user)
            throws StoreException {
        RunConfig c = image.config().config();
        List<Path> layers = store.layerDirectories(image);
        List<String> cmd = new ArrayList<>();
        if (entrypoint != null) {
            if (!entrypoint.isEmpty()) cmd.add(entrypoint);
            cmd.addAll(args);
        } else {
            if (c.entrypoint() != null) cmd.addAll(c.entrypoint());
            if (!args.isEmpty()) cmd.addAll(args);
            else if (c.cmd() != null) cmd.addAll(c.cmd());
        }
        if (cmd.isEmpty()) throw new StoreException("no command given, and the image has no CMD or ENTRYPOINT");
        UserSpec u;
        try {
            u = UserSpec.resolve(user != null ? user : c.user(), new RootfsView(layers));
        } catch (UserSpec.UnknownException e) {
            throw new StoreException(e.getMessage());
        } catch (IOException e) {
            throw new StoreException("cannot read the image's users: " + e.getMessage());
        }
        return new ImageLaunch(layers, c.env() == null ? List.of() : c.env(), cmd, c.workingDir() == null || c.workingDir().isEmpty() ? null : c.workingDir(),
                u.uid(), u.gid());
    }
}
