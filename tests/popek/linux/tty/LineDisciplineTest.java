package popek.linux.tty;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import popek.linux.abi.Signals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The line discipline alone, without a CPU: what typing produces (echo, signals) and what a read gets. The expected
 * bytes are what Linux 6.18's n_tty produced for the same input and settings on a host pty
 * (tests/fixtures/tty/ntty-oracle.py prints them for the host it runs on).
 */
class LineDisciplineTest {
    /** A terminal around the discipline: output collected, signals recorded, room adjustable. */
    static final class Port implements LineDiscipline.Port {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final List<Integer> signals = new ArrayList<>();
        int room = 1 << 20;
        int starts;

        @Override public int room() { return room; }

        @Override public void output(byte[] b, int off, int len) {
            out.write(b, off, len);
            room -= len;
        }

        @Override public void signal(int sig) { signals.add(sig); }

        @Override public void outputStarted() { starts++; }
    }

    final Termios termios = Termios.ptySlaveDefaults();
    final Port port = new Port();
    LineDiscipline ld = new LineDiscipline(termios, port);

    void type(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(b.length, ld.receive(b, 0, b.length));
    }

    String echoed() {
        String s = port.out.toString(StandardCharsets.ISO_8859_1);
        port.out.reset();
        return s;
    }

    /** One read(2) of up to {@code n} bytes; null when it would block. */
    String read(int n) {
        if (!ld.readable(1)) return null;
        byte[] b = new byte[n];
        int got = ld.read(b, 0, n);
        return new String(b, 0, got, StandardCharsets.ISO_8859_1);
    }

    String read() { return read(4096); }

    void settings(Runnable change) {
        Termios old = termios.copy();
        change.run();
        ld.settingsChanged(old);
    }

    String write(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(b.length, ld.write(b, 0, b.length));
        return echoed();
    }

    @Test
    void aLineIsEchoedAndReadWithItsNewline() {
        type("abc\r");
        assertEquals("abc\r\n", echoed());
        assertEquals("abc\n", read());
        assertNull(read());
    }

    @Test
    void nothingIsReadBeforeTheLineEnds() {
        type("abc");
        assertNull(read());
        assertFalse(ld.readable(1));
        type("\n");
        assertEquals("abc\n", read());
    }

    @Test
    void eraseRemovesOneCharacter() {
        type("abx\u007fc\n");
        assertEquals("abx\b \bc\r\n", echoed());
        assertEquals("abc\n", read());
    }

    @Test
    void killErasesTheLineCharacterByCharacterWithEchoke() {
        type("abc\u0015d\n");
        assertEquals("abc\b \b\b \b\b \bd\r\n", echoed());
        assertEquals("d\n", read());
    }

    @Test
    void killWithoutEchokeEchoesTheCharacterAndANewline() {
        settings(() -> termios.lflag &= ~Termios.ECHOKE);
        type("ab\u0015c\n");
        assertEquals("ab^U\r\nc\r\n", echoed());
        assertEquals("c\n", read());
    }

    @Test
    void werasesErasesAWordAndTheBlanksAfterIt() {
        type("foo bar\u0017baz\n");
        assertEquals("foo bar\b \b\b \b\b \bbaz\r\n", echoed());
        assertEquals("foo baz\n", read());
        type("foo.bar \u0017\n");
        assertEquals("foo.\n", read());
        type("foo   \u0017\n");
        assertEquals("\n", read());
    }

    @Test
    void eofEndsALineWithoutItselfAndAloneReadsAsEndOfFile() {
        type("ab\u0004\u0004");
        assertEquals("ab", echoed());
        assertEquals("ab", read());
        assertEquals("", read());
        assertNull(read());
    }

    @Test
    void aShortReadLeavesTheRestOfTheLine() {
        type("hello\n");
        assertEquals("hel", read(3));
        assertEquals("lo\n", read());
    }

    @Test
    void anEofRightAfterAFilledReadIsDropped() {
        type("abc\u0004");
        assertEquals("abc", read(3));
        assertNull(read());
    }

    @Test
    void lnextTakesTheNextCharacterLiterally() {
        type("\u0016\u0003\n");
        assertEquals("^\b^C\r\n", echoed());
        assertEquals("\u0003\n", read());
        assertTrue(port.signals.isEmpty());
    }

    @Test
    void reprintShowsTheLineAgain() {
        type("ab\u0012");
        assertEquals("ab^R\r\nab", echoed());
        assertNull(read());
    }

    @Test
    void controlCharactersEchoAsCaretAndEraseAsTwoColumns() {
        type("a\u0001\u007f\u007f\n");
        assertEquals("a^A\b \b\b \b\b \b\r\n", echoed());
        assertEquals("\n", read());
    }

