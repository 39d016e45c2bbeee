package org.sidechains.bmm.regtest.embedded;

import java.util.Arrays;
import java.util.Objects;
import org.bitcoinj.base.Coin;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.tx.Dust;

/**
 * An output in the UTXO set, as bitcoind's {@code Coin}: value, script, the height of the block
 * that created it and whether a coinbase did (for maturity).
 */
public record UnspentOutput(Coin value, byte[] scriptPubKey, int height, boolean coinbase) {
    /** The height bitcoind gives outputs of mempool transactions. */
    public static final int MEMPOOL_HEIGHT = 0x7FFFFFFF;
    /** bitcoind's MAX_SCRIPT_SIZE: a longer script cannot be executed, so its output is unspendable. */
    static final int MAX_SCRIPT_SIZE = 10_000;

    public UnspentOutput {
        Objects.requireNonNull(value, "value");
        scriptPubKey = scriptPubKey.clone();
    }

    @Override
    public byte[] scriptPubKey() {
        return scriptPubKey.clone();
    }

    /** As OP_CBV checks, BlockWithPrevouts and a bribe pool want it (a mempool output's height is not known). */
    public Prevout prevout() {
        return height == MEMPOOL_HEIGHT ? new Prevout(value, scriptPubKey) : Prevout.madeAt(value, scriptPubKey, height, coinbase);
    }

    /** bitcoind's IsUnspendable: never added to the UTXO set (OP_RETURN, or over 10,000 bytes). */
    static boolean unspendable(byte[] script) {
        return Dust.unspendable(script);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnspentOutput u && value.equals(u.value) && height == u.height && coinbase == u.coinbase
                && Arrays.equals(scriptPubKey, u.scriptPubKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value, height, coinbase) * 31 + Arrays.hashCode(scriptPubKey);
    }

    @Override
    public String toString() {
        return "UnspentOutput[" + value.toFriendlyString() + ", height " + height + (coinbase ? ", coinbase]" : "]");
    }
}
