package org.sidechains.bmm.bitcoinj.prevout;

import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalInt;
import org.bitcoinj.base.Coin;

/**
 * A spent output: its value and scriptPubKey (what OP_CBV checking needs) and, where the source
 * knows them, the height of the block that made it and whether that block's coinbase did (what a
 * miner needs to know whether a spend can go into its next block: coinbase maturity, BIP68).
 *
 * @param height   the height of the block that made the output, or {@link #UNKNOWN_HEIGHT}
 * @param coinbase whether that block's coinbase made it (only with a known height)
 */
public record Prevout(Coin value, byte[] scriptPubKey, int height, boolean coinbase) {
    /** The source does not say where the output was made (or it is not confirmed). */
    public static final int UNKNOWN_HEIGHT = -1;

    public Prevout {
        Objects.requireNonNull(value, "value");
        scriptPubKey = scriptPubKey.clone();
        if (height < UNKNOWN_HEIGHT) {
            throw new IllegalArgumentException("height must be >= 0 (or UNKNOWN_HEIGHT), got " + height);
        }
        if (coinbase && height == UNKNOWN_HEIGHT) {
            throw new IllegalArgumentException("a coinbase output's height must be known");
        }
    }

    /** An output of unknown origin: enough for OP_CBV. */
    public Prevout(Coin value, byte[] scriptPubKey) {
        this(value, scriptPubKey, UNKNOWN_HEIGHT, false);
    }

    /** An output made at {@code height}, by that block's coinbase or not. */
    public static Prevout madeAt(Coin value, byte[] scriptPubKey, int height, boolean coinbase) {
        if (height < 0) {
            throw new IllegalArgumentException("height must be >= 0, got " + height);
        }
        return new Prevout(value, scriptPubKey, height, coinbase);
    }

    /** The height of the block that made the output, when the source knows it. */
    public OptionalInt confirmedAt() {
        return height == UNKNOWN_HEIGHT ? OptionalInt.empty() : OptionalInt.of(height);
    }

    @Override
    public byte[] scriptPubKey() {
        return scriptPubKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Prevout p && value.equals(p.value) && height == p.height && coinbase == p.coinbase
                && Arrays.equals(scriptPubKey, p.scriptPubKey);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * value.hashCode() + Arrays.hashCode(scriptPubKey)) + height;
    }

    @Override
    public String toString() {
        return "Prevout[" + value.toFriendlyString() + ", " + java.util.HexFormat.of().formatHex(scriptPubKey)
                + (height == UNKNOWN_HEIGHT ? "" : ", made at " + height + (coinbase ? " by the coinbase" : "")) + "]";
    }
}
