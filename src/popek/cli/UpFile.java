package popek.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.toml.TomlMapper;

import popek.cpu.ExecutionMode;
import popek.platform.InvalidMemorySizeException;
import popek.platform.MemorySize;

/**
 * The file {@code popek up} reads: TOML with an optional {@code host-cpus}, then {@code [[container]]} and
 * {@code [[vm]]} tables, each with a name, what to run and its limits. Any mistake is one {@link Main.UserError}
 * naming the file and the entry.
 */
record UpFile(int hostCpus, List<Member> members) {
    /** Limits common to containers and VMs: cpu.max's quota as a share of one CPU (0: none), cpu.weight, memory. */
    record Limits(double cpus, int cpuWeight, long memoryBytes, int pidsLimit) { }

    /** One entry: a container ({@code image} or {@code rootfs}, {@code command}) or a VM ({@code kernel}, {@code cmdline}, {@code mode}). */
    record Member(String name, boolean vm, String image, Path rootfs, List<String> command, String kernel, String cmdline,
                  ExecutionMode mode, Limits limits) { }

    private static final Set<String> TOP = Set.of("host-cpus", "container", "vm");
    private static final Set<String> CONTAINER = Set.of("name", "image", "rootfs", "command", "cpus", "cpu-weight", "memory", "pids-limit");
    private static final Set<String> VM = Set.of("name", "kernel", "cmdline", "mode", "cpus", "cpu-weight", "memory");

    static UpFile read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new Main.UserError(file + ": no such file");
        } catch (IOException e) {
            throw new Main.UserError(file + ": cannot be read: " + e.getMessage());
        }
        JsonNode root;
        try {
            root = new TomlMapper().readTree(text);
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? "" : ": line " + e.getLocation().getLineNr();
            throw new Main.UserError(file + where + ": not valid TOML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        return parse(file.toString(), root);
    }

    static UpFile parse(String file, JsonNode root) {
        unknownKeys(file, "", root, TOP);
        int hostCpus = Runtime.getRuntime().availableProcessors();
        if (root.has("host-cpus")) {
            JsonNode h = root.get("host-cpus");
            if (!h.isInt() || h.asInt() < 1 || h.asInt() > 256) throw new Main.UserError(file + ": host-cpus must be a whole number from 1 to 256");
            hostCpus = h.asInt();
        }
        List<Member> members = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String kind : List.of("container", "vm")) {
            JsonNode list = root.get(kind);
            if (list == null) continue;
            if (!list.isArray()) throw new Main.UserError(file + ": " + kind + " must be a list of tables ([[" + kind + "]])");
            int i = 0;
            for (JsonNode entry : list) {
                i++;
                if (!entry.isObject()) throw new Main.UserError(file + ": " + kind + " " + i + " must be a table");
                String name = text(file, kind + " " + i, entry, "name", null);
                if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
                    throw new Main.UserError(file + ": " + kind + " " + i + ": name must be 1-63 letters, digits, '_', '.' or '-'");
                }
                if (!names.add(name)) throw new Main.UserError(file + ": two entries are named '" + name + "'");
                String where = kind + " '" + name + "'";
                unknownKeys(file, where, entry, kind.equals("vm") ? VM : CONTAINER);
                Limits limits = limits(file, where, entry, kind.equals("vm"));
                if (kind.equals("container")) members.add(container(file, where, name, entry, limits));
                else members.add(vm(file, where, name, entry, limits));
            }
        }
        if (members.isEmpty()) throw new Main.UserError(file + ": nothing to run (add a [[container]] or a [[vm]])");
        return new UpFile(hostCpus, members);
    }

    private static Member container(String file, String where, String name, JsonNode e, Limits limits) {
        String image = text(file, where, e, "image", null), rootfs = text(file, where, e, "rootfs", null);
        if ((image == null) == (rootfs == null)) throw new Main.UserError(file + ": " + where + ": give image or rootfs (one of them)");
        List<String> command = new ArrayList<>();
        JsonNode c = e.get("command");
        if (c != null) {
            if (c.isString()) {
                command.add("/bin/sh");
                command.add("-c");
                command.add(c.asString());
            } else if (c.isArray() && !c.isEmpty()) {
                for (JsonNode w : c) {
                    if (!w.isString()) throw new Main.UserError(file + ": " + where + ": command must be a string or a list of strings");
                    command.add(w.asString());
                }
            } else {
                throw new Main.UserError(file + ": " + where + ": command must be a string or a non-empty list of strings");
            }
        }
        return new Member(name, false, image, rootfs == null ? null : Path.of(rootfs), command, null, null, null, limits);
    }

    private static Member vm(String file, String where, String name, JsonNode e, Limits limits) {
        String kernel = text(file, where, e, "kernel", null);
        if (kernel == null) throw new Main.UserError(file + ": " + where + ": kernel is missing (a multiboot image, or a shipped guest: hello, tinyos, trapbench)");
        String modeText = text(file, where, e, "mode", "full");
        ExecutionMode mode = ExecutionMode.byLabel(modeText);
        if (mode == null) throw new Main.UserError(file + ": " + where + ": mode '" + modeText + "' is not one of emulate, full, para");
        return new Member(name, true, null, null, List.of(), kernel, text(file, where, e, "cmdline", ""), mode, limits);
    }

    private static Limits limits(String file, String where, JsonNode e, boolean vm) {
        double cpus = 0;
        if (e.has("cpus")) {
            JsonNode c = e.get("cpus");
            if (!c.isNumber() || !(c.asDouble() >= 0.01) || c.asDouble() > 1) {
                throw new Main.UserError(file + ": " + where + ": cpus must be a number from 0.01 to 1 (one task or vCPU runs at a time)");
            }
            cpus = c.asDouble();
        }
        int weight = 100;
        if (e.has("cpu-weight")) {
            JsonNode w = e.get("cpu-weight");
            if (!w.isInt() || w.asInt() < 1 || w.asInt() > 10_000) throw new Main.UserError(file + ": " + where + ": cpu-weight must be a whole number from 1 to 10000");
            weight = w.asInt();
        }
        long memory = vm ? 64L << 20 : popek.container.ContainerConfig.DEFAULT_MEMORY;
        if (e.has("memory")) {
            String m = e.get("memory").asString();
            try {
                memory = MemorySize.parse(m).bytes();
            } catch (InvalidMemorySizeException | IllegalArgumentException x) {
                throw new Main.UserError(file + ": " + where + ": memory " + x.getMessage().replaceFirst("^--memory: ", ""));
            }
        }
        int pids = 0;
        if (e.has("pids-limit")) {
            JsonNode p = e.get("pids-limit");
            if (!p.isInt() || p.asInt() < 1) throw new Main.UserError(file + ": " + where + ": pids-limit must be a whole number of at least 1");
            pids = p.asInt();
        }
        return new Limits(cpus, weight, memory, pids);
    }

    private static String text(String file, String where, JsonNode e, String key, String otherwise) {
        JsonNode v = e.get(key);
        if (v == null) return otherwise;
        if (!v.isString()) throw new Main.UserError(file + ": " + where + ": " + key + " must be a string");
        return v.asString();
    }

    private static void unknownKeys(String file, String where, JsonNode e, Set<String> known) {
        for (String k : e.propertyNames()) {
            if (!known.contains(k)) {
                throw new Main.UserError(file + ": " + (where.isEmpty() ? "" : where + ": ") + "unknown key '" + k
                        + "' (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }
}
