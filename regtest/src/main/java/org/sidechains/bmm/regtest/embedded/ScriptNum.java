package org.sidechains.bmm.regtest.embedded;

import java.io.ByteArrayOutputStream;

/** Script numbers as bitcoind's CScriptNum and {@code CScript() << n} encode them (BIP34's height push). */
final class ScriptNum {
    private static final int OP_0 = 0x00;
    private static final int OP_1NEGATE = 0x4f;
    private static final int OP_1 = 0x51;

    private ScriptNum() {
    }

    /** Minimal little-endian sign-magnitude encoding; 0 is empty. */
    static byte[] encode(long value) {
        if (value == 0) {
            return new byte[0];
        }
        boolean negative = value < 0;
        long abs = Math.abs(value);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (abs > 0) {
            out.write((int) (abs & 0xff));
            abs >>>= 8;
        }
        byte[] b = out.toByteArray();
        if ((b[b.length - 1] & 0x80) != 0) {
            byte[] wider = new byte[b.length + 1];
            System.arraycopy(b, 0, wider, 0, b.length);
            wider[b.length] = (byte) (negative ? 0x80 : 0x00);
            return wider;
        }
        if (negative) {
            b[b.length - 1] |= (byte) 0x80;
        }
        return b;
    }

    /** The script bytes of {@code CScript() << n}: OP_0, OP_1NEGATE, OP_1..OP_16 or a push of encode(n). */
    static byte[] push(long n) {
        if (n == 0) {
            return new byte[] {OP_0};
        }
        if (n == -1) {
            return new byte[] {OP_1NEGATE};
        }
        if (n >= 1 && n <= 16) {
            return new byte[] {(byte) (OP_1 + n - 1)};
        }
        byte[] data = encode(n);
        byte[] out = new byte[data.length + 1];
        out[0] = (byte) data.length; // at most 9 bytes: a direct push
        System.arraycopy(data, 0, out, 1, data.length);
        return out;
    }
}
