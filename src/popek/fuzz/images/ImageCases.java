package popek.fuzz.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import popek.fuzz.harness.FuzzCase;
import popek.fuzz.harness.FuzzLoop;

/**
 * The {@code images} target's cases: a mutated seed booted the way its kind is booted (one case in eight another
 * way: a bzImage as a Multiboot image, an ELF as a disk...), with a random initrd or second disk now and then, and
 * option values valid and not. Every case has a short --timeout (or a value that is refused), 16 MiB of RAM unless
 * --memory is what is being tried, and writes only into its own directory.
 */
public final class ImageCases implements FuzzLoop.Generator {
    /** Past its --timeout, this long without an answer is a hang (generous: two cores may be shared with much else). */
    static final long GRACE_NANOS = 30_000_000_000L;

    private final List<Seed> seeds;

    public ImageCases(List<Seed> seeds) {
        if (seeds.isEmpty()) throw new IllegalArgumentException("no seed images (are target/guest-images and target/test-guests built?)");
        this.seeds = List.copyOf(seeds);
    }

    /** Case {@code index} of {@code seed}'s random numbers: the same case every time. */
    static Random random(long seed, int index) { return new Random(seed * 0x9E3779B97F4A7C15L ^ (index * 0xC2B2AE3D27D4EB4FL + 1)); }

    @Override
    public FuzzCase generate(long seed, int index, Path dir) throws IOException {
        Random r = random(seed, index);
        Seed s = seeds.get(r.nextInt(seeds.size()));
        byte[] image = ImageMutator.mutate(s, r);
        Seed.Kind how = r.nextInt(8) == 0 ? Seed.Kind.values()[r.nextInt(Seed.Kind.values().length)] : s.kind();
        long input = image.length;
        List<String> args = new ArrayList<>(List.of("boot"));
        Path file = dir.resolve("image");
        Files.write(file, image);
        switch (how) {
            case ELF, AOUT -> args.add(file.toString());
            case BZIMAGE -> {
                args.addAll(List.of("--kernel", file.toString()));
                if (r.nextInt(3) == 0) {
                    byte[] initrd = randomBytes(r, r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(64 << 10));
                    Files.write(dir.resolve("initrd"), initrd);
                    args.addAll(List.of("--initrd", dir.resolve("initrd").toString()));
                    input += initrd.length;
                }
            }
            case BOOT_SECTOR -> {
                // The guest may write its disk: the pristine copy marks it as a file it may change.
                Files.write(dir.resolve("image.orig"), image);
                args.addAll(List.of("--disk", file + (r.nextInt(4) == 0 ? ",readonly" : "")));
            }
        }
        if (r.nextInt(6) == 0) {   // a second disk, of a size a disk may or may not have
            byte[] disk = randomBytes(r, new int[] {0, 511, 512, 4096, 1000}[r.nextInt(5)]);
            Files.write(dir.resolve("disk2"), disk);
            Files.write(dir.resolve("disk2.orig"), disk);
            args.addAll(List.of("--disk", dir.resolve("disk2") + (r.nextBoolean() ? ",readonly" : r.nextInt(4) == 0 ? ",bogus" : "")));
        }
        // One case in four tries option values (most of them refused); the others boot the image with valid ones.
        boolean options = r.nextInt(4) == 0;
        String mode = options && r.nextInt(6) == 0 ? OptionValues.mode(r)
                : s.name().contains("para") || s.name().startsWith("pv-") ? (r.nextInt(5) == 0 ? "full" : "para")
                : r.nextBoolean() ? "full" : "emulate";
        args.addAll(List.of("--mode", mode));
        args.addAll(List.of("--memory", options && r.nextInt(5) == 0 ? OptionValues.memory(r) : "16M"));
        long timeoutMs = 150 + r.nextInt(350);
        args.addAll(List.of("--timeout", switch (options ? r.nextInt(8) : 2) {
            case 0 -> OptionValues.badTimeout(r);
            case 1 -> OptionValues.shortTimeout(r);
            default -> timeoutMs + "ms";
        }));
        if (r.nextInt(options ? 2 : 6) == 0) {
            String c = OptionValues.cmdline(r);
            args.addAll(List.of("--cmdline", c));
            input += 8L * c.length();
        }
        if (options && r.nextInt(5) == 0) args.addAll(List.of("--tsc-mhz", OptionValues.tscMhz(r)));
        if (options && r.nextInt(5) == 0) args.addAll(List.of("--cpuid", OptionValues.cpuid(r)));
        if (options && r.nextInt(5) == 0) args.addAll(List.of("--input", OptionValues.input(r)));
        if (r.nextInt(options ? 5 : 20) == 0) {
            args.addAll(List.of("--screen-dump", switch (r.nextInt(3)) {
                case 0 -> dir.resolve(FuzzLoop.SCREEN_DUMP).toString();
                case 1 -> dir.resolve("no-such-dir").resolve("screen").toString();
                default -> dir.toString();
            }));
        }
        if (options && r.nextInt(8) == 0) args.add(r.nextInt(args.size() - 1) + 1, OptionValues.unknown(r));
        String name = String.format("%s-%d-%d", s.name().replaceAll("[^A-Za-z0-9.-]", "_"), seed, index);
        return new FuzzCase(name, dir, args, input, timeoutMs * 1_000_000L + GRACE_NANOS, FuzzCase.Check.NONE);
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }
}
