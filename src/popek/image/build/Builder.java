package popek.image.build;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import popek.image.BuiltinImages;
import popek.image.Digests;
import popek.image.ImageReference;
import popek.image.ImageStore;
import popek.image.LayerWriter;
import popek.image.StoreException;
import popek.image.StoredImage;
import popek.image.oci.Descriptor;
import popek.image.oci.ImageConfiguration;
import popek.image.oci.ImageConfiguration.RunConfig;
import popek.image.oci.Json;
import popek.image.oci.Manifest;
import popek.image.oci.MediaTypes;

/**
 * {@code popek build}: runs a Popekfile's instructions in order, each on the image the previous one left, as Docker's
 * builder does: FROM picks the base (scratch, a local image, or a built-in one imported into the store), RUN runs a
 * command in a Popek container and keeps what it changed as a layer ({@link RunStep}), COPY and ADD add the context's
 * files as a layer ({@link CopyStep}), the others change the image's configuration. Every step's result is an image in
 * the store and an entry of the {@link BuildCache}; a step found there is reused. The last stage's result is tagged.
 */
public final class Builder {
    /** What to build: the Popekfile (its text and name for messages), the context, arguments, cache use, tags. */
    public record Request(String fileName, String text, BuildContext context, Map<String, String> buildArgs, boolean noCache,
                          List<ImageReference> tags) { }

    private final ImageStore store;
    private final BuildCache cache;
    private final PrintStream out;
    private Request req;
    private char escape;
    private final Map<String, String> globalArgs = new LinkedHashMap<>();
    private final Set<String> usedArgs = new LinkedHashSet<>();
    private final Map<String, Stage> stages = new LinkedHashMap<>();

    public Builder(ImageStore store, PrintStream out) {
        this.store = store;
        this.cache = new BuildCache(store);
        this.out = out;
    }

    /** Builds; returns the image made. */
    public StoredImage build(Request request) throws BuildException {
        this.req = request;
        PopekfileParser parser = new PopekfileParser(req.fileName());
        List<Instruction> program = parser.parse(req.text());
        escape = parser.escape();
        if (program.stream().noneMatch(i -> i.keyword().equals("FROM"))) throw new BuildException(req.fileName() + ": no FROM instruction (a Popekfile starts FROM an image, or FROM scratch)");
        Stage stage = null;
        int n = 0;
        for (Instruction in : program) {
            n++;
            out.println("Step " + n + "/" + program.size() + " : " + in.keyword() + " " + (in.flags().isEmpty() ? "" : flagText(in)) + in.args());
            try {
                if (in.keyword().equals("FROM")) {
                    stage = from(in);
                    continue;
                }
                if (stage == null) {
                    if (!in.keyword().equals("ARG")) throw new BuildException(req.fileName(), in.line(), in.keyword() + " before the first FROM (only ARG may come first)");
                    declareArgs(in, null);
                    continue;
                }
                step(stage, in);
            } catch (ShellWords.UnsetException e) {
                throw new BuildException(req.fileName(), in.line(), in.keyword() + ": " + e.getMessage());
            } catch (StoreException e) {
                throw new BuildException(req.fileName(), in.line(), e.getMessage());
            } catch (IOException e) {
                throw new BuildException(req.fileName(), in.line(), in.keyword() + ": " + e.getMessage());
            }
        }
        Set<String> unused = new LinkedHashSet<>(req.buildArgs().keySet());
        unused.removeAll(usedArgs);
        if (!unused.isEmpty()) out.println("[Warning] One or more build-args " + unused + " were not consumed");
        try {
            StoredImage result = finish(stage);
            out.println("Successfully built " + Digests.shortId(result.id()));
            for (ImageReference t : req.tags()) out.println("Successfully tagged " + t);
            return result;
        } catch (StoreException e) {
            throw new BuildException(e.getMessage());
        }
    }

