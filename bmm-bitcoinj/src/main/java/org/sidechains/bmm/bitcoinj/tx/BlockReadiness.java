package org.sidechains.bmm.bitcoinj.tx;

import java.util.List;
import java.util.Optional;
import org.bitcoinj.core.LockTime;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;

/**
 * Whether a transaction may go into the block at a given height by the consensus rules that
 * depend on when its coins were made: its lock-time (nLockTime), BIP 68 relative lock-times and
 * coinbase maturity. A miner checks this before putting a bribe into its block: bitcoind would
 * refuse the whole block otherwise ({@code bad-txns-nonfinal}, {@code bad-txns-premature-spend-of-coinbase}).
 *
 * <p>Conservative where the answer needs what a {@link Prevout} source does not give: a time
 * lock-time (absolute, or relative with the type flag) needs median times past, so a lock of
 * either kind that is not trivially met counts as not met; so does a relative lock on a coin
 * whose height the source does not know.
 */
public final class BlockReadiness {
    /** Blocks a coinbase output must wait before it is spent (bitcoind's COINBASE_MATURITY). */
    public static final int COINBASE_MATURITY = 100;

    private BlockReadiness() {
    }

    /** Why a transaction cannot go into the block yet. */
    public record NotReady(Kind kind, String detail) {
    }

    public enum Kind {
        /** A lock-time or a relative lock-time not met at that height (or not checkable here). */
        NOT_FINAL,
        /** An input spends a coinbase output fewer than {@link #COINBASE_MATURITY} blocks deep. */
        IMMATURE_COINBASE
    }

    /**
     * @param spent  what each input spends, in input order
     * @param height the height of the block it would go into
     * @return empty when it may go in
     */
    public static Optional<NotReady> at(Transaction tx, List<Prevout> spent, int height) {
        List<TransactionInput> ins = tx.getInputs();
        if (spent.size() != ins.size()) {
            throw new IllegalArgumentException(ins.size() + " inputs, " + spent.size() + " spent outputs");
        }
        long lockTime = tx.lockTime().rawValue();
        if (lockTime != 0 && !ins.stream().allMatch(in -> in.getSequenceNumber() == TransactionInput.NO_SEQUENCE)) {
            if (lockTime >= LockTime.THRESHOLD) {
                return notFinal("its lock-time is a time (" + lockTime + "), which needs the chain's median time"
                        + " past to check: use a height lock-time, or none");
            }
            if (lockTime >= height) {
                return notFinal("its lock-time is height " + lockTime + ": it can go into block " + (lockTime + 1)
                        + " at the earliest, not " + height);
            }
        }
        for (int i = 0; i < ins.size(); i++) {
            Prevout p = spent.get(i);
            if (p.coinbase() && height - p.height() < COINBASE_MATURITY) {
                return Optional.of(new NotReady(Kind.IMMATURE_COINBASE, "input " + i + " spends a coinbase output of block "
                        + p.height() + ", spendable from block " + (p.height() + COINBASE_MATURITY) + ", not " + height));
            }
            long seq = ins.get(i).getSequenceNumber();
            if (tx.getVersion() < 2 || (seq & TransactionInput.SEQUENCE_LOCKTIME_DISABLE_FLAG) != 0
                    || (seq & TransactionInput.SEQUENCE_LOCKTIME_MASK) == 0) {
                continue; // no relative lock (BIP 68), or one of 0, always met
            }
            long value = seq & TransactionInput.SEQUENCE_LOCKTIME_MASK;
            if ((seq & TransactionInput.SEQUENCE_LOCKTIME_TYPE_FLAG) != 0) {
                return notFinal("input " + i + " has a relative time lock (" + value * 512 + " s), which needs median"
                        + " times past to check: use a height lock, or set nSequence's disable flag");
            }
            if (p.confirmedAt().isEmpty()) {
                return notFinal("input " + i + " has a relative lock of " + value + " blocks on a coin whose height is"
                        + " not known here");
            }
            if (p.height() + value > height) {
                return notFinal("input " + i + " has a relative lock of " + value + " blocks on a coin of block "
                        + p.height() + ": it can go into block " + (p.height() + value) + " at the earliest, not " + height);
            }
        }
        return Optional.empty();
    }

    private static Optional<NotReady> notFinal(String detail) {
        return Optional.of(new NotReady(Kind.NOT_FINAL, detail));
    }
}
