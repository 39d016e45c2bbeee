package org.sidechains.bmm.bitcoinj.prevout;

import java.util.Optional;
import org.bitcoinj.core.TransactionOutPoint;

/**
 * Where the scripts of spent outputs come from: the node's own output index (with undo) when it is
 * fed whole blocks, or bitcoind's {@code getblock} verbosity 3 when it follows bitcoind by RPC.
 */
@FunctionalInterface
public interface PrevoutSource {
    /** The unspent output at {@code outpoint}, if this source knows it. */
    Optional<Prevout> find(TransactionOutPoint outpoint);

    /** A source that knows nothing. */
    static PrevoutSource none() {
        return outpoint -> Optional.empty();
    }
}
