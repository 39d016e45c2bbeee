package org.sidechains.bmm.bench;

import static org.sidechains.bmm.bench.Fixtures.CHAINS;
import static org.sidechains.bmm.bench.Fixtures.WINDOW;

import java.lang.management.ManagementFactory;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.openjdk.jol.info.GraphLayout;
import org.openjdk.jol.vm.VM;
import org.sidechains.bmm.d3.D3;
import org.sidechains.bmm.d3.SeedOracleD3;
import org.sidechains.bmm.m7.CoinbaseM7;

/**
 * Retained heap of a full D3 window (8000 blocks x 256 sidechains = 2,048,000 entries), and of
 * the seed's algorithm ({@link SeedOracleD3}) for comparison. Not a JMH benchmark: it builds the
 * structures once and measures them two ways, JOL's object graph walk
 * ({@code GraphLayout.parseInstance(x).totalSize()}) and the used-heap delta around the build
 * after repeated System.gc().
 *
 * <p>Blocks are generated on the fly and dropped, so only what the structure keeps is counted.
 * The D3 copies each h* into its own arrays; the oracle keeps the Hash32 objects of the blocks.
 *
 * <p>Run: see docs/benchmarks.md ({@code -Dbench.main=org.sidechains.bmm.bench.D3Memory}).
 * Arguments: "skip-oracle" to measure the D3 only; "oracle-linear" to build the oracle with
 * prevBlockRef 0 like the D3 (slow, see below) instead of 99.
 */
public final class D3Memory {
    private static final double MB = 1_000_000.0;
    private static final double MIB = 1024.0 * 1024.0;

    private D3Memory() {
    }

    public static void main(String[] args) {
        java.util.List<String> a = java.util.List.of(args);
        boolean oracle = !a.contains("skip-oracle");
        boolean oracleLinear = a.contains("oracle-linear");
        System.out.println("JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + ", max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB, args "
                + ManagementFactory.getRuntimeMXBean().getInputArguments());
        String jol;
        try {
            jol = VM.current().details();
        } catch (Throwable t) {
            jol = "JOL unavailable: " + t;
        }
        System.out.println(jol);

        measure("D3, window full (heights 0..7999)", () -> build(D3.create(WINDOW), WINDOW, Fixtures.Pattern.LINEAR));
        measure("D3, window full after sliding 2000 blocks (heights 2000..9999)",
                () -> build(D3.create(WINDOW), WINDOW + 2000, Fixtures.Pattern.LINEAR));
        measure("D3, window full, ALTERNATE pattern (heights 0..7999)",
                () -> build(D3.create(WINDOW), WINDOW, Fixtures.Pattern.ALTERNATE));
        if (oracle) {
            // Exactly WINDOW blocks: nothing has left the window yet. (The oracle's entries keep a
            // reference to their parent, so once the window slides it retains every evicted
            // ancestor of a live entry; that leak is the test oracle's, not measured here.)
            // Building the LINEAR window costs the oracle 256 * 8000^2 / 2 = 8.2e9 ancestor
            // increments (about 10 minutes here), so by default its blocks use prevBlockRef 99:
            // the same objects per entry (every entry after the first 100 rows has a parent, so a
            // parent reference and its own Optional), ancestor walks of at most 80 steps.
            int ref = oracleLinear ? 0 : 99;
            measure("SeedOracleD3, window full (heights 0..7999), prevBlockRef " + ref,
                    () -> buildOracle(new SeedOracleD3(WINDOW), WINDOW, ref));
        }
    }

    private static D3 build(D3 d3, int blocks, Fixtures.Pattern p) {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int h = 0; h < blocks; h++) {
            d3.connect(h, Optional.of(Fixtures.block(rnd, p.prevBlockRef)));
        }
        Fixtures.checkFull(d3.entryCount());
        return d3;
    }

    private static SeedOracleD3 buildOracle(SeedOracleD3 o, int blocks, int prevBlockRef) {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int h = 0; h < blocks; h++) {
            Optional<CoinbaseM7> b = Optional.of(Fixtures.block(rnd, prevBlockRef));
            o.connect(h, b);
        }
        return o;
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }

    private static void measure(String what, Supplier<Object> builder) {
        final long entries = (long) WINDOW * CHAINS;
        long before = usedAfterGc();
        long t0 = System.nanoTime();
        Object x = builder.get();
        long buildMs = (System.nanoTime() - t0) / 1_000_000;
        long after = usedAfterGc();
        long delta = after - before;
        System.out.printf("%n== %s: %,d entries, built in %,d ms%n", what, entries, buildMs);
        System.out.printf("heap delta after System.gc(): %,d bytes = %.1f MB (%.1f MiB), %.1f bytes/entry%n",
                delta, delta / MB, delta / MIB, (double) delta / entries);
        try {
            GraphLayout g = GraphLayout.parseInstance(x);
            long total = g.totalSize();
            System.out.printf("JOL GraphLayout.totalSize(): %,d bytes = %.1f MB (%.1f MiB), %.1f bytes/entry, %,d objects%n",
                    total, total / MB, total / MIB, (double) total / entries, g.totalCount());
            System.out.println(g.toFootprint());
        } catch (Throwable t) {
            System.out.println("JOL failed: " + t);
        }
        java.lang.ref.Reference.reachabilityFence(x);
    }
}
