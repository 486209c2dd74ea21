package popek.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import popek.image.ImageArchive;
import popek.image.ImageReference;
import popek.image.ImageStore;
import popek.image.StoreException;
import popek.image.StoredImage;

/** {@code popek save -o FILE.tar IMAGE...}: images as an OCI archive (which docker load reads too). */
@Command(name = "save", mixinStandardHelpOptions = true, description = "Write images to a tar: an OCI image layout (with docker save's manifest.json).")
final class SaveCommand implements Callable<Integer> {
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The tar to write.")
    Path output;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "NAME[:TAG] or ID.")
    List<String> images = new ArrayList<>();

    @Override
    public Integer call() {
        ImageStore store = ImageStore.forUser();
        List<StoredImage> found = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try {
            for (String ref : images) {
                StoredImage im = store.find(ref);
                if (im == null) throw new Main.UserError("No such image: " + ref, 1);
                found.add(im);
                String name = null;
                if (ImageReference.isValid(ref)) {
                    String full = ImageReference.parse(ref).toString();
                    if (im.tags().contains(full)) name = full;
                }
                if (name == null && !im.tags().isEmpty()) name = im.tags().getFirst();
                names.add(name);
            }
            Path abs = output.toAbsolutePath();
            Path tmp = Files.createTempFile(abs.getParent(), ".popek-save-", ".tar");
            try {
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    new ImageArchive(store).save(found, names, out);
                }
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return 0;
        } catch (ImageReference.InvalidException | StoreException e) {
            throw new Main.UserError(e.getMessage(), 1);
        } catch (IOException e) {
            throw new Main.UserError("cannot write " + output + ": " + e.getMessage(), 1);
        }
    }
}
