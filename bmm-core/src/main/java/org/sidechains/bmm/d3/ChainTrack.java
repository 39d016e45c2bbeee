package org.sidechains.bmm.d3;

import java.util.Arrays;
import java.util.Optional;
import org.sidechains.bmm.base.Hash32;

/**
 * The D3 entries of one sidechain, oldest first, in flat arrays: a ring indexed by the entry's
 * sequence number within the chain ({@code seq}), with per entry its h* as four longs in
 * {@code words} and four ints in {@code meta} (height, blocksAtop, number of children,
 * prevBlockRef with flags and its h* index slot), so that one entry's fields share a cache line.
 * The h* index is the superclass ({@link HStarIndex}).
 *
 * <p>blocksAtop: the seed adds 1 to every ancestor of a new entry, which costs the depth of the
 * chain (up to the window) per entry. Here the path from a root to the last extended entry (the
 * "spine") shares one counter, {@code spineAdds}: an entry on the spine has blocksAtop =
 * {@code val + spineAdds}, any other entry has blocksAtop = {@code val}. Extending the spine's
 * top, orphaning a few entries, or starting a new root is O(1); moving the spine to another
 * branch costs the length of the branches' divergence, never more than the seed's walk.
 * Evicting the oldest entry never changes a blocksAtop in the window (all its ancestors are
 * older, so already gone).
 */
final class ChainTrack extends HStarIndex {
    private static final int HAS_PARENT = 1;
    private static final int ON_SPINE = 2;

    // the four ints of an entry in meta
    private static final int HEIGHT = 0;
    private static final int VAL = 1;       // blocksAtop, relative to spineAdds when ON_SPINE
    private static final int CHILDREN = 2;  // children in D3 (to know when an evicted parent's hash can go)
    private static final int REF_FLAGS = 3; // prevBlockRef << 16 | (index slot + 1) << 2 | flags
    private static final int REF_SHIFT = 16;
    private static final int POS_SHIFT = 2;
    private static final int POS_MASK = 0x3FFF << POS_SHIFT; // 0: not known

    private final int window;

    // ring of entries: entry seq lives at slot (loSlot + seq - lo) mod cap
    private int cap;
    private long[] words;     // h*, 4 little-endian words per entry
    private int[] meta;       // HEIGHT, VAL, CHILDREN, REF_FLAGS per entry (4 entries per cache line)

    private int lo;           // oldest live seq
    private int hi;           // next seq
    private int loSlot;       // slot of lo

    // spine: seqs from a root (bottom) to the last extended entry (top), increasing
    private int[] spine;
    private int spineHead;    // index of the bottom in the spine ring
    private int spineSize;
    private int spineAdds;

    // hashes of evicted entries that still have children in the window, for prevSideBlockHash
    private final EvictedParents evictedParents = new EvictedParents();

    private int[] scratch = new int[16];

    ChainTrack(int window, HStarHasher hasher, int chain) {
        super(window, chain, hasher);
        this.window = window;
        this.cap = Math.min(16, window);
        words = new long[cap * 4];
        meta = new int[cap * 4];
        spine = new int[cap];
    }

    int size() {
        return hi - lo;
    }

    boolean isEmpty() {
        return hi == lo;
    }

    int oldestSeq() {
        return lo;
    }

    int newestSeq() {
        return hi - 1;
    }

    int nextSeq() {
        return hi;
    }

    int heightOf(int seq) {
        return meta[slot(seq) * 4 + HEIGHT];
    }

    int refOf(int seq) {
        return meta[slot(seq) * 4 + REF_FLAGS] >>> REF_SHIFT;
    }

    private int flagsOf(int seq) {
        return meta[slot(seq) * 4 + REF_FLAGS];
    }

    @Override
    long word(int seq, int w) {
        return words[slot(seq) * 4 + w];
    }

    @Override
    void moved(int seq, int pos) {
        if (seq >= lo && seq < hi) {
            int m = slot(seq) * 4 + REF_FLAGS;
            meta[m] = (meta[m] & ~POS_MASK) | (pos + 1) << POS_SHIFT;
        }
    }

    Hash32 hashOf(int seq) {
        int b = slot(seq) * 4;
        return Hash32.fromLongs(words[b], words[b + 1], words[b + 2], words[b + 3]);
    }

    int blocksAtop(int seq) {
        int m = slot(seq) * 4;
        return (meta[m + REF_FLAGS] & ON_SPINE) != 0 ? meta[m + VAL] + spineAdds : meta[m + VAL];
    }

