package popek.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import popek.image.ImageReference;
import popek.image.ImageStore;
import popek.image.build.BuildContext;
import popek.image.build.BuildException;
import popek.image.build.Builder;

/** {@code popek build}: an image from a Popekfile (Dockerfile syntax), into the store (Docker's flags and exit status). */
@Command(name = "build", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Build an image from a Popekfile (a Dockerfile) and the files of DIR, the build context. Each RUN runs",
            "in a Popek container; each step is cached and reused while its inputs are unchanged. Exit 1 on a failed step."})
final class BuildCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = {"-t", "--tag"}, paramLabel = "NAME[:TAG]", description = "Name the image (repeatable; the tag is 'latest' if none).")
    List<String> tags = new ArrayList<>();

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "The Popekfile (default: DIR/Popekfile, else DIR/Dockerfile).")
    Path file;

    @Option(names = "--build-arg", paramLabel = "KEY=VALUE", description = "Set a build argument an ARG declares (repeatable; KEY alone takes it from the environment).")
    List<String> buildArgs = new ArrayList<>();

    @Option(names = "--no-cache", description = "Run every step, whatever the build cache holds.")
    boolean noCache;

    @Option(names = {"-q", "--quiet"}, description = "Print only the image ID.")
    boolean quiet;

    @Parameters(paramLabel = "DIR", description = "The build context (COPY and ADD take their files from it).")
    Path dir;

    @Override
    public Integer call() {
        if (!Files.isDirectory(dir)) throw new Main.UserError("unable to prepare the context: " + dir + " is not a directory", 1);
        List<ImageReference> refs = new ArrayList<>();
        for (String t : tags) {
            try {
                refs.add(ImageReference.parse(t));
            } catch (ImageReference.InvalidException e) {
                throw new Main.UserError("invalid argument for -t: " + e.getMessage(), 1);
            }
        }
        Map<String, String> args = new LinkedHashMap<>();
        for (String a : buildArgs) {
            int eq = a.indexOf('=');
            String k = eq < 0 ? a : a.substring(0, eq);
            if (k.isEmpty()) throw new Main.UserError("--build-arg " + a + ": give KEY=VALUE", 1);
            String v = eq < 0 ? System.getenv(k) : a.substring(eq + 1);
            if (v != null) args.put(k, v);
        }
        Path popekfile = file;
        if (popekfile == null) {
            popekfile = dir.resolve("Popekfile");
            if (!Files.exists(popekfile) && Files.exists(dir.resolve("Dockerfile"))) popekfile = dir.resolve("Dockerfile");
        }
        String text;
        try {
            text = Files.readString(popekfile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Main.UserError("cannot read the Popekfile " + popekfile + ": " + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()), 1);
        }
        PrintStream out = quiet ? new PrintStream(java.io.OutputStream.nullOutputStream()) : new PrintStream(main.terminal().out(), true, StandardCharsets.UTF_8);
        try {
            BuildContext context = new BuildContext(dir);
            var image = new Builder(ImageStore.forUser(), out).build(
                    new Builder.Request(popekfile.getFileName().toString(), text, context, args, noCache, refs));
            if (quiet) {
                PrintStream o = new PrintStream(main.terminal().out(), true, StandardCharsets.UTF_8);
                o.println(image.id());
            }
            return 0;
        } catch (BuildException e) {
            throw new Main.UserError(e.getMessage(), 1);
        } catch (IOException e) {
            throw new Main.UserError("cannot read the build context " + dir + ": " + e.getMessage(), 1);
        } finally {
            out.flush();
        }
    }
}
