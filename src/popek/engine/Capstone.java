package popek.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** A Capstone 5 x86 disassembler. The only class that calls libcapstone. Not thread-safe: one per user. */
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

    private static final int CS_ARCH_X86 = 3;
    /** cs_insn (Capstone 5): id u32 @0, address u64 @8, size u16 @16, bytes[24] @18, mnemonic[32] @42, op_str[160] @74. */
    private static final long INSN_SIZE = 248, OFF_ID = 0, OFF_SIZE = 16, OFF_MNEMONIC = 42, OFF_OP_STR = 74;
    /** The longest x86 instruction. */
    public static final int MAX_INSTRUCTION = 15;

    private final Arena arena = Arena.ofConfined();
    private final long handle;
    private final MemorySegment insnOut = arena.allocate(ADDRESS);
    private final MemorySegment code = arena.allocate(MAX_INSTRUCTION);

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
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        } catch (Throwable t) {
            arena.close();
            throw new IllegalStateException(t);
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
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        try {
            MemorySegment h = arena.allocate(JAVA_LONG);
            h.set(JAVA_LONG, 0, handle);
            int ignored = (int) CS_CLOSE.invokeExact(h);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            arena.close();
        }
    }
}
