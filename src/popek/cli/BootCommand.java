package popek.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;
import popek.cpu.CpuConfig;
import popek.cpu.CpuidTable;
import popek.cpu.ExecutionMode;
import popek.cpu.StopReason;
import popek.platform.BootImageException;
import popek.platform.InvalidMemorySizeException;
import popek.platform.Machine;
import popek.platform.MachineBuilder;
import popek.platform.MemorySize;

/** {@code popek boot IMAGE}: boot a Multiboot kernel with the serial port on the terminal. */
@Command(name = "boot", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Boot a Multiboot (version 1) kernel: an ELF32 image, or one using the a.out kludge; a Linux",
            "bzImage (--kernel); or, with neither, the first --disk's boot sector, in real mode as a BIOS starts it.",
            "COM1 is the terminal: what the guest sends appears on standard output, what you type reaches its UART.",
            "The process exits with the guest's exit code (see README: 0 power-off, (v<<1)|1 debug-exit, even codes for stops)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the guest powered off (16-bit write of 0x2000 to port 0x604)",
            "odd:the guest wrote v to the debug-exit port 0xF4: (v << 1) | 1",
            "2:a usage error: bad flag, missing file, malformed image",
            "4:the native libraries are missing or too old",
            "64:the guest triple-faulted",
            "66:--timeout elapsed",
            "68:the guest halted with interrupts disabled",
            "70:the guest touched physical memory that does not exist",
            "72:the guest used something Popek does not emulate",
            "74:an internal error in Popek",
            "130:interrupted (Ctrl-C)"})
