package org.sidechains.bmm.regtest.embedded.rpc;

/** BIP380's descriptor checksum, as bitcoind appends it after '#'. */
final class DescriptorChecksum {
    private static final String INPUT_CHARSET = "0123456789()[],'/*abcdefgh@:$%{}"
            + "IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
            + "ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ";
    private static final String CHECKSUM_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    private DescriptorChecksum() {
    }

    private static long polyMod(long c, int val) {
        long c0 = c >>> 35;
        c = ((c & 0x7ffffffffL) << 5) ^ val;
        if ((c0 & 1) != 0) {
            c ^= 0xf5dee51989L;
        }
        if ((c0 & 2) != 0) {
            c ^= 0xa9fdca3312L;
        }
        if ((c0 & 4) != 0) {
            c ^= 0x1bab10e32dL;
        }
        if ((c0 & 8) != 0) {
            c ^= 0x3706b1677aL;
        }
        if ((c0 & 16) != 0) {
            c ^= 0x644d626ffdL;
        }
        return c;
    }

    /** The 8-character checksum of {@code descriptor}. */
    static String of(String descriptor) {
        long c = 1;
        int cls = 0;
        int clsCount = 0;
        for (int i = 0; i < descriptor.length(); i++) {
            int pos = INPUT_CHARSET.indexOf(descriptor.charAt(i));
            if (pos < 0) {
                throw new IllegalArgumentException("character not allowed in a descriptor: " + descriptor.charAt(i));
            }
            c = polyMod(c, pos & 31);
            cls = cls * 3 + (pos >> 5);
            if (++clsCount == 3) {
                c = polyMod(c, cls);
                cls = 0;
                clsCount = 0;
            }
        }
        if (clsCount > 0) {
            c = polyMod(c, cls);
        }
        for (int j = 0; j < 8; j++) {
            c = polyMod(c, 0);
        }
        c ^= 1;
        StringBuilder s = new StringBuilder(8);
        for (int j = 0; j < 8; j++) {
            s.append(CHECKSUM_CHARSET.charAt((int) ((c >>> (5 * (7 - j))) & 31)));
        }
        return s.toString();
    }

    /** The descriptor with "#checksum" appended. */
    static String append(String descriptor) {
        return descriptor + "#" + of(descriptor);
    }
}
