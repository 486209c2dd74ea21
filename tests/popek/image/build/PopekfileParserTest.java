package popek.image.build;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Popekfile's syntax as Docker reads a Dockerfile: directives, comments, continuations, flags, the two forms. */
class PopekfileParserTest {
    private static List<Instruction> parse(String text) throws BuildException { return new PopekfileParser("Popekfile").parse(text); }

    @Test
    void everyInstructionIsReadWithItsLineAndKeywordInAnyCase() throws Exception {
        List<Instruction> p = parse("""
                ARG BASE=busybox
                from $BASE AS base
                arg X
                ENV A=1 B="two words"
                LABEL version="1.0"
                RUN echo hi
                COPY --chown=1:2 a b /dst/
                ADD x.tar /opt/
                WORKDIR /app
                USER nobody
                EXPOSE 80/tcp 53/udp
                VOLUME ["/data"]
                CMD ["sh"]
                ENTRYPOINT exec top
                SHELL ["/bin/sh", "-ec"]
                STOPSIGNAL SIGTERM
                MAINTAINER someone
                """);
        assertEquals(List.of("ARG", "FROM", "ARG", "ENV", "LABEL", "RUN", "COPY", "ADD", "WORKDIR", "USER", "EXPOSE", "VOLUME",
                "CMD", "ENTRYPOINT", "SHELL", "STOPSIGNAL", "MAINTAINER"), p.stream().map(Instruction::keyword).toList());
        for (int i = 0; i < p.size(); i++) assertEquals(i + 1, p.get(i).line());
        assertEquals(Map.of("chown", "1:2"), p.get(6).flags());
        assertEquals("a b /dst/", p.get(6).args());
        assertEquals(List.of("/data"), p.get(11).json());
        assertNull(p.get(13).json(), "ENTRYPOINT's shell form");
        assertEquals(List.of("/bin/sh", "-ec"), p.get(14).json());
    }

    @Test
    void continuationsJoinLinesAndSkipCommentsAndBlankLinesBetweenThem() throws Exception {
        List<Instruction> p = parse("""
                # a comment
                FROM busybox

                RUN echo one \\
                # a comment inside the continuation is dropped
                    && echo two \\\t
                
                    && echo three
                RUN echo after
                """);
        assertEquals(3, p.size());
        assertEquals("echo one     && echo two     && echo three", p.get(1).args());
        assertEquals(4, p.get(1).line(), "an instruction's line is its first");
        assertEquals(9, p.get(2).line());
    }

    @Test
    void theEscapeDirectiveChangesTheContinuationCharacter() throws Exception {
        PopekfileParser parser = new PopekfileParser("Popekfile");
        List<Instruction> p = parser.parse("# escape=`\nFROM busybox\nRUN dir c:\\ `\n  && echo ok\n");
        assertEquals('`', parser.escape());
        assertEquals("dir c:\\   && echo ok", p.get(1).args());
        // After the first instruction (or comment) a directive is a comment.
        PopekfileParser late = new PopekfileParser("Popekfile");
        late.parse("FROM busybox\n# escape=`\nRUN a \\\n b\n");
        assertEquals('\\', late.escape());
    }

    @Test
    void theExecFormIsAJsonArrayOfStringsAndAnythingElseIsTheShellForm() throws Exception {
        List<Instruction> p = parse("""
                FROM busybox
                CMD ["echo", "a \\"quoted\\" word"]
                CMD [echo, not json]
                CMD ["echo", 1]
                RUN [ "sh" , "-c" , "true" ]
                """);
        assertEquals(List.of("echo", "a \"quoted\" word"), p.get(1).json());
        assertNull(p.get(2).json());
        assertNull(p.get(3).json(), "an array with a number is not the exec form");
        assertEquals(List.of("sh", "-c", "true"), p.get(4).json());
    }

    @Test
    void mistakesNameTheFileAndLine() {
        BuildException e = assertThrows(BuildException.class, () -> parse("FROM busybox\n\nFROBNICATE x\n"));
        assertEquals("Popekfile:3: unknown instruction: FROBNICATE", e.getMessage());
        BuildException empty = assertThrows(BuildException.class, () -> parse("FROM busybox\nRUN\n"));
        assertTrue(empty.getMessage().startsWith("Popekfile:2: RUN requires at least one argument"), empty.getMessage());
        BuildException flag = assertThrows(BuildException.class, () -> parse("FROM busybox\nCOPY --=x a b\n"));
        assertTrue(flag.getMessage().startsWith("Popekfile:2: "), flag.getMessage());
        BuildException esc = assertThrows(BuildException.class, () -> parse("# escape=x\nFROM busybox\n"));
        assertTrue(esc.getMessage().startsWith("Popekfile:1: invalid escape"), esc.getMessage());
    }
}
