package org.sidechains.bmm.bench;

import static org.sidechains.bmm.bench.Fixtures.CHAINS;
import static org.sidechains.bmm.bench.Fixtures.POOL;
import static org.sidechains.bmm.bench.Fixtures.WINDOW;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.d3.D3;
import org.sidechains.bmm.m7.CoinbaseM7;

/**
 * D3 reads at a full window (8000 rows x 256 sidechains, LINEAR pattern): blocksAtop of a random
 * existing entry, blocksAtop of an absent h*, and hasEntry (the v1 OP_CBV check) of a random
 * existing entry. The keys are 4096 random (chain, h*) pairs drawn from the whole window, cycled.
 * SampleTime percentiles of ~50 ns operations are quantized by the timer (System.nanoTime(),
 * ~20-30 ns granularity here): prefer the AverageTime score for these.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms3g", "-Xmx3g", "-XX:+UseG1GC", "-XX:+AlwaysPreTouch"})
public class LookupBench {
    static final int KEYS = 4096;

    @State(Scope.Thread)
    public static class Full {
        D3 d3;
        int[] chain = new int[KEYS];
        Hash32[] hStar = new Hash32[KEYS];
        int[] ref = new int[KEYS];
        int[] minAtop = new int[KEYS];
        Hash32[] absent = new Hash32[KEYS];
        int i;

        @Setup(Level.Trial)
        public void setup() {
            Optional<CoinbaseM7>[] pool = Fixtures.pool(Fixtures.Pattern.LINEAR, 42);
            d3 = Fixtures.fullD3(pool, WINDOW - 1);
            SplittableRandom rnd = new SplittableRandom(7);
            for (int k = 0; k < KEYS; k++) {
                int h = rnd.nextInt(WINDOW);
                MiniHeader e = pool[h % POOL].get().entries().get(rnd.nextInt(CHAINS));
                chain[k] = e.chain();
                hStar[k] = e.hStar();
                ref[k] = e.prevBlockRef();
                // LINEAR: the entry at height h has WINDOW - 1 - h entries atop; ask for at most that
                minAtop[k] = (WINDOW - 1 - h) / 2;
                absent[k] = Fixtures.block(rnd, 0).entries().get(0).hStar();
                if (d3.blocksAtop(chain[k], hStar[k]).orElse(-1) != WINDOW - 1 - h) {
                    throw new IllegalStateException("unexpected blocksAtop for a key at height " + h);
                }
            }
            // the pool's other blocks are no longer needed: only the D3 and the keys stay live
        }
    }

    @Benchmark
    @BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
    public OptionalInt blocksAtop(Full s) {
        int k = s.i++ & (KEYS - 1);
        return s.d3.blocksAtop(s.chain[k], s.hStar[k]);
    }

    @Benchmark
    public OptionalInt blocksAtopAbsent(Full s) {
        int k = s.i++ & (KEYS - 1);
        return s.d3.blocksAtop(s.chain[k], s.absent[k]);
    }

    @Benchmark
    @BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
    public boolean hasEntry(Full s) {
        int k = s.i++ & (KEYS - 1);
        return s.d3.hasEntry(s.chain[k], s.hStar[k], s.ref[k], s.minAtop[k]);
    }
}
