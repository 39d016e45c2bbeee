package org.sidechains.bmm.bitcoinj.mainchain;

import java.util.Objects;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;

/**
 * What {@code gettxout} says of an unspent output.
 *
 * @param bestBlock     the tip the answer was given at
 * @param confirmations 0 for a mempool output
 * @param output        value and script (as gettxout gives them: where it was made is in
 *                      {@code confirmations} and {@code coinbase})
 */
public record TxOutInfo(Sha256Hash bestBlock, int confirmations, Prevout output, boolean coinbase) {
    public TxOutInfo {
        Objects.requireNonNull(bestBlock, "bestBlock");
        Objects.requireNonNull(output, "output");
    }

    public Coin value() {
        return output.value();
    }
}
