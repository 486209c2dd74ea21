package popek.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


/** `popek bench compare`: the compare guest's workloads in the three modes, with tiny sizes. */
class BenchCompareTest {
    @TempDir Path dir;

    private static int popek(StringWriter err, String... args) {
        return Main.execute(args, new PrintWriter(err, true), Terminal.detached());
    }

    /** The CSV field {@code column} of the row for workload w in mode m. */
    private static double field(List<String> csv, String w, String m, int column) {
        String line = csv.stream().filter(l -> l.startsWith(w + "," + m + ",")).findFirst()
                .orElseThrow(() -> new AssertionError(w + "/" + m + " missing in\n" + String.join("\n", csv)));
        return Double.parseDouble(line.split(",")[column]);
    }

    @Test
    void everyWorkloadRunsInEveryModeAndParaSavesTheTrapsItShould() throws Exception {
        StringWriter err = new StringWriter();
        int sections = 2000;
        assertEquals(0, popek(err, "bench", "compare", "--runs", "1", "--out", dir.toString(), "--size",
                "irqmask=" + sections + ",syscall=200,pagetable=20,console=20,disk=1"), err.toString());
        List<String> csv = Files.readAllLines(dir.resolve("compare.csv"));
        assertEquals(16, csv.size(), String.join("\n", csv));   // header + 5 workloads x 3 modes
        int traps = 8;                                        // traps_per_iter: a workload is one iteration
        // Masking: full traps every cli and sti; para masks with stores (only its timer's upcalls trap).
        assertTrue(field(csv, "irqmask", "full", traps) >= 2 * sections, String.join("\n", csv));
        assertTrue(field(csv, "irqmask", "para", traps) < sections / 10.0, String.join("\n", csv));
        assertTrue(field(csv, "irqmask", "emulate", traps) < sections / 10.0, "emulate runs cli and sti itself");
        // Disk: ATA PIO traps on every word; the ring once per batch.
        assertTrue(field(csv, "disk", "full", traps) > 100 * field(csv, "disk", "para", traps), String.join("\n", csv));
        // Page tables: an invlpg per page and two mov cr3 per space in full mode; two batches and two switches in para.
        assertTrue(field(csv, "pagetable", "full", traps) >= 20 * 66, String.join("\n", csv));
        assertTrue(field(csv, "pagetable", "para", traps) <= 20 * 4 + 10, String.join("\n", csv));
        // System calls: the unmodified entry stubs move segment registers (12 traps) around int 0x80 and iret; the
        // para build's move none.
        assertTrue(field(csv, "syscall", "full", traps) >= 200 * 14, String.join("\n", csv));
        assertTrue(field(csv, "syscall", "para", traps) <= 200 * 2 + 10, String.join("\n", csv));
        assertTrue(Files.readString(dir.resolve("compare.svg")).contains("pagetable"));
    }

    @Test
    void badWorkloadsAndSizesAreClearErrors() {
        StringWriter err = new StringWriter();
        assertEquals(Main.USAGE, popek(err, "bench", "compare", "--workloads", "irqmask,nope", "--out", dir.toString()));
        assertTrue(err.toString().contains("'nope' is not a workload"), err.toString());
        err = new StringWriter();
        assertEquals(Main.USAGE, popek(err, "bench", "compare", "--size", "disk=0", "--out", dir.toString()));
        assertTrue(err.toString().contains("disk must be 1 to 1024"), err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
    }
}
