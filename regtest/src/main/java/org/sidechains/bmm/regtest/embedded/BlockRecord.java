package org.sidechains.bmm.regtest.embedded;

import java.math.BigInteger;
import java.util.Objects;
import java.util.Optional;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;

/**
 * A stored block and what the chain knows of it, for {@code getblock} and {@code getblockheader}.
 *
 * @param block          a copy of the block (with witnesses)
 * @param confirmations  1 for the tip, more below it, -1 off the active chain (bitcoind's convention)
 * @param next           the next block on the active chain, if this one is on it and not the tip
 * @param undo           what the block spent, when it has been connected at least once (bitcoind's
 *                       undo data): fees and prevouts of {@code getblock} 2 and 3 come from it
 */
public record BlockRecord(Sha256Hash hash, int height, Block block, BigInteger chainWork, long medianTimePast,
                          int confirmations, Optional<Sha256Hash> previous, Optional<Sha256Hash> next,
                          Optional<BlockUndo> undo) {
    public BlockRecord {
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(block, "block");
        Objects.requireNonNull(chainWork, "chainWork");
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(next, "next");
        Objects.requireNonNull(undo, "undo");
    }
}
