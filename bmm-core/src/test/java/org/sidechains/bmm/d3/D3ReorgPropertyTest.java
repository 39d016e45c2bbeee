package org.sidechains.bmm.d3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.m7.CoinbaseM7;
import org.sidechains.bmm.m7.M7;

/**
 * D3 through random reorgs (protocol.md, "D3": "Connect and disconnect are inverse; a D3 rebuilt
 * from the active chain equals the D3 kept through any sequence of reorgs").
 *
 * <p>The reference for every step is a D3 and a {@link SeedOracleD3} that have only ever been
 * connected, block by block from the active chain's first height (a from-scratch build: they
 * are rebuilt after every disconnect, and a connect-only build of the same blocks is the same
 * thing). Queries are also checked against a model that reads them off the oracle's rows, so
 * that a bug shared by the two D3 instances still shows.
 */
class D3ReorgPropertyTest {

    // ------------------------------------------------------------------ hashes

    /** A small pool of h* so that one chain often repeats an h*; they differ in one word each. */
    static final Hash32[] POOL = new Hash32[5];
    /** An h* that no generator produces. */
    static final Hash32 ABSENT;

    static {
        int[] flipByte = {-1, 31, 0, 15, 20}; // base, then differing only in word 3, 0, 1, 2
        for (int k = 0; k < POOL.length; k++) {
            byte[] b = new byte[32];
            Arrays.fill(b, (byte) 0x5a);
            if (flipByte[k] >= 0) {
                b[flipByte[k]] ^= 0x01;
            }
            POOL[k] = Hash32.wrap(b);
        }
        byte[] a = new byte[32];
        Arrays.fill(a, (byte) 0xee);
        ABSENT = Hash32.wrap(a);
    }

    static Hash32 randomHash(long seed) {
        byte[] b = new byte[32];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 32; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return Hash32.wrap(b);
    }

    /** A distinct h* per (salt, n), for the deterministic sequences. */
    static Hash32 uniqueHash(int salt, int n) {
        return randomHash(((long) salt << 32) ^ n ^ 0x5DEECE66DL);
    }

    // ------------------------------------------------------------------ generators

    static final int CHAINS = 5; // entries use chains 0..4; chain 5 stays empty

