package popek.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import popek.image.Digests;
import popek.image.ImageStore;
import popek.image.StoreException;
import popek.image.StoredImage;
import popek.image.oci.Descriptor;
import popek.image.oci.ImageConfiguration.History;

/** {@code popek history}: the steps that made an image, the newest first, with the size of each one's layer. */
@Command(name = "history", mixinStandardHelpOptions = true, description = "Show the steps that made an image.")
final class HistoryCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = "--no-trunc", description = "Do not shorten the CREATED BY column.")
    boolean noTrunc;

    @Parameters(paramLabel = "IMAGE", description = "NAME[:TAG] or ID.")
    String image;

    @Override
    public Integer call() {
        PrintStream out = new PrintStream(main.terminal().out(), true, StandardCharsets.UTF_8);
        StoredImage im;
        try {
            im = ImageStore.forUser().find(image);
        } catch (StoreException e) {
            throw new Main.UserError(e.getMessage(), 1);
        }
        if (im == null) throw new Main.UserError("No such image: " + image, 1);
        List<History> h = im.config().history();
        List<Descriptor> layers = im.manifest().layers();
        // Each step with a layer takes the next layer, the lowest first; the newest step is printed first.
        long[] sizes = new long[h.size()];
        int l = 0;
        for (int i = 0; i < h.size(); i++) sizes[i] = h.get(i).isEmptyLayer() || l >= layers.size() ? 0 : layers.get(l++).size();
        String fmt = "%-14s %-20s %-50s %-8s %s%n";
        out.printf(fmt, "IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT");
        for (int i = h.size() - 1; i >= 0; i--) {
            String by = h.get(i).createdBy() == null ? "" : h.get(i).createdBy().replace('\n', ' ');
            if (!noTrunc && by.length() > 47) by = by.substring(0, 46) + "…";
            out.printf(fmt, i == h.size() - 1 ? Digests.shortId(im.id()) : "<missing>", ImagesCommand.ago(h.get(i).created()), by,
                    ImagesCommand.size(sizes[i]), h.get(i).comment() == null ? "" : h.get(i).comment());
        }
        return 0;
    }
}
