package popek.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code popek fuzz}: a short run prints its summary and exits 0; each mistake is one line and exit 2. */
class FuzzCommandTest {
    private record Outcome(int code, String out, String err) { }

    private static Outcome popek(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.execute(args, new PrintWriter(err, true), new Terminal(new ByteArrayInputStream(new byte[0]), out));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    @Test
    void aFewCasesAgreeAndSaySo() {
        Outcome o = popek("fuzz", "--cases", "6", "--seed", "3", "--jobs", "1");
        assertEquals(0, o.code, o.out + o.err);
        assertTrue(o.out.lines().anyMatch(l -> l.startsWith("cpu: 6 cases in ") && l.contains(" 0 diverged")), o.out);
    }

    @Test
    void oneCaseIsShownWithItsOutcome() {
        Outcome o = popek("fuzz", "--seed", "3", "--case", "2");
        assertTrue(o.out.contains("case 2: "), o.out);
        assertTrue(o.out.contains("cpu: 1 cases in "), o.out);
    }

    @Test
    void mistakesAreOneLine() {
        for (String[] args : new String[][] {{"fuzz", "--target", "bogus"}, {"fuzz", "--mode-pair", "full,full"},
                {"fuzz", "--mode-pair", "emulate"}, {"fuzz", "--mode-pair", "emulate,para"}, {"fuzz", "--cases", "0"},
                {"fuzz", "--case-timeout", "soon"}, {"fuzz", "--seconds", "0"}}) {
            Outcome o = popek(args);
            assertEquals(Main.USAGE, o.code, String.join(" ", args) + ": " + o.err);
            assertEquals(1, o.err.lines().count(), o.err);
            assertTrue(o.err.startsWith("popek: "), o.err);
            assertFalse(o.err.contains("Exception"), o.err);
        }
    }
}
