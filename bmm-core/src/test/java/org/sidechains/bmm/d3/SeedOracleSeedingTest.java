package org.sidechains.bmm.d3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.m7.CoinbaseM7;

/** The benchmark seeds the oracle from D3 rows: a seeded oracle must go on exactly like a replayed one. */
class SeedOracleSeedingTest {
    @Test
    void seededOracleContinuesLikeAReplayedOne() {
        SplittableRandom rnd = new SplittableRandom(7);
        int window = 20;
        List<Optional<CoinbaseM7>> blocks = new ArrayList<>();
        for (int h = 0; h < 80; h++) {
            List<MiniHeader> es = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                if (rnd.nextInt(4) > 0) {
                    byte[] x = new byte[32];
                    rnd.nextBytes(x);
                    int ref = rnd.nextInt(10) < 7 ? 0 : rnd.nextInt(6);
                    es.add(new MiniHeader(c, Hash32.wrap(x), ref));
                }
            }
            blocks.add(Optional.of(CoinbaseM7.of(0, es)));
        }
        SeedOracleD3 replayed = new SeedOracleD3(window);
        D3 d3 = D3.create(window);
        for (int h = 0; h < 50; h++) {
            replayed.connect(h, blocks.get(h));
            d3.connect(h, blocks.get(h));
        }
        SeedOracleD3 seeded = SeedOracleD3.seeded(window, 49, d3.rows());
        assertEquals(replayed.rows(), seeded.rows());
        for (int h = 50; h < 80; h++) {
            replayed.connect(h, blocks.get(h));
            seeded.connect(h, blocks.get(h));
            assertEquals(replayed.rows(), seeded.rows(), "height " + h);
        }
    }
}
