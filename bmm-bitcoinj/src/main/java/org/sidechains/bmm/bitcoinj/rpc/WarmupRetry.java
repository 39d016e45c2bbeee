package org.sidechains.bmm.bitcoinj.rpc;

import java.time.Duration;
import java.util.Objects;

/**
 * How long to keep asking while bitcoind answers -28 ("Loading block index…", "Verifying blocks…"):
 * a freshly started node refuses every call for a while, and that is progress, not failure. Delays
 * start at {@code firstDelay} and double up to {@code maxDelay}; once {@code maxTotal} has passed
 * since the first attempt the -28 is surfaced as {@link org.sidechains.bmm.bitcoinj.mainchain.MainchainException.Unreachable}.
 */
public record WarmupRetry(Duration firstDelay, Duration maxDelay, Duration maxTotal) {
    /** 250 ms doubling to 2 s, for up to a minute: a regtest node is up in seconds, a big chain's index takes longer. */
    public static final WarmupRetry DEFAULT = new WarmupRetry(Duration.ofMillis(250), Duration.ofSeconds(2), Duration.ofMinutes(1));

    public WarmupRetry {
        Objects.requireNonNull(firstDelay, "firstDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(maxTotal, "maxTotal");
        if (firstDelay.isNegative() || maxDelay.isNegative() || maxTotal.isNegative()) {
            throw new IllegalArgumentException("warm-up delays cannot be negative: " + firstDelay + ", " + maxDelay + ", " + maxTotal);
        }
        if ((maxTotal.compareTo(Duration.ZERO) > 0) && !(firstDelay.compareTo(Duration.ZERO) > 0)) {
            throw new IllegalArgumentException("retrying for " + maxTotal + " needs a positive firstDelay, got " + firstDelay);
        }
        if (maxDelay.compareTo(firstDelay) < 0) {
            throw new IllegalArgumentException("maxDelay " + maxDelay + " is below firstDelay " + firstDelay);
        }
    }

    /** Surface -28 at once. */
    public static WarmupRetry none() {
        return new WarmupRetry(Duration.ZERO, Duration.ZERO, Duration.ZERO);
    }

    public static WarmupRetry of(Duration firstDelay, Duration maxDelay, Duration maxTotal) {
        return new WarmupRetry(firstDelay, maxDelay, maxTotal);
    }

    /** The delay after {@code previous} (doubling, capped at {@link #maxDelay}). */
    Duration next(Duration previous) {
        Duration doubled = previous.multipliedBy(2);
        return doubled.compareTo(maxDelay) > 0 ? maxDelay : doubled;
    }
}
