package popek.translate;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static popek.translate.SensitiveClass.*;

/** The classes' facts: labels, privilege, and which ones are Robin & Irvine's. */
class SensitiveClassTest {
    @Test
    void labelsAreShortAndDistinct() {
        Set<String> labels = Arrays.stream(values()).map(SensitiveClass::label).collect(Collectors.toSet());
        assertEquals(values().length, labels.size());
        for (SensitiveClass c : values()) assertTrue(c.label().length() <= 20, c.label());
    }

    @Test
    void privilegedAndIoplSensitiveInstructionsFaultOutsideRingZero() {
        for (SensitiveClass c : EnumSet.of(HLT, LGDT, LIDT, LLDT, LTR, MOV_CR_WRITE, MOV_CR_READ, MOV_DR, LMSW, CLTS,
                INVLPG, INVD, WBINVD, RDMSR, WRMSR, SYSEXIT)) {
            assertEquals(Privilege.PRIVILEGED, c.privilege(), c.name());
        }
        for (SensitiveClass c : EnumSet.of(CLI, STI, IO)) assertEquals(Privilege.IOPL_SENSITIVE, c.privilege(), c.name());
        assertTrue(IO.privileged());
        assertFalse(IO.sensitiveButUnprivileged());
    }

    @Test
    void robinAndIrvinesInstructionsAreAllUnprivileged() {
        Set<SensitiveClass> theirs = EnumSet.of(SGDT, SIDT, SLDT, SMSW, STR, PUSHF, POPF, LAR, LSL, VERR, VERW,
                SEG_PUSH, SEG_POP, SEG_MOV_WRITE, SEG_MOV_READ, FAR_CALL, FAR_JMP, FAR_RET, INT_N);
        for (SensitiveClass c : values()) {
            assertEquals(theirs.contains(c), c.robinIrvine(), c.name());
            if (c.robinIrvine()) assertTrue(c.sensitiveButUnprivileged(), c.name());
        }
        assertTrue(IRET.sensitiveButUnprivileged());
        assertFalse(IRET.robinIrvine());
    }

    @Test
    void ordinalsMapBack() {
        for (SensitiveClass c : values()) assertEquals(c, ofOrdinal(c.ordinal()));
    }
}
