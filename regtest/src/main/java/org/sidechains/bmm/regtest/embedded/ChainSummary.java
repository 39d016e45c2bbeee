package org.sidechains.bmm.regtest.embedded;

import java.math.BigInteger;
import java.util.Objects;
import org.bitcoinj.base.Sha256Hash;

/**
 * The active tip and the chain's state, for {@code getblockchaininfo}.
 *
 * @param headers          the height of the most-work valid block known (equal to the tip's: only
 *                         whole blocks are stored)
 * @param initialDownload  bitcoind's latch: true until the tip is younger than 24 hours
 * @param sizeOnDisk       what the blocks would take in bitcoind's block files (8 bytes each more)
 */
public record ChainSummary(Sha256Hash tip, int height, int headers, long bits, long time, long medianTimePast,
                           BigInteger chainWork, boolean initialDownload, long sizeOnDisk) {
    public ChainSummary {
        Objects.requireNonNull(tip, "tip");
        Objects.requireNonNull(chainWork, "chainWork");
    }
}
