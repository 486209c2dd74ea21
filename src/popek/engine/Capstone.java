package popek.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static popek.engine.NativeCalls.rethrow;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A Capstone 5 x86 disassembler. The only class that calls libcapstone. Not thread-safe: one per user.
 *
 * <p>Two ways to decode: {@link #decode} returns one instruction with its text (for messages), and the sweep API
 * ({@link #load}, then {@link #decodeLoaded} at successive offsets) decodes a whole buffer of code one instruction
 * at a time into a single reused native {@code cs_insn} through {@code cs_disasm_iter}, allocating nothing per
 * instruction: full virtualisation's code scanner decodes guest kernel pages that way.
 */
@SuppressWarnings("restricted") // calling native code is this class's whole job (the launcher enables native access)
public final class Capstone implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();

    private static MethodHandle fn(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(NativeLibraries.capstone().find(name)
                .orElseThrow(() -> new NativeLibraryException("libcapstone has no " + name)), d);
    }

    private static final MethodHandle CS_VERSION = fn("cs_version", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle CS_OPEN = fn("cs_open", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle CS_CLOSE = fn("cs_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle CS_DISASM = fn("cs_disasm",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));
    private static final MethodHandle CS_FREE = fn("cs_free", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG));
    private static final MethodHandle CS_MALLOC = fn("cs_malloc", FunctionDescriptor.of(ADDRESS, JAVA_LONG));
    private static final MethodHandle CS_DISASM_ITER = fn("cs_disasm_iter",
            FunctionDescriptor.of(JAVA_BOOLEAN, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle CS_INSN_NAME = fn("cs_insn_name", FunctionDescriptor.of(ADDRESS, JAVA_LONG, JAVA_INT));

    private static final int CS_ARCH_X86 = 3;
    /** cs_insn (Capstone 5): id u32 @0, address u64 @8, size u16 @16, bytes[24] @18, mnemonic[32] @42, op_str[160] @74. */
    private static final long INSN_SIZE = 248, OFF_ID = 0, OFF_SIZE = 16, OFF_MNEMONIC = 42, OFF_OP_STR = 74;
    /** The longest x86 instruction. */
    public static final int MAX_INSTRUCTION = 15;

    private final Arena arena = Arena.ofShared();   // shared: a vCPU may run on one worker thread, then another
    private final long handle;
    private final MemorySegment insnOut = arena.allocate(ADDRESS);
    private final MemorySegment code = arena.allocate(MAX_INSTRUCTION);

    // The sweep: cs_disasm_iter's in/out arguments (code pointer, bytes left, address) and its one reused cs_insn,
    // made on the first load; the loaded code lives in its own arena so a longer buffer can replace it.
    private MemorySegment iterCode, iterSize, iterAddress, iterInsn;
    private Arena loadedArena;
    private MemorySegment loaded = MemorySegment.NULL;
    private int loadedLength;
    private long loadedAddress;

    /** One decoded instruction: Capstone's id, its length in bytes, and its text ("mov eax, dword ptr [ebx]"). */
    public record Instruction(int id, int length, String mnemonic, String operands) {
        public String text() { return operands.isEmpty() ? mnemonic : mnemonic + " " + operands; }
    }

    /** {@code bits} is 16 or 32: the code segment's default operand size. */
    public Capstone(int bits) {
        try {
            int v = (int) CS_VERSION.invokeExact(MemorySegment.NULL, MemorySegment.NULL);
            if ((v >>> 8) < 5) throw new NativeLibraryException("Capstone " + (v >>> 8) + "." + (v & 0xFF) + " is too old: Popek needs Capstone 5");
            MemorySegment h = arena.allocate(JAVA_LONG);
            int err = (int) CS_OPEN.invokeExact(CS_ARCH_X86, bits == 16 ? 2 : 4, h);
            if (err != 0) throw new NativeLibraryException("cs_open failed: error " + err);
            handle = h.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            arena.close();
            throw rethrow(t);
        }
    }

    /** Decodes the instruction at the start of {@code bytes} as if it sat at {@code address}; null if it is not valid x86. */
    public Instruction decode(byte[] bytes, int length, long address) {
        int n = Math.min(length, MAX_INSTRUCTION);
        MemorySegment.copy(bytes, 0, code, JAVA_BYTE, 0, n);
        try {
            long count = (long) CS_DISASM.invokeExact(handle, code, (long) n, address, 1L, insnOut);
            if (count < 1) return null;
            MemorySegment insn = insnOut.get(ADDRESS, 0).reinterpret(INSN_SIZE);
            try {
                return new Instruction(insn.get(JAVA_INT, OFF_ID), insn.get(JAVA_SHORT, OFF_SIZE) & 0xFFFF,
                        insn.getString(OFF_MNEMONIC), insn.getString(OFF_OP_STR));
            } finally {
                CS_FREE.invokeExact(insnOut.get(ADDRESS, 0), count);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Copies {@code code[0, length)} into the native buffer the sweep decodes; {@code address} is the linear address
     * of {@code code[0]}. Replaces what was loaded before.
     */
    public void load(byte[] code, int length, long address) {
        if (length < 0 || length > code.length) throw new IllegalArgumentException("length " + length + " of " + code.length);
        if (iterInsn == null) {
            iterCode = arena.allocate(ADDRESS);
            iterSize = arena.allocate(JAVA_LONG);
            iterAddress = arena.allocate(JAVA_LONG);
            try {
                iterInsn = ((MemorySegment) CS_MALLOC.invokeExact(handle)).reinterpret(INSN_SIZE);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (iterInsn.equals(MemorySegment.NULL)) throw new NativeLibraryException("cs_malloc failed");
        }
        if (loaded.byteSize() < length) {
            if (loadedArena != null) loadedArena.close();
            loadedArena = Arena.ofShared();
            loaded = loadedArena.allocate(Math.max(length, 4096 + MAX_INSTRUCTION));
        }
        MemorySegment.copy(code, 0, loaded, JAVA_BYTE, 0, length);
        loadedLength = length;
        loadedAddress = address;
    }

    /**
     * Decodes the instruction at {@code offset} of the loaded code; returns its length in bytes, or 0 if no valid
     * instruction starts there (including one that would run past the loaded bytes). After a non-zero return,
     * {@link #loadedId()} is its Capstone id. Allocates nothing.
     */
    public int decodeLoaded(int offset) {
        if (offset < 0 || offset >= loadedLength) return 0;
        iterCode.set(JAVA_LONG, 0, loaded.address() + offset);
        iterSize.set(JAVA_LONG, 0, loadedLength - offset);
        iterAddress.set(JAVA_LONG, 0, loadedAddress + offset);
        try {
            boolean ok = (boolean) CS_DISASM_ITER.invokeExact(handle, iterCode, iterSize, iterAddress, iterInsn);
            return ok ? iterInsn.get(JAVA_SHORT, OFF_SIZE) & 0xFFFF : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Capstone's id (its {@code X86_INS_*} number) of the instruction the last successful {@link #decodeLoaded} found. */
    public int loadedId() {
        return iterInsn == null ? 0 : iterInsn.get(JAVA_INT, OFF_ID);
    }

    /**
     * Capstone's name for an instruction id ("mov", "lcall", "iretd"), or null if there is no such id. Ids count up
     * from 1 without gaps, so the first null marks the end of the table.
     */
    public String instructionName(int id) {
        if (id <= 0) return null;
        try {
            MemorySegment name = (MemorySegment) CS_INSN_NAME.invokeExact(handle, id);
            return name.equals(MemorySegment.NULL) ? null : name.reinterpret(64).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void close() {
        try {
            if (iterInsn != null) CS_FREE.invokeExact(iterInsn, 1L);
            MemorySegment h = arena.allocate(JAVA_LONG);
            h.set(JAVA_LONG, 0, handle);
            int ignored = (int) CS_CLOSE.invokeExact(h);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            if (loadedArena != null) loadedArena.close();
            arena.close();
        }
    }
}
