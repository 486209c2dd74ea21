package popek.fuzz.devices;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import popek.fuzz.harness.DiskCheck;
import popek.fuzz.harness.FuzzCase;

/**
 * The {@code devices} target's cases: a guest ({@link GuestLayout}) whose code is a random sequence of device
 * accesses ({@link DeviceOps}), in full or emulate mode, or, one case in three, a para guest that mixes them with
 * random hypercalls and ring contents ({@link ParaOps}); with a disk of random bytes to write to (and sometimes a
 * second, read-only one). Beyond the {@code Verdict}, each case checks that the disks changed only where the guest
 * wrote ({@link DiskCheck}).
 */
public final class DeviceCases implements popek.fuzz.harness.FuzzLoop.Generator {
    static final int DISK_BYTES = 32 << 10;
    /** Past its --timeout, this long without an answer is a hang. */
    static final long GRACE_NANOS = 30_000_000_000L;

    static Random random(long seed, int index) { return new Random(seed * 0xD1B54A32D192ED03L ^ (index * 0x9E3779B97F4A7C15L + 7)); }

    @Override
    public FuzzCase generate(long seed, int index, Path dir) throws IOException {
        Random r = random(seed, index);
        boolean para = r.nextInt(3) == 0;
        String mode = para ? "para" : r.nextBoolean() ? "full" : "emulate";
        Code code = new Code(GuestLayout.ENTRY);
        code.lidt(GuestLayout.IDTR);
        GuestLayout.fillMarker(code);
        if (r.nextBoolean()) code.raw(0xFB);   // sti: interrupts the devices raise are taken from the start
        DeviceOps devices = new DeviceOps(r, code, para);
        ParaOps hypercalls = para ? new ParaOps(r, code) : null;
        if (para) hypercalls.setUp();
        int ops = 20 + r.nextInt(r.nextBoolean() ? 100 : 600);
        for (int i = 0; i < ops && code.here() < GuestLayout.CODE_END - 256; i++) {
            if (para && r.nextInt(3) == 0) hypercalls.next();
            else devices.next();
        }
        code.raw(0xFA).out(0xF4, 1, 0x42).raw(0xF4);   // cli; debug-exit 0x42 (exit 133); hlt should it be ignored
        Path image = dir.resolve("guest.elf");
        Files.write(image, GuestLayout.image(code.bytes(), para));

        byte[] disk = new byte[DISK_BYTES];
        r.nextBytes(disk);
        Files.write(dir.resolve("disk.img"), disk);
        Files.write(dir.resolve("disk.img.orig"), disk);
        boolean second = r.nextInt(4) == 0;
        List<String> args = new ArrayList<>(List.of("boot", image.toString(), "--mode", mode, "--memory", "8M",
                "--disk", dir.resolve("disk.img").toString()));
        if (second) {
            byte[] d2 = new byte[8 << 10];
            r.nextBytes(d2);
            Files.write(dir.resolve("disk2.img"), d2);
            Files.write(dir.resolve("disk2.img.orig"), d2);
            args.addAll(List.of("--disk", dir.resolve("disk2.img") + ",readonly"));
        }
        long timeoutMs = 200 + r.nextInt(400);
        args.addAll(List.of("--timeout", timeoutMs + "ms"));
        return new FuzzCase(String.format("%s-%d-%d", mode, seed, index), dir, args, Files.size(image),
                timeoutMs * 1_000_000L + GRACE_NANOS, DeviceCases::disksWrittenOnlyByTheGuest);
    }

    /** The case's check: the writable disk holds only what the guest could have written; the read-only one is untouched. */
    public static String disksWrittenOnlyByTheGuest(Path dir, popek.fuzz.harness.CliRun.Result result) {
        String p = DiskCheck.problem(dir.resolve("disk.img.orig"), dir.resolve("disk.img"), false);
        if (p == null && Files.exists(dir.resolve("disk2.img.orig"))) {
            p = DiskCheck.problem(dir.resolve("disk2.img.orig"), dir.resolve("disk2.img"), true);
        }
        return p;
    }
}
