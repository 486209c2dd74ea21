package popek.devices;

import java.nio.charset.StandardCharsets;

import popek.memory.GuestMemory;

/**
 * CGA (colour) text mode: 80 x 25 characters at 0xB8000 in guest memory, two bytes each (code page 437 character,
 * attribute), and the 6845 CRTC's index and data ports (0x3D4, 0x3D5) with its 18 registers, of which the cursor
 * position (0x0E, 0x0F) and the display start (0x0C, 0x0D) matter here. The buffer is plain guest RAM, so a guest's
 * writes to the screen cost nothing; {@link #text()} reads it back as lines of text.
 */
public final class CgaText implements BytePortDevice {
    public static final long BUFFER = 0xB8000;
    public static final int COLUMNS = 80, ROWS = 25, INDEX = 0x3D4, DATA = 0x3D5;

    private final GuestMemory ram;
    private final int[] registers = new int[18];
    private int index;

    public CgaText(GuestMemory ram) { this.ram = ram; }

    public void register(PortBus bus) { bus.register(INDEX, 2, this); }

    @Override
    public int readByte(int port) {
        if (port == INDEX) return index;
        if (port == DATA) return index < registers.length ? registers[index] : 0xFF;
        return 0xFF;
    }

    @Override
    public void writeByte(int port, int value) {
        if (port == INDEX) index = value & 0x1F;
        else if (port == DATA && index < registers.length) registers[index] = value & 0xFF;
    }

    /** The cursor's offset in characters from the buffer's start (CRTC registers 0x0E, 0x0F). */
    public int cursor() { return (registers[0x0E] << 8) | registers[0x0F]; }

    /**
     * The screen as text: 25 lines of the characters shown (from the display start), trailing blanks removed, and
     * characters outside printable ASCII as '.' (the guest draws boxes and blocks with code page 437).
     */
    public String text() {
        int start = (registers[0x0C] << 8) | registers[0x0D];
        if (!ram.contains(BUFFER, 0x8000)) return "";
        StringBuilder out = new StringBuilder();
        byte[] line = new byte[COLUMNS];
        for (int row = 0; row < ROWS; row++) {
            int len = 0;
            for (int col = 0; col < COLUMNS; col++) {
                int cell = (start + row * COLUMNS + col) & 0x3FFF;   // the 16 KiB of CGA memory wraps
                int c = ram.read8(BUFFER + 2L * cell);
                line[col] = (byte) (c == 0 ? ' ' : c >= 0x20 && c < 0x7F ? c : '.');
                if (line[col] != ' ') len = col + 1;
            }
            out.append(new String(line, 0, len, StandardCharsets.US_ASCII)).append('\n');
        }
        return out.toString();
    }
}
