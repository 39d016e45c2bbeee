package org.sidechains.bmm.d3;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.RandomAccess;
import org.sidechains.bmm.base.Hash32;

/**
 * The entries a connect evicted ({@link D3Undo#evicted()}), as one array of primitives instead of
 * a {@link D3Entry}, two {@link Hash32} and an {@link Optional} per entry: connect writes them
 * and disconnect reads them without allocating per entry. An immutable {@code List<D3Entry>}: the
 * entries are built when read, and it equals any list of equal entries.
 */
final class EvictedRow extends AbstractList<D3Entry> implements RandomAccess {
    /** Per entry: h* (4 words), parent h* (4 words, 0 without a parent), height|blocksAtop, chain|prevBlockRef, has parent. */
    private static final int STRIDE = 11;

    static final EvictedRow EMPTY = new EvictedRow(0);

    private final long[] data;
    private final int size;
    /** Chains are valid and strictly ascending (always so in the rows connect writes). */
    private final boolean ascending;

    /** A row for connect to fill with {@link #set}, in ascending chain order. */
    EvictedRow(int size) {
        this(new long[size * STRIDE], size, true);
    }

    private EvictedRow(long[] data, int size, boolean ascending) {
        this.data = data;
        this.size = size;
        this.ascending = ascending;
    }

    /** The same entries as an EvictedRow ({@code entries} itself if it is one). */
    static EvictedRow copyOf(List<D3Entry> entries) {
        if (entries instanceof EvictedRow r) {
            return r;
        }
        EvictedRow r = new EvictedRow(entries.size());
        int i = 0;
        for (D3Entry e : entries) {
            Hash32 h = e.hStar();
            Optional<Hash32> p = e.prevSideBlockHash();
            if (p.isPresent()) {
                Hash32 ph = p.get();
                r.set(i, e.chain(), e.height(), h.word(0), h.word(1), h.word(2), h.word(3), e.prevBlockRef(), true,
                        ph.word(0), ph.word(1), ph.word(2), ph.word(3), e.blocksAtop());
            } else {
                r.set(i, e.chain(), e.height(), h.word(0), h.word(1), h.word(2), h.word(3), e.prevBlockRef(), false,
                        0, 0, 0, 0, e.blocksAtop());
            }
            i++;
        }
        if (i != r.size) {
            throw new IllegalArgumentException("the list changed while it was copied");
        }
        boolean ascending = true;
        int prev = -1;
        for (int k = 0; k < r.size && ascending; k++) {
            int c = r.chain(k);
            ascending = c > prev && c <= 255;
            prev = c;
        }
        return new EvictedRow(r.data, r.size, ascending);
    }

    void set(int i, int chain, int height, long w0, long w1, long w2, long w3, int prevBlockRef,
             boolean hasParent, long p0, long p1, long p2, long p3, int blocksAtop) {
        int b = i * STRIDE;
        data[b] = w0;
        data[b + 1] = w1;
        data[b + 2] = w2;
        data[b + 3] = w3;
        data[b + 4] = p0;
        data[b + 5] = p1;
        data[b + 6] = p2;
        data[b + 7] = p3;
        data[b + 8] = (long) height << 32 | (blocksAtop & 0xFFFFFFFFL);
        data[b + 9] = (long) chain << 32 | (prevBlockRef & 0xFFFFFFFFL);
        data[b + 10] = hasParent ? 1 : 0;
    }

    long word(int i, int w) {
        return data[i * STRIDE + w];
    }

    long parentWord(int i, int w) {
        return data[i * STRIDE + 4 + w];
    }

    int height(int i) {
        return (int) (data[i * STRIDE + 8] >>> 32);
    }

    int blocksAtop(int i) {
        return (int) data[i * STRIDE + 8];
    }

    int chain(int i) {
        return (int) (data[i * STRIDE + 9] >>> 32);
    }

    int prevBlockRef(int i) {
        return (int) data[i * STRIDE + 9];
    }

    boolean hasParent(int i) {
        return data[i * STRIDE + 10] != 0;
    }

    /** Whether the entries' chains are valid ChainIndexes in strictly ascending order (as connect writes them). */
    boolean chainsAscending() {
        return ascending;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public D3Entry get(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("index " + i + ", size " + size);
        }
        Optional<Hash32> parent = hasParent(i)
                ? Optional.of(Hash32.fromLongs(parentWord(i, 0), parentWord(i, 1), parentWord(i, 2), parentWord(i, 3)))
                : Optional.empty();
        return new D3Entry(chain(i), height(i), Hash32.fromLongs(word(i, 0), word(i, 1), word(i, 2), word(i, 3)),
                prevBlockRef(i), parent, blocksAtop(i));
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof EvictedRow r) {
            // same layout, and the parent's words are 0 when there is none: equal arrays <=> equal entries
            return Arrays.equals(data, r.data);
        }
        return super.equals(o);
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }
}
