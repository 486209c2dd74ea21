package popek.image.build;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import popek.image.ImageStore;
import popek.image.RootfsView;
import popek.image.StoreException;
import popek.image.oci.Descriptor;
import popek.image.oci.ImageConfiguration;

/**
 * The image a build has made so far in one stage (since its FROM): its configuration and layers, the manifest that
 * records them (the parent of the next step's cache key), the build arguments declared in the stage, the shell of
 * shell-form commands, and whether CMD was set in this stage (ENTRYPOINT then keeps it, as Docker's rule says).
 */
final class Stage {
    ImageConfiguration config;
    List<Descriptor> layers;
    String manifest;
    final Map<String, String> args = new LinkedHashMap<>();
    List<String> shell = List.of("/bin/sh", "-c");
    boolean cmdSet;

    Stage(ImageConfiguration config, List<Descriptor> layers, String manifest) {
        this.config = config;
        this.layers = new ArrayList<>(layers);
        this.manifest = manifest;
    }

    /** The image's environment as a map (later entries win). */
    Map<String, String> env() {
        Map<String, String> m = new LinkedHashMap<>();
        List<String> e = config.config().env();
        if (e != null) for (String kv : e) {
            int eq = kv.indexOf('=');
            if (eq > 0) m.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return m;
    }

    /** What $NAME means in an instruction: the image's ENV, else a build argument declared here. */
    Function<String, String> variables() {
        Map<String, String> env = env();
        return name -> env.containsKey(name) ? env.get(name) : args.get(name);
    }

    /** A RUN's environment: the image's ENV plus the stage's build arguments it does not set. */
    List<String> runEnvironment() {
        Map<String, String> env = env();
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> a : args.entrySet()) if (a.getValue() != null && !env.containsKey(a.getKey())) out.add(a.getKey() + "=" + a.getValue());
        for (Map.Entry<String, String> e : env.entrySet()) out.add(e.getKey() + "=" + e.getValue());
        return out;
    }

    /** The build arguments' values, for a RUN's cache key. */
    String argsKey() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> a : args.entrySet()) b.append(a.getKey()).append('=').append(a.getValue()).append('\n');
        return b.toString();
    }

    /** The unpacked layers, the top one first. */
    List<Path> layerDirectories(ImageStore store) throws StoreException {
        List<String> ids = config.diffIds();
        List<Path> out = new ArrayList<>();
        for (int i = layers.size() - 1; i >= 0; i--) out.add(store.unpackedLayer(ids.get(i), layers.get(i)));
        return out;
    }

    RootfsView view(ImageStore store) throws StoreException { return new RootfsView(layerDirectories(store)); }

    String workdir() {
        String w = config.config().workingDir();
        return w == null || w.isEmpty() ? "/" : w;
    }
}
