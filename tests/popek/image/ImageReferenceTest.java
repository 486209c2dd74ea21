package popek.image;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NAME[:TAG] as Docker's reference grammar has it. */
class ImageReferenceTest {
    @Test
    void theTagIsLatestUnlessGiven() throws Exception {
        assertEquals("web:latest", ImageReference.parse("web").toString());
        assertEquals("web:1.0", ImageReference.parse("web:1.0").toString());
        assertEquals("localhost:5000/team/web:v2", ImageReference.parse("localhost:5000/team/web:v2").toString());
        assertEquals(new ImageReference("localhost:5000/web", "latest"), ImageReference.parse("localhost:5000/web"));
    }

    @Test
    void invalidNamesAndTagsAreRefused() {
        for (String bad : new String[] {"", "Web", "web:", "web:.x", "-web", "web//x", "web@sha256:00", "a:" + "x".repeat(129)}) {
            assertFalse(ImageReference.isValid(bad), bad);
        }
        assertTrue(ImageReference.isValid("my_app.v2-x"));
        assertThrows(ImageReference.InvalidException.class, () -> ImageReference.parse("UPPER"));
    }
}
