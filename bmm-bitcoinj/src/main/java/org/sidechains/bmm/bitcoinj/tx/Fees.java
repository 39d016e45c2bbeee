package org.sidechains.bmm.bitcoinj.tx;

import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.bitcoinj.base.Coin;

/** Settles a {@link Fee} on a transaction whose size is only known once it is signed. */
public final class Fees {
    private static final int MAX_ROUNDS = 8;

    private Fees() {
    }

    /**
     * Builds with the absolute fee, or, for a rate, builds, measures the signed virtual size and
     * builds again with the fee that size asks until the fee covers it. The fee only grows between
     * rounds and only signature lengths (a byte or two each) or a dropped change output change the
     * size, so this ends in two or three rounds.
     *
     * @param build builds and signs with the given fee (and throws IllegalArgumentException when
     *              the funds do not cover it)
     */
    public static <T> T fit(Fee fee, Function<Coin, T> build, ToIntFunction<T> vsize) {
        if (!fee.sizeDependent()) {
            return build.apply(fee.forVsize(0));
        }
        Coin current = Coin.ZERO;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            T built = build.apply(current);
            Coin needed = fee.forVsize(vsize.applyAsInt(built));
            if (!needed.isGreaterThan(current)) {
                return built;
            }
            current = needed;
        }
        throw new IllegalStateException("the fee did not settle after " + MAX_ROUNDS + " rounds (" + current + ")");
    }
}
