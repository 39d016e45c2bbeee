package org.sidechains.bmm.d3;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Multimap h* -> entry seq for one chain (the base class of {@link ChainTrack}, so that its
 * fields are in the chain's object: one dependent load less per operation). The chain's seqs are
 * cut into epochs of {@code E = 2^epochBits} consecutive seqs, and each epoch has its own
 * open-addressing table (linear probing, {@code 2E} int slots, so at most half full); the tables
 * are reused round-robin.
 *
 * <p>Why: entries leave the window oldest first. Removing each one from a single table of the
 * whole window is a random memory access per entry (and backward-shift deletion reads the h* of
 * every entry it moves), and at a full window (256 chains x 64 KB of tables) those are cache
 * misses. Here an entry that leaves the window is not removed at all: it stays in its epoch's
 * table, lookups skip it (its seq is below the chain's oldest live seq), and the whole table is
 * cleared when it is reused for a new epoch, when every seq in it has left. New entries go to the
 * newest epoch's table. Only a disconnect removes an entry (the newest). A lookup probes every
 * table that can hold live entries, {@code (window - 1) / E + 2} at most (5 for the protocol's
 * window of 8000, E = 2048).
 *
 * <p>A slot holds {@code (hash & ~tableMask) | (offset + 1)}: the seq's offset in its epoch
 * ({@code 0..E-1}; 0 in the slot = empty) in the low {@code tableBits} bits and the hash of the
 * h* above them. The home slot is the hash's top {@code tableBits} bits, so probing and
 * backward-shift deletion never read an entry's h*, and the stored bits below the home filter out
 * almost every other h* of a probe run before its words are compared. {@link #indexNewest}
 * returns the slot an entry took and {@link #moved} reports later moves, so that the owner can
 * remember it and {@link #unindexNewest} need not hash or probe.
 *
 * <p>Invariant, for each table {@code t} assigned to epoch {@code k}, with {@code floor} its
 * lowest seq ({@code state[2t + 1]}) and {@code hi} the chain's next seq: it holds exactly the
 * seqs of epoch {@code k} in {@code [floor, hi)}, each once. Every live seq is in its epoch's
 * table. A chain never holds more than {@code window} entries (one per row), so the live seqs,
 * and the seq that an undo puts back, span at most {@code (window - 1) / E + 2} epochs: with that
 * many tables, a table that must be reassigned to a new epoch holds no live entry.
 */
abstract class HStarIndex {
    /** The largest epoch: 4096 seqs (tables of 8192 slots; {@link ChainTrack} keeps a slot in 14 bits). */
    static final int MAX_EPOCH_BITS = 12;

    /** Word {@code w} (0..3) of the h* of live entry {@code seq}. */
    abstract long word(int seq, int w);

    /** Deletion moved {@code seq} (maybe no longer live) to slot {@code pos} of its table. */
    abstract void moved(int seq, int pos);

    private final HStarHasher hasher;
    private final int epochBits;
    private final int phase;
    private final int tableBits;
    private final int tableMask;
    private final int homeShift;
    private final int tableCount;
    private final int[] state;     // per table t: [2t] its epoch (-1 when unused), [2t+1] the lowest seq it holds (see the invariant)
    private int[] slots;           // tableCount tables of 2^tableBits slots, allocated on first use
    // epoch % tableCount without a division in the usual case: the last epoch of the newest
    // entries, of the oldest entries, and their tables
    private int newestEpoch = -1;
    private int newestTable;
    private int oldestEpoch = -1;
    private int oldestTable;

    /**
     * @param window the D3 window (bounds the number of live entries)
     * @param chain  the ChainIndex: epochs start at a different seq in each chain (so that chains
     *               that advance together clear their tables in different blocks)
     */
    HStarIndex(int window, int chain, HStarHasher hasher) {
        this.hasher = hasher;
        this.epochBits = epochBits(window);
        this.phase = (chain << epochBits) >>> 8;
        this.tableBits = epochBits + 1;
        this.tableMask = (1 << tableBits) - 1;
        this.homeShift = 32 - tableBits;
        this.tableCount = (window - 1) / (1 << epochBits) + 2;
        this.state = new int[tableCount * 2];
        for (int t = 0; t < tableCount; t++) {
            state[2 * t] = -1;
        }
    }

    /**
     * E = 2^epochBits: the largest power of two <= window / 2 (at most 2^MAX_EPOCH_BITS), so 3 to
     * 5 tables. Larger epochs mean fewer tables for a lookup to probe, but a larger newest table,
     * whose slots the inserts hit at random (less often in cache).
     */
    static int epochBits(int window) {
        int log = 31 - Integer.numberOfLeadingZeros(window);
        return Math.max(0, Math.min(MAX_EPOCH_BITS, log - 1));
    }

    private int epoch(int seq) {
        return (seq + phase) >>> epochBits;
    }

    private int table(int epoch) {
        return epoch % tableCount;
    }

    private int newestTable(int epoch) {
        if (epoch != newestEpoch) {
            newestTable = table(epoch);
            newestEpoch = epoch;
        }
        return newestTable;
    }

    private int oldestTable(int epoch) {
        if (epoch != oldestEpoch) {
            oldestTable = table(epoch);
            oldestEpoch = epoch;
        }
        return oldestTable;
    }

    private int slotValue(int seq, int hash) {
        return (hash & ~tableMask) | ((seq + phase) & ((1 << epochBits) - 1)) + 1;
    }

    /**
     * Indexes {@code seq}, the chain's new newest entry, whose h* is the four words; returns the
     * slot it took in its table.
     */
    final int indexNewest(int seq, long w0, long w1, long w2, long w3) {
        int hash = hasher.hash(w0, w1, w2, w3);
        int k = epoch(seq);
        int t = newestTable(k);
        if (state[2 * t] != k) {
            assign(t, k, seq);
        } else if (seq < state[2 * t + 1]) {
            // the table holds nothing (all its seqs were disconnected): start again from seq
            state[2 * t + 1] = seq;
        }
        return put(t, slotValue(seq, hash));
    }

    /**
     * Unindexes {@code seq}, the chain's newest entry (a disconnect). {@code pos} is the slot the
     * entry was given or moved to, or -1 if unknown: then it is found through the h*'s hash.
     */
    final void unindexNewest(int seq, int pos) {
        int t = newestTable(epoch(seq));
        int base = t << tableBits;
        int offset = ((seq + phase) & ((1 << epochBits) - 1)) + 1;
        int i = pos;
        // a table holds each offset at most once, so the offset identifies the entry
        if (i < 0 || (slots[base + i] & tableMask) != offset) {
            int hash = hasher.hash(word(seq, 0), word(seq, 1), word(seq, 2), word(seq, 3));
            int want = slotValue(seq, hash);
            i = hash >>> homeShift;
            while (slots[base + i] != want) {
                if (slots[base + i] == 0) {
                    throw new IllegalStateException("seq " + seq + " is not indexed");
                }
                i = (i + 1) & tableMask;
            }
        }
        int seqBase = (state[2 * t] << epochBits) - phase - 1;
        // backward shift: pull later members of the probe run into the hole
        int j = i;
        while (true) {
            j = (j + 1) & tableMask;
            int v = slots[base + j];
            if (v == 0) {
                break;
            }
            int k = v >>> homeShift;
            boolean stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
            if (!stays) {
                slots[base + i] = v;
                moved(seqBase + (v & tableMask), i);
                i = j;
            }
        }
        slots[base + i] = 0;
    }

    /**
     * {@code seq} is live again as the chain's oldest entry (undo of its eviction), with the h*
     * it had. An evicted entry is never removed, so it is usually still there: returns -1 then,
     * else the slot it took.
     */
    final int reindexOldest(int seq, long w0, long w1, long w2, long w3) {
        int k = epoch(seq);
        int t = oldestTable(k);
        if (state[2 * t] != k) {
            assign(t, k, seq);
        } else if (seq >= state[2 * t + 1]) {
            return -1;
        } else {
            // seq = floor - 1, or the table holds nothing: either way it now holds [seq, hi)
            state[2 * t + 1] = seq;
        }
        return put(t, slotValue(seq, hasher.hash(w0, w1, w2, w3)));
    }

    private void assign(int t, int epoch, int seq) {
        if (slots == null) {
            slots = new int[tableCount << tableBits];
        } else if (state[2 * t] >= 0) {
            Arrays.fill(slots, t << tableBits, (t + 1) << tableBits, 0);
        }
        state[2 * t] = epoch;
        state[2 * t + 1] = seq;
    }

    private int put(int t, int value) {
        int base = t << tableBits;
        int i = value >>> homeShift;
        while (slots[base + i] != 0) {
            i = (i + 1) & tableMask;
        }
        slots[base + i] = value;
        return i;
    }

    /**
     * Calls {@code visitor} with every seq >= {@code lo} whose h* equals the four words, until it
     * returns true.
     */
    final boolean indexMatch(long w0, long w1, long w2, long w3, int lo, IntPredicate visitor) {
        if (slots == null) {
            return false;
        }
        int hash = hasher.hash(w0, w1, w2, w3);
        int tag = hash & ~tableMask;
        int home = hash >>> homeShift;
        int epochSize = 1 << epochBits;
        // in groups of 64 tables: first read each table's home slot (independent loads, so their
        // cache misses overlap), then walk the probe runs of the tables where it is not empty
        for (int g = 0; g < tableCount; g += 64) {
            int end = Math.min(tableCount, g + 64);
            long todo = 0;
            for (int t = g; t < end; t++) {
                int k = state[2 * t];
                // skip unused tables and those whose every seq has left the window
                if (k >= 0 && (k << epochBits) - phase - 1 + epochSize >= lo && slots[(t << tableBits) + home] != 0) {
                    todo |= 1L << (t - g);
                }
            }
            while (todo != 0) {
                int t = g + Long.numberOfTrailingZeros(todo);
                todo &= todo - 1;
                int seqBase = (state[2 * t] << epochBits) - phase - 1;
                int base = t << tableBits;
                int i = home;
                int v;
                while ((v = slots[base + i]) != 0) {
                    if ((v & ~tableMask) == tag) {
                        int seq = seqBase + (v & tableMask);
                        if (seq >= lo && word(seq, 0) == w0 && word(seq, 1) == w1
                                && word(seq, 2) == w2 && word(seq, 3) == w3 && visitor.test(seq)) {
                            return true;
                        }
                    }
                    i = (i + 1) & tableMask;
                }
            }
        }
        return false;
    }
}
