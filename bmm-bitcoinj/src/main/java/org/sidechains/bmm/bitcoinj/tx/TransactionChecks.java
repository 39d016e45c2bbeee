package org.sidechains.bmm.bitcoinj.tx;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.bitcoinj.base.Coin;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;

/**
 * Bitcoin Core's CheckTransaction: the rules that need nothing but the transaction, with its reject
 * reasons. bitcoinj lets some of these through (an output of -1 satoshi is its sentinel value), and
 * a block holding one is refused whole, so the pool and the assembler check them too.
 */
public final class TransactionChecks {
    /** 21 million bitcoin, in satoshis (Core's MAX_MONEY). */
    public static final long MAX_MONEY = 21_000_000L * Coin.COIN.value;
    private static final int MAX_BLOCK_WEIGHT = 4_000_000;
    private static final int WITNESS_SCALE_FACTOR = 4;

    private TransactionChecks() {
    }

    /** A rule broken: Core's reject reason ({@code bad-txns-...}, {@code bad-cb-length}). */
    public record Failure(String reason) {
    }

    /** The first rule {@code tx} breaks, in Core's order, or empty. */
    public static Optional<Failure> check(Transaction tx) {
        if (tx.getInputs().isEmpty()) {
            return fail("bad-txns-vin-empty");
        }
        if (tx.getOutputs().isEmpty()) {
            return fail("bad-txns-vout-empty");
        }
        if ((long) strippedSize(tx) * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) {
            return fail("bad-txns-oversize");
        }
        long total = 0;
        for (TransactionOutput out : tx.getOutputs()) {
            long v = out.getValue().value;
            if (v < 0) {
                return fail("bad-txns-vout-negative");
            }
            if (v > MAX_MONEY) {
                return fail("bad-txns-vout-toolarge");
            }
            total += v;
            if (total > MAX_MONEY) {
                return fail("bad-txns-txouttotal-toolarge");
            }
        }
        Set<TransactionOutPoint> seen = new HashSet<>();
        for (TransactionInput in : tx.getInputs()) {
            if (!seen.add(in.getOutpoint())) {
                return fail("bad-txns-inputs-duplicate");
            }
        }
        if (tx.isCoinBase()) {
            int len = tx.getInput(0).getScriptBytes().length;
            if (len < 2 || len > 100) {
                return fail("bad-cb-length");
            }
        } else {
            for (TransactionInput in : tx.getInputs()) {
                if (in.isCoinBase()) {
                    return fail("bad-txns-prevout-null");
                }
            }
        }
        return Optional.empty();
    }

    /** The size without witness data (what BIP 141 weighs four times). */
    public static int strippedSize(Transaction tx) {
        if (!tx.hasWitnesses()) {
            return tx.messageSize();
        }
        return (tx.getWeight() - tx.messageSize()) / 3;
    }

    private static Optional<Failure> fail(String reason) {
        return Optional.of(new Failure(reason));
    }
}
