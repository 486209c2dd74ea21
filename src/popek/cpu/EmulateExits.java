package popek.cpu;

/**
 * Emulate mode's exits: Unicorn runs privileged instructions against its own CPU model, so Popek sees only port
 * I/O, {@code cpuid}, {@code sysenter}, exceptions and {@code int n} (an {@code int3} is always the guest's own), and
 * the guest's {@code hlt} runs on the engine. The shadow MMU is optional here (tests compare it with Unicorn's walker).
 */
final class EmulateExits extends ModeExits {
    EmulateExits(ExitContext c, boolean shadowPaging) {
        super(c, shadowPaging ? new ShadowMmu(c.uc(), c.ram(), null) : null);
    }

    @Override
    boolean hltRunsNatively() { return true; }
}
