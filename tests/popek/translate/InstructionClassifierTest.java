package popek.translate;

import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import popek.engine.Capstone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Real encodings, decoded by the real Capstone and classified: every class in 32-bit code and the common ones in
 * 16-bit code, with prefixes (rep, 66, 67, segment overrides), and the ordinary look-alikes that must stay ordinary.
 * The bytes were assembled with GNU as (--32, .code16) and checked against Capstone's own text.
 */
class InstructionClassifierTest {
    /** bits | bytes | expected class (empty: ordinary) | the assembly. */
    private static final String CASES = """
            # 32-bit code: sensitive
            32 | fa                        | CLI              | cli
            32 | 2e fa                     | CLI              | cs cli (a segment override on cli is legal and ignored)
            32 | fb                        | STI              | sti
            32 | f4                        | HLT              | hlt
            32 | e4 60                     | IO               | in al, 0x60
            32 | 66 e5 60                  | IO               | in ax, 0x60
            32 | ed                        | IO               | in eax, dx
            32 | ee                        | IO               | out dx, al
            32 | e6 80                     | IO               | out 0x80, al
            32 | 66 ef                     | IO               | out dx, ax
            32 | 6c                        | IO               | insb
            32 | f3 6d                     | IO               | rep insd
            32 | 66 f3 6d                  | IO               | rep insw
            32 | 6e                        | IO               | outsb
            32 | f3 6f                     | IO               | rep outsd
            32 | 64 6e                     | IO               | outsb with an fs override
            32 | 0f 01 10                  | LGDT             | lgdt [eax]
            32 | 0f 01 15 98 29 10 00      | LGDT             | lgdt [0x102998]
            32 | 66 0f 01 10               | LGDT             | lgdtw [eax]
            32 | 67 0f 01 10               | LGDT             | lgdt [bx+si] (address-size prefix)
            32 | 64 0f 01 10               | LGDT             | lgdt fs:[eax]
            32 | 0f 01 5d fa               | LIDT             | lidt [ebp-6]
            32 | 0f 00 d0                  | LLDT             | lldt ax
            32 | 0f 00 10                  | LLDT             | lldt [eax]
            32 | 0f 00 da                  | LTR              | ltr dx
            32 | 0f 22 d8                  | MOV_CR_WRITE     | mov cr3, eax
            32 | 0f 22 c0                  | MOV_CR_WRITE     | mov cr0, eax
            32 | 0f 22 e1                  | MOV_CR_WRITE     | mov cr4, ecx
            32 | 0f 20 c0                  | MOV_CR_READ      | mov eax, cr0
            32 | 0f 20 d7                  | MOV_CR_READ      | mov edi, cr2
            32 | 0f 23 f8                  | MOV_DR           | mov dr7, eax
            32 | 0f 21 f0                  | MOV_DR           | mov eax, dr6
            32 | 0f 01 f0                  | LMSW             | lmsw ax
            32 | 0f 06                     | CLTS             | clts
            32 | 0f 01 38                  | INVLPG           | invlpg [eax]
            32 | 0f 08                     | INVD             | invd
            32 | 0f 09                     | WBINVD           | wbinvd
            32 | 0f 32                     | RDMSR            | rdmsr
            32 | 0f 30                     | WRMSR            | wrmsr
            32 | cf                        | IRET             | iretd
            32 | 66 cf                     | IRET             | iretw
            32 | 0f 34                     | SYSENTER         | sysenter
            32 | 0f 35                     | SYSEXIT          | sysexit
            32 | 0f 05                     | SYSCALL          | syscall
            32 | 0f 07                     | SYSRET           | sysret
            32 | 9c                        | PUSHF            | pushfd
            32 | 66 9c                     | PUSHF            | pushfw
            32 | 9d                        | POPF             | popfd
            32 | 66 9d                     | POPF             | popfw
            32 | 0f 01 00                  | SGDT             | sgdt [eax]
            32 | 0f 01 08                  | SIDT             | sidt [eax]
            32 | 0f 00 00                  | SLDT             | sldt [eax]
            32 | 0f 00 c0                  | SLDT             | sldt eax
            32 | 0f 01 e0                  | SMSW             | smsw eax
            32 | 0f 01 20                  | SMSW             | smsw [eax]
            32 | 0f 00 c8                  | STR              | str eax
            32 | 0f 02 c0                  | LAR              | lar eax, eax
            32 | 0f 03 c0                  | LSL              | lsl eax, eax
            32 | 0f 00 e0                  | VERR             | verr ax
            32 | 0f 00 e8                  | VERW             | verw ax
            32 | 0e                        | SEG_PUSH         | push cs
            32 | 16                        | SEG_PUSH         | push ss
            32 | 1e                        | SEG_PUSH         | push ds
            32 | 06                        | SEG_PUSH         | push es
            32 | 0f a0                     | SEG_PUSH         | push fs
            32 | 0f a8                     | SEG_PUSH         | push gs
            32 | 66 1e                     | SEG_PUSH         | pushw ds
            32 | 17                        | SEG_POP          | pop ss
            32 | 1f                        | SEG_POP          | pop ds
            32 | 07                        | SEG_POP          | pop es
            32 | 0f a1                     | SEG_POP          | pop fs
            32 | 0f a9                     | SEG_POP          | pop gs
            32 | 66 1f                     | SEG_POP          | popw ds
            32 | 8e d8                     | SEG_MOV_WRITE    | mov ds, eax
            32 | 8e d0                     | SEG_MOV_WRITE    | mov ss, eax
            32 | 8e 18                     | SEG_MOV_WRITE    | mov ds, [eax]
            32 | 66 8e c0                  | SEG_MOV_WRITE    | mov es, ax
            32 | 8e e1                     | SEG_MOV_WRITE    | mov fs, ecx
            32 | 8c c8                     | SEG_MOV_READ     | mov eax, cs
            32 | 8c 08                     | SEG_MOV_READ     | mov [eax], cs
            32 | 66 8c d8                  | SEG_MOV_READ     | mov ax, ds
            32 | 8c e0                     | SEG_MOV_READ     | mov eax, fs
            32 | c5 00                     | SEG_LOAD_FAR     | lds eax, [eax]
            32 | c4 00                     | SEG_LOAD_FAR     | les eax, [eax]
            32 | 0f b4 00                  | SEG_LOAD_FAR     | lfs eax, [eax]
            32 | 0f b5 00                  | SEG_LOAD_FAR     | lgs eax, [eax]
            32 | 0f b2 00                  | SEG_LOAD_FAR     | lss eax, [eax]
            32 | 9a 00 00 00 00 08 00      | FAR_CALL         | call 0x8:0x0
            32 | 66 9a 00 00 08 00         | FAR_CALL         | callw 0x8:0x0
            32 | ff 1d 00 10 00 00         | FAR_CALL         | call far [0x1000]
            32 | ff 18                     | FAR_CALL         | call far [eax]
            32 | ea 27 00 10 00 08 00      | FAR_JMP          | jmp 0x8:0x100027
            32 | ff 2d 00 10 00 00         | FAR_JMP          | jmp far [0x1000]
            32 | ff 28                     | FAR_JMP          | jmp far [eax]
            32 | cb                        | FAR_RET          | retf
            32 | ca 04 00                  | FAR_RET          | retf 4
            32 | 66 cb                     | FAR_RET          | retfw
            32 | cd 80                     | INT_N            | int 0x80
            32 | cd 03                     | INT_N            | int 3 (the two-byte form)
            32 | cc                        | INT_N            | int3
            32 | ce                        | INT_N            | into
            32 | f1                        | INT_N            | int1 (icebp)
            32 | 0f a2                     | CPUID            | cpuid
            32 | 0f 31                     | RDTSC            | rdtsc
            32 | 0f 01 f9                  | RDTSC            | rdtscp
            32 | 0f 33                     | RDPMC            | rdpmc
            32 | 0f 01 d1                  | OTHER_PRIVILEGED | xsetbv
            32 | 0f 01 c8                  | OTHER_PRIVILEGED | monitor
            32 | 0f 01 c9                  | OTHER_PRIVILEGED | mwait
            32 | 0f 01 ca                  | OTHER_PRIVILEGED | clac
            32 | 0f 01 cb                  | OTHER_PRIVILEGED | stac
            32 | 66 0f 38 82 00            | OTHER_PRIVILEGED | invpcid eax, [eax]
            32 | 0f 01 c1                  | OTHER_PRIVILEGED | vmcall
            32 | 0f 01 d9                  | OTHER_PRIVILEGED | vmmcall
            32 | f3 0f 09                  | OTHER_PRIVILEGED | wbnoinvd
            32 | f7 f9                     | IDIV             | idiv ecx (the host would die dividing INT64_MIN by -1)
            32 | 66 f7 3b                  | IDIV             | idiv word [ebx]
            32 | f6 f9                     |                  | idiv cl (8-bit: cannot overflow the host)
            32 | f7 f1                     |                  | div ecx
            # 32-bit code: look-alikes that must stay ordinary
            32 | 89 d8                     |                  | mov eax, ebx
            32 | 8b 03                     |                  | mov eax, [ebx]
            32 | 64 a1 00 00 00 00         |                  | mov eax, fs:[0] (a segment override, not a segment operand)
            32 | 64 8b 03                  |                  | mov eax, fs:[ebx]
            32 | 65 89 03                  |                  | mov gs:[ebx], eax
            32 | 2e 8b 03                  |                  | mov eax, cs:[ebx]
            32 | c7 00 01 00 00 00         |                  | mov dword [eax], 1
            32 | b8 00 10 11 00            |                  | mov eax, 0x111000
            32 | 0f b7 45 0c               |                  | movzx eax, word [ebp+12]
            32 | 50                        |                  | push eax
            32 | 6a 10                     |                  | push 0x10
            32 | 68 00 10 00 00            |                  | push 0x1000
            32 | ff 30                     |                  | push dword [eax]
            32 | 64 ff 30                  |                  | push dword fs:[eax]
            32 | 58                        |                  | pop eax
            32 | 8f 00                     |                  | pop dword [eax]
            32 | 60                        |                  | pushad
            32 | 61                        |                  | popad
            32 | c3                        |                  | ret
            32 | c2 04 00                  |                  | ret 4
            32 | f3 c3                     |                  | rep ret
            32 | e8 00 00 00 00            |                  | call rel32
            32 | ff d0                     |                  | call eax
            32 | ff 10                     |                  | call [eax]
            32 | ff 15 00 10 00 00         |                  | call [0x1000]
            32 | e9 00 00 00 00            |                  | jmp rel32
            32 | eb fe                     |                  | jmp short $
            32 | ff e0                     |                  | jmp eax
            32 | ff 20                     |                  | jmp [eax]
            32 | ff 25 00 10 00 00         |                  | jmp [0x1000]
            32 | 90                        |                  | nop
            32 | 66 90                     |                  | xchg ax, ax
            32 | 8d 74 26 00               |                  | lea esi, [esi+0]
            32 | 0f 1f 44 00 00            |                  | nop dword [eax+eax]
            32 | f3 90                     |                  | pause
            32 | 0f 0b                     |                  | ud2
            32 | f3 ab                     |                  | rep stosd
            32 | f3 a4                     |                  | rep movsb
            32 | f0 01 03                  |                  | lock add [ebx], eax
            32 | 0f 01 d0                  |                  | xgetbv
            32 | 0f ae e8                  |                  | lfence
            32 | 9b                        |                  | fwait
            32 | c9                        |                  | leave
            # 16-bit code: sensitive
            16 | fa                        | CLI              | cli
            16 | fb                        | STI              | sti
            16 | f4                        | HLT              | hlt
            16 | e4 60                     | IO               | in al, 0x60
            16 | ee                        | IO               | out dx, al
            16 | ef                        | IO               | out dx, ax
            16 | 66 ef                     | IO               | out dx, eax
            16 | f3 6c                     | IO               | rep insb
            16 | 0f 01 16 00 10            | LGDT             | lgdt [0x1000]
            16 | 66 0f 01 16 00 10         | LGDT             | lgdtd [0x1000]
            16 | 0f 01 1e 00 10            | LIDT             | lidt [0x1000]
            16 | 0f 00 d8                  | LTR              | ltr ax
            16 | 0f 22 c0                  | MOV_CR_WRITE     | mov cr0, eax
            16 | 0f 20 c0                  | MOV_CR_READ      | mov eax, cr0
            16 | 0f 01 e0                  | SMSW             | smsw ax
            16 | 0f 01 06 00 10            | SGDT             | sgdt [0x1000]
            16 | 8e d8                     | SEG_MOV_WRITE    | mov ds, ax
            16 | 8e d0                     | SEG_MOV_WRITE    | mov ss, ax
            16 | 8c c8                     | SEG_MOV_READ     | mov ax, cs
            16 | 0e                        | SEG_PUSH         | push cs
            16 | 1e                        | SEG_PUSH         | push ds
            16 | 0f a0                     | SEG_PUSH         | push fs
            16 | 1f                        | SEG_POP          | pop ds
            16 | 0f a1                     | SEG_POP          | pop fs
            16 | c5 06 00 10               | SEG_LOAD_FAR     | lds ax, [0x1000]
            16 | ea 05 00 08 00            | FAR_JMP          | jmp 0x8:0x5
            16 | 66 ea 00 00 10 00 08 00   | FAR_JMP          | jmp dword 0x8:0x100000 (the jump into protected mode)
            16 | ff 2e 00 10               | FAR_JMP          | jmp far [0x1000]
            16 | 9a 00 00 00 f0            | FAR_CALL         | call 0xf000:0x0
            16 | ff 1e 00 10               | FAR_CALL         | call far [0x1000]
            16 | cb                        | FAR_RET          | retf
            16 | cf                        | IRET             | iret
            16 | 66 cf                     | IRET             | iretd
            16 | 9c                        | PUSHF            | pushf
            16 | 66 9c                     | PUSHF            | pushfd
            16 | 9d                        | POPF             | popf
            16 | cd 10                     | INT_N            | int 0x10
            16 | cc                        | INT_N            | int3
            16 | 0f a2                     | CPUID            | cpuid
            16 | 0f 31                     | RDTSC            | rdtsc
            16 | 0f 32                     | RDMSR            | rdmsr
            # 16-bit code: look-alikes that must stay ordinary
            16 | 89 d8                     |                  | mov ax, bx
            16 | 50                        |                  | push ax
            16 | 66 50                     |                  | push eax
            16 | 58                        |                  | pop ax
            16 | c3                        |                  | ret
            16 | e8 00 00                  |                  | call rel16
            16 | ff d0                     |                  | call ax
            16 | ff e0                     |                  | jmp ax
            16 | ff 16 00 10               |                  | call [0x1000] (near)
            16 | ff 26 00 10               |                  | jmp [0x1000] (near)
            16 | 64 a1 00 00               |                  | mov ax, fs:[0]
            16 | 2e 8b 07                  |                  | mov ax, cs:[bx]
            """;

