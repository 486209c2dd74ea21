package popek.fuzz.code;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import popek.fuzz.harness.MultibootElf;

/**
 * A Multiboot kernel of random code: after a prologue that may load a flat GDT (or random bytes as one), an IDT whose
 * every gate writes the EIP it was entered from to COM1 (four bytes, little-endian) and leaves through debug-exit
 * with its vector (or random bytes as one), a stack, 4 MiB identity paging and a
 * drop to ring 3 (with a TSS to come back by), comes random code ({@link Soup}, or plain random bytes), then a
 * debug-exit that says the code ran to its end. Everything the guest needs lies in its one segment at 1 MiB.
 */
final class RandomKernel {
    static final int LOAD = 0x100000;
    static final int GDTR = LOAD + 0x10, IDTR = LOAD + 0x18, GDT = LOAD + 0x20;
    static final int STUBS = LOAD + 0x100, IDT = LOAD + 0x900, TSS = LOAD + 0x1100, REPORT = LOAD + 0x1200;
    static final int PAGE_DIR = LOAD + 0x2000, ENTRY = LOAD + 0x3000;
    static final int MEM_BYTES = 0x10000, STACK = 0x300000, RING0_STACK = 0x2F0000, USER_STACK = 0x2E0000;
    /** The vector of debug-exit the code's end writes (exit 253): "ran through". */
    static final int RAN_THROUGH = 0x7E;
    /** The flat GDT: null, ring-0 code and data, ring-3 code and data, 16-bit code, the TSS. */
    private static final long[] FLAT_GDT = {0, 0x00CF9A000000FFFFL, 0x00CF92000000FFFFL, 0x00CFFA000000FFFFL,
        0x00CFF2000000FFFFL, 0x008F9A000000FFFFL, tssDescriptor()};
    /** Register values the soup loads: selectors of the flat GDT (and off it), and addresses of its tables and RAM. */
    static final int[] VALUES = {0, 0x08, 0x10, 0x18, 0x1B, 0x23, 0x28, 0x30, 0x38, 0x0B, 0x13, 0xFFFF, GDTR, IDTR,
        GDT, IDT, ENTRY, PAGE_DIR, STACK - 0x100, 0x80000000, 0xFFFFFFFF, 0x0FFFF000, 0x11, 0x80000011, 0x60000011};

    /** What the prologue set up, for the case's name. */
    record Kernel(byte[] file, String name) { }

    private RandomKernel() {}

