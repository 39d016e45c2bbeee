package org.sidechains.bmm.d3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.m7.CoinbaseM7;

class D3ConversionsTest {
    static Hash32 h(int b) {
        byte[] x = new byte[32];
        Arrays.fill(x, (byte) b);
        return Hash32.wrap(x);
    }

    static Optional<CoinbaseM7> m7(MiniHeader... es) {
        return Optional.of(CoinbaseM7.of(0, List.of(es)));
    }

    @Test
    void bothConversionsForTheNextBlock() {
        D3 d3 = D3.create(8000);
        d3.connect(10, m7(new MiniHeader(5, h(1), 0)));
        d3.connect(11, Optional.empty());
        d3.connect(12, m7(new MiniHeader(5, h(2), 0)));
        d3.connect(13, m7(new MiniHeader(5, h(3), 0)));
        assertEquals(Optional.of(h(3)), d3.prevSideBlockHashFor(5, 0));
        assertEquals(Optional.of(h(1)), d3.prevSideBlockHashFor(5, 2));
        assertEquals(Optional.empty(), d3.prevSideBlockHashFor(5, 3));
        assertEquals(Optional.empty(), d3.prevSideBlockHashFor(6, 0));
        assertEquals(OptionalInt.of(0), d3.prevBlockRefFor(5, h(3)));
        assertEquals(OptionalInt.of(2), d3.prevBlockRefFor(5, h(1)));
        assertEquals(OptionalInt.empty(), d3.prevBlockRefFor(5, h(9)));
        // the conversions are inverse
        for (int r = 0; r < 3; r++) {
            assertEquals(OptionalInt.of(r), d3.prevBlockRefFor(5, d3.prevSideBlockHashFor(5, r).orElseThrow()));
        }
    }

    @Test
    void conversionsSkipTheRowThatLeavesWithTheNextBlock() {
        D3 d3 = D3.create(3);
        d3.connect(0, m7(new MiniHeader(0, h(1), 0)));
        d3.connect(1, m7(new MiniHeader(0, h(2), 0)));
        d3.connect(2, m7(new MiniHeader(0, h(3), 0)));
        // block 3 evicts row 0 before its entries are added: h(1) is no longer a candidate
        assertEquals(Optional.of(h(2)), d3.prevSideBlockHashFor(0, 1));
        assertEquals(Optional.empty(), d3.prevSideBlockHashFor(0, 2));
        assertEquals(OptionalInt.empty(), d3.prevBlockRefFor(0, h(1)));
        d3.connect(3, m7(new MiniHeader(0, h(4), 1)));
        assertEquals(Optional.of(h(2)), d3.lookup(0, h(4)).get(0).prevSideBlockHash());
    }

    @Test
    void lookupsAndOpCbvQueries() {
        D3 d3 = D3.create(8000);
        d3.connect(0, m7(new MiniHeader(1, h(1), 0)));
        d3.connect(1, m7(new MiniHeader(1, h(2), 0)));
        d3.connect(2, m7(new MiniHeader(1, h(3), 0)));
        assertEquals(OptionalInt.of(2), d3.blocksAtop(1, h(1)));
        assertEquals(OptionalInt.empty(), d3.blocksAtop(2, h(1)));
        assertTrue(d3.hasEntry(1, h(1), 0, 2));
        assertFalse(d3.hasEntry(1, h(1), 0, 3));
        assertFalse(d3.hasEntry(1, h(1), 1, 0));
        assertTrue(d3.hasEntryWithParent(1, h(2), h(1), 1));
        assertFalse(d3.hasEntryWithParent(1, h(1), h(1), 0));
        assertEquals(1, d3.lookup(1, h(2)).get(0).height());
    }

    @Test
    void theSameHStarTwiceIsTwoEntries() {
        D3 d3 = D3.create(8000);
        d3.connect(0, m7(new MiniHeader(1, h(7), 0)));
        d3.connect(1, m7(new MiniHeader(1, h(7), 0)));
        List<D3Entry> both = d3.lookup(1, h(7));
        assertEquals(2, both.size());
        assertEquals(1, both.get(0).blocksAtop());
        assertEquals(Optional.of(h(7)), both.get(1).prevSideBlockHash());
        assertEquals(OptionalInt.of(0), d3.prevBlockRefFor(1, h(7)));
    }

    @Test
    void parentHashSurvivesTheParentsEviction() {
        D3 d3 = D3.create(2);
        d3.connect(0, m7(new MiniHeader(3, h(1), 0)));
        d3.connect(1, m7(new MiniHeader(3, h(2), 0)));
        d3.connect(2, Optional.empty()); // row 0 leaves; h(2) keeps its parent hash
        D3Entry e = d3.row(1).orElseThrow().entries().get(0);
        assertEquals(Optional.of(h(1)), e.prevSideBlockHash());
        assertEquals(0, e.blocksAtop());
    }

    @Test
    void rowsWithoutEntriesAreInTheWindowButNotListed() {
        D3 d3 = D3.create(8000);
        d3.connect(0, Optional.empty());
        d3.connect(1, Optional.of(CoinbaseM7.of(2, List.of())));
        d3.connect(2, Optional.of(CoinbaseM7.of(3, List.of(new MiniHeader(0, h(1), 0)))));
        assertEquals(1, d3.rows().size());
        assertEquals(3, d3.rows().get(0).cbIndex());
        assertEquals(2, d3.row(1).orElseThrow().cbIndex());
        assertEquals(-1, d3.row(0).orElseThrow().cbIndex());
        assertTrue(d3.row(3).isEmpty());
    }

    @Test
    void connectAndDisconnectCheckTheirHeights() {
        D3 d3 = D3.create(10);
        D3Undo u = d3.connect(5, m7(new MiniHeader(0, h(1), 0)));
        assertThrows(IllegalStateException.class, () -> d3.connect(7, Optional.empty()));
        D3Undo u6 = d3.connect(6, Optional.empty());
        assertThrows(IllegalStateException.class, () -> d3.disconnect(u));
        d3.disconnect(u6);
        d3.disconnect(u);
        assertEquals(-1, d3.tipHeight());
        assertTrue(d3.rows().isEmpty());
        d3.connect(3, Optional.empty());
        assertEquals(3, d3.tipHeight());
    }
}
