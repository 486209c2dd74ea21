package popek.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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

/** {@code popek images}: the store's images, one line per tag (Docker's columns; SIZE is what the image takes, compressed). */
@Command(name = "images", mixinStandardHelpOptions = true, description = "List the images of the store.")
final class ImagesCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = {"-q", "--quiet"}, description = "Print only the image IDs.")
    boolean quiet;

    @Parameters(paramLabel = "NAME", arity = "0..1", description = "Only the images of this repository name.")
    String name;

    @Override
    public Integer call() {
        PrintStream out = new PrintStream(main.terminal().out(), true, StandardCharsets.UTF_8);
        List<String[]> rows = new ArrayList<>();
        try {
            for (StoredImage i : ImageStore.forUser().images()) {
                List<String> tags = i.tags().isEmpty() ? List.of("<none>:<none>") : i.tags();
                for (String t : tags) {
                    int c = t.lastIndexOf(':');
                    String repo = t.substring(0, c), tag = t.substring(c + 1);
                    if (name != null && !name.equals(repo)) continue;
                    rows.add(new String[] {repo, tag, Digests.shortId(i.id()), ago(i.config().created()), size(i.size())});
                }
            }
        } catch (StoreException e) {
            throw new Main.UserError(e.getMessage(), 1);
        }
        if (quiet) {
            rows.stream().map(r -> r[2]).distinct().forEach(out::println);
            return 0;
        }
        String fmt = "%-30s %-15s %-15s %-18s %s%n";
        out.printf(fmt, "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
        for (String[] r : rows) out.printf(fmt, (Object[]) r);
        return 0;
    }

    /** Docker's "2 hours ago". */
    static String ago(String created) {
        if (created == null) return "N/A";
        try {
            Duration d = Duration.between(Instant.parse(created), Instant.now());
            long s = d.toSeconds();
            if (s < 60) return s <= 1 ? "Less than a second ago" : s + " seconds ago";
            if (s < 3600) return plural(s / 60, "minute");
            if (s < 86400 * 2) return plural(s / 3600, "hour");
            if (s < 86400 * 14) return plural(s / 86400, "day");
            if (s < 86400 * 60) return plural(s / (86400 * 7), "week");
            if (s < 86400 * 730) return plural(s / (86400 * 30), "month");
            return plural(s / (86400 * 365), "year");
        } catch (java.time.format.DateTimeParseException e) {
            return created;
        }
    }

    private static String plural(long n, String unit) { return (n == 1 ? "About a" + (unit.startsWith("h") ? "n " : " ") + unit : n + " " + unit + "s") + " ago"; }

    /** Docker's sizes: decimal units, three significant figures. */
    static String size(long bytes) {
        if (bytes < 1000) return bytes + "B";
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString() + units[u];
    }
}
