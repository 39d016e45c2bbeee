package org.sidechains.bmm.bitcoinj.rpc;

import java.util.Objects;
import java.util.Optional;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.Sha256Hash;

/**
 * What {@code getblockchaininfo} says that this project uses.
 *
 * @param chain bitcoind's name: "main", "test", "signet", "regtest"
 */
public record BlockchainInfo(String chain, int blocks, int headers, Sha256Hash bestBlockHash,
                             boolean initialBlockDownload, boolean pruned) {
    public BlockchainInfo {
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(bestBlockHash, "bestBlockHash");
    }

    /** bitcoinj's network for {@link #chain}, if it knows the name. */
    public Optional<BitcoinNetwork> network() {
        return BitcoinNetwork.fromString(chain);
    }
}
