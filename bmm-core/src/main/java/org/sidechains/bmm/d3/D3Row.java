package org.sidechains.bmm.d3;

import java.util.List;

/** One D3 row: a main:block's height, its M7's coinbase output index, and its entries by chain. */
public record D3Row(int height, int cbIndex, List<D3Entry> entries) {
    public D3Row {
        entries = List.copyOf(entries);
    }
}
