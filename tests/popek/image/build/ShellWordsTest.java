package popek.image.build;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Docker's expansion of instruction arguments: quotes, escapes, $VAR and ${VAR...} with its modifiers. */
class ShellWordsTest {
    private static final Map<String, String> ENV = Map.of("A", "apple", "EMPTY", "", "SP", "two words");
    private final ShellWords w = new ShellWords('\\', ENV::get);

    @Test
    void variablesExpandInPlainTextAndDoubleQuotesButNotSingleQuotes() throws Exception {
        assertEquals("apple-pie", w.word("$A-pie"));
        assertEquals("apple_x", w.word("${A}_x"));
        assertEquals("<apple>", w.word("\"<$A>\""));
        assertEquals("$A", w.word("'$A'"));
        assertEquals("$A", w.word("\\$A"));
        assertEquals("x", w.word("x$UNSET"));
        assertEquals("$", w.word("$"));
        assertEquals("a$ b", w.word("a$ b"), "a $ with no name after it stays");
    }

    @Test
    void modifiersFollowTheShell() throws Exception {
        assertEquals("apple", w.word("${A:-dflt}"));
        assertEquals("dflt", w.word("${EMPTY:-dflt}"));
        assertEquals("", w.word("${EMPTY-dflt}"), "without the colon only an unset variable takes the default");
        assertEquals("dflt", w.word("${UNSET-dflt}"));
        assertEquals("alt", w.word("${A:+alt}"));
        assertEquals("", w.word("${EMPTY:+alt}"));
        assertEquals("alt", w.word("${EMPTY+alt}"));
        assertEquals("nested apple", w.word("${UNSET:-nested $A}"));
        ShellWords.UnsetException e = assertThrows(ShellWords.UnsetException.class, () -> w.word("${UNSET:?must be set}"));
        assertEquals("UNSET: must be set", e.getMessage());
    }

    @Test
    void wordsSplitAtUnquotedBlanksAndUnquotedExpansions() throws Exception {
        assertEquals(List.of("a", "b c", "d"), w.words("a \"b c\" d"));
        assertEquals(List.of("two", "words", "two words"), w.words("$SP \"$SP\""));
        assertEquals(List.of("a b"), w.words("a\\ b"));
        assertEquals(List.of("", "x"), w.words("'' x"), "an empty quoted word is a word");
    }

    @Test
    void doubleQuotesKeepAnEscapeBeforeOrdinaryCharacters() throws Exception {
        assertEquals("a\\nb \"q\" $", w.word("\"a\\nb \\\"q\\\" \\$\""));
        assertEquals("c:\\dir", new ShellWords('`', ENV::get).word("c:\\dir"), "with escape=` a backslash is ordinary");
    }

    @Test
    void rawWordsKeepQuotesForKeyValuePairs() {
        assertEquals(List.of("A=1", "B=\"two words\"", "C='x y'", "D=a\\ b"), ShellWords.rawWords("A=1 B=\"two words\" C='x y' D=a\\ b", '\\'));
    }
}
