package org.sidechains.bmm.bitcoinj.cbv;

import java.util.Objects;
import org.bitcoinj.core.TransactionOutPoint;

/** What OP_CBV says about a whole transaction: inputs are checked in order, the first problem is reported. */
public sealed interface TxCbvCheck {
    /** Every input passes; {@code inputsWithCbv} of them ran at least one satisfied OP_CBV. */
    record Passed(int inputsWithCbv) implements TxCbvCheck {
    }

    /** Input {@code inputIndex} ran an unsatisfied OP_CBV (block reject reason {@code bmm-cbv-unsatisfied}). */
    record Unsatisfied(int inputIndex, TransactionOutPoint outpoint, String detail) implements TxCbvCheck {
        public Unsatisfied {
            Objects.requireNonNull(outpoint);
            Objects.requireNonNull(detail);
        }
    }

    /**
     * The (complete) prevout source does not know what input {@code inputIndex} spends, so OP_CBV
     * cannot be checked. Not a verdict on the transaction: the caller decides (a chain with a complete output
     * index treats it as a spend of a missing output; a pool refuses the bribe).
     */
    record MissingPrevout(int inputIndex, TransactionOutPoint outpoint) implements TxCbvCheck {
        public MissingPrevout {
            Objects.requireNonNull(outpoint);
        }
    }

    /**
     * Input {@code inputIndex} spends a P2WSH output with an empty witness ({@link CbvCheck.WitnessMissing}):
     * not a verdict on OP_CBV; sign the transaction, or get it with its witnesses.
     */
    record WitnessMissing(int inputIndex, TransactionOutPoint outpoint, String detail) implements TxCbvCheck {
        public WitnessMissing {
            Objects.requireNonNull(outpoint);
            Objects.requireNonNull(detail);
        }
    }

    default boolean passes() {
        return this instanceof Passed;
    }
}
