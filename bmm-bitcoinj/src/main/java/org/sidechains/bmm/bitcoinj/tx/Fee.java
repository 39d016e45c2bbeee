package org.sidechains.bmm.bitcoinj.tx;

import java.util.Objects;
import org.bitcoinj.base.Coin;

/** The fee of a transaction this module builds: an absolute amount, or a rate per virtual byte. */
public sealed interface Fee {
    /** Exactly this fee (plus any change too small to be worth an output). */
    record Absolute(Coin amount) implements Fee {
        public Absolute {
            Objects.requireNonNull(amount, "amount");
            if (amount.isNegative() || amount.value > TransactionChecks.MAX_MONEY) {
                throw new IllegalArgumentException("a fee must be 0 to 21 million BTC, got " + amount.value + " sat");
            }
        }
    }

    /** At least {@code satPerVbyte} times the signed transaction's BIP141 virtual size. */
    record PerVbyte(long satPerVbyte) implements Fee {
        public PerVbyte {
            if (satPerVbyte < 0) {
                throw new IllegalArgumentException("a fee rate cannot be negative: " + satPerVbyte + " sat/vB");
            }
        }
    }

    static Fee absolute(Coin amount) {
        return new Absolute(amount);
    }

    static Fee satPerVbyte(long satPerVbyte) {
        return new PerVbyte(satPerVbyte);
    }

    /** The fee this policy asks of a transaction of {@code vsize} virtual bytes. */
    default Coin forVsize(int vsize) {
        if (this instanceof Absolute a) {
            return a.amount();
        }
        long rate = ((PerVbyte) this).satPerVbyte();
        // a rate no transaction could pay gets a message, not an overflow
        if (vsize > 0 && rate > TransactionChecks.MAX_MONEY / vsize) {
            throw new IllegalArgumentException("a fee of " + rate + " sat/vB on " + vsize + " vB is over 21 million BTC");
        }
        return Coin.valueOf(rate * vsize);
    }

    /** Whether the fee depends on the size (so a transaction is signed, measured and, if needed, re-signed). */
    default boolean sizeDependent() {
        return this instanceof PerVbyte;
    }
}
