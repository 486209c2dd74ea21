package popek.fuzz.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import popek.cli.Main;
import popek.cli.Terminal;
import popek.fuzz.devices.DeviceCases;

import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Every input the fuzzers ever kept (tests/corpus/images, devices and code), run again: each once broke a promise
 * (for code: the two modes disagreed), and each must keep them all now.
 */
class CorpusReplayTest {
    @TempDir Path work;

    @TestFactory
    Stream<DynamicTest> everyKeptInputNowKeepsEveryPromise() {
        Path corpus = Path.of(System.getProperty("popek.home", "."), "tests", "corpus");
        List<DynamicTest> tests = new ArrayList<>();
        for (String target : List.of("images", "devices", "code")) {
            for (Path entry : Corpus.entries(corpus.resolve(target))) {
                tests.add(DynamicTest.dynamicTest(target + "/" + entry.getFileName(), () -> {
                    FuzzCase.Check check = target.equals("devices") ? DeviceCases::disksWrittenOnlyByTheGuest : FuzzCase.Check.NONE;
                    try (CliRun cli = new CliRun((args, err, guestOut) -> Main.execute(args, err, Terminal.capturing(guestOut)))) {
                        Path dir = Files.createDirectories(work.resolve(target + "-" + entry.getFileName()));
                        assertNull(Corpus.replay(entry, dir, cli, check, 60_000_000_000L,
                                target.equals("code") ? popek.fuzz.code.CodeCases::differential : null), "popek " + Corpus.prepare(entry, dir));
                    }
                }));
            }
        }
        return tests.stream();
    }
}
