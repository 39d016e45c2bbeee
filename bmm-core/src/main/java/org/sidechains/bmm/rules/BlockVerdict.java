package org.sidechains.bmm.rules;

import java.util.Optional;
import org.sidechains.bmm.m7.CoinbaseM7;

/** The outcome of checking a block against the BMM block rules. */
public sealed interface BlockVerdict {
    /** The block follows the rules; {@code m7} is its counting M7, if any. */
    record Valid(Optional<CoinbaseM7> m7) implements BlockVerdict {
    }

    /**
     * The block breaks a rule. {@code m8Position} is the offending M8's position among the block's
     * M8s (0-based, block order); {@code detail} says what differed, for logs.
     */
    record Invalid(RejectReason reason, int m8Position, String detail) implements BlockVerdict {
    }

    default boolean isValid() {
        return this instanceof Valid;
    }
}
