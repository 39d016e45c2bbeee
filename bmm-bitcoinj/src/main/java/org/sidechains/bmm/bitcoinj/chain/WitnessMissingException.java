package org.sidechains.bmm.bitcoinj.chain;

import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.VerificationException;

/**
 * A block spends a P2WSH output with an empty witness, so OP_CBV cannot be checked. Not a BMM reject
 * reason: such a spend breaks Bitcoin's own rules, which a trusted node would not pass on, so the block
 * almost certainly came without its witnesses. Offer it again with them; nothing of it was kept.
 */
public final class WitnessMissingException extends VerificationException {
    private final TransactionOutPoint outpoint;

    public WitnessMissingException(TransactionOutPoint outpoint, String where) {
        super(where + ". The block came without its witnesses (bitcoinj's P2P download strips them unless the"
                + " witness variant is requested; getblock with verbosity 0 keeps them), or breaks Bitcoin's rules:"
                + " offer it with its witness data");
        this.outpoint = outpoint;
    }

    public TransactionOutPoint outpoint() {
        return outpoint;
    }
}
