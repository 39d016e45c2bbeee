package org.sidechains.bmm.bitcoinj.cbv;

/** What OP_CBV says about one input. */
public sealed interface CbvCheck {
    /**
     * No OP_CBV ran: the executed script has none, or only in branches not taken, or the spend runs
     * no script with OP_CBV semantics (P2WPKH, P2TR, unknown witness versions).
     */
    record NoCbv() implements CbvCheck {
    }

    /** {@code evaluated} OP_CBVs ran (at least one) and every one was satisfied. */
    record Satisfied(int evaluated) implements CbvCheck {
    }

    /** An OP_CBV that ran (or that failing closed counts as run) was not satisfied. */
    record Unsatisfied(String detail) implements CbvCheck {
    }

    /**
     * The input spends a P2WSH output (native or nested) with an empty witness, so the script that
     * would run is unknown: invalid under Bitcoin's rules, or the transaction lost its witnesses on
     * the way (a block downloaded without them). Not a verdict under the BMM rules; it does not pass.
     */
    record WitnessMissing(String detail) implements CbvCheck {
    }

    NoCbv NO_CBV = new NoCbv();

    /** Whether the input passes the rule (no OP_CBV ran, or all were satisfied); a missing witness does not. */
    default boolean passes() {
        return this instanceof NoCbv || this instanceof Satisfied;
    }
}
