package org.sidechains.bmm.m7;

import java.util.List;
import org.sidechains.bmm.base.MiniHeader;

/** The M7 that counts in a coinbase: the first output that is an M7, and its index (cbIndex). */
public record CoinbaseM7(int cbIndex, M7 m7) {
    public CoinbaseM7 {
        if (cbIndex < 0) {
            throw new IllegalArgumentException("cbIndex must be >= 0, got " + cbIndex);
        }
    }

    public static CoinbaseM7 of(int cbIndex, List<MiniHeader> entries) {
        return new CoinbaseM7(cbIndex, new M7(entries));
    }

    public List<MiniHeader> entries() {
        return m7.entries();
    }
}
