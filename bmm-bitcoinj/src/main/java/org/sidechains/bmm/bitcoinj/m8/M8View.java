package org.sidechains.bmm.bitcoinj.m8;

import java.util.Arrays;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.script.Script;
import org.sidechains.bmm.m8.M8Codec;
import org.sidechains.bmm.m8.M8Tag;

/**
 * M8 (the bribe) read straight from a bitcoinj {@link Transaction}: an M8 is an ordinary
 * version-3 transaction whose output 0 carries the 43-byte tag, so bitcoinj parses, serializes and
 * hashes it as it is (no custom wire format; bitcoinj keeps nVersion as read).
 */
public final class M8View {
    private M8View() {
    }

    /** The tag if {@code tx} is an M8 (nVersion 3 and output 0 exactly the M8 pattern), else empty. */
    public static Optional<M8Tag> of(Transaction tx) {
        if (tx.getVersion() != M8Codec.TX_VERSION || tx.getOutputs().isEmpty()) {
            return Optional.empty();
        }
        return M8Codec.detect(tx.getVersion(), tx.getOutput(0).getScriptBytes());
    }

    public static boolean isM8(Transaction tx) {
        return of(tx).isPresent();
    }

    /**
     * The bribe amount for the miner whose M9 output script (the P2WSH scriptPubKey, not the
     * witness script) is {@code m9OutputScript}: the sum of the outputs paying exactly that script
     * (protocol.md, "M8"). Zero if none does.
     */
    public static Coin bribeAmount(Transaction tx, Script m9OutputScript) {
        return bribeAmount(tx, m9OutputScript.program());
    }

    /** As {@link #bribeAmount(Transaction, Script)}, with the scriptPubKey's bytes. */
    public static Coin bribeAmount(Transaction tx, byte[] m9ScriptPubKey) {
        long sum = 0;
        for (TransactionOutput out : tx.getOutputs()) {
            if (Arrays.equals(out.getScriptBytes(), m9ScriptPubKey)) {
                sum = Math.addExact(sum, out.getValue().value);
            }
        }
        return Coin.valueOf(sum);
    }
}
