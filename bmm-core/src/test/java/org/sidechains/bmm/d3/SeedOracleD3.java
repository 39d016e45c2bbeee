package org.sidechains.bmm.d3;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.m7.CoinbaseM7;

/**
 * The seed's own D3 algorithm, kept as the test oracle: "set the new entry to a BlocksAtop value
 * of 0, and then scroll backwards through all of the prevSideBlockHashes and add 1 to everything
 * in this chain". One object per entry, a walk to the root per new entry. Connect only.
 */
public final class SeedOracleD3 {
    private static final class Entry {
        final int chain;
        final int height;
        final Hash32 hStar;
        final int prevBlockRef;
        final Entry parent;
        final Optional<Hash32> prevSideBlockHash;
        int blocksAtop;
        boolean live = true;

        Entry(int chain, int height, Hash32 hStar, int prevBlockRef, Entry parent) {
            this.chain = chain;
            this.height = height;
            this.hStar = hStar;
            this.prevBlockRef = prevBlockRef;
            this.parent = parent;
            this.prevSideBlockHash = parent == null ? Optional.empty() : Optional.of(parent.hStar);
        }
    }

    private final int window;
    @SuppressWarnings("unchecked")
    private final Deque<Entry>[] byChain = new Deque[256];
    private final TreeMap<Integer, Integer> cbIndexByHeight = new TreeMap<>();
    private int tip = -1;

    public SeedOracleD3(int window) {
        this.window = window;
    }

    public void connect(int height, Optional<CoinbaseM7> m7) {
        int leaving = height - window;
        for (Deque<Entry> q : byChain) {
            while (q != null && !q.isEmpty() && q.peekFirst().height <= leaving) {
                q.pollFirst().live = false;
            }
        }
        cbIndexByHeight.headMap(leaving, true).clear();
        cbIndexByHeight.put(height, m7.map(CoinbaseM7::cbIndex).orElse(-1));
        if (m7.isPresent()) {
            for (MiniHeader mh : m7.get().entries()) {
                Deque<Entry> q = byChain[mh.chain()];
                if (q == null) {
                    q = new ArrayDeque<>();
                    byChain[mh.chain()] = q;
                }
                Entry parent = null;
                if (mh.prevBlockRef() < q.size()) {
                    var it = q.descendingIterator();
                    for (int i = 0; i < mh.prevBlockRef(); i++) {
                        it.next();
                    }
                    parent = it.next();
                }
                Entry e = new Entry(mh.chain(), height, mh.hStar(), mh.prevBlockRef(), parent);
                q.addLast(e);
                for (Entry a = parent; a != null && a.live; a = a.parent) {
                    a.blocksAtop++;
                }
            }
        }
        tip = height;
    }

    /**
     * An oracle in the state a full replay would reach, built from rows (for example a D3's, which
     * the property tests show equal to the oracle's) without the ancestor walks, so that a
     * benchmark can time the oracle's connect at a full window without first paying for the
     * millions of walks that fill it. Entries whose parent already left get a stand-in parent.
     */
    public static SeedOracleD3 seeded(int window, int tipHeight, List<D3Row> rows) {
        SeedOracleD3 o = new SeedOracleD3(window);
        for (D3Row row : rows) {
            o.cbIndexByHeight.put(row.height(), row.cbIndex());
            for (D3Entry e : row.entries()) {
                Deque<Entry> q = o.byChain[e.chain()];
                if (q == null) {
                    q = new ArrayDeque<>();
                    o.byChain[e.chain()] = q;
                }
                Entry parent = null;
                if (e.prevSideBlockHash().isPresent()) {
                    if (e.prevBlockRef() < q.size()) {
                        var it = q.descendingIterator();
                        for (int i = 0; i < e.prevBlockRef(); i++) {
                            it.next();
                        }
                        parent = it.next();
                    } else {
                        parent = new Entry(e.chain(), -1, e.prevSideBlockHash().get(), 0, null);
                        parent.live = false;
                    }
                }
                Entry x = new Entry(e.chain(), e.height(), e.hStar(), e.prevBlockRef(), parent);
                x.blocksAtop = e.blocksAtop();
                q.addLast(x);
            }
        }
        o.tip = tipHeight;
        return o;
    }

    public int tipHeight() {
        return tip;
    }

    /** The rows that hold entries, in the shape {@link D3#rows()} returns. */
    public List<D3Row> rows() {
        TreeMap<Integer, List<D3Entry>> rows = new TreeMap<>();
        for (Deque<Entry> q : byChain) {
            if (q == null) {
                continue;
            }
            for (Entry e : q) {
                rows.computeIfAbsent(e.height, h -> new ArrayList<>()).add(
                        new D3Entry(e.chain, e.height, e.hStar, e.prevBlockRef, e.prevSideBlockHash, e.blocksAtop));
            }
        }
        List<D3Row> out = new ArrayList<>();
        rows.forEach((h, es) -> out.add(new D3Row(h, cbIndexByHeight.get(h), es)));
        return out;
    }
}
