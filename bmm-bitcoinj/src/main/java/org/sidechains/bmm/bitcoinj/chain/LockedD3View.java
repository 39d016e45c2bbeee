package org.sidechains.bmm.bitcoinj.chain;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.locks.Lock;
import java.util.function.Supplier;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.d3.D3Entry;
import org.sidechains.bmm.d3.D3Row;
import org.sidechains.bmm.d3.D3View;

/** A read-only D3 that takes its owner's lock for every call, so application threads can read it. */
public final class LockedD3View implements D3View {
    private final D3View d3;
    private final Lock lock;

    public LockedD3View(D3View d3, Lock lock) {
        this.d3 = d3;
        this.lock = lock;
    }

    /** Runs {@code read} under {@code lock}. */
    static <T> T underLock(Lock lock, Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }

    private <T> T locked(Supplier<T> read) {
        return underLock(lock, read);
    }

    @Override
    public int tipHeight() {
        return locked(d3::tipHeight);
    }

    @Override
    public int window() {
        return d3.window();
    }

    @Override
    public List<D3Row> rows() {
        return locked(d3::rows);
    }

    @Override
    public Optional<D3Row> row(int height) {
        return locked(() -> d3.row(height));
    }

    @Override
    public List<D3Entry> lookup(int chain, Hash32 hStar) {
        return locked(() -> d3.lookup(chain, hStar));
    }

    @Override
    public OptionalInt blocksAtop(int chain, Hash32 hStar) {
        return locked(() -> d3.blocksAtop(chain, hStar));
    }

    @Override
    public boolean hasEntry(int chain, Hash32 hStar, int prevBlockRef, int minAtop) {
        return locked(() -> d3.hasEntry(chain, hStar, prevBlockRef, minAtop));
    }

    @Override
    public boolean hasEntryWithParent(int chain, Hash32 hStar, Hash32 prevSideBlockHash, int minAtop) {
        return locked(() -> d3.hasEntryWithParent(chain, hStar, prevSideBlockHash, minAtop));
    }

    @Override
    public Optional<Hash32> prevSideBlockHashFor(int chain, int prevBlockRef) {
        return locked(() -> d3.prevSideBlockHashFor(chain, prevBlockRef));
    }

    @Override
    public OptionalInt prevBlockRefFor(int chain, Hash32 prevSideBlockHash) {
        return locked(() -> d3.prevBlockRefFor(chain, prevSideBlockHash));
    }
}
