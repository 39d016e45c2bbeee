package org.sidechains.bmm.bitcoinj.chain;

import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.VerificationException;

/**
 * A block spends an output this node does not know, so OP_CBV cannot be checked. Not a BMM reject
 * reason: with a trusted mainchain node it means the node's own output index is incomplete.
 */
public final class PrevoutUnknownException extends VerificationException {
    private final TransactionOutPoint outpoint;

    public PrevoutUnknownException(TransactionOutPoint outpoint, String where) {
        super("spent output " + outpoint + " is unknown (" + where + "): cannot check OP_CBV");
        this.outpoint = outpoint;
    }

    public TransactionOutPoint outpoint() {
        return outpoint;
    }
}
