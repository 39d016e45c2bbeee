package org.sidechains.bmm.bitcoinj.pool;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.script.Script;
import org.sidechains.bmm.m8.M8Tag;

/**
 * A bribe the pool admitted.
 *
 * @param tag      the M8's tag (its chain, mini-header and mainAnchor)
 * @param tx       the M8 ({@link #tx()} hands out copies: the pool's own stays as admitted)
 * @param amount   the bribe: the sum of the outputs paying this miner's M9 script(s)
 * @param fee      inputs minus outputs, at admission
 * @param payouts  the outputs paying this miner, with the witness script each is locked by (what
 *                 the miner needs to sweep them once their OP_CBV is satisfied)
 * @param sequence the order of arrival, numbered when {@code submit} was called (a lower number was received earlier)
 */
public record PooledBribe(M8Tag tag, Transaction tx, Sha256Hash txid, Coin amount, Coin fee, List<Payout> payouts,
                          long sequence) {
    /** Highest bribe first, then the one received first: the order a miner places them in. */
    public static final Comparator<PooledBribe> BEST_FIRST =
            Comparator.comparing(PooledBribe::amount).reversed().thenComparingLong(PooledBribe::sequence);

    /** One output of the M8 that pays this miner. */
    public record Payout(TransactionOutPoint outpoint, Coin value, Script witnessScript) {
        public Payout {
            Objects.requireNonNull(outpoint, "outpoint");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(witnessScript, "witnessScript");
        }
    }

    public PooledBribe {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(tx, "tx");
        Objects.requireNonNull(txid, "txid");
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(fee, "fee");
        payouts = List.copyOf(payouts);
    }

    /** A copy of the M8: changing it changes nothing in the pool. */
    @Override
    public Transaction tx() {
        return Transaction.read(java.nio.ByteBuffer.wrap(tx.serialize()));
    }

    public int chain() {
        return tag.chain();
    }

    /** The same bribe, received as number {@code earlier} (the first of several submissions of it). */
    PooledBribe receivedAs(long earlier) {
        return new PooledBribe(tag, tx, txid, amount, fee, payouts, earlier);
    }
}
