package org.sidechains.bmm.d3;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.m7.CoinbaseM7;

/**
 * RecentSidechains (protocol.md, "D3"): one row per main:block for the last {@code window}
 * blocks, at most one entry per ChainIndex in a row, each entry with its parent (derived from
 * prevBlockRef when it is added) and its blocksAtop.
 *
 * <p>Blocks are connected in height order and disconnected from the tip; {@link #disconnect}
 * takes the {@link D3Undo} that {@link #connect} returned and restores D3 exactly. Not
 * thread-safe: the owner (a chain, a miner) serializes access.
 */
public final class D3 implements D3View {
    private static final int NO_ROW = -2;

    private final int window;
    private final HStarHasher hasher = HStarHasher.random();
    private final ChainTrack[] chains = new ChainTrack[256];
    /** cbIndex of each row in the window (ring by height); -1 when the block had no M7. */
    private final int[] rowCbIndex;
    /** Scratch for connect and disconnect: chains, ascending. */
    private final int[] chainScratch = new int[256];
    /** Scratch for connect: per chain, its index in the undo while its oldest entry must still leave, else -1. */
    private final int[] undoIndex = new int[256];
    private int firstHeight = -1;
    private int tipHeight = -1;

    private D3(int window) {
        this.window = window;
        this.rowCbIndex = new int[window];
        Arrays.fill(rowCbIndex, NO_ROW);
        Arrays.fill(undoIndex, -1);
    }

