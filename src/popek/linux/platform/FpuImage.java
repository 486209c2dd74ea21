package popek.linux.platform;

import popek.engine.Unicorn;
import popek.engine.X86;

/**
 * A CPU's x87, MMX and SSE state in FXSAVE's 512-byte layout (Intel SDM vol. 1, 10.5.1), read from and written to the
 * engine register by register, and its x87 part in FSAVE's 108-byte layout ({@link #legacy}): the two halves of what
 * i386 Linux puts in a signal frame. One per CPU, reused (no allocation per signal).
 */
public final class FpuImage {
    public static final int SIZE = 512;
    /** Offsets in the image: control, status, abridged tag, opcode, instruction and operand pointers, MXCSR, ST0-7, XMM0-7. */
    public static final int FCW = 0, FSW = 2, FTW = 4, FOP = 6, FIP = 8, FCS = 12, FDP = 16, FDS = 20, MXCSR = 24,
            MXCSR_MASK = 28, ST = 32, XMM = 160;
    /** The MXCSR bits the CPU model accepts (DAZ included), what FXSAVE reports as MXCSR_MASK. */
    public static final int MXCSR_FEATURES = 0xFFFF;

    public final byte[] bytes = new byte[SIZE];
    /** The x87 state as FSAVE stores it: control, status, tag, IP, CS and opcode, operand pointer, then ST0-7 (10 bytes each). */
    public final byte[] legacy = new byte[LEGACY_SIZE];
    public static final int LEGACY_SIZE = 108, L_CW = 0, L_SW = 4, L_TAG = 8, L_IP = 12, L_CS = 16, L_DP = 20, L_DS = 24,
            L_ST = 28;
    private final byte[] reg = new byte[16];

    /** Fills {@link #bytes} with {@code uc}'s state, as FXSAVE would (the reserved areas zero). */
    public void save(Unicorn uc) {
        java.util.Arrays.fill(bytes, (byte) 0);
        putShort(FCW, uc.reg(X86.FPCW));
        putShort(FSW, uc.reg(X86.FPSW));
        int tag = uc.reg(X86.FPTAG), abridged = 0;
        for (int i = 0; i < 8; i++) if ((tag >>> (2 * i) & 3) != 3) abridged |= 1 << i;
        bytes[FTW] = (byte) abridged;
        putShort(FOP, uc.reg(X86.FOP));
        putInt(FIP, uc.reg(X86.FIP));
        putShort(FCS, uc.reg(X86.FCS));
        putInt(FDP, uc.reg(X86.FDP));
        putShort(FDS, uc.reg(X86.FDS));
        putInt(MXCSR, uc.reg(X86.MXCSR));
        putInt(MXCSR_MASK, MXCSR_FEATURES);
        for (int i = 0; i < 8; i++) {
            uc.regBytes(X86.ST0 + i, reg);
            System.arraycopy(reg, 0, bytes, ST + 16 * i, 10);
            uc.regBytes(X86.XMM0 + i, reg);
            System.arraycopy(reg, 0, bytes, XMM + 16 * i, 16);
        }
    }

    /**
     * Loads {@link #bytes} into {@code uc}, as FXRSTOR would. The status word goes first: it sets the stack top, to
     * which ST0-7 are relative.
     */
    public void load(Unicorn uc) {
        uc.setReg(X86.FPSW, getShort(FSW));
        int abridged = bytes[FTW] & 0xFF, tag = 0;
        for (int i = 0; i < 8; i++) if ((abridged & 1 << i) == 0) tag |= 3 << (2 * i);
        uc.setReg(X86.FPTAG, tag);
        for (int i = 0; i < 8; i++) {
            java.util.Arrays.fill(reg, (byte) 0);
            System.arraycopy(bytes, ST + 16 * i, reg, 0, 10);
            uc.setRegBytes(X86.ST0 + i, reg);
            System.arraycopy(bytes, XMM + 16 * i, reg, 0, 16);
            uc.setRegBytes(X86.XMM0 + i, reg);
        }
        uc.setReg(X86.FPCW, getShort(FCW));
        uc.setReg(X86.FOP, getShort(FOP) & 0x7FF);
        uc.setReg(X86.FIP, getInt(FIP));
        uc.setReg(X86.FCS, getShort(FCS));
        uc.setReg(X86.FDP, getInt(FDP));
        uc.setReg(X86.FDS, getShort(FDS));
        uc.setReg(X86.MXCSR, getInt(MXCSR) & MXCSR_FEATURES);
    }