final class BootCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Parameters(index = "0", paramLabel = "IMAGE", arity = "0..1",
            description = "A Multiboot kernel file, or the name of a guest Popek ships (hello, tinyos, trapbench).")
    String image;

    @Option(names = "--kernel", paramLabel = "BZIMAGE",
            description = "Instead of IMAGE: a Linux bzImage, started by the 32-bit boot protocol (2.02 or later).")
    Path linuxKernel;

    @Option(names = "--initrd", paramLabel = "FILE", description = "With --kernel: an initial RAM disk (initramfs).")
    Path initrd;

    @Option(names = "--memory", paramLabel = "SIZE", defaultValue = "64M", converter = MemoryConverter.class,
            description = "Guest RAM: 2M to 3G, e.g. 64M, 1G, 65536K (default: ${DEFAULT-VALUE}).")
    MemorySize memory;

    @Option(names = "--cpus", paramLabel = "N", description = {"CPU bandwidth of the VM's cgroup: cpu.max N*100000 100000 (e.g. 0.5: half a",
        "CPU), as popek run --cpus."})
    String cpus;

    @Option(names = "--cpu-weight", paramLabel = "W", description = "cpu.weight of the VM's cgroup, 1 to 10000 (default 100).")
    String cpuWeight;

    @Option(names = "--cmdline", paramLabel = "TEXT", defaultValue = "",
            description = "The kernel command line, passed in the Multiboot information.")
    String cmdline;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "full", converter = ModeConverter.class,
            description = {"How guest kernel code runs (default: ${DEFAULT-VALUE}):",
                "full: trap-and-emulate; sensitive kernel instructions are rewritten into traps Popek emulates;",
                "emulate: the CPU emulator runs privileged instructions itself (like hardware-assisted virtualisation);",
                "  not faithful where Unicorn is not: ring-3 in/out never raises #GP (no IOPL or I/O bitmap check), an "
                    + "interrupt is not taken inside a short sti...cli window (sti and cli never exit to Popek), and rdtsc "
                    + "reads the host's TSC, not virtual time (--tsc-mhz does not apply): a guest that relies on these "
                    + "needs full (README: Execution modes);",
                "para: full mode's engine plus Popek's para-virtual interface, for a guest built for it (its PV note)."})
    ExecutionMode mode;

    @Option(names = "--disk", paramLabel = "FILE[,readonly]", converter = DiskConverter.class,
            description = {"A raw disk image on the primary ATA channel (the first is the master, a second the slave).",
                "Written in place as the guest writes it; ,readonly makes writes fail with an ATA error instead.",
                "Also accepted: file=FILE[,readonly]. Repeatable (twice)."})
    java.util.List<DiskArg> disks = new java.util.ArrayList<>();

    @Option(names = "--input", paramLabel = "auto|serial|keyboard", defaultValue = "auto",
            description = {"Where what you type goes: serial: COM1's UART; keyboard: the PC keyboard (8042, scan code set 1, IRQ 1);",
                "auto (default): COM1, or the keyboard once the CGA screen is the guest's console (it has text and COM1 none)."})
    String input;

    @Option(names = "--screen-dump", paramLabel = "FILE",
            description = "At exit, write the CGA text screen (80x25 at 0xB8000) to FILE as text.")
    Path screenDump;

    @Option(names = "--cpuid", paramLabel = "LEAF[.SUB]=EAX,EBX,ECX,EDX", converter = CpuidConverter.class,
            description = {"Answer CPUID leaf LEAF (sub-leaf SUB, else every sub-leaf) with these values instead of the",
                "CPU model's; hexadecimal, e.g. 0x40000000=0,0x65706f50,0x6b,0. Repeatable."})
    java.util.List<CpuidEntry> cpuid = new java.util.ArrayList<>();

    @Option(names = "--tsc-mhz", paramLabel = "MHZ", defaultValue = "1000",
            description = "The virtual time-stamp counter's rate in full mode, 1 to 8000 MHz (default: ${DEFAULT-VALUE}).")
    long tscMhz;

    @Option(names = "--stats", description = "At exit, print run-loop exits by reason and traps by kind, with counts and host time (to stderr).")
    boolean stats;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "0", converter = DurationConverter.class,
            description = "Stop the guest after this much time, e.g. 10s, 500ms, 2m (default: no limit).")
    long timeoutNanos;

    @Option(names = "--gdb", paramLabel = "tcp:HOST:PORT", converter = GdbAddressConverter.class,
            description = {"Listen for gdb on this address (gdb: target remote HOST:PORT), as QEMU's -gdb. A debugger that",
                "connects stops the guest; its breakpoints and watchpoints cost nothing where they are not set."})
    popek.gdb.GdbAddress gdb;

    @Option(names = "-s", description = "Shorthand for --gdb tcp:127.0.0.1:1234 (QEMU's -s).")
    boolean gdbDefault;

    @Option(names = "-S", description = "With --gdb or -s: stop before the guest's first instruction until gdb lets it go.")
    boolean waitForGdb;

    @Override
    public Integer call() throws IOException {
        if (image != null && linuxKernel != null) throw new Main.UserError("give either an IMAGE or --kernel, not both");
        if (image == null && linuxKernel == null && disks.isEmpty()) {
            throw new Main.UserError("nothing to boot: give an IMAGE, --kernel BZIMAGE, or --disk FILE to boot from its sector 0");
        }
        if (initrd != null && linuxKernel == null) throw new Main.UserError("--initrd goes with --kernel");
        if (screenDump != null && screenDump.toAbsolutePath().getParent() != null
                && !Files.isDirectory(screenDump.toAbsolutePath().getParent())) {
            throw new Main.UserError("--screen-dump: no such directory: " + screenDump.toAbsolutePath().getParent());
        }
        if (screenDump != null && Files.isDirectory(screenDump)) {
            // Found now, not when the guest stops: then it would be a second line after the stop's (found by popek fuzz).
            throw new Main.UserError("--screen-dump: " + screenDump + " is a directory; name a file to write the screen to");
        }
        if (!input.equals("auto") && !input.equals("serial") && !input.equals("keyboard")) {
            throw new Main.UserError("--input: '" + input + "' is not auto, serial or keyboard");
        }
        if (tscMhz < 1 || tscMhz > 8000) throw new Main.UserError("--tsc-mhz: must be 1 to 8000, not " + tscMhz);
        long cpuQuota;
        int weight;
        try {
            cpuQuota = cpus == null ? 0 : popek.cgroup.LimitFlags.parseCpus(cpus, Runtime.getRuntime().availableProcessors());
            weight = cpuWeight == null ? popek.cgroup.CpuControl.DEFAULT_WEIGHT : popek.cgroup.LimitFlags.parseCpuWeight(cpuWeight);
        } catch (IllegalArgumentException e) {
            throw new Main.UserError(e.getMessage());
        }
        CpuidTable table = CpuidTable.EMPTY;
        for (CpuidEntry e : cpuid) table = table.with(e.leaf(), e.subleaf(), e.eax(), e.ebx(), e.ecx(), e.edx());
        Path path = image == null ? null : resolveImage(image);
        if (gdb != null && gdbDefault) throw new Main.UserError("give --gdb or -s, not both");
        if (gdbDefault) gdb = popek.gdb.GdbAddress.DEFAULT;
        if (waitForGdb && gdb == null) throw new Main.UserError("-S waits for gdb: give --gdb tcp:HOST:PORT or -s as well");
        popek.gdb.GdbServer gdbServer = null;
        popek.debug.DebugSession debugSession = null;
        if (gdb != null) {
            gdbServer = new popek.gdb.GdbServer(gdb);
            debugSession = new popek.debug.DebugSession(gdbServer, waitForGdb);
        }
        // The VM's cgroup: its cpu settings, its RAM charged (memory.current) for as long as it exists.
        popek.cgroup.Cgroup cg = popek.cgroup.CgroupHierarchy.host().newGroup("vm");
        cg.cpu().setWeight(weight);
        if (cpuQuota > 0) cg.cpu().setMax(cpuQuota, popek.cgroup.CpuControl.DEFAULT_PERIOD_USEC);
        cg.forceChargeMemory(popek.cgroup.MemoryControl.ANON, memory.bytes());
        try (popek.gdb.GdbServer ignored = gdbServer) {
            return boot(path, table, gdbServer, debugSession, cg);
        } finally {
            cg.unchargeMemory(popek.cgroup.MemoryControl.ANON, memory.bytes());
            popek.cgroup.CgroupHierarchy.host().discard(cg);
        }
    }

    /** Builds the machine (with the GDB stub's session, if any), runs it and reports; returns the exit code. */
    private int boot(Path path, CpuidTable table, popek.gdb.GdbServer gdbServer, popek.debug.DebugSession debugSession,
                     popek.cgroup.Cgroup cgroup) throws IOException {
        PrintStream serialOut = new PrintStream(main.terminal().out(), false);
        // --timeout counts from here: loading is part of the run the user bounded (a slow file system, a huge image).
        long started = System.nanoTime();
        LoadWatchdog watchdog = LoadWatchdog.start(timeoutNanos);
        Machine machine;
        try {
            machine = new MachineBuilder()
                    .memory(memory.bytes())
                    // The launcher says whether standard output is a terminal (asking System.console() would
                    // bring in JDK's line editor, which takes over the terminal).
                    .serialOutput(serialOut, Boolean.getBoolean("popek.terminal"))
                    .timeoutNanos(timeoutNanos == 0 ? 0 : Math.max(1, timeoutNanos - (System.nanoTime() - started)))
                    .stats(stats)
                    .mode(mode)
                    .keyboardInput(input.equals("keyboard"))
                    .autoInput(input.equals("auto"))
                    .cpu(new CpuConfig(tscMhz * 1_000_000L, table))
                    .debugger(debugSession)
                    .apply(b -> disks.forEach(d -> b.disk(d.file(), d.readOnly())))
                    .apply(b -> {
                        if (path != null) b.multiboot(path, cmdline);
                        else if (linuxKernel != null) b.linux(linuxKernel, initrd, cmdline);
                        // else: no kernel, so the first disk's boot sector is started in real mode
                    })
                    .build();
        } catch (BootImageException e) {
            if (watchdog.fired()) throw timeoutWhileLoading();
            throw new Main.UserError(e.getMessage());
        } finally {
            watchdog.cancel();
        }
        if (watchdog.fired()) {
            machine.close();
            throw timeoutWhileLoading();
        }
        machine.setCgroup(cgroup);
        if (gdbServer != null) {
            try {
                gdbServer.start(debugSession);
            } catch (IOException e) {
                machine.close();
                throw new Main.UserError("--gdb: cannot listen on " + gdb + ": " + e.getMessage());
            }
            System.err.println("popek: gdb stub on " + new popek.gdb.GdbAddress(gdb.host(), gdbServer.port())
                    + (waitForGdb ? ", waiting for gdb to let the guest run" : ""));
        }
        try (machine) {
            // On Ctrl-C the JVM runs this hook and then halts, so the hook says why itself; 'reported' keeps it one line.
            AtomicBoolean reported = new AtomicBoolean();
            Thread ctrlC = new Thread(() -> {
                machine.stop(new StopReason(StopReason.Cause.INTERRUPTED, "interrupted"));
                serialOut.flush();
                if (reported.compareAndSet(false, true)) System.err.println("popek: interrupted (Ctrl-C)");
            });
            Runtime.getRuntime().addShutdownHook(ctrlC);
            try {
                return runAndReport(machine, serialOut, reported);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(ctrlC);
                } catch (IllegalStateException alreadyExiting) {
                    // Ctrl-C arrived while we were finishing: the JVM is exiting anyway.
                }
            }
        }
    }

    private Main.UserError timeoutWhileLoading() {
        return new Main.UserError(String.format("timeout: still loading the guest after %s", DurationConverter.format(timeoutNanos)),
                StopReason.Cause.TIMEOUT.exitCode());
    }

    /** Runs the built machine to its stop and says what the user asked to see; returns the exit code. */
    private int runAndReport(Machine machine, PrintStream serialOut, AtomicBoolean reported) {
        startInputPump(main.terminal().in(), machine);
        ScreenRenderer renderer = new ScreenRenderer(machine, serialOut, Boolean.getBoolean("popek.terminal"));
        renderer.start();
        long t0 = System.nanoTime();
        StopReason reason = machine.run();
        long wall = System.nanoTime() - t0;
        renderer.finish();
        serialOut.flush();
        // To the err given to Main.execute (stderr from the command line): the fuzzers run commands in-process and read it.
        java.io.PrintWriter err = main.err();
        if (!reason.byGuest() && reported.compareAndSet(false, true)) err.println("popek: " + reason.message());
        String bios = machine.stats().biosCallSummary();
        if (bios != null) err.println("popek: " + bios);
        if (screenDump != null) {
            try {
                Files.writeString(screenDump, machine.screen().text());
            } catch (IOException e) {
                err.println("popek: --screen-dump: could not write " + screenDump + ": " + e.getMessage());
            }
        }
        if (stats) {
            machine.stats().print(System.err, "popek: " + reason.message() + " (exit code " + reason.exitCode() + ", "
                    + mode.label() + " mode)", wall);
            var ports = machine.ports();
            if (ports.unclaimedReads() + ports.unclaimedWrites() > 0) {
                System.err.printf("  ports no device claims: %d reads (all ones), %d writes (ignored); the last was 0x%x%n",
                        ports.unclaimedReads(), ports.unclaimedWrites(), ports.lastUnclaimedPort());
            }
        }
        err.flush();
        return reason.exitCode();
    }

    /** A file path, or the name of a shipped guest looked up in the built guest images. */
    static Path resolveImage(String image) {
        Path p = Path.of(image);
        if (Files.isRegularFile(p)) return p;
        String dir = System.getProperty("popek.guestImages");
        if (dir != null && !image.contains("/")) {
            Path shipped = Path.of(dir, image + ".elf");
            if (Files.isRegularFile(shipped)) return shipped;
        }
        if (Files.isDirectory(p)) throw new Main.UserError(image + ": is a directory, not a kernel image");
        if (Files.exists(p)) return p;   // a device or a FIFO: the loader says what it is and why it cannot be one
        throw new Main.UserError(image + ": no such file" + (image.contains("/") ? "" : " (and no shipped guest of that name: try hello, tinyos or trapbench)"));
    }

    /** Terminal input, a byte at a time, to the guest's UART: a daemon thread, so it never holds the process open. */
    private static void startInputPump(InputStream in, Machine machine) {
        Thread t = Thread.ofPlatform().name("popek-stdin").daemon().start(() -> {
            try {
                int b;
                while ((b = in.read()) >= 0) machine.input(b);
            } catch (IOException e) {
                // Input closed: the guest just sees no more characters.
            }
        });
        t.setUncaughtExceptionHandler((th, e) -> { });
    }

    /** One --disk value. */
    record DiskArg(Path file, boolean readOnly) { }

    static final class DiskConverter implements ITypeConverter<DiskArg> {
        @Override
        public DiskArg convert(String value) {
            String[] parts = value.split(",", -1);
            String file = parts[0].startsWith("file=") ? parts[0].substring(5) : parts[0];
            if (file.isEmpty()) throw new TypeConversionException("'" + value + "': no file named");
            boolean readOnly = false;
            for (int i = 1; i < parts.length; i++) {
                if (parts[i].equals("readonly") || parts[i].equals("ro")) readOnly = true;
                else throw new TypeConversionException("'" + parts[i] + "' is not a disk option (only readonly)");
            }
            return new DiskArg(Path.of(file), readOnly);
        }
    }

    /** One --cpuid value. */
    record CpuidEntry(int leaf, int subleaf, int eax, int ebx, int ecx, int edx) { }

    static final class CpuidConverter implements ITypeConverter<CpuidEntry> {
        @Override
        public CpuidEntry convert(String value) {
            String bad = "'" + value + "' is not LEAF[.SUB]=EAX,EBX,ECX,EDX (numbers, 0x for hexadecimal)";
            int eq = value.indexOf('=');
            if (eq < 0) throw new TypeConversionException(bad);
            String[] key = value.substring(0, eq).split("\\.", -1);
            String[] regs = value.substring(eq + 1).split(",", -1);
            if (key.length > 2 || regs.length != 4) throw new TypeConversionException(bad);
            try {
                return new CpuidEntry(number(key[0]), key.length == 2 ? number(key[1]) : CpuidTable.ANY,
                        number(regs[0]), number(regs[1]), number(regs[2]), number(regs[3]));
            } catch (NumberFormatException e) {
                throw new TypeConversionException(bad);
            }
        }

        private static int number(String s) {
            s = s.strip();
            long v = s.startsWith("0x") || s.startsWith("0X") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
            if (v < 0 || v > 0xFFFFFFFFL) throw new NumberFormatException(s);
            return (int) v;
        }
    }

    static final class GdbAddressConverter implements ITypeConverter<popek.gdb.GdbAddress> {
        @Override
        public popek.gdb.GdbAddress convert(String value) {
            try {
                return popek.gdb.GdbAddress.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class ModeConverter implements ITypeConverter<ExecutionMode> {
        @Override
        public ExecutionMode convert(String value) {
            ExecutionMode m = ExecutionMode.byLabel(value);
            if (m == null) throw new TypeConversionException("'" + value + "' is not a mode: use full, emulate or para");
            return m;
        }
    }

    static final class MemoryConverter implements ITypeConverter<MemorySize> {
        @Override
        public MemorySize convert(String value) {
            try {
                return MemorySize.parse(value);
            } catch (InvalidMemorySizeException e) {
                // picocli already names the option: drop the parser's own "--memory: " prefix.
                throw new TypeConversionException(e.getMessage().replaceFirst("^--memory: ", ""));
            }
        }
    }

    /** "10s", "500ms", "2m", "1.5s", "0" (no limit); a bare number is seconds. */
    static final class DurationConverter implements ITypeConverter<Long> {
        static String format(long nanos) {
            return nanos % 1_000_000_000L == 0 ? (nanos / 1_000_000_000L) + " s" : String.format("%.3f s", nanos / 1e9);
        }

        @Override
        public Long convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            long unit = 1_000_000_000L;
            String num = v;
            if (v.endsWith("ms")) { unit = 1_000_000L; num = v.substring(0, v.length() - 2); }
            else if (v.endsWith("us")) { unit = 1_000L; num = v.substring(0, v.length() - 2); }
            else if (v.endsWith("s")) { num = v.substring(0, v.length() - 1); }
            else if (v.endsWith("m")) { unit = 60_000_000_000L; num = v.substring(0, v.length() - 1); }
            else if (v.endsWith("h")) { unit = 3_600_000_000_000L; num = v.substring(0, v.length() - 1); }
            try {
                double d = Double.parseDouble(num);
                if (d < 0 || Double.isNaN(d) || Double.isInfinite(d) || d * unit > Long.MAX_VALUE / 2) throw new NumberFormatException();
                return (long) (d * unit);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a duration (use e.g. 10s, 500ms, 2m)");
            }
        }
    }
}
