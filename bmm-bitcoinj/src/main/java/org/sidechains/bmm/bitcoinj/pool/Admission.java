package org.sidechains.bmm.bitcoinj.pool;

import java.util.Objects;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;

/** What {@link BribePool#submit} did with a transaction. */
public sealed interface Admission {
    /**
     * The bribe is now the pool's best for {@code chain}.
     *
     * @param replaced the bribe it displaced, if the chain had one
     */
    record Accepted(int chain, Sha256Hash txid, Coin amount, Optional<Sha256Hash> replaced) implements Admission {
        public Accepted {
            Objects.requireNonNull(txid, "txid");
            Objects.requireNonNull(amount, "amount");
            Objects.requireNonNull(replaced, "replaced");
        }
    }

    /** The pool did not take it; nothing changed. */
    record Refused(RefusalReason reason, String message) implements Admission {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String toString() {
            return reason.code() + ": " + message;
        }
    }

    default boolean accepted() {
        return this instanceof Accepted;
    }
}
