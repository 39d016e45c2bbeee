package org.sidechains.bmm.d3;

/**
 * The h* of a chain's entries that have left the window while some of their children are still
 * in it (the children's prevSideBlockHash), with the number of such children, by seq.
 *
 * <p>Usually there is one (with prevBlockRef 0: the entry the previous block evicted, whose child
 * is the oldest entry), so one entry is kept in fields (the "front") and the others, if any, in a
 * small open-addressing map of primitives (linear probing, backward-shift deletion, at most half
 * full), allocated when first needed. An entry is found through a handle: {@link #FRONT}, a map
 * slot, or -1 for none.
 */
final class EvictedParents {
    static final int FRONT = -2;
    private static final int MIN_CAPACITY = 4;

    private int frontSeq = -1;    // -1: the front is empty
    private int frontCount;
    private long front0;
    private long front1;
    private long front2;
    private long front3;

    private int[] keys;           // seq + 1, 0 = empty
    private int[] counts;
    private long[] words;
    private int mask;
    private int size;

    private int home(int seq) {
        int h = seq * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }

    /** The handle of {@code seq}, or -1. */
    int find(int seq) {
        if (seq == frontSeq) {
            return FRONT;
        }
        return size == 0 ? -1 : findInMap(seq);
    }

    private int findInMap(int seq) {
        int i = home(seq);
        int k;
        while ((k = keys[i]) != 0) {
            if (k == seq + 1) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    long word(int handle, int w) {
        if (handle == FRONT) {
            return w == 0 ? front0 : w == 1 ? front1 : w == 2 ? front2 : front3;
        }
        return words[handle * 4 + w];
    }

    /** Adds {@code seq} (not present) with its h* and its number of children in the window. */
    void put(int seq, long w0, long w1, long w2, long w3, int children) {
        if (frontSeq < 0) {
            frontSeq = seq;
            frontCount = children;
            front0 = w0;
            front1 = w1;
            front2 = w2;
            front3 = w3;
        } else {
            putInMap(seq, w0, w1, w2, w3, children);
        }
    }

    private void putInMap(int seq, long w0, long w1, long w2, long w3, int children) {
        if (keys == null) {
            allocate(MIN_CAPACITY);
        } else if ((size + 1) * 2 > keys.length) {
            rehash(keys.length * 2);
        }
        int i = home(seq);
        while (keys[i] != 0) {
            i = (i + 1) & mask;
        }
        keys[i] = seq + 1;
        counts[i] = children;
        int b = i * 4;
        words[b] = w0;
        words[b + 1] = w1;
        words[b + 2] = w2;
        words[b + 3] = w3;
        size++;
    }

    /** One more child of {@code seq} in the window; adds it with this h* if it is not there. */
    void addChild(int seq, long w0, long w1, long w2, long w3) {
        if (seq == frontSeq) {
            frontCount++;
            return;
        }
        int i = size == 0 ? -1 : findInMap(seq);
        if (i >= 0) {
            counts[i]++;
        } else {
            put(seq, w0, w1, w2, w3, 1);
        }
    }

    /** One child of the entry with this handle left the window; the entry goes when it has none. */
    void releaseChild(int handle) {
        if (handle == FRONT) {
            if (--frontCount == 0) {
                frontSeq = -1;
            }
        } else if (--counts[handle] == 0) {
            delete(handle);
        }
    }

    /** Removes {@code seq} and returns its number of children, 0 if it is not there. */
    int remove(int seq) {
        if (seq == frontSeq) {
            frontSeq = -1;
            return frontCount;
        }
        int i = size == 0 ? -1 : findInMap(seq);
        if (i < 0) {
            return 0;
        }
        int c = counts[i];
        delete(i);
        return c;
    }

    private void delete(int slot) {
        int i = slot;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            int k = keys[j];
            if (k == 0) {
                break;
            }
            int h = home(k - 1);
            boolean stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
            if (!stays) {
                keys[i] = k;
                counts[i] = counts[j];
                System.arraycopy(words, j * 4, words, i * 4, 4);
                i = j;
            }
        }
        keys[i] = 0;
        size--;
        if (size * 8 < keys.length && keys.length > MIN_CAPACITY) {
            rehash(keys.length / 2);
        }
    }

    private void allocate(int capacity) {
        keys = new int[capacity];
        counts = new int[capacity];
        words = new long[capacity * 4];
        mask = capacity - 1;
        size = 0;
    }

    private void rehash(int capacity) {
        int[] oldKeys = keys;
        int[] oldCounts = counts;
        long[] oldWords = words;
        allocate(capacity);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                int b = i * 4;
                putInMap(oldKeys[i] - 1, oldWords[b], oldWords[b + 1], oldWords[b + 2], oldWords[b + 3], oldCounts[i]);
            }
        }
    }
}
