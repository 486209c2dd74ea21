package popek.fuzz.code;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import popek.fuzz.harness.FuzzCase;
import popek.fuzz.harness.FuzzLoop;

/**
 * The {@code code} target's cases: whole boots of random guest code, each run in emulate and in full mode from the
 * same files and held to agree ({@link BootComparison}): three in five a Multiboot kernel ({@link RandomKernel}), one
 * in five a boot sector ({@link RandomBootSector}, each mode on its own copy of the disk); the last one in five a
 * random para kernel, which only para mode runs, held to the promises alone.
 */
public final class CodeCases implements FuzzLoop.Generator {
    /** Each run's --timeout, and how long past it no answer is a hang. */
    static final long TIMEOUT_MS = 300, GRACE_NANOS = 30_000_000_000L;
    private static final List<String> MODES = List.of("emulate", "full");

    static Random random(long seed, int index) { return new Random(seed * 0x2545F4914F6CDD1DL ^ (index * 0x9E3779B97F4A7C15L + 11)); }

    @Override
    public FuzzCase generate(long seed, int index, Path dir) throws IOException {
        Random r = random(seed, index);
        int kind = r.nextInt(5);
        long limit = TIMEOUT_MS * 1_000_000L + GRACE_NANOS;
        if (kind == 4) {
            RandomKernel.Kernel k = RandomKernel.make(r, true);
            Path image = dir.resolve("kernel.elf");
            Files.write(image, k.file());
            return new FuzzCase("para-" + k.name() + "-" + seed + "-" + index, dir, args(image, null, "para", TIMEOUT_MS),
                    Files.size(image), limit, FuzzCase.Check.NONE);
        }
        List<String> first;
        String name;
        long input;
        if (kind < 3) {
            RandomKernel.Kernel k = RandomKernel.make(r, false);
            Path image = dir.resolve("kernel.elf");
            Files.write(image, k.file());
            first = args(image, null, MODES.getFirst(), TIMEOUT_MS);
            name = "kernel-" + k.name();
            input = k.file().length;
        } else {
            RandomBootSector.Disk d = RandomBootSector.make(r);
            for (String m : MODES) {   // each mode writes a disk of its own; they must be the same afterwards
                Files.write(dir.resolve("disk-" + m + ".img"), d.bytes());
                Files.write(dir.resolve("disk-" + m + ".img.orig"), d.bytes());
            }
            first = args(null, dir.resolve("disk-" + MODES.getFirst() + ".img"), MODES.getFirst(), TIMEOUT_MS);
            name = "bootsector-" + d.name();
            input = d.bytes().length;
        }
        return new FuzzCase(name + "-" + seed + "-" + index, dir, first, input, limit, FuzzCase.Check.NONE, differential(first));
    }

    /**
     * The other runs a case whose first run is {@code emulateArgs} is compared with: the same files in full mode (a
     * disk of its own), and both again with 8 times the --timeout. Also what a kept case is replayed with.
     */
    public static FuzzCase.Differential differential(List<String> emulateArgs) {
        List<String> full = emulateArgs.stream().map(a -> a.equals("emulate") ? "full" : a.endsWith("disk-emulate.img")
                ? a.substring(0, a.length() - "disk-emulate.img".length()) + "disk-full.img" : a).toList();
        List<Path> disks = full.contains("--disk")
                ? List.of(Path.of(emulateArgs.get(emulateArgs.indexOf("--disk") + 1)), Path.of(full.get(full.indexOf("--disk") + 1)))
                : List.of();
        Path kernel = full.contains("--disk") ? null : Path.of(emulateArgs.get(1));
        return new FuzzCase.Differential(List.of(full), results -> BootComparison.problem(MODES, results, disks, kernel),
                List.of(patient(emulateArgs), patient(full)));
    }

    /** The command line with 8 times its --timeout. */
    private static List<String> patient(List<String> args) {
        List<String> p = new ArrayList<>(args);
        int i = p.indexOf("--timeout");
        long ms = Long.parseLong(p.get(i + 1).replace("ms", ""));
        p.set(i + 1, ms * 8 + "ms");
        return p;
    }

    private static List<String> args(Path image, Path disk, String mode, long timeoutMs) {
        List<String> a = new ArrayList<>(List.of("boot"));
        if (image != null) a.add(image.toString());
        if (disk != null) a.addAll(List.of("--disk", disk.toString()));
        a.addAll(List.of("--mode", mode, "--memory", "4M", "--timeout", timeoutMs + "ms"));
        return a;
    }
}
