package org.sidechains.bmm.d3;

import java.util.function.IntPredicate;

/**
 * Open-addressing multimap h* -> entry seq for one chain (linear probing, backward-shift delete):
 * 4 bytes per slot, at most half full, instead of a boxed map per entry.
 */
final class HStarIndex {
    /** Reads word {@code w} (0..3) of the h* of entry {@code seq}. */
    interface Words {
        long word(int seq, int w);
    }

    private final HStarHasher hasher;
    private final Words words;
    private int[] table; // seq + 1, 0 = empty
    private int mask;

    HStarIndex(int capacity, HStarHasher hasher, Words words) {
        this.hasher = hasher;
        this.words = words;
        allocate(capacity);
    }

    private void allocate(int capacity) {
        int size = Integer.highestOneBit(Math.max(4, capacity * 2 - 1)) << 1;
        table = new int[size];
        mask = size - 1;
    }

    private int home(int seq) {
        return hasher.hash(words.word(seq, 0), words.word(seq, 1), words.word(seq, 2), words.word(seq, 3)) & mask;
    }

    void insert(int seq) {
        int i = home(seq);
        while (table[i] != 0) {
            i = (i + 1) & mask;
        }
        table[i] = seq + 1;
    }

    void remove(int seq) {
        int i = home(seq);
        while (table[i] != seq + 1) {
            if (table[i] == 0) {
                throw new IllegalStateException("seq " + seq + " is not indexed");
            }
            i = (i + 1) & mask;
        }
        // backward-shift: pull later members of the probe run into the hole
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (table[j] == 0) {
                break;
            }
            int k = home(table[j] - 1);
            boolean stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
            if (!stays) {
                table[i] = table[j];
                i = j;
            }
        }
        table[i] = 0;
    }

    boolean anyMatch(long w0, long w1, long w2, long w3, IntPredicate visitor) {
        int i = hasher.hash(w0, w1, w2, w3) & mask;
        while (table[i] != 0) {
            int seq = table[i] - 1;
            if (words.word(seq, 0) == w0 && words.word(seq, 1) == w1 && words.word(seq, 2) == w2
                    && words.word(seq, 3) == w3 && visitor.test(seq)) {
                return true;
            }
            i = (i + 1) & mask;
        }
        return false;
    }

    /** Rebuilds for a new entry capacity; the entries' words must already be readable at their new places. */
    void resize(int capacity) {
        int[] old = table;
        allocate(capacity);
        for (int v : old) {
            if (v != 0) {
                insert(v - 1);
            }
        }
    }
}
