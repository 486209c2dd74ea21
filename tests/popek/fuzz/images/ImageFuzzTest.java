package popek.fuzz.images;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import popek.cli.Main;
import popek.cli.Terminal;
import popek.fuzz.harness.FuzzLoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The images target, briefly, with a fixed seed: every case keeps every promise (the README's Hardening section). */
class ImageFuzzTest {
    static final int CASES = 40;

    @Test
    void fortyMutatedImagesAndOptionsKeepEveryPromise() throws Exception {
        var seeds = Seed.load(Seed.defaultDirs());
        Assumptions.assumeFalse(seeds.isEmpty(), "no built guests to take seeds from");
        assertTrue(seeds.stream().map(Seed::kind).distinct().count() == Seed.Kind.values().length,
                "a seed of every kind: " + seeds.stream().map(s -> s.name() + "=" + s.kind()).toList());
        StringWriter out = new StringWriter();
        var summary = new FuzzLoop(new FuzzLoop.Options("images", 7, 0, CASES, 0, null, false), new ImageCases(seeds))
                .run((args, err, guestOut) -> Main.execute(args, err, Terminal.capturing(guestOut)), new PrintWriter(out, true));
        assertEquals(0, summary.failures(), out + summary.line());
        assertEquals(CASES, summary.cases());
        // Both halves were reached: images refused with a usage error, and images that booted and ran to a stop.
        assertTrue(summary.byExit().containsKey(2), summary.line());
        assertTrue(summary.byExit().keySet().stream().anyMatch(c -> c != 2), summary.line());
    }

    @Test
    void aCaseIsTheSameCaseEveryTime() throws Exception {
        var seeds = Seed.load(Seed.defaultDirs());
        Assumptions.assumeFalse(seeds.isEmpty(), "no built guests to take seeds from");
        ImageCases cases = new ImageCases(seeds);
        java.nio.file.Path a = java.nio.file.Files.createTempDirectory("img-a"), b = java.nio.file.Files.createTempDirectory("img-b");
        try {
            var x = cases.generate(3, 17, a);
            var y = cases.generate(3, 17, b);
            assertEquals(x.args().stream().map(s -> s.replace(a.toString(), "")).toList(),
                    y.args().stream().map(s -> s.replace(b.toString(), "")).toList());
            assertTrue(java.util.Arrays.equals(java.nio.file.Files.readAllBytes(a.resolve("image")),
                    java.nio.file.Files.readAllBytes(b.resolve("image"))));
        } finally {
            for (var d : new java.nio.file.Path[] {a, b}) {
                try (var s = java.nio.file.Files.walk(d)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