    @Test
    void withoutEchoctlAControlCharacterIsEchoedAsItIsAndErasedWithoutBackspaces() {
        settings(() -> termios.lflag &= ~Termios.ECHOCTL);
        type("a\u0001\u007f\n");
        assertEquals("a\u0001\r\n", echoed());
        assertEquals("a\n", read());
    }

    @Test
    void eraseOfATabGoesBackToItsColumn() {
        type("a\tb\u007f\u007f\u007f\n");
        assertEquals("a\tb\b \b\b\b\b\b\b\b\b\b \b\r\n", echoed());
        assertEquals("\n", read());
    }

    @Test
    void echoprtShowsErasedCharactersBetweenBackslashAndSlash() {
        settings(() -> termios.lflag = (termios.lflag & ~Termios.ECHOE) | Termios.ECHOPRT);
        type("abc\u007f\u007fx\n");
        assertEquals("abc\\cb/x\r\n", echoed());
        assertEquals("ax\n", read());
    }

    @Test
    void withoutEchoeEraseEchoesTheEraseCharacter() {
        settings(() -> termios.lflag &= ~Termios.ECHOE);
        type("ab\u007f\n");
        assertEquals("ab^?\r\n", echoed());
        assertEquals("a\n", read());
    }

    @Test
    void echonlEchoesNewlinesWithEchoOff() {
        settings(() -> termios.lflag = (termios.lflag & ~Termios.ECHO) | Termios.ECHONL);
        type("ab\n");
        assertEquals("\r\n", echoed());
        assertEquals("ab\n", read());
    }

    @Test
    void interruptSignalsFlushesAndEchoes() {
        type("ab\u0003cd\n");
        assertEquals("^Ccd\r\n", echoed());
        assertEquals(List.of(Signals.SIGINT), port.signals);
        assertEquals("cd\n", read());
    }

    @Test
    void noflshKeepsTheLineAcrossASignal() {
        settings(() -> termios.lflag |= Termios.NOFLSH);
        type("ab\u0003cd\n");
        assertEquals("ab^Ccd\r\n", echoed());
        assertEquals("abcd\n", read());
    }

    @Test
    void quitAndSuspendSignalToo() {
        type("ab\u001c");
        assertEquals("^\\", echoed());   // the echoes of the same burst are flushed with the input
        type("\u001a");
        assertEquals(List.of(Signals.SIGQUIT, Signals.SIGTSTP), port.signals);
        settings(() -> termios.lflag &= ~Termios.ISIG);
        type("\u0003\n");
        assertEquals(2, port.signals.size());
        assertEquals("\u0003\n", read());
    }

    @Test
    void rawModeHandsOverBytesAtOnceAndEchoesNewlinesAsCaretJ() {
        settings(() -> termios.lflag &= ~Termios.ICANON);
        type("a\n");
        assertEquals("a^J", echoed());
        assertEquals("a\n", read());
        type("a\r");   // ICRNL: the carriage return becomes a newline, which came the special way
        assertEquals("a\r\n", echoed());
        assertEquals("a\n", read());
        type("\u0001\u0004\u007f");
        assertEquals("^A^D^?", echoed());
        assertEquals("\u0001\u0004\u007f", read());
    }

    @Test
    void inlcrAndIgncrAndNoIcrnl() {
        settings(() -> { termios.lflag &= ~Termios.ICANON; termios.iflag |= Termios.INLCR; });
        type("a\n");
        assertEquals("a^M", echoed());
        assertEquals("a\r", read());
        settings(() -> { termios.lflag |= Termios.ICANON; termios.iflag = Termios.IXON; });
        type("a\rb\n");
        assertEquals("a^Mb\r\n", echoed());
        assertEquals("a\rb\n", read());
        settings(() -> termios.iflag |= Termios.IGNCR);
        type("a\rb\n");
        assertEquals("ab\n", read());
    }

    @Test
    void istripAndIuclc() {
        settings(() -> termios.iflag |= Termios.ISTRIP | Termios.IUCLC);
        type("A\u00c1\n");
        assertEquals("aa\n", read());   // stripped to 'A', then lowered
    }

    @Test
    void utf8EraseTakesAWholeCharacter() {
        settings(() -> termios.iflag |= Termios.IUTF8);
        type("a\u00c3\u00a9\u007f\n");
        assertEquals("a\u00c3\u00a9\b \b\r\n", echoed());
        assertEquals("a\n", read());
        settings(() -> termios.iflag &= ~Termios.IUTF8);
        type("a\u00c3\u00a9\u007f\n");
        assertEquals("a\u00c3\n", read());
    }