    static Kernel make(Random r, boolean para) {
        ByteBuffer seg = ByteBuffer.allocate(MEM_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        int gdt = r.nextInt(4), idt = r.nextInt(4);   // 0: none, 1-2: valid, 3: random bytes
        boolean paging = gdt > 0 && r.nextInt(4) == 0, user = (gdt == 1 || gdt == 2) && idt == 1 && r.nextInt(4) == 0;
        for (int i = 0; i < FLAT_GDT.length; i++) seg.putLong(GDT - LOAD + 8 * i, FLAT_GDT[i]);
        if (gdt == 3) for (int i = 8; i < 8 * FLAT_GDT.length; i++) if (r.nextInt(3) == 0) seg.put(GDT - LOAD + i, (byte) r.nextInt());
        seg.putShort(GDTR - LOAD, (short) (8 * FLAT_GDT.length - 1)).putInt(GDTR - LOAD + 2, GDT);
        seg.put(REPORT - LOAD, report());
        for (int v = 0; v < 256; v++) {
            Bytes stub = new Bytes(STUBS + 8 * v).raw(0x6A, v);   // push the vector; jmp REPORT
            stub.raw(0xE9).imm32(REPORT - (stub.here() + 4));
            seg.put(STUBS - LOAD + 8 * v, stub.array());
            int handler = STUBS + 8 * v;
            seg.putInt(IDT - LOAD + 8 * v, 0x00080000 | (handler & 0xFFFF)).putInt(IDT - LOAD + 8 * v + 4, (handler & 0xFFFF0000) | 0x8E00);
        }
        if (idt == 3) for (int i = 0; i < 0x800; i++) if (r.nextInt(4) == 0) seg.put(IDT - LOAD + i, (byte) r.nextInt());
        seg.putShort(IDTR - LOAD, (short) 0x7FF).putInt(IDTR - LOAD + 2, IDT);
        seg.putInt(TSS - LOAD + 4, RING0_STACK).putInt(TSS - LOAD + 8, 0x10).putShort(TSS - LOAD + 102, (short) 104);
        for (int i = 0; i < 4; i++) seg.putInt(PAGE_DIR - LOAD + 4 * i, (i << 22) | (r.nextInt(6) == 0 ? r.nextInt(0x200) | 0x81 : 0x87));

        Bytes code = new Bytes(ENTRY);
        if (r.nextInt(4) != 0) code.movImm(4, STACK);
        if (gdt > 0) {
            code.raw(0x0F, 0x01, 0x15).imm32(GDTR);   // lgdt [GDTR]
            if (gdt <= 2) {
                int next = code.here() + 7;
                code.raw(0xEA).imm32(next).imm16(0x08);   // jmp 0x08:next
                code.raw(0x66, 0xB8, 0x10, 0x00);         // mov ax, 0x10
                for (int sreg : new int[] {0xD8, 0xC0, 0xD0, 0xE0, 0xE8}) code.raw(0x8E, sreg);   // mov ds/es/ss/fs/gs, ax
            }
        }
        if (idt > 0) code.raw(0x0F, 0x01, 0x1D).imm32(IDTR);   // lidt [IDTR]
        if (paging) {
            code.raw(0x0F, 0x20, 0xE0).raw(0x83, 0xC8, 0x10).raw(0x0F, 0x22, 0xE0);   // cr4 |= PSE
            code.movImm(0, PAGE_DIR).raw(0x0F, 0x22, 0xD8);                           // cr3 = PAGE_DIR
            code.raw(0x0F, 0x20, 0xC0).raw(0x0D).imm32(0x80000000).raw(0x0F, 0x22, 0xC0);   // cr0 |= PG
        }
        if (user) {
            code.raw(0x66, 0xB8, 0x33, 0x00).raw(0x0F, 0x00, 0xD8);   // mov ax, 0x33 (TSS, RPL 3: ltr ignores it); ltr ax
            int target = code.here() + 17;   // past the five pushes and the iret
            code.raw(0x6A, 0x23).raw(0x68).imm32(USER_STACK).raw(0x6A, 0x02).raw(0x6A, 0x1B).raw(0x68).imm32(target);
            code.raw(0xCF);                   // iret to ring 3: SS 0x23, ESP, EFLAGS 2, CS 0x1B
        }
        boolean soup = r.nextInt(3) != 0;
        int length = 8 + r.nextInt(r.nextBoolean() ? 64 : 1024);
        byte[] body;
        if (soup) {
            body = Soup.make(r, length, VALUES);
        } else {
            body = new byte[length];
            r.nextBytes(body);
        }
        code.raw(Soup.withoutDebugRegisterWrites(body)).debugExit(RAN_THROUGH);
        seg.put(ENTRY - LOAD, code.array());
        int fileBytes = ENTRY - LOAD + code.array().length;
        byte[] segment = java.util.Arrays.copyOf(seg.array(), fileBytes);
        String name = String.format("gdt%d-idt%d%s%s-%s%d", gdt, idt, paging ? "-pg" : "", user ? "-ring3" : "",
                soup ? "soup" : "bytes", body.length);
        byte[] file = MultibootElf.image(LOAD, ENTRY, segment, MEM_BYTES, 0,
                para ? new MultibootElf.ParaPages(LOAD + 0xE000, LOAD + 0xF000) : null);
        return new Kernel(file, name);
    }

    /**
     * What every gate's stub jumps to, the vector pushed: skip the error code of the vectors that have one (8, 10-14,
     * 17), write the EIP of the frame to COM1 a byte at a time, then debug-exit with the vector's low 7 bits.
     */
    private static byte[] report() {
        Bytes b = new Bytes(REPORT);
        b.raw(0x59, 0x0F, 0xB6, 0xC9);                              // pop ecx; movzx ecx, cl
        b.raw(0x80, 0xF9, 0x08, 0x74, 0x0F);                        // cmp cl, 8; je skip
        b.raw(0x80, 0xF9, 0x11, 0x74, 0x0A);                        // cmp cl, 17; je skip
        b.raw(0x80, 0xF9, 0x0A, 0x72, 0x08);                        // cmp cl, 10; jb frame
        b.raw(0x80, 0xF9, 0x0E, 0x77, 0x03);                        // cmp cl, 14; ja frame
        b.raw(0x83, 0xC4, 0x04);                                    // skip: add esp, 4
        b.raw(0x8B, 0x04, 0x24, 0x66, 0xBA, 0xF8, 0x03);            // frame: mov eax, [esp]; mov dx, 0x3f8
        for (int i = 0; i < 4; i++) b.raw(0xEE, 0xC1, 0xE8, 0x08);  // out dx, al; shr eax, 8
        b.raw(0x88, 0xC8, 0x24, 0x7F, 0xE6, 0xF4, 0xF4, 0xEB, 0xFD); // mov al, cl; and al, 0x7f; out 0xf4, al; hlt; jmp $-1
        return b.array();
    }

    /** The TSS's descriptor: 32-bit available TSS at {@link #TSS}, limit 103. */
    private static long tssDescriptor() {
        long base = TSS, limit = 103;
        return (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89L << 40) | (((limit >> 16) & 0xF) << 48) | ((base >>> 24) << 56);
    }
}