    static Arbitrary<Hash32> hashes() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(POOL)),
                Tuple.of(2, Arbitraries.longs().map(D3ReorgPropertyTest::randomHash)));
    }

    static Arbitrary<Integer> prevBlockRefs() {
        return Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.just(0)),
                Tuple.of(6, Arbitraries.integers().between(1, 3)),
                Tuple.of(2, Arbitraries.integers().between(4, 20)),
                Tuple.of(2, Arbitraries.just(0xFFFF)),
                Tuple.of(1, Arbitraries.integers().between(0, 0xFFFF)));
    }

    static Arbitrary<Optional<CoinbaseM7>> blocks() {
        Arbitrary<MiniHeader> mh = Combinators.combine(
                Arbitraries.integers().between(0, CHAINS - 1), hashes(), prevBlockRefs()).as(MiniHeader::new);
        return Combinators.combine(
                Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.just(true)), Tuple.of(1, Arbitraries.just(false))),
                Arbitraries.integers().between(0, 3),
                mh.list().ofMaxSize(6))
                // a repeated ChainIndex: the first counts, as when the M7 is parsed
                .as((hasM7, cb, es) -> hasM7 ? Optional.of(new CoinbaseM7(cb, M7.firstWins(es))) : Optional.empty());
    }

    sealed interface Action permits Connect, Reorg {
    }

    record Connect(Optional<CoinbaseM7> block) implements Action {
    }

    /** Disconnect {@code depth} blocks (at most the chain), then connect {@code branch}; a chain left empty restarts at {@code restartAt}. */
    record Reorg(int depth, List<Optional<CoinbaseM7>> branch, int restartAt) implements Action {
    }

    @Provide
    Arbitrary<Integer> windows() {
        // 1..12 keeps eviction (and its undo) frequent; 17..40 makes the per-chain rings grow past 16
        return Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.integers().between(1, 12)),
                Tuple.of(1, Arbitraries.integers().between(13, 40)));
    }

    @Provide
    Arbitrary<Integer> startHeights() {
        return Arbitraries.of(0, 0, 1, 7, 5000, 65535, 2_000_000);
    }

    @Provide
    Arbitrary<List<Action>> actions() {
        Arbitrary<Action> connect = blocks().map(Connect::new);
        Arbitrary<Integer> depth = Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.integers().between(1, 5)),
                Tuple.of(3, Arbitraries.integers().between(6, 30)),
                Tuple.of(2, Arbitraries.integers().between(31, 100)));
        Arbitrary<Action> reorg = depth.flatMap(d -> Combinators.combine(
                blocks().list().ofMaxSize(d + 3).withSizeDistribution(RandomDistribution.uniform()),
                Arbitraries.of(0, 3, 12, 65536, 1_000_000))
                .as((branch, restart) -> new Reorg(d, branch, restart)));
        return Arbitraries.frequencyOf(Tuple.of(6, connect), Tuple.of(1, reorg)).list().ofMinSize(1).ofMaxSize(250)
                .withSizeDistribution(RandomDistribution.uniform());
    }

    @Provide
    Arbitrary<List<Optional<CoinbaseM7>>> chainsOfBlocks() {
        return blocks().list().ofMinSize(1).ofMaxSize(120).withSizeDistribution(RandomDistribution.uniform());
    }

    // ------------------------------------------------------------------ properties

    @Property(tries = 200)
    void d3KeptThroughReorgsEqualsD3RebuiltForTheActiveChain(
            @ForAll("windows") int window, @ForAll("startHeights") int start, @ForAll("actions") List<Action> actions) {
        Harness h = new Harness(window, start, actions.hashCode());
        h.check();
        for (Action a : actions) {
            if (a instanceof Connect c) {
                h.connect(c.block());
            } else if (a instanceof Reorg r) {
                h.disconnect(Math.min(r.depth(), h.chain.size()));
                if (h.chain.isEmpty()) {
                    h.start = r.restartAt();
                }
                for (Optional<CoinbaseM7> b : r.branch()) {
                    h.connect(b);
                }
            }
        }
        int maxDepth = h.maxDepth;
        int undone = h.evictionsUndone;
        // and all the way back: every disconnect restores the state after the block below
        h.disconnect(h.chain.size());
        assertEquals(-1, h.d3.tipHeight());
        assertEquals(List.of(), h.d3.rows());

        // the generators must reach what this property is about
        Statistics.label("evicted entries put back by a reorg").collect(undone > 0);
        Statistics.label("a reorg deeper than the window").collect(maxDepth > window);
        Statistics.label("evicted entries put back by a reorg").coverage(c -> c.check(true).percentage(p -> p >= 25));
        Statistics.label("a reorg deeper than the window").coverage(c -> c.check(true).percentage(p -> p >= 25));
    }

    @Property(tries = 200)
    void connectThenDisconnectRestoresD3Exactly(
            @ForAll("windows") int window, @ForAll("startHeights") int start,
            @ForAll("chainsOfBlocks") List<Optional<CoinbaseM7>> blocks,
            @ForAll("chainsOfBlocks") List<Optional<CoinbaseM7>> probes) {
        D3 d3 = D3.create(window);
        State empty = State.of(d3);
        List<State> states = new ArrayList<>();
        List<D3Undo> undos = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            int height = start + i;
            State before = State.of(d3);
            // a block that is not the chain's: connect, disconnect, nothing changed
            D3Undo probe = d3.connect(height, probes.get(i % probes.size()));
            assertEquals(height, d3.tipHeight());
            d3.disconnect(probe);
            assertSame(before, State.of(d3), "connect+disconnect of a probe at " + height);
            // the chain's own block, connected twice around a disconnect: same state, same undo
            D3Undo u = d3.connect(height, blocks.get(i));
            State after = State.of(d3);
            d3.disconnect(u);
            assertSame(before, State.of(d3), "connect+disconnect at " + height);
            D3Undo again = d3.connect(height, blocks.get(i));
            assertEquals(u, again, "undo of the reconnected block at " + height);
            assertSame(after, State.of(d3), "reconnect at " + height);
            states.add(after);
            undos.add(u);
        }
        SeedOracleD3 oracle = new SeedOracleD3(window);
        for (int i = 0; i < blocks.size(); i++) {
            oracle.connect(start + i, blocks.get(i));
        }
        assertEquals(oracle.rows(), d3.rows());
        for (int i = blocks.size() - 1; i >= 0; i--) {
            d3.disconnect(undos.get(i));
            assertSame(i == 0 ? empty : states.get(i - 1), State.of(d3), "disconnect of " + (start + i));
        }
        // emptied, the D3 takes a chain at another first height like a new one
        D3 fresh = D3.create(window);
        for (int i = 0; i < blocks.size(); i++) {
            d3.connect(start + 3 + i, blocks.get(i));
            fresh.connect(start + 3 + i, blocks.get(i));
        }
        assertSame(State.of(fresh), State.of(d3), "reuse after emptying");
    }

    // ------------------------------------------------------------------ deterministic adversary

    @Example
    void adversarialSequencesAgainstTheSeedOracle() {
        // window 1: every row leaves with the next block; 64: the per-chain rings grow past 16
        adversary(1, 100_000);
        adversary(12, 0);
        adversary(64, 65_530);
    }

    /**
     * Long patterns the spine handles specially, with deep reorgs between them: two branches that
     * take turns (the spine moves across the whole divergence each block), root spam with
     * prevBlockRef 65535 and repeated h*, prevBlockRef at the window's edge, and a dead child
     * under every block of a main branch.
     */
    private static void adversary(int window, int start) {
        Harness h = new Harness(window, start, 7);
        h.check();
        int[] n = {0};
        // phase A: chain 0 = two interleaved branches, chain 1 = three, chain 2 = one straight line
        java.util.function.IntFunction<Optional<CoinbaseM7>> alternating = salt -> {
            int i = n[0]++;
            return m7(i % 3, mh(0, uniqueHash(salt, i), 1), mh(1, uniqueHash(salt + 1, i), 2),
                    mh(2, uniqueHash(salt + 2, i), 0));
        };
        for (int i = 0; i < 300; i++) {
            h.connect(alternating.apply(10));
            if (i % 60 == 59) {
                h.disconnect(45);
                for (int j = 0; j < 50; j++) {
                    h.connect(alternating.apply(20 + i));
                }
            }
        }
        h.disconnect(100);
        // phase B: root spam on chains 0..4 (prevBlockRef 65535, h* from the pool), chain 5 a line,
        // chain 6 pointing exactly at the oldest eligible entry, then one past it (no parent)
        for (int i = 0; i < 250; i++) {
            int eligible = h.entriesForNextBlock(6);
            int edgeRef = i % 2 == 0 ? Math.max(0, eligible - 1) : eligible;
            List<MiniHeader> es = new ArrayList<>();
            for (int c = 0; c < 5; c++) {
                es.add(mh(c, POOL[(i + c) % POOL.length], 0xFFFF));
            }
            es.add(mh(5, uniqueHash(30, i), i % 7 == 0 ? 0xFFFF : 0));
            es.add(mh(6, POOL[i % 2], edgeRef));
            h.connect(Optional.of(CoinbaseM7.of(i % 4, es)));
            if (i % 80 == 79) {
                h.disconnect(70);
                for (int j = 0; j < 10; j++) {
                    h.connect(i % 160 == 79 ? Optional.empty() : m7(1, mh(0, POOL[j % 2], j % 3)));
                }
            }
        }
        h.disconnect(100);
        // phase C: chain 0 main branch M with a dead child D after every M (M refs 1, skipping D);
        // chain 3 the same with the dead child's h* equal to its parent's
        for (int i = 0; i < 300; i++) {
            boolean main = i % 2 == 0;
            h.connect(m7(0, mh(0, uniqueHash(40, i), main ? 1 : 0),
                    mh(3, main ? uniqueHash(41, i) : uniqueHash(41, i - 1), main ? 1 : 0)));
            if (i % 100 == 99) {
                h.disconnect(99);
                for (int j = 0; j < 99; j++) {
                    // the other parity: the dead children become the main branch
                    boolean m = j % 2 == 1;
                    h.connect(m7(2, mh(0, uniqueHash(50 + i, j), m ? 1 : 0), mh(3, POOL[j % 3], m ? 1 : 0)));
                }
            }
        }
        // to empty, and a restart at another height
        h.disconnect(h.chain.size());
        h.start = start + 17;
        for (int i = 0; i < 60; i++) {
            h.connect(alternating.apply(60));
        }
        assertTrue(h.steps > 2000, "the sequence ran " + h.steps + " steps");
    }

    static MiniHeader mh(int chain, Hash32 hStar, int ref) {
        return new MiniHeader(chain, hStar, ref);
    }

    static Optional<CoinbaseM7> m7(int cbIndex, MiniHeader... es) {
        return Optional.of(CoinbaseM7.of(cbIndex, List.of(es)));
    }

    // ------------------------------------------------------------------ harness

    /** The D3 under test, kept through reorgs with its undo records, and the references for the active chain. */
    static final class Harness {
        final int window;
        int start;
        final D3 d3;
        final List<Optional<CoinbaseM7>> chain = new ArrayList<>();
        final List<D3Undo> undos = new ArrayList<>();
        /** states.get(i): the state observed after connecting chain[0..i]. */
        final List<State> states = new ArrayList<>();
        final State empty;
        final Random rnd;
        D3 fresh;
        SeedOracleD3 oracle;
        int steps;
        int maxDepth;
        int evictionsUndone;

        Harness(int window, int start, long seed) {
            this.window = window;
            this.start = start;
            this.d3 = D3.create(window);
            this.empty = State.of(d3);
            this.rnd = new Random(seed);
            rebuild();
        }

        int tip() {
            return chain.isEmpty() ? -1 : start + chain.size() - 1;
        }

        void connect(Optional<CoinbaseM7> block) {
            int height = start + chain.size();
            D3Undo u = d3.connect(height, block);
            assertEquals(height, u.height());
            chain.add(block);
            undos.add(u);
            fresh.connect(height, block);
            oracle.connect(height, block);
            steps++;
            check();
            states.add(State.of(d3));
        }

        void disconnect(int k) {
            maxDepth = Math.max(maxDepth, k);
            for (int i = 0; i < k; i++) {
                D3Undo u = undos.remove(undos.size() - 1);
                evictionsUndone += u.evicted().size();
                // undo records are plain values: an equal copy does as well as the original
                d3.disconnect(new D3Undo(u.height(), u.evictedCbIndex(), new ArrayList<>(u.evicted())));
                chain.remove(chain.size() - 1);
                states.remove(states.size() - 1);
                steps++;
                assertSame(states.isEmpty() ? empty : states.get(states.size() - 1), State.of(d3),
                        "after disconnecting " + u.height() + " (step " + steps + ")");
            }
            rebuild();
            check();
        }

        private void rebuild() {
            fresh = D3.create(window);
            oracle = new SeedOracleD3(window);
            for (int i = 0; i < chain.size(); i++) {
                fresh.connect(start + i, chain.get(i));
                oracle.connect(start + i, chain.get(i));
            }
        }

        /** Entries of {@code c} that a block connected next may take as parent. */
        int entriesForNextBlock(int c) {
            return new RowsModel(oracle.rows(), tip(), window).eligible(c).size();
        }

        void check() {
            String where = "window " + window + ", tip " + tip() + ", step " + steps;
            int tip = tip();
            assertEquals(tip, d3.tipHeight(), where);
            assertEquals(tip, fresh.tipHeight(), where);
            assertEquals(tip, oracle.tipHeight(), where);
            List<D3Row> want = oracle.rows();
            assertEquals(want, fresh.rows(), "rebuilt D3 vs seed oracle, " + where);
            assertEquals(want, d3.rows(), "D3 kept through reorgs vs seed oracle, " + where);
            int oldest = tip < 0 ? -1 : Math.max(start, tip - window + 1);
            assertEquals(oldest, d3.oldestHeight(), where);
            assertEquals(oldest, fresh.oldestHeight(), where);
            for (int height = tip - window - 1; height <= tip + 1; height++) {
                assertEquals(fresh.row(height), d3.row(height), "row " + height + ", " + where);
            }
            int entries = want.stream().mapToInt(r -> r.entries().size()).sum();
            assertEquals(entries, d3.entryCount(), where);
            for (D3Row r : want) {
                assertTrue(r.height() >= oldest && r.height() <= tip, "row out of the window, " + where);
            }

            // queries on two sampled chains (one may be the empty chain 5) and a sample of h*
            RowsModel model = new RowsModel(want, tip, window);
            int[] chains = {rnd.nextInt(CHAINS + 1), rnd.nextInt(CHAINS + 1)};
            Set<Hash32> candidates = new LinkedHashSet<>();
            candidates.add(ABSENT);
            candidates.add(POOL[rnd.nextInt(POOL.length)]);
            List<Hash32> present = new ArrayList<>();
            for (D3Row r : want) {
                for (D3Entry e : r.entries()) {
                    if (e.chain() == chains[0] || e.chain() == chains[1]) {
                        present.add(e.hStar());
                        e.prevSideBlockHash().ifPresent(present::add);
                    }
                }
            }
            for (int i = 0; i < 8 && !present.isEmpty(); i++) {
                candidates.add(present.get(rnd.nextInt(present.size())));
            }
            Map<List<Object>, Object> expected = queries(model, chains, candidates, window, true);
            assertSameQueries(expected, queries(d3, chains, candidates, window, true), "kept D3, " + where);
            assertSameQueries(expected, queries(fresh, chains, candidates, window, true),
                    "rebuilt D3, " + where);
            // the conversions are inverse wherever they are defined
            for (int c : chains) {
                for (Hash32 hs : candidates) {
                    OptionalInt r = d3.prevBlockRefFor(c, hs);
                    if (r.isPresent()) {
                        assertEquals(Optional.of(hs), d3.prevSideBlockHashFor(c, r.getAsInt()), where);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ observation

    /**
     * What a D3 shows: tip, window bounds, rows (also the entry-less ones, for their cbIndex) and
     * the index-backed queries for every chain and the pool's h* (hasEntry* are left to
     * {@link Harness#check}, which compares them with the model).
     */
    record State(int tip, int oldest, int entryCount, List<D3Row> rows, List<Optional<D3Row>> windowRows,
                 Map<List<Object>, Object> queries) {
        static State of(D3 d) {
            int tip = d.tipHeight();
            List<Optional<D3Row>> windowRows = new ArrayList<>();
            for (int h = tip - d.window() - 1; h <= tip + 1; h++) {
                windowRows.add(d.row(h));
            }
            Set<Hash32> candidates = new LinkedHashSet<>(Arrays.asList(POOL));
            candidates.add(ABSENT);
            int[] chains = new int[CHAINS + 1];
            for (int c = 0; c <= CHAINS; c++) {
                chains[c] = c;
            }
            return new State(tip, d.oldestHeight(), d.entryCount(), d.rows(), windowRows,
                    D3ReorgPropertyTest.queries(d, chains, candidates, d.window(), false));
        }
    }

    static void assertSame(State want, State got, String where) {
        if (!want.equals(got)) {
            assertEquals(want.tip(), got.tip(), where);
            assertEquals(want.oldest(), got.oldest(), where);
            assertEquals(want.rows(), got.rows(), where);
            assertEquals(want.windowRows(), got.windowRows(), where);
            assertEquals(want.entryCount(), got.entryCount(), where);
            assertSameQueries(want.queries(), got.queries(), where);
            fail(where + ": states differ");
        }
    }

    /** The read API's answers for the given chains and h*, keyed by the call. */
    static Map<List<Object>, Object> queries(D3View v, int[] chains, Set<Hash32> candidates, int window,
                                              boolean withHasEntry) {
        Map<List<Object>, Object> m = new HashMap<>();
        for (int c : chains) {
            List<Optional<Hash32>> byRef = new ArrayList<>(window + 3);
            for (int r = 0; r <= window + 1; r++) {
                byRef.add(v.prevSideBlockHashFor(c, r));
            }
            byRef.add(v.prevSideBlockHashFor(c, 0xFFFF));
            m.put(List.of("prevSideBlockHashFor(0..window+1 and 65535)", c), byRef);
            for (Hash32 h : candidates) {
                List<D3Entry> found = v.lookup(c, h);
                m.put(List.of("lookup", c, h), found);
                m.put(List.of("blocksAtop", c, h), v.blocksAtop(c, h));
                m.put(List.of("prevBlockRefFor", c, h), v.prevBlockRefFor(c, h));
                if (!withHasEntry) {
                    continue;
                }
                int max = found.stream().mapToInt(D3Entry::blocksAtop).max().orElse(0);
                Set<Integer> refs = new TreeSet<>(List.of(0, 1, 0xFFFF));
                Set<Hash32> parents = new LinkedHashSet<>(List.of(ABSENT, h));
                for (D3Entry e : found) {
                    refs.add(e.prevBlockRef());
                    e.prevSideBlockHash().ifPresent(parents::add);
                }
                List<Object> has = new ArrayList<>();
                for (int ref : refs) {
                    for (int min : new int[] {0, max, max + 1}) {
                        has.add(List.of("hasEntry", ref, min, v.hasEntry(c, h, ref, min)));
                    }
                }
                for (Hash32 p : parents) {
                    for (int min : new int[] {0, max, max + 1}) {
                        has.add(List.of("hasEntryWithParent", p, min, v.hasEntryWithParent(c, h, p, min)));
                    }
                }
                m.put(List.of("hasEntry/hasEntryWithParent", c, h), has);
            }
        }
        return m;
    }

    static void assertSameQueries(Map<List<Object>, Object> want, Map<List<Object>, Object> got, String where) {
        if (want.equals(got)) {
            return;
        }
        Set<List<Object>> keys = new LinkedHashSet<>(want.keySet());
        keys.addAll(got.keySet());
        StringBuilder sb = new StringBuilder(where).append(": queries differ");
        int shown = 0;
        for (List<Object> k : keys) {
            if (!Objects.equals(want.get(k), got.get(k)) && shown++ < 12) {
                sb.append("\n  ").append(k).append(": expected ").append(want.get(k)).append(", got ").append(got.get(k));
            }
        }
        fail(sb.toString());
    }

    /**
     * protocol.md's definitions of the queries, read directly off a list of rows (the oracle's):
     * the next block is tip + 1, its candidate parents are the entries in rows tip+2-window..tip.
     */
    static final class RowsModel implements D3View {
        private final List<D3Row> rows;
        private final int tip;
        private final int window;
        private final Map<Integer, List<D3Entry>> eligible = new HashMap<>();
        private final Map<List<Object>, List<D3Entry>> byHash = new HashMap<>();

        RowsModel(List<D3Row> rows, int tip, int window) {
            this.rows = rows;
            this.tip = tip;
            this.window = window;
            for (D3Row r : rows) {
                for (D3Entry e : r.entries()) {
                    if (r.height() >= tip + 2 - window) {
                        eligible.computeIfAbsent(e.chain(), c -> new ArrayList<>()).add(e);
                    }
                    byHash.computeIfAbsent(List.of(e.chain(), e.hStar()), k -> new ArrayList<>()).add(e);
                }
            }
        }

        /** Entries of chain c a block connected next may take as parent, oldest first. */
        List<D3Entry> eligible(int c) {
            return eligible.getOrDefault(c, List.of());
        }

        @Override
        public int tipHeight() {
            return tip;
        }

        @Override
        public int window() {
            return window;
        }

        @Override
        public List<D3Row> rows() {
            return rows;
        }

        @Override
        public Optional<D3Row> row(int height) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<D3Entry> lookup(int chain, Hash32 hStar) {
            return byHash.getOrDefault(List.of(chain, hStar), List.of());
        }

        @Override
        public OptionalInt blocksAtop(int chain, Hash32 hStar) {
            return lookup(chain, hStar).stream().mapToInt(D3Entry::blocksAtop).max();
        }

        @Override
        public boolean hasEntry(int chain, Hash32 hStar, int prevBlockRef, int minAtop) {
            return lookup(chain, hStar).stream()
                    .anyMatch(e -> e.prevBlockRef() == prevBlockRef && e.blocksAtop() >= minAtop);
        }

        @Override
        public boolean hasEntryWithParent(int chain, Hash32 hStar, Hash32 prevSideBlockHash, int minAtop) {
            return lookup(chain, hStar).stream()
                    .anyMatch(e -> e.prevSideBlockHash().equals(Optional.of(prevSideBlockHash)) && e.blocksAtop() >= minAtop);
        }

        @Override
        public Optional<Hash32> prevSideBlockHashFor(int chain, int prevBlockRef) {
            List<D3Entry> es = eligible(chain);
            return prevBlockRef < es.size() ? Optional.of(es.get(es.size() - 1 - prevBlockRef).hStar()) : Optional.empty();
        }

        @Override
        public OptionalInt prevBlockRefFor(int chain, Hash32 prevSideBlockHash) {
            List<D3Entry> es = eligible(chain);
            for (int i = es.size() - 1; i >= 0; i--) {
                if (es.get(i).hStar().equals(prevSideBlockHash)) {
                    return OptionalInt.of(es.size() - 1 - i);
                }
            }
            return OptionalInt.empty();
        }
    }
}
