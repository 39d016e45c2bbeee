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
    private final Supplier<? extends D3View> current;
    private final Lock lock;

    public LockedD3View(D3View d3, Lock lock) {
        this(() -> d3, lock);
    }

    /** Over whatever D3 its owner holds at each call (one it may replace, under {@code lock}). */
    public LockedD3View(Supplier<? extends D3View> current, Lock lock) {
        this.current = current;
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
        return locked(() -> current.get().tipHeight());
    }

    @Override
    public int window() {
        return locked(() -> current.get().window());
    }

    @Override
    public List<D3Row> rows() {
        return locked(() -> current.get().rows());
    }

    @Override
    public Optional<D3Row> row(int height) {
        return locked(() -> current.get().row(height));
    }

    @Override
    public List<D3Entry> lookup(int chain, Hash32 hStar) {
        return locked(() -> current.get().lookup(chain, hStar));
    }

    @Override
    public OptionalInt blocksAtop(int chain, Hash32 hStar) {
        return locked(() -> current.get().blocksAtop(chain, hStar));
    }

    @Override
    public boolean hasEntry(int chain, Hash32 hStar, int prevBlockRef, int minAtop) {
        return locked(() -> current.get().hasEntry(chain, hStar, prevBlockRef, minAtop));
    }

    @Override
    public boolean hasEntryWithParent(int chain, Hash32 hStar, Hash32 prevSideBlockHash, int minAtop) {
        return locked(() -> current.get().hasEntryWithParent(chain, hStar, prevSideBlockHash, minAtop));
    }

    @Override
    public Optional<Hash32> prevSideBlockHashFor(int chain, int prevBlockRef) {
        return locked(() -> current.get().prevSideBlockHashFor(chain, prevBlockRef));
    }

    @Override
    public OptionalInt prevBlockRefFor(int chain, Hash32 prevSideBlockHash) {
        return locked(() -> current.get().prevBlockRefFor(chain, prevSideBlockHash));
    }
}
