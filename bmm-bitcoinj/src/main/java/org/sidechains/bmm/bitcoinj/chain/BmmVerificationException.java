package org.sidechains.bmm.bitcoinj.chain;

import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.VerificationException;
import org.sidechains.bmm.rules.RejectReason;

/** A block breaks a BMM soft-fork rule; {@link #reason()} is the protocol's reject reason. */
public final class BmmVerificationException extends VerificationException {
    private final RejectReason reason;
    private final Sha256Hash blockHash;
    private final int height;

    public BmmVerificationException(RejectReason reason, Sha256Hash blockHash, int height, String detail) {
        super(reason.code() + ": block " + blockHash + " at height " + height + ": " + detail);
        this.reason = reason;
        this.blockHash = blockHash;
        this.height = height;
    }

    public RejectReason reason() {
        return reason;
    }

    public Sha256Hash blockHash() {
        return blockHash;
    }

    public int height() {
        return height;
    }
}
