package org.sidechains.bmm.regtest.embedded;

import java.math.BigInteger;
import java.util.ArrayDeque;
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
 * and blocks found invalid; like bitcoind's block index with its failure flags, kept per block
 * (failed-valid, failed-child) as bitcoind's nStatus keeps them, so a cleared ancestor does not
 * revive other branches below it. The best chain is the unflagged block with the most cumulative
 * work, the earliest received among equals (bitcoind's candidate order). Not thread-safe: the
 * chain's lock guards it.
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

    /** bitcoind's BLOCK_FAILED_MASK flags of one block. */
    enum Failure {
        /** BLOCK_FAILED_VALID: the block itself failed validation, or invalidateblock named it. */
        VALID,
        /** BLOCK_FAILED_CHILD: a descendant of a failed block. */
        CHILD
    }

    private final Map<Sha256Hash, Entry> entries = new HashMap<>();
    private final Map<Sha256Hash, List<Entry>> children = new HashMap<>();
    /** The blocks without failure flags, most work first: the candidates for the best chain. */
    private final TreeSet<Entry> candidates = new TreeSet<>(MOST_WORK_FIRST);
    /** Each block's failure flag; absent: not failed. */
    private final Map<Sha256Hash, Failure> failed = new HashMap<>();
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
        if (e.parent() != null) {
            children.computeIfAbsent(e.parent().hash(), h -> new ArrayList<>()).add(e);
        }
        if (e.parent() != null && isFailed(e.parent())) {
            failed.put(e.hash(), Failure.CHILD); // the chain refuses such blocks (bad-prevblk) before adding them
        } else {
            candidates.add(e);
        }
        return e;
    }

    Optional<Entry> get(Sha256Hash hash) {
        return Optional.ofNullable(entries.get(hash));
    }

    /** Whether the block carries a failure flag (its own, or failed-child); O(1). */
    boolean isFailed(Entry e) {
        return failed.containsKey(e.hash());
    }

    /**
     * Marks the block failed-valid (invalidateblock, or refused by validation) and every stored
     * descendant failed-child.
     */
    void markFailed(Entry e) {
        flag(e, Failure.VALID);
        for (Entry d : descendants(e)) {
            if (failed.get(d.hash()) != Failure.VALID) {
                flag(d, Failure.CHILD);
            }
        }
    }

    private void flag(Entry e, Failure f) {
        failed.put(e.hash(), f);
        candidates.remove(e);
    }

    /**
     * bitcoind's ResetBlockFailureFlags: clears the flags of the block, its descendants and its
     * ancestors; other blocks (other branches below a cleared ancestor) keep theirs.
     */
    void clearFailure(Entry e) {
        List<Entry> clear = descendants(e);
        for (Entry a = e; a != null; a = a.parent()) {
            clear.add(a);
        }
        for (Entry c : clear) {
            if (failed.remove(c.hash()) != null) {
                candidates.add(c);
            }
        }
    }

    /** Every stored descendant of {@code e}, not {@code e} itself. */
    private List<Entry> descendants(Entry e) {
        List<Entry> out = new ArrayList<>();
        ArrayDeque<Entry> todo = new ArrayDeque<>();
        todo.push(e);
        while (!todo.isEmpty()) {
            for (Entry c : children.getOrDefault(todo.pop().hash(), List.of())) {
                out.add(c);
                todo.push(c);
            }
        }
        return out;
    }

    /** The valid block with the most work (earliest received among equals). */
    Entry best() {
        if (candidates.isEmpty()) {
            throw new IllegalStateException("no valid block, not even genesis");
        }
        return candidates.first();
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