    private static String flagText(Instruction in) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> f : in.flags().entrySet()) b.append("--").append(f.getKey()).append('=').append(f.getValue()).append(' ');
        return b.toString();
    }

    private BuildException error(Instruction in, String message) { return new BuildException(req.fileName(), in.line(), message); }

    // ---------------------------------------------------------------- FROM and ARG

    private Stage from(Instruction in) throws BuildException, ShellWords.UnsetException, StoreException, IOException {
        String platform = in.flags().remove("platform");
        if (platform != null && !platform.equals("linux/386")) throw error(in, "FROM --platform=" + platform + ": Popek runs linux/386 images only");
        for (String f : in.flags().keySet()) throw error(in, "FROM: unknown flag --" + f);
        List<String> w = new ShellWords(escape, globalArgs::get).words(in.args());
        if (w.size() != 1 && !(w.size() == 3 && w.get(1).equalsIgnoreCase("AS"))) throw error(in, "FROM takes IMAGE [AS NAME]");
        String image = w.getFirst();
        Stage s;
        if (image.equals("scratch")) {
            s = new Stage(ImageConfiguration.scratch(), List.of(), "scratch");
            out.println(" ---> (scratch: an empty image)");
        } else if (stages.containsKey(image)) {
            Stage from = stages.get(image);
            s = new Stage(from.config, from.layers, from.manifest);
            out.println(" ---> " + shortManifest(s));
        } else {
            StoredImage base = store.find(image);
            if ((base == null || base.descriptor().annotation(MediaTypes.BUILTIN) != null) && BuiltinImages.isBuiltin(image)) {
                base = BuiltinImages.ensure(store, image.contains(":") ? image.substring(0, image.indexOf(':')) : image, out);
            }
            if (base == null) throw error(in, "FROM " + image + ": no such image (see 'popek images'; built in: busybox, debian; Popek pulls from no registry)");
            s = new Stage(base.config(), base.manifest().layers(), base.manifestDigest());
            out.println(" ---> " + Digests.shortId(base.id()));
        }
        if (w.size() == 3) stages.put(w.get(2).toLowerCase(), s);
        return s;
    }

    /** ARG NAME[=DEFAULT]...: before FROM into the global scope, else into {@code stage}'s. */
    private void declareArgs(Instruction in, Stage stage) throws BuildException, ShellWords.UnsetException {
        if (in.args().isEmpty()) throw error(in, "ARG requires at least one argument");
        ShellWords words = new ShellWords(escape, stage == null ? globalArgs::get : stage.variables());
        for (String raw : ShellWords.rawWords(in.args(), escape)) {
            int eq = raw.indexOf('=');
            String name = eq < 0 ? raw : raw.substring(0, eq);
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) throw error(in, "ARG: invalid name '" + name + "'");
            String value = eq < 0 ? null : words.word(raw.substring(eq + 1));
            if (req.buildArgs().containsKey(name)) {
                value = req.buildArgs().get(name);
                usedArgs.add(name);
            } else if (value == null && stage != null) {
                value = globalArgs.get(name);
            }
            if (stage == null) globalArgs.put(name, value);
            else stage.args.put(name, value);
        }
    }

    // ---------------------------------------------------------------- the steps after FROM

    private void step(Stage s, Instruction in) throws BuildException, ShellWords.UnsetException, StoreException, IOException {
        if (in.keyword().equals("ARG")) {
            declareArgs(in, s);
            return;
        }
        // The build arguments in scope are an input of every step: RUN sees them in its environment, and the others
        // may expand them ($X), so a step whose text is unchanged but whose arguments are not must run again.
        String inputs = s.argsKey();
        ShellWords words = new ShellWords(escape, s.variables());
        CopyStep copy = null;
        switch (in.keyword()) {
            case "RUN" -> inputs += String.join("\0", s.shell);
            case "COPY", "ADD" -> {
                copy = new CopyStep(store, req.context(), s, in, words, req.fileName());
                inputs += copy.digest();
            }
            case "ONBUILD", "HEALTHCHECK" -> throw error(in, in.keyword() + " is not supported by Popek");
            case "SHELL" -> {
                if (!in.isJson() || in.json().isEmpty()) throw error(in, "SHELL requires the arguments as a JSON array of strings, e.g. SHELL [\"/bin/sh\", \"-c\"]");
                s.shell = List.copyOf(in.json());
                return;
            }
            default -> { }
        }
        for (String f : in.flags().keySet()) {
            if (!(copy != null && (f.equals("chown") || f.equals("chmod") || f.equals("link")))) throw error(in, in.keyword() + ": unknown or unsupported flag --" + f);
        }
        String key = BuildCache.key(s.manifest, in.keyword() + " " + in.flags() + " " + in.args() + " " + s.workdir() + " " + s.config.config().user(), inputs);
        String hit = req.noCache() ? null : cache.lookup(key);
        if (hit != null) {
            Manifest m = store.manifest(hit);
            s.config = store.configuration(m.config().digest());
            s.layers = new ArrayList<>(m.layers());
            s.manifest = hit;
            if (in.keyword().equals("CMD")) s.cmdSet = true;
            out.println(" ---> Using cache");
            out.println(" ---> " + Digests.shortId(m.config().digest()));
            return;
        }
        String parent = s.manifest, now = Instant.now().toString();
        LayerWriter.Written layer = null;
        String createdBy = in.keyword() + " " + in.args();
        switch (in.keyword()) {
            case "RUN" -> {
                List<String> argv = in.isJson() ? in.json() : join(s.shell, in.args());
                if (argv.isEmpty()) throw error(in, "RUN with an empty command");
                createdBy = "RUN " + String.join(" ", argv);
                layer = new RunStep(store, s, out).run(argv, in, req.fileName());
            }
            case "COPY", "ADD" -> layer = copy.write();
            default -> createdBy = configure(s, in, words);
        }
        if (in.keyword().equals("WORKDIR")) layer = CopyStep.workdir(store, s);
        ImageConfiguration c = s.config.withStep(now, createdBy, layer == null ? null : layer.diffId());
        if (layer != null) s.layers.add(layer.descriptor());
        s.config = c;
        store(s);
        cache.put(key, s.manifest, parent);
        out.println(" ---> " + shortManifest(s));
    }

    /** Records the stage's image in the store (config and manifest blobs). */
    private void store(Stage s) throws IOException {
        Descriptor cfg = store.putBlob(MediaTypes.CONFIG, Json.write(s.config));
        Descriptor man = store.putBlob(MediaTypes.MANIFEST, Json.write(new Manifest(cfg, s.layers)));
        s.manifest = man.digest();
    }

    private String shortManifest(Stage s) throws StoreException {
        if (s.manifest.equals("scratch")) return "(scratch)";
        return Digests.shortId(store.manifest(s.manifest).config().digest());
    }

    private static List<String> join(List<String> shell, String command) {
        List<String> a = new ArrayList<>(shell);
        a.add(command);
        return a;
    }

    /** ENV, LABEL, WORKDIR, USER, EXPOSE, VOLUME, CMD, ENTRYPOINT, STOPSIGNAL, MAINTAINER; returns the history's text. */
    private String configure(Stage s, Instruction in, ShellWords words) throws BuildException, ShellWords.UnsetException {
        RunConfig c = s.config.config();
        String text = in.keyword() + " " + in.args();
        switch (in.keyword()) {
            case "ENV" -> {
                Map<String, String> env = s.env();
                env.putAll(pairs(in, words, true));
                List<String> list = new ArrayList<>();
                env.forEach((k, v) -> list.add(k + "=" + v));
                c = new RunConfig(c.user(), c.exposedPorts(), list, c.entrypoint(), c.cmd(), c.volumes(), c.workingDir(), c.labels(), c.stopSignal());
            }
            case "LABEL" -> {
                Map<String, String> labels = new TreeMap<>(c.labels() == null ? Map.of() : c.labels());
                labels.putAll(pairs(in, words, false));
                c = new RunConfig(c.user(), c.exposedPorts(), c.env(), c.entrypoint(), c.cmd(), c.volumes(), c.workingDir(), labels, c.stopSignal());
            }
            case "WORKDIR" -> {
                String dir = words.word(in.args());
                String path = CopyStep.clean(dir.startsWith("/") ? dir : s.workdir() + "/" + dir);
                c = new RunConfig(c.user(), c.exposedPorts(), c.env(), c.entrypoint(), c.cmd(), c.volumes(), path, c.labels(), c.stopSignal());
                text = "WORKDIR " + path;
            }
            case "USER" -> {
                String user = words.word(in.args());
                if (user.isEmpty()) throw error(in, "USER requires a user");
                c = new RunConfig(user, c.exposedPorts(), c.env(), c.entrypoint(), c.cmd(), c.volumes(), c.workingDir(), c.labels(), c.stopSignal());
            }
            case "EXPOSE" -> {
                Map<String, Map<String, Object>> ports = new TreeMap<>(c.exposedPorts() == null ? Map.of() : c.exposedPorts());
                for (String p : words.words(in.args())) for (String port : ports(in, p)) ports.put(port, Map.of());
                c = new RunConfig(c.user(), ports, c.env(), c.entrypoint(), c.cmd(), c.volumes(), c.workingDir(), c.labels(), c.stopSignal());
            }
            case "VOLUME" -> {
                Map<String, Map<String, Object>> vols = new TreeMap<>(c.volumes() == null ? Map.of() : c.volumes());
                List<String> list = in.isJson() ? in.json() : words.words(in.args());
                if (list.isEmpty()) throw error(in, "VOLUME requires at least one path");
                for (String v : list) {
                    if (v.isBlank()) throw error(in, "VOLUME: a path is empty");
                    vols.put(v, Map.of());
                }
                c = new RunConfig(c.user(), c.exposedPorts(), c.env(), c.entrypoint(), c.cmd(), vols, c.workingDir(), c.labels(), c.stopSignal());
            }
            case "CMD" -> {
                List<String> cmd = in.isJson() ? in.json() : join(s.shell, in.args());
                c = new RunConfig(c.user(), c.exposedPorts(), c.env(), c.entrypoint(), cmd, c.volumes(), c.workingDir(), c.labels(), c.stopSignal());
                s.cmdSet = true;
                text = "CMD " + Json.mapper().writeValueAsString(cmd);
            }
            case "ENTRYPOINT" -> {
                List<String> ep = in.isJson() ? in.json() : join(s.shell, in.args());
                // Docker's rule: a new ENTRYPOINT drops a CMD inherited from the base image, not one set in this stage.
                List<String> cmd = s.cmdSet ? c.cmd() : null;
                c = new RunConfig(c.user(), c.exposedPorts(), c.env(), ep, cmd, c.volumes(), c.workingDir(), c.labels(), c.stopSignal());
                text = "ENTRYPOINT " + Json.mapper().writeValueAsString(ep);
            }
            case "STOPSIGNAL" -> {
                String sig = words.word(in.args());
                if (!sig.matches("(SIG)?[A-Z0-9+-]+|[0-9]+")) throw error(in, "STOPSIGNAL: invalid signal '" + sig + "'");
                c = new RunConfig(c.user(), c.exposedPorts(), c.env(), c.entrypoint(), c.cmd(), c.volumes(), c.workingDir(), c.labels(), sig);
            }
            case "MAINTAINER" -> s.config = s.config.withAuthor(in.args());
            default -> throw error(in, "unknown instruction " + in.keyword());
        }
        s.config = s.config.withConfig(c);
        return text;
    }

    /** ENV's and LABEL's KEY=VALUE pairs (or ENV's old "KEY VALUE" form), each expanded with the values before it. */
    private Map<String, String> pairs(Instruction in, ShellWords words, boolean env) throws BuildException, ShellWords.UnsetException {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> raw = ShellWords.rawWords(in.args(), escape);
        if (!raw.isEmpty() && !raw.getFirst().contains("=")) {
            if (raw.size() < 2) throw error(in, in.keyword() + " " + raw.getFirst() + ": a value is missing (KEY=VALUE, or KEY VALUE)");
            String key = words.word(raw.getFirst());
            String rest = in.args().substring(in.args().indexOf(raw.getFirst()) + raw.getFirst().length()).strip();
            out.put(key, words.word(rest));
            return out;
        }
        for (String w : raw) {
            int eq = w.indexOf('=');
            if (eq <= 0) throw error(in, in.keyword() + ": '" + w + "' is not KEY=VALUE");
            String key = words.word(w.substring(0, eq));
            if (key.isEmpty() || (env && key.contains("="))) throw error(in, in.keyword() + ": an empty name in '" + w + "'");
            out.put(key, words.word(w.substring(eq + 1)));
        }
        return out;
    }

    /** EXPOSE's PORT[-PORT][/PROTO] as Docker's "80/tcp" keys. */
    private List<String> ports(Instruction in, String spec) throws BuildException {
        String proto = "tcp", range = spec;
        int slash = spec.indexOf('/');
        if (slash >= 0) {
            proto = spec.substring(slash + 1).toLowerCase();
            range = spec.substring(0, slash);
        }
        if (!List.of("tcp", "udp", "sctp").contains(proto)) throw error(in, "EXPOSE: invalid protocol '" + proto + "' in " + spec);
        String[] ends = range.split("-", 2);
        try {
            int lo = Integer.parseInt(ends[0]), hi = ends.length > 1 ? Integer.parseInt(ends[1]) : lo;
            if (lo < 0 || hi > 65535 || lo > hi) throw new NumberFormatException();
            List<String> out = new ArrayList<>();
            for (int p = lo; p <= hi; p++) out.add(p + "/" + proto);
            return out;
        } catch (NumberFormatException e) {
            throw error(in, "EXPOSE: invalid port '" + spec + "'");
        }
    }

    // ---------------------------------------------------------------- the result

    private StoredImage finish(Stage s) throws StoreException {
        String manifest = s.manifest;
        if (manifest.equals("scratch")) {
            try {
                store(s);
            } catch (IOException e) {
                throw new StoreException("cannot store the image: " + e.getMessage());
            }
            manifest = s.manifest;
        }
        Descriptor d = new Descriptor(MediaTypes.MANIFEST, manifest, store.readBlob(manifest).length);
        if (req.tags().isEmpty()) {
            store.updateIndex(entries -> {
                if (entries.stream().noneMatch(e -> e.digest().equals(d.digest()))) entries.add(d);
                return entries;
            });
        }
        for (ImageReference t : req.tags()) store.tag(d, t, null);
        return store.image(d);
    }
}
