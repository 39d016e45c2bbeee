package org.sidechains.bmm.d3;

import java.security.SecureRandom;

/**
 * Hashes an h* (four 64-bit words) with secret per-instance keys: miners choose h* freely, so
 * the index must not let them aim entries at one bucket.
 */
final class HStarHasher {
    private final long k0;
    private final long k1;
    private final long k2;
    private final long k3;

    private HStarHasher(long k0, long k1, long k2, long k3) {
        this.k0 = k0 | 1;
        this.k1 = k1 | 1;
        this.k2 = k2 | 1;
        this.k3 = k3 | 1;
    }

    static HStarHasher random() {
        SecureRandom r = new SecureRandom();
        return new HStarHasher(r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong());
    }

    int hash(long w0, long w1, long w2, long w3) {
        long h = w0 * k0 + Long.rotateLeft(w1 * k1, 17) + Long.rotateLeft(w2 * k2, 31) + Long.rotateLeft(w3 * k3, 47);
        // murmur3 fmix64
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) h;
    }
}
