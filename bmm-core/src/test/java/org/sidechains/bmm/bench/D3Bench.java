package org.sidechains.bmm.bench;

import static org.sidechains.bmm.bench.Fixtures.POOL;
import static org.sidechains.bmm.bench.Fixtures.WINDOW;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.d3.D3;
import org.sidechains.bmm.d3.D3Undo;
import org.sidechains.bmm.d3.SeedOracleD3;
import org.sidechains.bmm.m7.CoinbaseM7;

/**
 * D3 connect / disconnect of one 256-entry block at a full window (8000 rows, all 256 sidechains
 * BMMed in every block, so 2,048,000 entries), against the seed's algorithm ({@link SeedOracleD3}).
 * See docs/benchmarks.md.
 *
 * <ul>
 *   <li>{@code connect}, {@code oracleConnect}: each invocation connects the next block; the
 *       oldest row leaves (the window slides), so the structure stays full. No per-invocation
 *       setup: this is the stream a node sees.
 *   <li>{@code connectWarm}, {@code disconnectWarm}: the same operations with a
 *       {@code Level.Invocation} setup, so they can be compared with each other on equal terms.
 *       connectWarm: the setup connects block h and disconnects it again, the timed part connects
 *       it. disconnectWarm: the setup connects blocks h and h+1, the timed part disconnects h+1
 *       (net: one block forward per invocation, the window stays full). LINEAR only.
 *   <li>{@code connectHotBlock}: {@code connect} with the block's objects brought into cache by
 *       an untimed per-invocation setup. LINEAR only.
 * </ul>
 *
 * <p>Patterns ({@link Fixtures.Pattern}): LINEAR (prevBlockRef 0, the case) and ALTERNATE
 * (prevBlockRef 1, two divergent branches per sidechain extended alternately: the adversarial
 * worst case of the spine).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms3g", "-Xmx3g", "-XX:+UseG1GC", "-XX:+AlwaysPreTouch"})
public class D3Bench {

    @State(Scope.Thread)
    public static class Stream {
        @Param({"LINEAR", "ALTERNATE"})
        public Fixtures.Pattern pattern;

        Optional<CoinbaseM7>[] pool;
        D3 d3;
        int next;

        @Setup(Level.Trial)
        public void setup() {
            pool = Fixtures.pool(pattern, 42);
            d3 = Fixtures.fullD3(pool, WINDOW - 1);
            next = WINDOW;
        }

        @TearDown(Level.Trial)
        public void check() {
            Fixtures.checkFull(d3.entryCount());
            int oldest = d3.tipHeight() - WINDOW + 1;
            for (int c : new int[] {0, 127, 255}) {
                OptionalInt atop = d3.blocksAtop(c, pool[oldest % POOL].get().entries().get(c).hStar());
                if (atop.orElse(-1) != Fixtures.expectedOldestAtop(pattern)) {
                    throw new IllegalStateException("chain " + c + ": blocksAtop of the oldest entry is " + atop
                            + ", expected " + Fixtures.expectedOldestAtop(pattern));
                }
            }
        }
    }

    @State(Scope.Thread)
    public static class OracleStream {
        @Param({"LINEAR", "ALTERNATE"})
        public Fixtures.Pattern pattern;

        Optional<CoinbaseM7>[] pool;
        SeedOracleD3 oracle;
        int next;

        @Setup(Level.Trial)
        public void setup() {
            pool = Fixtures.pool(pattern, 42);
            oracle = Fixtures.fullOracle(pool, WINDOW - 1);
            next = WINDOW;
        }
    }

    /** Connect of the next block, the window sliding by one row. */
    @Benchmark
    public D3Undo connect(Stream s) {
        int h = s.next++;
        return s.d3.connect(h, s.pool[h % POOL]);
    }

    /** The seed's algorithm on the same blocks: walk every ancestor adding 1. */
    @Benchmark
    public int oracleConnect(OracleStream s) {
        int h = s.next++;
        s.oracle.connect(h, s.pool[h % POOL]);
        return s.oracle.tipHeight();
    }

    /**
     * Like {@link Stream}, but an untimed per-invocation setup first reads the next block's
     * entries (chain, h* words, prevBlockRef), as parsing the coinbase would have just done: only
     * the D3's own memory is cold. LINEAR only.
     */
    @State(Scope.Thread)
    public static class HotBlock {
        @Param({"LINEAR"})
        public Fixtures.Pattern pattern;

        Optional<CoinbaseM7>[] pool;
        D3 d3;
        int next;
        long sink;

        @Setup(Level.Trial)
        public void setup() {
            pool = Fixtures.pool(pattern, 42);
            d3 = Fixtures.fullD3(pool, WINDOW - 1);
            next = WINDOW;
        }

        @Setup(Level.Invocation)
        public void touchNextBlock() {
            long x = 0;
            for (MiniHeader e : pool[next % POOL].get().entries()) {
                Hash32 h = e.hStar();
                x += e.chain() + e.prevBlockRef() + h.word(0) + h.word(1) + h.word(2) + h.word(3);
            }
            sink += x;
        }

        @TearDown(Level.Trial)
        public void check() {
            Fixtures.checkFull(d3.entryCount());
        }
    }

    /** {@link #connect} with the block's objects in cache (as right after parsing its M7). */
    @Benchmark
    public D3Undo connectHotBlock(HotBlock s) {
        int h = s.next++;
        return s.d3.connect(h, s.pool[h % POOL]);
    }

    @State(Scope.Thread)
    public static class Warm {
        @Param({"LINEAR"})
        public Fixtures.Pattern pattern;

        Optional<CoinbaseM7>[] pool;
        D3 d3;
        D3Undo undo;
        int h;

        @Setup(Level.Trial)
        public void setup() {
            pool = Fixtures.pool(pattern, 42);
            d3 = Fixtures.fullD3(pool, WINDOW - 1);
        }

        @TearDown(Level.Trial)
        public void check() {
            Fixtures.checkFull(d3.entryCount());
        }
    }

    public static class ConnectWarm extends Warm {
        @Setup(Level.Invocation)
        public void connectAndDisconnect() {
            h = d3.tipHeight() + 1;
            d3.disconnect(d3.connect(h, pool[h % POOL]));
        }
    }

    public static class DisconnectWarm extends Warm {
        @Setup(Level.Invocation)
        public void connectTwo() {
            int t = d3.tipHeight() + 1;
            d3.connect(t, pool[t % POOL]);
            undo = d3.connect(t + 1, pool[(t + 1) % POOL]);
        }
    }

    @Benchmark
    public D3Undo connectWarm(ConnectWarm s) {
        return s.d3.connect(s.h, s.pool[s.h % POOL]);
    }

    @Benchmark
    public int disconnectWarm(DisconnectWarm s) {
        s.d3.disconnect(s.undo);
        return s.d3.tipHeight();
    }
}
