package org.sidechains.bmm.d3;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.sidechains.bmm.base.Hash32;

/** Read access to D3, for application code and for OP_CBV. */
public interface D3View {
    /** Height of the last connected block, or -1 when nothing is connected. */
    int tipHeight();

    /** Number of rows the window keeps (8000 on every network; smaller in tests). */
    int window();

    /** The rows that hold entries, oldest first, entries by chain. */
    List<D3Row> rows();

    /** The row at {@code height}, if it is in the window (it may have no entries). */
    Optional<D3Row> row(int height);

    /** Every entry of {@code chain} in the window whose h* is {@code hStar}, oldest first. */
    List<D3Entry> lookup(int chain, Hash32 hStar);

    /** The largest blocksAtop among the entries of {@code chain} with this h*, if any. */
    OptionalInt blocksAtop(int chain, Hash32 hStar);

    /** Whether some entry of the window has this chain, h* and prevBlockRef and at least {@code minAtop} blocksAtop. */
    boolean hasEntry(int chain, Hash32 hStar, int prevBlockRef, int minAtop);

    /** Whether some entry has this chain and h*, this prevSideBlockHash and at least {@code minAtop} blocksAtop. */
    boolean hasEntryWithParent(int chain, Hash32 hStar, Hash32 prevSideBlockHash, int minAtop);

    /** prevBlockRef -> prevSideBlockHash for an entry of the next block (tip + 1). */
    Optional<Hash32> prevSideBlockHashFor(int chain, int prevBlockRef);

    /**
     * prevSideBlockHash -> prevBlockRef for an entry of the next block (tip + 1), counted to the
     * newest entry with that h*; empty if no entry with it stays in the window for that block (an
     * h* only in the row that the next block evicts does not count).
     */
    OptionalInt prevBlockRefFor(int chain, Hash32 prevSideBlockHash);
}
