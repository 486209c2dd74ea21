package popek.image.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

import popek.container.Container;
import popek.container.ContainerConfig;
import popek.container.Stdio;
import popek.image.ImageStore;
import popek.image.LayerWriter;
import popek.image.RootfsView;
import popek.image.StoreException;
import popek.image.UserSpec;

/**
 * RUN: the command in a Popek container over the image built so far (its ENV and build arguments, WORKDIR and USER;
 * no tmpfs on /tmp or /run, as in Docker's builder), its output shown as the build's; what it changed becomes the
 * step's layer ({@link StepChanges}), or none if it changed nothing.
 */
final class RunStep {
    private final ImageStore store;
    private final Stage stage;
    private final PrintStream out;

    RunStep(ImageStore store, Stage stage, PrintStream out) {
        this.store = store;
        this.stage = stage;
        this.out = out;
    }

    /** Runs {@code argv}; returns the layer written, or null if the command changed nothing. */
    LayerWriter.Written run(List<String> argv, Instruction in, String file) throws BuildException, StoreException, IOException {
        List<Path> layers = stage.layerDirectories(store);
        UserSpec user;
        try {
            user = UserSpec.resolve(stage.config.config().user(), new RootfsView(layers));
        } catch (UserSpec.UnknownException e) {
            throw new BuildException(file, in.line(), "RUN: " + e.getMessage());
        }
        ContainerConfig config = new ContainerConfig(layers, argv, stage.runEnvironment(), stage.workdir(), user.uid(), user.gid(),
                false, false, false, ContainerConfig.DEFAULT_MEMORY);
        LayerWriter.Written[] layer = new LayerWriter.Written[1];
        Container c = new Container(config, new Stdio(InputStream.nullInputStream(), out, out), out).asBuildStep(files -> {
            try (LayerWriter w = store.newLayer()) {
                if (StepChanges.write(files.root().upper().root(), files.madeMountPoints(), w) > 0) layer[0] = w.finish();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        int status;
        try {
            status = c.run();
        } catch (Container.StartFailure e) {
            throw new BuildException(file, in.line(), "RUN: " + e.getMessage());
        } catch (UncheckedIOException e) {
            throw new BuildException(file, in.line(), "RUN: cannot store what the command changed: " + e.getCause().getMessage());
        }
        out.flush();
        if (status != 0) {
            throw new BuildException(file, in.line(), "the command '" + String.join(" ", argv) + "' returned a non-zero code: " + status);
        }
        return layer[0];
    }
}
