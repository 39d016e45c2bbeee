package org.sidechains.bmm.bitcoinj.assemble;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Transaction;

/**
 * What the miner builds a block from, as bitcoind's {@code getblocktemplate} gives it
 * ({@code previousblockhash}, {@code height}, {@code bits}, {@code curtime}, {@code transactions}).
 * The template's own {@code coinbasevalue} is not used: the assembler computes the coinbase from
 * the subsidy and the fees of what it keeps.
 *
 * @param prevBlockHash the parent block
 * @param height        the new block's height
 * @param bits          compact difficulty target
 * @param time          header time (bitcoind's {@code curtime}, above the median time past)
 * @param transactions  in template order (parents before children, as bitcoind lists them)
 */
public record BlockTemplate(Sha256Hash prevBlockHash, int height, long bits, Instant time,
                            List<TemplateTx> transactions) {
    /**
     * One template transaction.
     *
     * @param fee     its fee (bitcoind's {@code fee}, in satoshis)
     * @param depends indexes, into the template's transaction list (0-based), of the template
     *                transactions it spends from. bitcoind's {@code depends} are 1-based: the RPC
     *                adapter subtracts 1. The assembler also finds parents from the inputs, so a
     *                missing entry here does not let a child of a stripped transaction through.
     */
    public record TemplateTx(Transaction tx, Coin fee, List<Integer> depends) {
        public TemplateTx {
            Objects.requireNonNull(tx, "tx");
            Objects.requireNonNull(fee, "fee");
            if (fee.isNegative()) {
                throw new IllegalArgumentException("tx " + tx.getTxId() + ": a fee cannot be negative: " + fee);
            }
            depends = List.copyOf(depends);
            if (tx.isCoinBase()) {
                throw new IllegalArgumentException("tx " + tx.getTxId() + ": a template transaction cannot be a coinbase");
            }
        }

        public static TemplateTx of(Transaction tx, Coin fee, Integer... depends) {
            return new TemplateTx(tx, fee, List.of(depends));
        }
    }

    public BlockTemplate {
        Objects.requireNonNull(prevBlockHash, "prevBlockHash");
        Objects.requireNonNull(time, "time");
        if (height < 1) {
            throw new IllegalArgumentException("height must be >= 1, got " + height);
        }
        transactions = List.copyOf(transactions);
        Set<Sha256Hash> txids = new HashSet<>();
        for (int i = 0; i < transactions.size(); i++) {
            TemplateTx t = transactions.get(i);
            if (!txids.add(t.tx().getTxId())) {
                throw new IllegalArgumentException("tx " + t.tx().getTxId() + " appears twice in the template");
            }
            for (int d : t.depends()) {
                if (d < 0 || d >= i) {
                    throw new IllegalArgumentException("template tx " + i + " (" + t.tx().getTxId() + ") depends on "
                            + d + ", which is not an earlier template transaction");
                }
            }
        }
    }

    /** A template with no transactions (an embedded chain, or an empty mempool). */
    public static BlockTemplate empty(Sha256Hash prevBlockHash, int height, long bits, Instant time) {
        return new BlockTemplate(prevBlockHash, height, bits, time, List.of());
    }
}