    boolean hasParent(int seq) {
        return (flagsOf(seq) & HAS_PARENT) != 0;
    }

    /** The parent's h*, fixed when the entry was added (the parent may have left the window since). */
    Optional<Hash32> prevSideBlockHash(int seq) {
        if (!hasParent(seq)) {
            return Optional.empty();
        }
        int p = parentSeq(seq);
        if (p >= lo) {
            return Optional.of(hashOf(p));
        }
        int e = evictedParents.find(p);
        return Optional.of(Hash32.fromLongs(evictedParents.word(e, 0), evictedParents.word(e, 1),
                evictedParents.word(e, 2), evictedParents.word(e, 3)));
    }

    private int parentSeq(int seq) {
        return seq - 1 - refOf(seq);
    }

    /** The parent if it is still in the window, else -1. */
    private int liveParent(int seq) {
        if (!hasParent(seq)) {
            return -1;
        }
        int p = parentSeq(seq);
        return p >= lo ? p : -1;
    }

    /** Whether {@code p} is the parent of the live entry {@code seq}. */
    private boolean isParentOf(int p, int seq) {
        int rf = meta[slot(seq) * 4 + REF_FLAGS];
        return (rf & HAS_PARENT) != 0 && seq - 1 - (rf >>> REF_SHIFT) == p;
    }

    private boolean onSpine(int seq) {
        return (flagsOf(seq) & ON_SPINE) != 0;
    }

    /** The ring slot of {@code seq}, for lo - cap <= seq < lo + cap (no division). */
    private int slot(int seq) {
        int s = loSlot + (seq - lo);
        if (s >= cap) {
            s -= cap;
        } else if (s < 0) {
            s += cap;
        }
        return s;
    }

    D3Entry entry(int chain, int seq) {
        return new D3Entry(chain, heightOf(seq), hashOf(seq), refOf(seq), prevSideBlockHash(seq), blocksAtop(seq));
    }

    /** Calls {@code visitor} with every live seq whose h* equals the four words, until it returns true. */
    boolean anyMatch(long w0, long w1, long w2, long w3, java.util.function.IntPredicate visitor) {
        return indexMatch(w0, w1, w2, w3, lo, visitor);
    }

    /**
     * The seq of the parent a new entry with {@code prevBlockRef} would get if its block is
     * connected at {@code newHeight}, or -1: entries are counted back from the newest, among those
     * that stay in the window for that block.
     */
    int parentFor(int newHeight, int prevBlockRef) {
        int first = firstSeqFor(newHeight);
        long p = (long) hi - 1 - prevBlockRef;
        return p >= first ? (int) p : -1;
    }

    /** The oldest seq still in the window once a block at {@code newHeight} is connected. */
    int firstSeqFor(int newHeight) {
        int first = lo;
        while (first < hi && heightOf(first) <= newHeight - window) {
            first++;
        }
        return first;
    }

    /** Whether the oldest entry is in the row at height {@code h}. */
    boolean oldestIsAt(int h) {
        return hi != lo && meta[loSlot * 4 + HEIGHT] == h;
    }

    /** Whether the newest entry is in the row at height {@code h}. */
    boolean newestIsAt(int h) {
        return hi != lo && meta[slot(hi - 1) * 4 + HEIGHT] == h;
    }

    // ---- connect ----

    /** Adds the newest entry (its row's height is {@code h}); the window was already slid. */
    void add(int h, long w0, long w1, long w2, long w3, int prevBlockRef) {
        if (hi - lo == cap) {
            grow();
        }
        int n = hi;
        long p = (long) n - 1 - prevBlockRef;
        boolean hasParent = p >= lo;
        int s = slot(n);
        int b = s * 4;
        words[b] = w0;
        words[b + 1] = w1;
        words[b + 2] = w2;
        words[b + 3] = w3;
        meta[b + HEIGHT] = h;
        meta[b + VAL] = 0;
        meta[b + CHILDREN] = 0;
        hi++;
        int pos = indexNewest(n, w0, w1, w2, w3);
        meta[b + REF_FLAGS] = prevBlockRef << REF_SHIFT | (pos + 1) << POS_SHIFT | (hasParent ? HAS_PARENT : 0);
        if (hasParent) {
            int pm = slot((int) p) * 4;
            meta[pm + CHILDREN]++;
            if (p == n - 1 && (meta[pm + REF_FLAGS] & ON_SPINE) != 0) {
                // the usual case: the parent is the newest entry and on the spine, so it is the
                // spine's top (an entry above it would be its descendant, so newer)
                spineAdds++;
            } else {
                addToAncestors((int) p, pm, 1);
            }
            spinePushTop(n);
            meta[b + VAL] = -spineAdds;
            meta[b + REF_FLAGS] |= ON_SPINE;
        }
    }

