package org.sidechains.bmm.regtest.embedded;

import java.time.Clock;
import java.util.Objects;
import org.sidechains.bmm.rules.BmmParams;

/**
 * How an {@link EmbeddedRegtestChain} is set up.
 *
 * @param bmm     the BMM soft fork's parameters (regtest: active from genesis, window 8000, depth 100)
 * @param clock   the time new blocks and templates get (never below the median time past + 1)
 * @param archive where accepted blocks are kept; an archive with blocks in it is replayed at start
 */
public record EmbeddedChainConfig(BmmParams bmm, Clock clock, BlockArchive archive) {
    public EmbeddedChainConfig {
        Objects.requireNonNull(bmm, "bmm");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(archive, "archive");
    }

    /** BMM rules of protocol.md from genesis, the system clock, blocks in memory. */
    public static EmbeddedChainConfig regtest() {
        return new EmbeddedChainConfig(BmmParams.regtest(), Clock.systemUTC(), new MemoryBlockArchive());
    }

    public EmbeddedChainConfig withBmm(BmmParams p) {
        return new EmbeddedChainConfig(p, clock, archive);
    }

    public EmbeddedChainConfig withClock(Clock c) {
        return new EmbeddedChainConfig(bmm, c, archive);
    }

    public EmbeddedChainConfig withArchive(BlockArchive a) {
        return new EmbeddedChainConfig(bmm, clock, a);
    }
}
