package org.sidechains.bmm.bitcoinj.pool;

import java.util.Objects;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.StoredBlock;
import org.sidechains.bmm.m8.M8Tag;

/**
 * The mainchain tip a {@link BribePool} works on: the pool admits bribes for the block at
 * {@code height + 1}. Two tips are the same only if height and hash both are (a reorg to another
 * block at the same height is a new tip).
 */
public record Tip(int height, Sha256Hash hash) {
    public Tip {
        if (height < 0) {
            throw new IllegalArgumentException("height must be >= 0, got " + height);
        }
        Objects.requireNonNull(hash, "hash");
    }

    public static Tip of(StoredBlock head) {
        return new Tip(head.getHeight(), head.getHeader().getHash());
    }

    /** The mainAnchor an M8 must carry to be included in the next block: (height + 1) mod 65536. */
    public int nextAnchor() {
        return M8Tag.anchorFor(height + 1L);
    }

    @Override
    public String toString() {
        return height + "/" + hash;
    }
}