    /**
     * Adds {@code delta} to the blocksAtop of the live entry {@code p} (its meta at {@code pm})
     * and of its live ancestors: moves the spine so that it ends at {@code p}, then bumps the
     * spine's counter.
     */
    private void addToAncestors(int p, int pm, int delta) {
        if ((meta[pm + REF_FLAGS] & ON_SPINE) != 0) {
            while (spineTop() != p) {
                materialize(spinePopTop());
            }
        } else {
            int n = 0;
            int x = p;
            int anchor;
            while (true) {
                if (n == scratch.length) {
                    scratch = Arrays.copyOf(scratch, n * 2);
                }
                scratch[n++] = x;
                int px = liveParent(x);
                if (px < 0 || onSpine(px)) {
                    anchor = px;
                    break;
                }
                x = px;
            }
            while (spineSize > 0 && spineTop() != anchor) {
                materialize(spinePopTop());
            }
            for (int i = n - 1; i >= 0; i--) {
                int a = scratch[i];
                int m = slot(a) * 4;
                meta[m + VAL] -= spineAdds;
                meta[m + REF_FLAGS] |= ON_SPINE;
                spinePushTop(a);
            }
        }
        spineAdds += delta;
    }

    private void materialize(int seq) {
        int m = slot(seq) * 4;
        meta[m + VAL] += spineAdds;
        meta[m + REF_FLAGS] &= ~ON_SPINE;
    }

    /**
     * Removes the oldest entry (its row left the window) and writes it to {@code undo} at
     * {@code i}. It stays in the h* index, which ignores seqs below {@code lo}.
     */
    void evictOldest(int chain, EvictedRow undo, int i) {
        int x = lo;
        int b = loSlot * 4;
        long w0 = words[b];
        long w1 = words[b + 1];
        long w2 = words[b + 2];
        long w3 = words[b + 3];
        int h = meta[b + HEIGHT];
        int v = meta[b + VAL];
        int c = meta[b + CHILDREN];
        int rf = meta[b + REF_FLAGS];
        int ref = rf >>> REF_SHIFT;
        int atop = (rf & ON_SPINE) != 0 ? v + spineAdds : v;
        if ((rf & HAS_PARENT) != 0) {
            // the parent is older, so it has left already: its h* is kept for its children
            int e = evictedParents.find(x - 1 - ref);
            undo.set(i, chain, h, w0, w1, w2, w3, ref, true, evictedParents.word(e, 0),
                    evictedParents.word(e, 1), evictedParents.word(e, 2), evictedParents.word(e, 3), atop);
            evictedParents.releaseChild(e);
        } else {
            undo.set(i, chain, h, w0, w1, w2, w3, ref, false, 0, 0, 0, 0, atop);
        }
        if ((rf & ON_SPINE) != 0) {
            spinePopBottom();
        }
        if (c > 0) {
            evictedParents.put(x, w0, w1, w2, w3, c);
        }
        lo++;
        if (++loSlot == cap) {
            loSlot = 0;
        }
    }

    // ---- disconnect ----

    /** Removes the newest entry, which has no descendants: the exact inverse of {@link #add}. */
    void removeNewest() {
        int n = hi - 1;
        int b = slot(n) * 4;
        int rf = meta[b + REF_FLAGS];
        if (meta[b + VAL] + ((rf & ON_SPINE) != 0 ? spineAdds : 0) != 0) {
            throw new IllegalStateException("the newest entry has descendants");
        }
        boolean onSpine = (rf & ON_SPINE) != 0;
        if (onSpine) {
            // n is the spine's top (an entry above it would be its descendant)
            spineSize--;
        }
        if ((rf & HAS_PARENT) != 0) {
            int p = n - 1 - (rf >>> REF_SHIFT);
            if (p < lo) {
                throw new IllegalStateException("the parent of the newest entry left the window");
            }
            int pm = slot(p) * 4;
            if (onSpine) {
                // on the spine, the entry under n is its parent (only the bottom has no live
                // parent), so p is now the top
                spineAdds--;
            } else {
                addToAncestors(p, pm, -1);
            }
            meta[pm + CHILDREN]--;
        }
        unindexNewest(n, ((rf & POS_MASK) >>> POS_SHIFT) - 1);
        hi--;
    }

