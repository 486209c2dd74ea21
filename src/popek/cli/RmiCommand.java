package popek.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import popek.image.ImageStore;
import popek.image.StoreException;
import popek.image.StoredImage;
import popek.image.build.BuildCache;

/**
 * {@code popek rmi}: untags an image; an image left without a name is deleted, with the build cache's steps that led
 * only to it and the blobs nothing else uses (Docker's "Untagged:" and "Deleted:" lines).
 */
@Command(name = "rmi", mixinStandardHelpOptions = true, description = "Remove images (by NAME[:TAG] or ID) from the store.")
final class RmiCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = {"-f", "--force"}, description = "Remove an image given by ID even if several tags name it.")
    boolean force;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "The images.")
    List<String> images = new ArrayList<>();

    @Override
    public Integer call() {
        PrintStream out = new PrintStream(main.terminal().out(), true, StandardCharsets.UTF_8);
        ImageStore store = ImageStore.forUser();
        int status = 0;
        for (String ref : images) {
            try {
                StoredImage image = store.find(ref);
                if (image == null) {
                    main.err().println("popek: No such image: " + ref);
                    status = 1;
                    continue;
                }
                boolean byName = image.tags().stream().anyMatch(t -> t.equals(ref) || t.equals(ref + ":latest"));
                if (byName && image.tags().size() > 1) {
                    String tag = image.tags().stream().filter(t -> t.equals(ref) || t.equals(ref + ":latest")).findFirst().orElseThrow();
                    store.untag(tag);
                    out.println("Untagged: " + tag);
                    continue;
                }
                if (!byName && image.tags().size() > 1 && !force) {
                    main.err().println("popek: unable to delete " + ref + " (must be forced): the image is tagged in more than one repository");
                    status = 1;
                    continue;
                }
                for (String t : image.tags()) out.println("Untagged: " + t);
                BuildCache cache = new BuildCache(store);
                store.remove(image.manifestDigest());
                List<String> live = new ArrayList<>();
                store.entries().forEach(e -> live.add(e.digest()));
                cache.prune(live);
                for (String m : store.collectGarbage(cache.manifests())) out.println("Deleted: " + m);
            } catch (StoreException | IOException e) {
                main.err().println("popek: " + ref + ": " + e.getMessage());
                status = 1;
            }
        }
        return status;
    }
}
