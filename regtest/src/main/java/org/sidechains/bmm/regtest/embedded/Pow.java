package org.sidechains.bmm.regtest.embedded;

import java.math.BigInteger;
import java.util.Optional;
import org.bitcoinj.base.Sha256Hash;

/**
 * Proof of work as bitcoind computes it ({@code arith_uint256::SetCompact},
 * {@code CheckProofOfWork}, {@code GetBlockProof}, {@code GetDifficulty}), on plain integers so
 * that no bitcoinj {@code Context} is needed.
 */
public final class Pow {
    /** Regtest's only difficulty: bitcoind and bitcoinj's RegTestParams both use it and never retarget. */
    public static final long REGTEST_BITS = 0x207fffffL;
    /** Regtest's powLimit, 7fffff00..00. */
    public static final BigInteger REGTEST_POW_LIMIT = BigInteger.valueOf(0x7fffffL).shiftLeft(8 * (0x20 - 3));
    private static final BigInteger TWO_256 = BigInteger.ONE.shiftLeft(256);

    private Pow() {
    }

    /** The target a compact {@code bits} stands for; empty when negative, zero or overflowing. */
    public static Optional<BigInteger> target(long bits) {
        int size = (int) (bits >>> 24) & 0xff;
        long word = bits & 0x007fffffL;
        BigInteger target = size <= 3
                ? BigInteger.valueOf(word >>> (8 * (3 - size)))
                : BigInteger.valueOf(word).shiftLeft(8 * (size - 3));
        boolean negative = word != 0 && (bits & 0x00800000L) != 0;
        boolean overflow = word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
        if (negative || overflow || target.signum() == 0) {
            return Optional.empty();
        }
        return Optional.of(target);
    }

    /** bitcoind's CheckProofOfWork against regtest's powLimit. */
    public static boolean check(Sha256Hash hash, long bits) {
        Optional<BigInteger> target = target(bits);
        return target.isPresent() && target.get().compareTo(REGTEST_POW_LIMIT) <= 0
                && hash.toBigInteger().compareTo(target.get()) <= 0;
    }

    /** The expected number of hashes for a block of {@code bits}: 2^256 / (target + 1). */
    public static BigInteger work(long bits) {
        return target(bits).map(t -> TWO_256.divide(t.add(BigInteger.ONE))).orElse(BigInteger.ZERO);
    }

    /** bitcoind's GetDifficulty (relative to the 0x1d00ffff target). */
    public static double difficulty(long bits) {
        int shift = (int) (bits >>> 24) & 0xff;
        double diff = (double) 0x0000ffff / (double) (bits & 0x00ffffff);
        while (shift < 29) {
            diff *= 256.0;
            shift++;
        }
        while (shift > 29) {
            diff /= 256.0;
            shift--;
        }
        return diff;
    }

    /** A 256-bit number as bitcoind prints chainwork and targets: 64 hex digits. */
    public static String hex256(BigInteger n) {
        String s = n.toString(16);
        return "0".repeat(Math.max(0, 64 - s.length())) + s;
    }
}