    /** Puts back the entry that {@link #evictOldest} removed (the newest entries were removed first). */
    void restoreOldest(EvictedRow undo, int i) {
        if (hi - lo == cap) {
            grow();
        }
        int x = lo - 1;
        int s = loSlot == 0 ? cap - 1 : loSlot - 1;
        int b = s * 4;
        long w0 = undo.word(i, 0);
        long w1 = undo.word(i, 1);
        long w2 = undo.word(i, 2);
        long w3 = undo.word(i, 3);
        words[b] = w0;
        words[b + 1] = w1;
        words[b + 2] = w2;
        words[b + 3] = w3;
        int prevBlockRef = undo.prevBlockRef(i);
        boolean hasParent = undo.hasParent(i);
        meta[b + HEIGHT] = undo.height(i);
        meta[b + CHILDREN] = evictedParents.remove(x);
        int rf = (char) prevBlockRef << REF_SHIFT | (hasParent ? HAS_PARENT : 0);
        if (hasParent) {
            evictedParents.addChild(x - 1 - prevBlockRef, undo.parentWord(i, 0), undo.parentWord(i, 1),
                    undo.parentWord(i, 2), undo.parentWord(i, 3));
        }
        lo--;
        loSlot = s;
        rf |= (reindexOldest(x, w0, w1, w2, w3) + 1) << POS_SHIFT;
        // the spine must start at a root: if x is the parent of its bottom, x goes under it. The
        // bottom is the oldest entry on the spine: if that is x + 1, its flags (next to x's) say so.
        int atop = undo.blocksAtop(i);
        boolean underBottom;
        if (spineSize == 0) {
            underBottom = false;
        } else if (x + 1 < hi && (meta[slot(x + 1) * 4 + REF_FLAGS] & ON_SPINE) != 0) {
            underBottom = isParentOf(x, x + 1);
        } else {
            underBottom = isParentOf(x, spineBottom());
        }
        if (underBottom) {
            meta[b + VAL] = atop - spineAdds;
            meta[b + REF_FLAGS] = rf | ON_SPINE;
            spinePushBottom(x);
        } else {
            meta[b + VAL] = atop;
            meta[b + REF_FLAGS] = rf;
        }
    }

    // ---- storage ----

    /** Makes room for one more entry (the ring is full). */
    private void grow() {
        int needed = cap + 1;
        int newCap = (int) Math.min(Math.max((long) cap * 2, needed), Math.max(window, needed));
        // the live entries go to slots 0..size-1 of the new ring
        long[] nw = new long[newCap * 4];
        int[] nm = new int[newCap * 4];
        for (int seq = lo; seq < hi; seq++) {
            int o = slot(seq) * 4;
            int t = (seq - lo) * 4;
            System.arraycopy(words, o, nw, t, 4);
            System.arraycopy(meta, o, nm, t, 4);
        }
        int[] ns = new int[newCap];
        for (int i = 0; i < spineSize; i++) {
            ns[i] = spine[(spineHead + i) % spine.length];
        }
        words = nw;
        meta = nm;
        spine = ns;
        spineHead = 0;
        loSlot = 0;
        cap = newCap;
    }

    /** (spineHead + i) mod spine.length, for 0 <= i <= spine.length. */
    private int spineIndex(int i) {
        int k = spineHead + i;
        return k >= spine.length ? k - spine.length : k;
    }

    private int spineTop() {
        return spine[spineIndex(spineSize - 1)];
    }

    private int spineBottom() {
        return spine[spineHead];
    }

    private void spinePushTop(int seq) {
        spine[spineIndex(spineSize)] = seq;
        spineSize++;
    }

    private int spinePopTop() {
        int t = spineTop();
        spineSize--;
        return t;
    }

    private void spinePushBottom(int seq) {
        spineHead = spineHead == 0 ? spine.length - 1 : spineHead - 1;
        spine[spineHead] = seq;
        spineSize++;
    }

    private void spinePopBottom() {
        spineHead = spineIndex(1);
        spineSize--;
    }

    /** The seq of the entry in the row at height {@code h}, or -1. */
    int seqAtHeight(int h) {
        int a = lo;
        int b = hi - 1;
        while (a <= b) {
            int m = (a + b) >>> 1;
            int mh = heightOf(m);
            if (mh == h) {
                return m;
            } else if (mh < h) {
                a = m + 1;
            } else {
                b = m - 1;
            }
        }
        return -1;
    }
}
