package popek.linux;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The first i386 Linux program: arguments, environment and auxv arrive; output and the exit code come back. */
class HelloProgramTest {
    @Test
    void printsItsArgumentsAndExits() {
        LinuxRun r = LinuxRun.run(LinuxRun.programs(), "", List.of("GREETING=hi", "OTHER=x"), "/hello", "a", "b c");
        assertEquals("""
                hello from i386 Linux, pid 1
                argv[0]=/hello
                argv[1]=a
                argv[2]=b c
                env GREETING=hi
                AT_PAGESZ=4096
                AT_EXECFN=/hello
                """, r.out(), r.err());
        assertEquals(0, r.exitCode());
    }

    @Test
    void itsExitCodeComesBack() {
        LinuxRun r = LinuxRun.run(LinuxRun.programs(), "", "/hello", "fail");
        assertEquals(3, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("hello from i386 Linux"), r.out());
    }
}
