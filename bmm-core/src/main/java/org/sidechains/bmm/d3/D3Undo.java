package org.sidechains.bmm.d3;

import java.util.List;

/**
 * What {@link D3#disconnect} needs to undo {@link D3#connect} of the block at {@code height}: the
 * row that left the window ({@code evictedCbIndex} is -1 when no row left or it had no M7). Plain
 * values, so callers may keep it with the block (by hash) and serialize it.
 *
 * <p>{@code evicted} is an immutable list; the one {@link D3#connect} returns keeps the entries as
 * primitives and builds each {@link D3Entry} when it is read. Two undos are equal when their
 * height, cbIndex and entries are equal, whatever list holds the entries.
 */
public record D3Undo(int height, int evictedCbIndex, List<D3Entry> evicted) {
    public D3Undo {
        evicted = EvictedRow.copyOf(evicted);
    }
}
