package popek.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A Linux initramfs written here: a "newc" cpio archive (the format the kernel unpacks into its root file system),
 * and the smallest useful {@code /init}, an i386 ELF executable assembled from bytes.
 */
public final class Initramfs {
    /** The line {@link #helloInit()} writes to its standard output, the console. */
    public static final String INIT_LINE = "popek: hello from /init";

    private static final int S_IFDIR = 0040000, S_IFREG = 0100000, S_IFCHR = 0020000;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int inode = 1;

    public Initramfs directory(String name) { return entry(name, S_IFDIR | 0755, new byte[0], 0, 0); }

    public Initramfs file(String name, int permissions, byte[] data) { return entry(name, S_IFREG | permissions, data, 0, 0); }

    public Initramfs charDevice(String name, int major, int minor) { return entry(name, S_IFCHR | 0600, new byte[0], major, minor); }

    /** The archive, with its trailer. */
    public byte[] bytes() {
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        whole.writeBytes(out.toByteArray());
        writeEntry(whole, "TRAILER!!!", 0, new byte[0], 0, 0, 0);
        return whole.toByteArray();
    }

    private Initramfs entry(String name, int mode, byte[] data, int rdevMajor, int rdevMinor) {
        writeEntry(out, name, mode, data, rdevMajor, rdevMinor, inode++);
        return this;
    }

    /** One newc header (magic 070701, thirteen 8-digit hex fields), the name, the data, each padded to 4 bytes. */
    private static void writeEntry(ByteArrayOutputStream o, String name, int mode, byte[] data, int rdevMajor, int rdevMinor,
                                   int ino) {
        byte[] n = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        int nlink = (mode & S_IFDIR) != 0 ? 2 : 1;
        int[] fields = {ino, mode, 0, 0, nlink, 0, data.length, 0, 0, rdevMajor, rdevMinor, n.length, 0};
        StringBuilder h = new StringBuilder("070701");
        for (int f : fields) h.append(String.format("%08X", f));
        o.writeBytes(h.toString().getBytes(StandardCharsets.US_ASCII));
        o.writeBytes(n);
        pad(o);
        o.writeBytes(data);
        pad(o);
    }

    private static void pad(ByteArrayOutputStream o) {
        while (o.size() % 4 != 0) o.write(0);
    }

    /** An initramfs with /dev/console and {@link #helloInit()} as /init. */
    public static byte[] withHelloInit() {
        return new Initramfs().directory("dev").charDevice("dev/console", 5, 1).file("init", 0755, helloInit()).bytes();
    }

    /**
     * A static i386 ELF program: writes {@link #INIT_LINE} to file descriptor 1, waits for it to be sent (tcdrain),
     * asks for the ports 0x604-0x605
     * (ioperm) and powers the machine off there as QEMU's ACPI does (16-bit 0x2000); should ioperm fail, it calls
     * reboot(POWER_OFF) instead.
     */
    public static byte[] helloInit() {
        final int base = 0x08048000, headers = 52 + 2 * 32;
        byte[] msg = (INIT_LINE + "\n").getBytes(StandardCharsets.US_ASCII);
        Bytes code = new Bytes();
        int msgAt = base + headers + 104;   // the message follows the code, whose length is checked below
        code.b(0xB8).d(4).b(0xBB).d(1).b(0xB9).d(msgAt).b(0xBA).d(msg.length).b(0xCD, 0x80);        // write(1, msg, len)
        // tcdrain: ioctl(1, TCSBRK, 1) returns once the UART has sent it all. A write returns when the line is in the
        // tty's buffer, and the serial driver sends the rest of it on THR-empty interrupts: powering off at once
        // could cut the line short, depending on how much virtual time the next few instructions take.
        code.b(0xB8).d(54).b(0xBB).d(1).b(0xB9).d(0x5409).b(0xBA).d(1).b(0xCD, 0x80);             // ioctl(1, TCSBRK, 1)
        code.b(0xB8).d(101).b(0xBB).d(0x604).b(0xB9).d(2).b(0xBA).d(1).b(0xCD, 0x80);              // ioperm(0x604, 2, 1)
        code.b(0x85, 0xC0, 0x75, 0x0A);                                                             // test eax, eax ; jnz reboot
        code.b(0x66, 0xBA, 0x04, 0x06, 0x66, 0xB8, 0x00, 0x20, 0x66, 0xEF);                       // mov dx, 0x604 ; mov ax, 0x2000 ; out dx, ax
        code.b(0xB8).d(88).b(0xBB).d(0xFEE1DEAD).b(0xB9).d(0x28121969).b(0xBA).d(0x4321FEDC).b(0xCD, 0x80);   // reboot
        code.b(0xEB, 0xFE);                                                                          // jmp $
        if (code.size() != 104) throw new IllegalStateException("the /init code is " + code.size() + " bytes");
        code.raw(msg);
        int size = headers + code.size();

        Bytes elf = new Bytes();
        elf.b(0x7F, 'E', 'L', 'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0);   // ELFCLASS32, little-endian, version 1
        elf.h(2).h(3).d(1).d(base + headers).d(52).d(0).d(0);              // ET_EXEC, EM_386, entry, phoff, shoff, flags
        elf.h(52).h(32).h(2).h(40).h(0).h(0);                              // ehsize, phentsize, phnum, shentsize, shnum, shstrndx
        elf.d(1).d(0).d(base).d(base).d(size).d(size).d(5).d(0x1000);     // PT_LOAD the whole file, R+X
        elf.d(0x6474E551).d(0).d(0).d(0).d(0).d(0).d(6).d(16);            // PT_GNU_STACK: a stack that is not executable
        elf.raw(code.toByteArray());
        return elf.toByteArray();
    }

    /** Little-endian bytes. */
    private static final class Bytes extends ByteArrayOutputStream {
        Bytes b(int... v) {
            for (int x : v) write(x);
            return this;
        }

        Bytes h(int v) { return b(v, v >>> 8); }

        Bytes d(int v) { return b(v, v >>> 8, v >>> 16, v >>> 24); }

        Bytes raw(byte[] v) {
            writeBytes(v);
            return this;
        }
    }
}