    @Test
    void switchingToRawModeReleasesAPartialLine() {
        type("abc");
        assertNull(read());
        settings(() -> termios.lflag &= ~Termios.ICANON);
        assertEquals("abc", read());
        type("xy");
        settings(() -> termios.lflag |= Termios.ICANON);   // waiting bytes become one line
        assertEquals("xy", read());
    }

    @Test
    void fionreadCountsLinesButNotEofMarkers() {
        type("ab\u0004cd\n");
        assertEquals(5, ld.inputCount());
        type("ef");
        assertEquals(5, ld.inputCount());
    }

    @Test
    void aFullLineKeepsRoomForItsNewline() {
        settings(() -> termios.lflag &= ~Termios.ECHO);
        byte[] big = new byte[5000];
        java.util.Arrays.fill(big, (byte) 'x');
        assertEquals(5000, ld.receive(big, 0, big.length));   // canonical: the excess replaces the last byte
        type("\n");
        String line = read();
        assertEquals(InputQueue.SIZE, line.length());
        assertTrue(line.endsWith("x\n"));
    }

    @Test
    void rawModeStopsTakingInputWhenFull() {
        settings(() -> termios.lflag &= ~(Termios.ICANON | Termios.ECHO));
        byte[] big = new byte[5000];
        assertEquals(InputQueue.SIZE - 1, ld.receive(big, 0, big.length));
        assertFalse(ld.acceptsInput());
        assertEquals(100, ld.read(new byte[100], 0, 100));
        assertTrue(ld.acceptsInput());
    }

    @Test
    void outputProcessingTurnsNewlinesIntoCrLf() {
        assertEquals("a\r\nb", write("a\nb"));
        settings(() -> termios.oflag &= ~Termios.ONLCR);
        assertEquals("a\nb", write("a\nb"));
        settings(() -> termios.oflag |= Termios.OCRNL | Termios.ONLCR);
        assertEquals("a\n", write("a\r"));   // the carriage return becomes a newline, not processed again
        settings(() -> termios.oflag = Termios.OPOST | Termios.OLCUC);
        assertEquals("ABC", write("abc"));
        settings(() -> termios.oflag = 0);
        assertEquals("a\nb\tc", write("a\nb\tc"));
    }

    @Test
    void xtabsExpandsTabsToTheNextStop() {
        settings(() -> termios.oflag |= Termios.XTABS);
        assertEquals("ab      c\r\n\t".replace("\t", "        "), write("ab\tc\n\t"));
    }

    @Test
    void onocrAndOnlret() {
        settings(() -> termios.oflag = Termios.OPOST | Termios.ONOCR);
        assertEquals("a\r", write("\ra\r"));
    }

    @Test
    void aWriteNeverOverfillsItsSink() {
        port.room = 5;
        byte[] b = "ab\n\n\n".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(3, ld.write(b, 0, b.length));   // a, b, \r\n: the next \r\n would not fit
        assertEquals("ab\r\n", echoed());
    }

    @Test
    void stopAndStartCharactersHoldOutputAndEchoes() {
        type("\u0013");
        assertTrue(ld.outputStopped());
        assertEquals(0, ld.writable());
        type("ab");
        assertEquals("", echoed());
        type("\u0011");
        assertFalse(ld.outputStopped());
        assertEquals("ab", echoed());
        assertEquals(1, port.starts);
        settings(() -> termios.iflag |= Termios.IXANY);
        type("\u0013x");
        assertFalse(ld.outputStopped());
        assertEquals("x", echoed());
    }

    @Test
    void tcxoncStopsUntilTcoonWhateverIsTyped() {
        settings(() -> termios.iflag |= Termios.IXANY);
        ld.flowControl(0);
        type("x");
        assertTrue(ld.outputStopped());
        ld.flowControl(1);
        assertFalse(ld.outputStopped());
        ld.flowControl(2);
        assertEquals("x\u0013", echoed());
    }

    @Test
    void echoesWaitForRoomAndGoBeforeTheNextWrite() {
        port.room = 2;
        type("abcd");
        assertEquals("ab", echoed());
        assertEquals(0, ld.writable());
        port.room = 100;
        assertEquals("cdz", write("z"));
    }

    @Test
    void disabledControlCharactersMatchNothing() {
        settings(() -> termios.cc[Termios.VINTR] = 0);
        type("\u0000\u0003\n");
        assertTrue(port.signals.isEmpty());
        assertEquals("\u0000\u0003\n", read());
    }
}
