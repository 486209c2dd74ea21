package popek.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import popek.image.ImageArchive;
import popek.image.ImageStore;
import popek.image.StoreException;

/** {@code popek load -i FILE.tar}: images from an OCI archive (popek save's, docker save's) or an older docker-archive. */
@Command(name = "load", mixinStandardHelpOptions = true, description = "Read images from a tar written by popek save or docker save (standard input without -i).")
final class LoadCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = {"-i", "--input"}, paramLabel = "FILE", description = "The tar to read (plain, gzip or bzip2).")
    Path input;

    @Override
    public Integer call() {
        PrintStream out = new PrintStream(main.terminal().out(), true, StandardCharsets.UTF_8);
        try (InputStream in = input == null ? main.terminal().in() : Files.newInputStream(input)) {
            for (ImageArchive.Loaded l : new ImageArchive(ImageStore.forUser()).load(in)) {
                out.println(l.name() != null ? "Loaded image: " + l.name() : "Loaded image ID: " + l.image().id());
            }
            return 0;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new Main.UserError("open " + input + ": no such file", 1);
        } catch (StoreException e) {
            throw new Main.UserError(e.getMessage(), 1);
        } catch (IOException e) {
            throw new Main.UserError("cannot load " + (input == null ? "standard input" : input) + ": " + e.getMessage(), 1);
        }
    }
}