    /** An empty D3 keeping {@code window} rows (8000 in the protocol). */
    public static D3 create(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1, got " + window);
        }
        return new D3(window);
    }

    @Override
    public int window() {
        return window;
    }

    @Override
    public int tipHeight() {
        return tipHeight;
    }

    /** Height of the oldest row in the window, or -1 when empty. */
    public int oldestHeight() {
        return tipHeight < 0 ? -1 : Math.max(firstHeight, tipHeight - window + 1);
    }

    /**
     * Connects the block at {@code height} (the tip + 1, or any height for the first block) with
     * its counting M7, if any: the row {@code height - window} leaves, then the entries are added.
     */
    public D3Undo connect(int height, Optional<CoinbaseM7> m7) {
        if (tipHeight >= 0 && height != tipHeight + 1) {
            throw new IllegalStateException("connect height " + height + " but the tip is " + tipHeight);
        }
        if (height < 0) {
            throw new IllegalArgumentException("height must be >= 0, got " + height);
        }
        if (tipHeight < 0) {
            firstHeight = height;
        }
        // Row `leaving` leaves, then the block's entries are added. Chains are independent, so
        // each chain's eviction is done right before its new entry (its memory is touched once,
        // with the new entry taking the evicted one's place in a full ring); the undo lists the
        // evicted entries by chain. The chains whose oldest entry leaves are found first, in a
        // loop of their own: its iterations are independent, so their cache misses overlap.
        int leaving = height - window;
        int evictedCb = -1;
        int leavingCount = 0;
        EvictedRow evicted = EvictedRow.EMPTY;
        if (leaving >= firstHeight) {
            evictedCb = Math.max(-1, rowCbIndex[leaving % window]);
            for (int c = 0; c < 256; c++) {
                ChainTrack t = chains[c];
                if (t != null && t.oldestIsAt(leaving)) {
                    undoIndex[c] = leavingCount;
                    chainScratch[leavingCount++] = c;
                }
            }
            if (leavingCount > 0) {
                evicted = new EvictedRow(leavingCount);
            }
        }
        rowCbIndex[height % window] = m7.isPresent() ? m7.get().cbIndex() : -1;
        if (m7.isPresent()) {
            List<MiniHeader> entries = m7.get().entries();
            int n = entries.size();
            for (int i = 0; i < n; i++) {
                MiniHeader e = entries.get(i);
                int c = e.chain();
                ChainTrack t = track(c);
                int u = undoIndex[c];
                if (u >= 0) {
                    t.evictOldest(c, evicted, u);
                    undoIndex[c] = -1;
                }
                Hash32 h = e.hStar();
                t.add(height, h.word(0), h.word(1), h.word(2), h.word(3), e.prevBlockRef());
            }
        }
        for (int i = 0; i < leavingCount; i++) {
            int c = chainScratch[i];
            int u = undoIndex[c];
            if (u >= 0) {
                chains[c].evictOldest(c, evicted, u);
                undoIndex[c] = -1;
            }
        }
        tipHeight = height;
        return new D3Undo(height, evictedCb, evicted);
    }

    /** Disconnects the tip block, given the undo its connect returned. */
    public void disconnect(D3Undo undo) {
        if (undo.height() != tipHeight || tipHeight < 0) {
            throw new IllegalStateException("undo is for height " + undo.height() + " but the tip is " + tipHeight);
        }
        rowCbIndex[tipHeight % window] = NO_ROW;
        int leaving = tipHeight - window;
        EvictedRow evicted = leaving >= firstHeight ? (EvictedRow) undo.evicted() : EvictedRow.EMPTY;
        if (leaving >= firstHeight) {
            rowCbIndex[leaving % window] = undo.evictedCbIndex();
        }
        // First the chains whose newest entry is in the tip's row, in a loop of their own: its
        // iterations are independent, so the 256 chains' cache misses overlap (in the loop below,
        // each chain's work would wait for its own).
        int k = 0;
        for (int c = 0; c < 256; c++) {
            ChainTrack t = chains[c];
            if (t != null && t.newestIsAt(tipHeight)) {
                chainScratch[k++] = c;
            }
        }
        if (evicted.chainsAscending()) {
            // chains are independent: per chain, its newest entry goes, then its evicted entry
            // comes back (both lists are by chain)
            int n = evicted.size();
            int i = 0;
            int j = 0;
            while (i < k || j < n) {
                int ci = i < k ? chainScratch[i] : 256;
                int cj = j < n ? evicted.chain(j) : 256;
                ChainTrack t = track(Math.min(ci, cj));
                if (ci <= cj) {
                    t.removeNewest();
                    i++;
                }
                if (cj <= ci) {
                    t.restoreOldest(evicted, j++);
                }
            }
        } else {
            // not an undo that connect made: all the newest entries go, then the list backwards
            for (int i = 0; i < k; i++) {
                chains[chainScratch[i]].removeNewest();
            }
            for (int i = evicted.size() - 1; i >= 0; i--) {
                track(evicted.chain(i)).restoreOldest(evicted, i);
            }
        }
        tipHeight--;
        if (tipHeight < firstHeight) {
            tipHeight = -1;
            firstHeight = -1;
        }
    }

    private ChainTrack track(int chain) {
        ChainTrack t = chains[chain];
        if (t == null) {
            t = new ChainTrack(window, hasher, chain);
            chains[chain] = t;
        }
        return t;
    }

    // ---- reads ----

    @Override
    public List<D3Row> rows() {
        TreeMap<Integer, List<D3Entry>> byHeight = new TreeMap<>();
        for (int c = 0; c < 256; c++) {
            ChainTrack t = chains[c];
            if (t == null) {
                continue;
            }
            for (int seq = t.oldestSeq(); seq <= t.newestSeq(); seq++) {
                byHeight.computeIfAbsent(t.heightOf(seq), h -> new ArrayList<>()).add(t.entry(c, seq));
            }
        }
        List<D3Row> rows = new ArrayList<>(byHeight.size());
        byHeight.forEach((h, es) -> rows.add(new D3Row(h, rowCbIndex[h % window], es)));
        return rows;
    }

    @Override
    public Optional<D3Row> row(int height) {
        if (tipHeight < 0 || height < oldestHeight() || height > tipHeight) {
            return Optional.empty();
        }
        List<D3Entry> es = new ArrayList<>();
        for (int c = 0; c < 256; c++) {
            ChainTrack t = chains[c];
            if (t != null && !t.isEmpty()) {
                int seq = t.seqAtHeight(height);
                if (seq >= 0) {
                    es.add(t.entry(c, seq));
                }
            }
        }
        return Optional.of(new D3Row(height, rowCbIndex[height % window], es));
    }

    /** Number of entries in the window. */
    public int entryCount() {
        int n = 0;
        for (ChainTrack t : chains) {
            n += t == null ? 0 : t.size();
        }
        return n;
    }

    @Override
    public List<D3Entry> lookup(int chain, Hash32 hStar) {
        ChainTrack t = chains[checkChain(chain)];
        if (t == null) {
            return List.of();
        }
        List<D3Entry> out = new ArrayList<>(1);
        t.anyMatch(hStar.word(0), hStar.word(1), hStar.word(2), hStar.word(3), seq -> {
            out.add(t.entry(chain, seq));
            return false;
        });
        out.sort((a, b) -> Integer.compare(a.height(), b.height()));
        return out;
    }

    @Override
    public OptionalInt blocksAtop(int chain, Hash32 hStar) {
        ChainTrack t = chains[checkChain(chain)];
        if (t == null) {
            return OptionalInt.empty();
        }
        int[] best = {-1};
        t.anyMatch(hStar.word(0), hStar.word(1), hStar.word(2), hStar.word(3), seq -> {
            best[0] = Math.max(best[0], t.blocksAtop(seq));
            return false;
        });
        return best[0] < 0 ? OptionalInt.empty() : OptionalInt.of(best[0]);
    }

    @Override
    public boolean hasEntry(int chain, Hash32 hStar, int prevBlockRef, int minAtop) {
        ChainTrack t = chains[checkChain(chain)];
        return t != null && t.anyMatch(hStar.word(0), hStar.word(1), hStar.word(2), hStar.word(3),
                seq -> t.refOf(seq) == prevBlockRef && t.blocksAtop(seq) >= minAtop);
    }

    @Override
    public boolean hasEntryWithParent(int chain, Hash32 hStar, Hash32 prevSideBlockHash, int minAtop) {
        ChainTrack t = chains[checkChain(chain)];
        return t != null && t.anyMatch(hStar.word(0), hStar.word(1), hStar.word(2), hStar.word(3),
                seq -> t.blocksAtop(seq) >= minAtop
                        && t.prevSideBlockHash(seq).map(prevSideBlockHash::equals).orElse(false));
    }

    @Override
    public Optional<Hash32> prevSideBlockHashFor(int chain, int prevBlockRef) {
        ChainTrack t = chains[checkChain(chain)];
        if (t == null || t.isEmpty()) {
            return Optional.empty();
        }
        int p = t.parentFor(tipHeight + 1, prevBlockRef);
        return p < 0 ? Optional.empty() : Optional.of(t.hashOf(p));
    }

    @Override
    public OptionalInt prevBlockRefFor(int chain, Hash32 prevSideBlockHash) {
        ChainTrack t = chains[checkChain(chain)];
        if (t == null || t.isEmpty()) {
            return OptionalInt.empty();
        }
        int first = t.firstSeqFor(tipHeight + 1);
        int[] newest = {-1};
        t.anyMatch(prevSideBlockHash.word(0), prevSideBlockHash.word(1), prevSideBlockHash.word(2),
                prevSideBlockHash.word(3), seq -> {
                    if (seq >= first) {
                        newest[0] = Math.max(newest[0], seq);
                    }
                    return false;
                });
        if (newest[0] < 0) {
            return OptionalInt.empty();
        }
        int r = t.nextSeq() - 1 - newest[0];
        return r > 0xFFFF ? OptionalInt.empty() : OptionalInt.of(r);
    }

    private static int checkChain(int chain) {
        if (chain < 0 || chain > 255) {
            throw new IllegalArgumentException("ChainIndex must be 0..255, got " + chain);
        }
        return chain;
    }
}
