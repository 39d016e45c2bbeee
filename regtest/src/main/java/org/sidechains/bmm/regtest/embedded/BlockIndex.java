package org.sidechains.bmm.regtest.embedded;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;

/**
 * Every stored block with its height, cumulative work and arrival order, including side branches
 * and blocks found invalid; like bitcoind's block index with its failure flags. The best chain is
 * the valid block with the most cumulative work, the earliest received among equals (bitcoind's
 * candidate order). Not thread-safe: the chain's lock guards it.
 */
final class BlockIndex {
    /** bitcoind's median time past span. */
    private static final int MEDIAN_TIME_SPAN = 11;

    /**
     * One block.
     *
     * @param parent         null for genesis
     * @param sequence       arrival order (bitcoind's nSequenceId): lower was received earlier
     * @param medianTimePast the median time of this block and its ten ancestors
     */
    record Entry(Sha256Hash hash, Entry parent, int height, BigInteger chainWork, long sequence,
                 long medianTimePast, Block block) {
        Optional<Entry> parentEntry() {
            return Optional.ofNullable(parent);
        }
    }

    private static final Comparator<Entry> MOST_WORK_FIRST = Comparator
            .comparing(Entry::chainWork, Comparator.reverseOrder())
            .thenComparingLong(Entry::sequence);

    private final Map<Sha256Hash, Entry> entries = new HashMap<>();
    private final TreeSet<Entry> byWork = new TreeSet<>(MOST_WORK_FIRST);
    /** Blocks marked invalid themselves (bitcoind's BLOCK_FAILED_VALID), with the reason. */
    private final Map<Sha256Hash, String> failed = new HashMap<>();
    private long nextSequence;

    Entry addGenesis(Block genesis) {
        return put(new Entry(genesis.getHash(), null, 0, Pow.work(genesis.getDifficultyTarget()), nextSequence++,
                genesis.getTimeSeconds(), genesis));
    }

    Entry add(Block block, Entry parent) {
        long[] times = new long[MEDIAN_TIME_SPAN];
        int n = 0;
        times[n++] = block.getTimeSeconds();
        for (Entry e = parent; e != null && n < MEDIAN_TIME_SPAN; e = e.parent()) {
            times[n++] = e.block().getTimeSeconds();
        }
        long[] sorted = Arrays.copyOf(times, n);
        Arrays.sort(sorted);
        return put(new Entry(block.getHash(), parent, parent.height() + 1,
                parent.chainWork().add(Pow.work(block.getDifficultyTarget())), nextSequence++, sorted[n / 2], block));
    }

    private Entry put(Entry e) {
        entries.put(e.hash(), e);
        byWork.add(e);
        return e;
    }

    Optional<Entry> get(Sha256Hash hash) {
        return Optional.ofNullable(entries.get(hash));
    }

    /** Whether the block or an ancestor is marked invalid. */
    boolean isFailed(Entry e) {
        if (failed.isEmpty()) {
            return false;
        }
        for (Entry a = e; a != null; a = a.parent()) {
            if (failed.containsKey(a.hash())) {
                return true;
            }
        }
        return false;
    }

    void markFailed(Entry e, String reason) {
        failed.put(e.hash(), reason);
    }

    /** bitcoind's ResetBlockFailureFlags: clears the block, its descendants and its ancestors. */
    void clearFailure(Entry e) {
        List<Sha256Hash> clear = new ArrayList<>();
        for (Sha256Hash f : failed.keySet()) {
            Entry fe = entries.get(f);
            if (fe != null && (ancestor(fe, e.height()) == e || ancestor(e, fe.height()) == fe)) {
                clear.add(f);
            }
        }
        clear.forEach(failed::remove);
    }

    /** The valid block with the most work (earliest received among equals). */
    Entry best() {
        for (Entry e : byWork) {
            if (!isFailed(e)) {
                return e;
            }
        }
        throw new IllegalStateException("no valid block, not even genesis");
    }

    /** The ancestor of {@code e} at {@code height} (e itself at its own height), or null above it. */
    static Entry ancestor(Entry e, int height) {
        if (height > e.height() || height < 0) {
            return null;
        }
        Entry a = e;
        while (a.height() > height) {
            a = a.parent();
        }
        return a;
    }

    /** The last common ancestor of two blocks. */
    static Entry fork(Entry a, Entry b) {
        Entry x = a.height() > b.height() ? ancestor(a, b.height()) : a;
        Entry y = b.height() > a.height() ? ancestor(b, a.height()) : b;
        while (x != y) {
            x = x.parent();
            y = y.parent();
        }
        return x;
    }
}
