package popek.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import popek.image.ImageReference;
import popek.image.ImageStore;
import popek.image.StoreException;
import popek.image.StoredImage;

/** {@code popek tag SOURCE TARGET}: another name for an image of the store. */
@Command(name = "tag", mixinStandardHelpOptions = true, description = "Give an image of the store another NAME[:TAG].")
final class TagCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SOURCE", description = "The image: NAME[:TAG] or ID.")
    String source;

    @Parameters(index = "1", paramLabel = "TARGET", description = "The new NAME[:TAG].")
    String target;

    @Override
    public Integer call() {
        try {
            ImageReference to = ImageReference.parse(target);
            ImageStore store = ImageStore.forUser();
            StoredImage image = store.find(source);
            if (image == null) throw new Main.UserError("No such image: " + source, 1);
            store.tag(image.descriptor(), to, null);
            return 0;
        } catch (ImageReference.InvalidException | StoreException e) {
            throw new Main.UserError(e.getMessage(), 1);
        }
    }
}
