package popek.linux.kernel;

import org.junit.jupiter.api.Test;

import popek.linux.abi.Signals;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SIGFPE's si_code from the x87 status and control words (#MF) and from MXCSR (#XM), as Linux's math_error derives it:
 * only exceptions flagged and unmasked count, in Linux's order of precedence. Unicorn's FPU flags only x87 division by
 * zero and no SSE exception, so the other codes are checked here on the registers' values.
 */
class FloatingPointCodeTest {
    private static final int ALL_MASKED = 0x037F;

    @Test
    void x87CodesComeFromTheStatusWordUnderTheControlWordsMasks() {
        assertEquals(Signals.FPE_FLTDIV, Faults.floatingPointCode(16, 0x8084, ALL_MASKED & ~0x04, 0));
        assertEquals(Signals.FPE_FLTINV, Faults.floatingPointCode(16, 0x80C1, ALL_MASKED & ~0x01, 0));   // stack fault
        assertEquals(Signals.FPE_FLTOVF, Faults.floatingPointCode(16, 0x80A8, ALL_MASKED & ~0x08, 0));   // precision masked
        assertEquals(Signals.FPE_FLTUND, Faults.floatingPointCode(16, 0x8090, ALL_MASKED & ~0x10, 0));
        assertEquals(Signals.FPE_FLTUND, Faults.floatingPointCode(16, 0x8082, ALL_MASKED & ~0x02, 0));   // denormal
        assertEquals(Signals.FPE_FLTRES, Faults.floatingPointCode(16, 0x80A0, ALL_MASKED & ~0x20, 0));
        assertEquals(Signals.FPE_FLTINV, Faults.floatingPointCode(16, 0x8085, 0x0340, 0));   // invalid before divide
        assertEquals(0, Faults.floatingPointCode(16, 0x8084, ALL_MASKED, 0));   // masked again: spurious
        assertEquals(0, Faults.floatingPointCode(16, 0x8004, ALL_MASKED, 0x0004));   // MXCSR does not count for #MF
    }

    @Test
    void sseCodesComeFromMxcsrUnderItsOwnMasks() {
        assertEquals(Signals.FPE_FLTDIV, Faults.floatingPointCode(19, 0, 0, 0x1F80 & ~0x200 | 0x04));
        assertEquals(Signals.FPE_FLTINV, Faults.floatingPointCode(19, 0, 0, 0x1F80 & ~0x080 | 0x01));
        assertEquals(Signals.FPE_FLTOVF, Faults.floatingPointCode(19, 0, 0, 0x1F80 & ~0x400 | 0x28));
        assertEquals(Signals.FPE_FLTUND, Faults.floatingPointCode(19, 0, 0, 0x1F80 & ~0x800 | 0x10));
        assertEquals(Signals.FPE_FLTRES, Faults.floatingPointCode(19, 0, 0, 0x1F80 & ~0x1000 | 0x20));
        assertEquals(0, Faults.floatingPointCode(19, 0, 0, 0x1F80 | 0x3F));   // everything masked
        assertEquals(0, Faults.floatingPointCode(19, 0x8084, 0x0340, 0x1F80));   // the x87 words do not count for #XM
    }
}
