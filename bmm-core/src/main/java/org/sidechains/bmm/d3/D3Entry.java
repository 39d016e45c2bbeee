package org.sidechains.bmm.d3;

import java.util.Objects;
import java.util.Optional;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;

/**
 * One D3 entry: a sidechain's (h*, prevBlockRef) in one main:block, its derived parent hash and
 * its blocksAtop (the number of entries in the window that have it as an ancestor).
 */
public record D3Entry(int chain, int height, Hash32 hStar, int prevBlockRef,
                      Optional<Hash32> prevSideBlockHash, int blocksAtop) {
    public D3Entry {
        Objects.requireNonNull(hStar, "hStar");
        Objects.requireNonNull(prevSideBlockHash, "prevSideBlockHash");
    }

    public MiniHeader miniHeader() {
        return new MiniHeader(chain, hStar, prevBlockRef);
    }
}
