package org.sidechains.bmm.bitcoinj.mainchain;

import java.util.Objects;
import java.util.Optional;
import org.bitcoinj.base.Sha256Hash;

/**
 * What {@code getblockheader hash true} says of a block.
 *
 * @param confirmations 1 for the tip, more below it, -1 when the block is not on the active chain
 *                      (bitcoind's convention)
 * @param prevHash      empty for genesis
 */
public record HeaderInfo(Sha256Hash hash, int height, Optional<Sha256Hash> prevHash, int confirmations) {
    public HeaderInfo {
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(prevHash, "prevHash");
        if (height < 0) {
            throw new IllegalArgumentException("height must be >= 0, got " + height);
        }
    }

    /** Whether the block is on the node's active chain. */
    public boolean active() {
        return confirmations >= 1;
    }
}
