package org.sidechains.bmm.d3;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.sidechains.bmm.base.Hash32;

/**
 * The D3 entries of one sidechain, oldest first, in flat arrays (a ring indexed by the entry's
 * sequence number within the chain).
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
final class ChainTrack {
    private static final byte HAS_PARENT = 1;
    private static final byte ON_SPINE = 2;

    private final int window;
    private final HStarHasher hasher;

    // ring of entries; entry seq lives at seq % cap
    private int cap;
    private long[] words;     // h*, 4 little-endian words per entry
    private int[] height;
    private char[] ref;       // prevBlockRef
    private byte[] flags;
    private int[] val;        // blocksAtop, relative to spineAdds when ON_SPINE
    private int[] children;   // children in D3 (kept to know when an evicted parent's hash can go)

    private int lo;           // oldest live seq
    private int hi;           // next seq

    // spine: seqs from a root (bottom) to the last extended entry (top), increasing
    private int[] spine;
    private int spineHead;    // index of the bottom in the spine ring
    private int spineSize;
    private int spineAdds;

    // hashes of evicted entries that still have children in the window, for prevSideBlockHash
    private final java.util.HashMap<Integer, EvictedParent> evictedParents = new java.util.HashMap<>();

    private final HStarIndex index;
    private int[] scratch = new int[16];

    private static final class EvictedParent {
        final Hash32 hash;
        int children;

        EvictedParent(Hash32 hash, int children) {
            this.hash = hash;
            this.children = children;
        }
    }

    ChainTrack(int window, HStarHasher hasher) {
        this.window = window;
        this.hasher = hasher;
        this.cap = Math.min(16, window);
        words = new long[cap * 4];
        height = new int[cap];
        ref = new char[cap];
        flags = new byte[cap];
        val = new int[cap];
        children = new int[cap];
        spine = new int[cap];
        index = new HStarIndex(cap, hasher, this::wordAt);
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
        return height[slot(seq)];
    }

    int refOf(int seq) {
        return ref[slot(seq)];
    }

    long wordAt(int seq, int w) {
        return words[slot(seq) * 4 + w];
    }

    Hash32 hashOf(int seq) {
        int b = slot(seq) * 4;
        return Hash32.fromLongs(words[b], words[b + 1], words[b + 2], words[b + 3]);
    }

    int blocksAtop(int seq) {
        int s = slot(seq);
        return (flags[s] & ON_SPINE) != 0 ? val[s] + spineAdds : val[s];
    }

    boolean hasParent(int seq) {
        return (flags[slot(seq)] & HAS_PARENT) != 0;
    }

    /** The parent's h*, fixed when the entry was added (the parent may have left the window since). */
    Optional<Hash32> prevSideBlockHash(int seq) {
        if (!hasParent(seq)) {
            return Optional.empty();
        }
        int p = parentSeq(seq);
        return Optional.of(p >= lo ? hashOf(p) : evictedParents.get(p).hash);
    }

    private int parentSeq(int seq) {
        return seq - 1 - ref[slot(seq)];
    }

    /** The parent if it is still in the window, else -1. */
    private int liveParent(int seq) {
        if (!hasParent(seq)) {
            return -1;
        }
        int p = parentSeq(seq);
        return p >= lo ? p : -1;
    }

    private boolean onSpine(int seq) {
        return (flags[slot(seq)] & ON_SPINE) != 0;
    }

    private int slot(int seq) {
        return seq % cap;
    }

    D3Entry entry(int chain, int seq) {
        return new D3Entry(chain, heightOf(seq), hashOf(seq), refOf(seq), prevSideBlockHash(seq), blocksAtop(seq));
    }

    /** Calls {@code visitor} with every live seq whose h* equals the four words, until it returns true. */
    boolean anyMatch(long w0, long w1, long w2, long w3, java.util.function.IntPredicate visitor) {
        return index.anyMatch(w0, w1, w2, w3, visitor);
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

    // ---- connect ----

    /** Adds the newest entry (its row's height is {@code h}); the window was already slid. */
    void add(int h, Hash32 hStar, int prevBlockRef) {
        ensureCapacity(size() + 1);
        int n = hi;
        long p = (long) n - 1 - prevBlockRef;
        boolean hasParent = p >= lo;
        int s = slot(n);
        for (int w = 0; w < 4; w++) {
            words[s * 4 + w] = hStar.word(w);
        }
        height[s] = h;
        ref[s] = (char) prevBlockRef;
        flags[s] = hasParent ? HAS_PARENT : 0;
        val[s] = 0;
        children[s] = 0;
        hi++;
        index.insert(n);
        if (hasParent) {
            children[slot((int) p)]++;
            addToAncestorsOf(n, 1);
            spinePushTop(n);
            val[s] = -spineAdds;
            flags[s] |= ON_SPINE;
        }
    }

    /**
     * Adds {@code delta} to the blocksAtop of every live ancestor of {@code seq}: moves the spine
     * so that it ends at {@code seq}'s parent, then bumps the spine's counter.
     */
    private void addToAncestorsOf(int seq, int delta) {
        int p = liveParent(seq);
        if (p < 0) {
            return;
        }
        if (onSpine(p)) {
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
                int sa = slot(a);
                val[sa] -= spineAdds;
                flags[sa] |= ON_SPINE;
                spinePushTop(a);
            }
        }
        spineAdds += delta;
    }

    private void materialize(int seq) {
        int s = slot(seq);
        val[s] += spineAdds;
        flags[s] &= ~ON_SPINE;
    }

    /** Removes the oldest entry (its row left the window) and returns it, for undo. */
    D3Entry evictOldest(int chain) {
        int x = lo;
        D3Entry e = entry(chain, x);
        int s = slot(x);
        if ((flags[s] & ON_SPINE) != 0) {
            spinePopBottom();
        }
        if (children[s] > 0) {
            evictedParents.put(x, new EvictedParent(e.hStar(), children[s]));
        }
        if ((flags[s] & HAS_PARENT) != 0) {
            releaseEvictedParent(parentSeq(x));
        }
        index.remove(x);
        lo++;
        return e;
    }

    private void releaseEvictedParent(int p) {
        EvictedParent ep = evictedParents.get(p);
        if (--ep.children == 0) {
            evictedParents.remove(p);
        }
    }

    // ---- disconnect ----

    /** Removes the newest entry, which has no descendants: the exact inverse of {@link #add}. */
    void removeNewest() {
        int n = hi - 1;
        int s = slot(n);
        if (val[s] + ((flags[s] & ON_SPINE) != 0 ? spineAdds : 0) != 0) {
            throw new IllegalStateException("the newest entry has descendants");
        }
        if ((flags[s] & ON_SPINE) != 0) {
            if (spinePopTop() != n) {
                throw new IllegalStateException("spine out of order");
            }
        }
        if ((flags[s] & HAS_PARENT) != 0) {
            int p = parentSeq(n);
            if (p < lo) {
                throw new IllegalStateException("the parent of the newest entry left the window");
            }
            addToAncestorsOf(n, -1);
            children[slot(p)]--;
        }
        index.remove(n);
        hi--;
    }

    /** Puts back the entry that {@link #evictOldest} removed (the newest entries were removed first). */
    void restoreOldest(D3Entry e) {
        ensureCapacity(size() + 1);
        int x = lo - 1;
        int s = slot(x);
        for (int w = 0; w < 4; w++) {
            words[s * 4 + w] = e.hStar().word(w);
        }
        height[s] = e.height();
        ref[s] = (char) e.prevBlockRef();
        flags[s] = e.prevSideBlockHash().isPresent() ? HAS_PARENT : 0;
        EvictedParent self = evictedParents.remove(x);
        children[s] = self == null ? 0 : self.children;
        if (e.prevSideBlockHash().isPresent()) {
            int p = x - 1 - e.prevBlockRef();
            evictedParents.computeIfAbsent(p, k -> new EvictedParent(e.prevSideBlockHash().get(), 0)).children++;
        }
        lo--;
        index.insert(x);
        // the spine must start at a root: if x is the parent of its bottom, x goes under it
        if (spineSize > 0 && liveParent(spineBottom()) == x) {
            val[s] = e.blocksAtop() - spineAdds;
            flags[s] |= ON_SPINE;
            spinePushBottom(x);
        } else {
            val[s] = e.blocksAtop();
        }
    }

    // ---- storage ----

    private void ensureCapacity(int needed) {
        if (needed <= cap) {
            return;
        }
        int newCap = (int) Math.min(Math.max((long) cap * 2, needed), Math.max(window, needed));
        long[] nw = new long[newCap * 4];
        int[] nh = new int[newCap];
        char[] nr = new char[newCap];
        byte[] nf = new byte[newCap];
        int[] nv = new int[newCap];
        int[] nc = new int[newCap];
        for (int seq = lo; seq < hi; seq++) {
            int o = slot(seq);
            int t = seq % newCap;
            System.arraycopy(words, o * 4, nw, t * 4, 4);
            nh[t] = height[o];
            nr[t] = ref[o];
            nf[t] = flags[o];
            nv[t] = val[o];
            nc[t] = children[o];
        }
        int[] ns = new int[newCap];
        for (int i = 0; i < spineSize; i++) {
            ns[i] = spine[(spineHead + i) % spine.length];
        }
        words = nw;
        height = nh;
        ref = nr;
        flags = nf;
        val = nv;
        children = nc;
        spine = ns;
        spineHead = 0;
        cap = newCap;
        index.resize(newCap);
    }

    private int spineTop() {
        return spine[(spineHead + spineSize - 1) % spine.length];
    }

    private int spineBottom() {
        return spine[spineHead];
    }

    private void spinePushTop(int seq) {
        spine[(spineHead + spineSize) % spine.length] = seq;
        spineSize++;
    }

    private int spinePopTop() {
        int t = spineTop();
        spineSize--;
        return t;
    }

    private void spinePushBottom(int seq) {
        spineHead = (spineHead - 1 + spine.length) % spine.length;
        spine[spineHead] = seq;
        spineSize++;
    }

    private void spinePopBottom() {
        spineHead = (spineHead + 1) % spine.length;
        spineSize--;
    }

    /** Live entries, oldest first. */
    List<Integer> seqs() {
        List<Integer> out = new ArrayList<>(size());
        for (int seq = lo; seq < hi; seq++) {
            out.add(seq);
        }
        return out;
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
