package org.sidechains.bmm.bitcoinj.pool;

/**
 * Why the bribe pool refused a transaction (protocol.md, "Second mempool"), in the order the pool
 * checks them. Each has a stable code for JSON, logs and the miner's HTTP answers; the
 * {@link Admission.Refused} message says what exactly was wrong.
 */
public enum RefusalReason {
    /** Not an M8: not version 3, or output 0 is not the 43-byte M8 tag. */
    NOT_M8("bribe-not-m8"),
    /** Not a well-formed spend: no inputs, an input spent twice, or outputs above inputs. */
    MALFORMED("bribe-malformed"),
    /** The same transaction (txid) is already the pool's bribe for its chain. */
    DUPLICATE("bribe-duplicate"),
    /** mainAnchor is not (tip height + 1) mod 65536. */
    WRONG_ANCHOR("bribe-wrong-anchor"),
    /** An input spends an output that is unknown to the chain or already spent. */
    INPUT_UNKNOWN_OR_SPENT("bribe-input-unknown-or-spent"),
    /**
     * It cannot go into the next block: its lock-time or a BIP 68 relative lock-time is not met
     * there (time locks, and relative locks on coins of unknown height, count as not met: the pool
     * cannot check them).
     */
    NOT_FINAL("bribe-not-final"),
    /** An input spends a coinbase output that is not 100 blocks deep at the next block. */
    INPUT_IMMATURE("bribe-input-immature"),
    /**
     * Heavier or with more signature operations than bitcoind's mempool takes (400,000 weight
     * units, a sigop cost of 16,000): a bribe must not crowd the block out.
     */
    TOO_LARGE("bribe-too-large"),
    /** No output pays this miner's M9 script for exactly the M8's mini-header. */
    NOT_PAYING_MINER("bribe-not-paying-miner"),
    /**
     * The payout is the refund variant with a relative lock-time the sidechain node could use to
     * take the bribe back before the miner can claim it.
     */
    REFUND_DELAY_TOO_SHORT("bribe-refund-delay-too-short"),
    /** The pool already holds a bribe for this chain at least as high (ties: the first received, by arrival, stays). */
    LOWER_THAN_BEST("bribe-lower-than-best"),
    /**
     * An input spends an output whose script the pool cannot verify (only P2WPKH, P2PKH and P2PK
     * are verified; an unverifiable bribe could make the miner's block invalid).
     */
    INPUT_UNVERIFIABLE("bribe-input-unverifiable"),
    /** An input's signature (or witness) does not spend the output it claims. */
    BAD_SIGNATURE("bribe-bad-signature");

    private final String code;

    RefusalReason(String code) {
        this.code = code;
    }

    /** The stable code, as it appears in JSON and logs. */
    public String code() {
        return code;
    }

    @Override
    public String toString() {
        return code;
    }
}
