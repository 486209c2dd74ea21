package popek.image.build;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** .dockerignore patterns as Docker's pattern matcher reads them. */
class IgnoreRulesTest {
    @Test
    void patternsMatchPathsAndTheirParents() {
        IgnoreRules r = IgnoreRules.parse("# comment\n*.log\n/build\ndocs/**/*.tmp\nsecret?.txt\n");
        assertTrue(r.excludes("x.log"));
        assertFalse(r.excludes("sub/x.log"), "* does not cross a /");
        assertTrue(r.excludes("build"));
        assertTrue(r.excludes("build/out/a.o"), "a file below an excluded directory");
        assertTrue(r.excludes("docs/a.tmp"), "**/ is zero directories too");
        assertTrue(r.excludes("docs/a/b/c.tmp"));
        assertTrue(r.excludes("secret1.txt"));
        assertFalse(r.excludes("secret10.txt"));
        assertFalse(r.excludes("src/main.c"));
    }

    @Test
    void theLastMatchingRuleWinsAndExceptionsReinclude() {
        IgnoreRules r = IgnoreRules.parse("*.md\n!README.md\nREADME-secret.md\ndata\n!data/keep\n");
        assertTrue(r.excludes("notes.md"));
        assertFalse(r.excludes("README.md"));
        assertTrue(r.excludes("README-secret.md"));
        assertTrue(r.excludes("data/other"));
        assertFalse(r.excludes("data/keep"));
        assertTrue(r.hasExceptions());
    }

    @Test
    void characterClassesAndEscapes() {
        IgnoreRules r = IgnoreRules.parse("[a-c].txt\n[!x]y\nstar\\*\n");
        assertTrue(r.excludes("b.txt"));
        assertFalse(r.excludes("d.txt"));
        assertTrue(r.excludes("zy"));
        assertFalse(r.excludes("xy"));
        assertTrue(r.excludes("star*"));
        assertFalse(r.excludes("starfish"));
    }
}