    /** The state after FNINIT and a reset MXCSR: what a task gets when sigreturn finds no FPU state (Linux's too). */
    public void reset() {
        java.util.Arrays.fill(bytes, (byte) 0);
        putShort(FCW, 0x037F);
        putInt(MXCSR, 0x1F80);
        putInt(MXCSR_MASK, MXCSR_FEATURES);
    }

    /** Fills {@link #legacy} from {@link #bytes}, the full tag word classified from the registers' contents as FSAVE does. */
    public void toLegacy() {
        int top = getShort(FSW) >>> 11 & 7, abridged = bytes[FTW] & 0xFF, tag = 0;
        for (int i = 0; i < 8; i++) {
            int at = ST + 16 * ((i - top) & 7);
            int t;
            if ((abridged & 1 << i) == 0) {
                t = 3;   // empty
            } else {
                int exponent = getShort(at + 8) & 0x7FFF;
                boolean zero = getInt(at) == 0 && getInt(at + 4) == 0;
                if (exponent == 0x7FFF) t = 2;   // special: infinity, NaN
                else if (exponent == 0) t = zero ? 1 : 2;   // zero, or denormal (special)
                else t = (bytes[at + 7] & 0x80) != 0 ? 0 : 2;   // valid, or unnormal (special)
            }
            tag |= t << (2 * i);
        }
        putLegacy(L_CW, getShort(FCW) | 0xFFFF0000);
        putLegacy(L_SW, getShort(FSW) | 0xFFFF0000);
        putLegacy(L_TAG, tag | 0xFFFF0000);
        putLegacy(L_IP, getInt(FIP));
        putLegacy(L_CS, getShort(FCS) | getShort(FOP) << 16);
        putLegacy(L_DP, getInt(FDP));
        putLegacy(L_DS, getShort(FDS) | 0xFFFF0000);
        for (int i = 0; i < 8; i++) System.arraycopy(bytes, ST + 16 * i, legacy, L_ST + 10 * i, 10);
    }

    /** Takes the x87 state from {@link #legacy} into {@link #bytes} (a tag only says empty or not), the SSE part kept. */
    public void fromLegacy() {
        putShort(FCW, getLegacy(L_CW));
        putShort(FSW, getLegacy(L_SW));
        int tag = getLegacy(L_TAG), abridged = 0;
        for (int i = 0; i < 8; i++) if ((tag >>> (2 * i) & 3) != 3) abridged |= 1 << i;
        bytes[FTW] = (byte) abridged;
        putInt(FIP, getLegacy(L_IP));
        int cs = getLegacy(L_CS);
        putShort(FCS, cs);
        putShort(FOP, cs >>> 16);
        putInt(FDP, getLegacy(L_DP));
        putShort(FDS, getLegacy(L_DS));
        for (int i = 0; i < 8; i++) {
            System.arraycopy(legacy, L_ST + 10 * i, bytes, ST + 16 * i, 10);
            java.util.Arrays.fill(bytes, ST + 16 * i + 10, ST + 16 * i + 16, (byte) 0);
        }
    }

    private int getLegacy(int at) {
        return (legacy[at] & 0xFF) | (legacy[at + 1] & 0xFF) << 8 | (legacy[at + 2] & 0xFF) << 16 | (legacy[at + 3] & 0xFF) << 24;
    }

    private void putLegacy(int at, int v) {
        for (int i = 0; i < 4; i++) legacy[at + i] = (byte) (v >>> (8 * i));
    }

    public int getShort(int at) { return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8; }

    public int getInt(int at) { return getShort(at) | getShort(at + 2) << 16; }

    public void putShort(int at, int v) {
        bytes[at] = (byte) v;
        bytes[at + 1] = (byte) (v >>> 8);
    }

    public void putInt(int at, int v) {
        putShort(at, v);
        putShort(at + 2, v >>> 16);
    }
}
