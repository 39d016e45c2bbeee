package org.sidechains.bmm.bitcoinj.prevout;

import java.util.Objects;
import org.bitcoinj.base.Coin;

/** A spent output as OP_CBV checking needs it: its value and its scriptPubKey. */
public record Prevout(Coin value, byte[] scriptPubKey) {
    public Prevout {
        Objects.requireNonNull(value, "value");
        scriptPubKey = scriptPubKey.clone();
    }

    @Override
    public byte[] scriptPubKey() {
        return scriptPubKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Prevout p && value.equals(p.value) && java.util.Arrays.equals(scriptPubKey, p.scriptPubKey);
    }

    @Override
    public int hashCode() {
        return 31 * value.hashCode() + java.util.Arrays.hashCode(scriptPubKey);
    }
}