    private static Capstone capstone16, capstone32;

    @BeforeAll
    static void open() {
        capstone16 = new Capstone(16);
        capstone32 = new Capstone(32);
    }

    @AfterAll
    static void close() {
        capstone16.close();
        capstone32.close();
    }

    static Stream<Arguments> cases() {
        return CASES.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).map(l -> {
            String[] f = l.split("\\|");
            String expected = f[2].strip();
            return Arguments.of(Integer.parseInt(f[0].strip()), f[1].strip(),
                    expected.isEmpty() ? null : SensitiveClass.valueOf(expected), f[3].strip());
        });
    }

    static byte[] hex(String spaced) { return HexFormat.of().parseHex(spaced.replace(" ", "")); }

    @ParameterizedTest(name = "{0}-bit {3} ({1}) -> {2}")
    @MethodSource("cases")
    void classifies(int bits, String bytes, SensitiveClass expected, String assembly) {
        byte[] code = hex(bytes);
        Capstone.Instruction insn = (bits == 16 ? capstone16 : capstone32).decode(code, code.length, 0x1000);
        assertNotNull(insn, assembly + " must decode");
        assertEquals(code.length, insn.length(), "length of " + insn.text());
        assertEquals(expected, InstructionClassifier.classify(insn, code, 0), insn.text());
    }

    @Test
    void theCasesCoverEveryClassIn32BitCode() {
        Set<SensitiveClass> seen = EnumSet.noneOf(SensitiveClass.class);
        cases().map(Arguments::get).filter(a -> (int) a[0] == 32 && a[2] != null).forEach(a -> seen.add((SensitiveClass) a[2]));
        assertEquals(EnumSet.allOf(SensitiveClass.class), seen);
    }

    @Test
    void anInstructionInsideALargerBufferIsJudgedByItsOwnBytes() {
        // nop ; push fs ; nop: the instruction at offset 1 is the sensitive one, whatever surrounds it.
        byte[] code = hex("90 0f a0 90");
        Capstone.Instruction pushFs = capstone32.decode(new byte[] {0x0f, (byte) 0xa0}, 2, 0);
        assertEquals(SensitiveClass.SEG_PUSH, InstructionClassifier.classify(pushFs, code, 1));
    }

    @Test
    void unknownIdsAreOrdinary() {
        assertNull(InstructionClassifier.classify(0, new byte[] {(byte) 0x90}, 0, 1));
        assertNull(InstructionClassifier.classify(Integer.MAX_VALUE, new byte[] {(byte) 0x90}, 0, 1));
    }
}
