package org.sidechains.bmm.base;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 32-byte hash (block hash, h*, prevSideBlockHash). Bytes are kept in internal (wire) order;
 * {@link #toString()} and {@link #fromDisplayHex} use the Bitcoin display order (byte-reversed hex).
 */
public final class Hash32 implements Comparable<Hash32> {
    public static final int SIZE = 32;
    public static final Hash32 ZERO = new Hash32(new byte[SIZE]);

    private static final HexFormat HEX = HexFormat.of();
    private final byte[] bytes;

    private Hash32(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Copies 32 wire-order bytes. */
    public static Hash32 wrap(byte[] wireBytes) {
        if (wireBytes.length != SIZE) {
            throw new IllegalArgumentException("a hash is 32 bytes, got " + wireBytes.length);
        }
        return new Hash32(wireBytes.clone());
    }

    /** Reads 32 wire-order bytes at the buffer's position. */
    public static Hash32 read(ByteBuffer buf) {
        byte[] b = new byte[SIZE];
        buf.get(b);
        return new Hash32(b);
    }

    /** Parses byte-reversed (display) hex, as used in JSON, logs and the CLI. */
    public static Hash32 fromDisplayHex(String hex) {
        byte[] b = parseHex(hex);
        reverse(b);
        return new Hash32(b);
    }

    /** Parses wire-order hex. */
    public static Hash32 fromWireHex(String hex) {
        return new Hash32(parseHex(hex));
    }

    /** Builds a hash from four little-endian longs (the layout D3 stores it in). */
    public static Hash32 fromLongs(long l0, long l1, long l2, long l3) {
        ByteBuffer buf = ByteBuffer.allocate(SIZE).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        buf.putLong(l0).putLong(l1).putLong(l2).putLong(l3);
        return new Hash32(buf.array());
    }

    /** The i-th (0..3) little-endian 8-byte word of the wire bytes. */
    public long word(int i) {
        return (long) LONG_LE.get(bytes, i * 8);
    }

    private static final java.lang.invoke.VarHandle LONG_LE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    private static byte[] parseHex(String hex) {
        if (hex == null || hex.length() != SIZE * 2) {
            throw new IllegalArgumentException("a hash is 64 hex digits, got "
                    + (hex == null ? "null" : hex.length() + " characters"));
        }
        try {
            return HEX.parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not hex: " + hex, e);
        }
    }

    private static void reverse(byte[] b) {
        for (int i = 0, j = b.length - 1; i < j; i++, j--) {
            byte t = b[i];
            b[i] = b[j];
            b[j] = t;
        }
    }

    /** Wire-order bytes (a copy). */
    public byte[] wireBytes() {
        return bytes.clone();
    }

    public void write(ByteBuffer buf) {
        buf.put(bytes);
    }

    public String toWireHex() {
        return HEX.formatHex(bytes);
    }

    public String toDisplayHex() {
        byte[] b = bytes.clone();
        reverse(b);
        return HEX.formatHex(b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hash32 h && Arrays.equals(bytes, h.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(Hash32 o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return toDisplayHex();
    }
}
