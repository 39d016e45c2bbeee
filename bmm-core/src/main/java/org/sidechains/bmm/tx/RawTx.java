package org.sidechains.bmm.tx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.sidechains.bmm.base.BmmFormatException;
import org.sidechains.bmm.m8.M8Codec;
import org.sidechains.bmm.m8.M8Tag;

/**
 * The parts of a serialized Bitcoin transaction that BMM reads: its version and its outputs.
 * bmm-core has no bitcoinj, so this is a minimal, strict reader (legacy and segwit serialization)
 * for vectors and tools; bitcoinj applications use bmm-bitcoinj's view over bitcoinj's Transaction.
 */
public record RawTx(long version, List<TxOut> outputs, long lockTime) {
    /** A transaction output: value in satoshis and scriptPubKey. */
    public record TxOut(long value, byte[] scriptPubKey) {
        public TxOut {
            scriptPubKey = scriptPubKey.clone();
        }

        @Override
        public byte[] scriptPubKey() {
            return scriptPubKey.clone();
        }
    }

    public RawTx {
        outputs = List.copyOf(outputs);
    }

    /** The M8 tag, when this transaction is an M8. */
    public Optional<M8Tag> m8() {
        return outputs.isEmpty() ? Optional.empty() : M8Codec.detect(version, outputs.get(0).scriptPubKey);
    }

    /** Parses a whole transaction; the bytes must hold exactly one. */
    public static RawTx parse(byte[] raw) throws BmmFormatException {
        ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        try {
            long version = buf.getInt() & 0xFFFFFFFFL;
            boolean segwit = false;
            long nIn = varInt(buf);
            if (nIn == 0) {
                if (buf.get() != 1) {
                    throw new BmmFormatException("segwit marker 0x00 must be followed by flag 0x01");
                }
                segwit = true;
                nIn = varInt(buf);
                if (nIn == 0) {
                    throw new BmmFormatException("a transaction needs at least one input");
                }
            }
            for (long i = 0; i < nIn; i++) {
                skip(buf, 36);
                skip(buf, varInt(buf));
                skip(buf, 4);
            }
            long nOut = varInt(buf);
            List<TxOut> outs = new ArrayList<>((int) Math.min(nOut, 1024));
            for (long i = 0; i < nOut; i++) {
                long value = buf.getLong();
                long len = varInt(buf);
                checkRemaining(buf, len);
                byte[] script = new byte[(int) len];
                buf.get(script);
                outs.add(new TxOut(value, script));
            }
            if (segwit) {
                for (long i = 0; i < nIn; i++) {
                    long items = varInt(buf);
                    for (long j = 0; j < items; j++) {
                        skip(buf, varInt(buf));
                    }
                }
            }
            long lockTime = buf.getInt() & 0xFFFFFFFFL;
            if (buf.hasRemaining()) {
                throw new BmmFormatException(buf.remaining() + " bytes after the end of the transaction");
            }
            return new RawTx(version, outs, lockTime);
        } catch (java.nio.BufferUnderflowException e) {
            throw new BmmFormatException("transaction truncated at byte " + buf.position());
        }
    }

    private static long varInt(ByteBuffer buf) throws BmmFormatException {
        int b = buf.get() & 0xFF;
        long v = switch (b) {
            case 0xFD -> buf.getShort() & 0xFFFFL;
            case 0xFE -> buf.getInt() & 0xFFFFFFFFL;
            case 0xFF -> buf.getLong();
            default -> b;
        };
        // Bitcoin Core refuses a CompactSize that a shorter form could hold
        long min = switch (b) {
            case 0xFD -> 0xFD;
            case 0xFE -> 0x10000;
            case 0xFF -> 0x100000000L;
            default -> 0;
        };
        if (Long.compareUnsigned(v, min) < 0) {
            throw new BmmFormatException("non-canonical CompactSize " + v + " at byte " + (buf.position() - 1));
        }
        // every counted thing takes at least one byte, so a count is bounded by what is left
        if (v < 0 || v > buf.remaining()) {
            throw new BmmFormatException("count " + Long.toUnsignedString(v) + " exceeds the remaining bytes");
        }
        return v;
    }

    private static void skip(ByteBuffer buf, long n) throws BmmFormatException {
        checkRemaining(buf, n);
        buf.position(buf.position() + (int) n);
    }

    private static void checkRemaining(ByteBuffer buf, long n) throws BmmFormatException {
        if (n > buf.remaining()) {
            throw new BmmFormatException("transaction truncated: needs " + n + " bytes at " + buf.position()
                    + ", has " + buf.remaining());
        }
    }
}
