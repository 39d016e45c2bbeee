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

    /**
     * Whether this source knows every unspent output, so that an outpoint it does not know is
     * missing. A source that keeps only the outputs whose spend can run OP_CBV answers false: an
     * outpoint it does not know runs no OP_CBV.
     */
    default boolean complete() {
        return true;
    }

    /** A source that knows nothing. */
    PrevoutSource NONE = outpoint -> Optional.empty();

    /** {@link #NONE}. */
    static PrevoutSource none() {
        return NONE;
    }
}
