package org.sidechains.bmm.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.d3.D3;
import org.sidechains.bmm.d3.SeedOracleD3;
import org.sidechains.bmm.m7.CoinbaseM7;

/**
 * Blocks for the benchmarks: every block BMMs all 256 sidechains with random h*.
 *
 * <p>A pool of {@link #POOL} pre-generated blocks is cycled: block at height h is
 * {@code pool[h % POOL]}. POOL is larger than the window, so when a pool block is reused its
 * previous use has left the window (no h* is ever in the window twice), and the pool does not
 * grow with the number of benchmark invocations.
 */
public final class Fixtures {
    static final int WINDOW = 8000;
    static final int CHAINS = 256;
    static final int POOL = WINDOW + 1024;

    /** The shape of every sidechain's entries. */
    public enum Pattern {
        /** prevBlockRef 0: each entry's parent is the chain's newest entry (one linear chain of 8000). */
        LINEAR(0),
        /**
         * prevBlockRef 1: each entry's parent is the chain's second newest entry, i.e. two branches
         * (even and odd heights) grow alternately, each new entry extending the branch that was
         * NOT extended last. The branches never meet in the window (maximal divergence, ~4000
         * entries each): the worst case for the spine.
         */
        ALTERNATE(1);

        final int prevBlockRef;

        Pattern(int prevBlockRef) {
            this.prevBlockRef = prevBlockRef;
        }
    }

    private Fixtures() {
    }

    static CoinbaseM7 block(SplittableRandom rnd, int prevBlockRef) {
        List<MiniHeader> entries = new ArrayList<>(CHAINS);
        byte[] b = new byte[32];
        for (int c = 0; c < CHAINS; c++) {
            rnd.nextBytes(b);
            entries.add(new MiniHeader(c, Hash32.wrap(b), prevBlockRef));
        }
        return CoinbaseM7.of(0, entries);
    }

    @SuppressWarnings("unchecked")
    static Optional<CoinbaseM7>[] pool(Pattern pattern, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Optional<CoinbaseM7>[] pool = new Optional[POOL];
        for (int i = 0; i < POOL; i++) {
            pool[i] = Optional.of(block(rnd, pattern.prevBlockRef));
        }
        return pool;
    }

    /** A D3 holding the full window: heights 0 .. {@code tip}, tip >= WINDOW - 1. */
    static D3 fullD3(Optional<CoinbaseM7>[] pool, int tip) {
        D3 d3 = D3.create(WINDOW);
        for (int h = 0; h <= tip; h++) {
            d3.connect(h, pool[h % POOL]);
        }
        checkFull(d3.entryCount());
        return d3;
    }

    /** The oracle at a full window, seeded from an equal D3 (filling it by its own walks takes ~10 minutes). */
    static SeedOracleD3 fullOracle(Optional<CoinbaseM7>[] pool, int tip) {
        return SeedOracleD3.seeded(WINDOW, tip, fullD3(pool, tip).rows());
    }

    static void checkFull(int entries) {
        if (entries != WINDOW * CHAINS) {
            throw new IllegalStateException("expected a full window of " + WINDOW * CHAINS + " entries, got " + entries);
        }
    }

    /** The blocksAtop of the oldest entry of each chain at a full window. */
    static int expectedOldestAtop(Pattern p) {
        return p == Pattern.LINEAR ? WINDOW - 1 : WINDOW / 2 - 1;
    }
}
