package org.sidechains.bmm.base;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The 35-byte sidechain mini-header: ChainIndex (1), h* (32, wire order), prevBlockRef (uint16 LE).
 */
public record MiniHeader(int chain, Hash32 hStar, int prevBlockRef) {
    public static final int SIZE = 35;

    public MiniHeader {
        if (chain < 0 || chain > 255) {
            throw new IllegalArgumentException("ChainIndex must be 0..255, got " + chain);
        }
        Objects.requireNonNull(hStar, "hStar");
        if (prevBlockRef < 0 || prevBlockRef > 0xFFFF) {
            throw new IllegalArgumentException("prevBlockRef must be 0..65535, got " + prevBlockRef);
        }
    }

    public static MiniHeader of(int chain, Hash32 hStar, int prevBlockRef) {
        return new MiniHeader(chain, hStar, prevBlockRef);
    }

    /** Reads 35 bytes at the buffer's position (the caller checks that they are there). */
    public static MiniHeader read(ByteBuffer buf) {
        int chain = buf.get() & 0xFF;
        Hash32 h = Hash32.read(buf);
        int ref = (buf.get() & 0xFF) | (buf.get() & 0xFF) << 8;
        return new MiniHeader(chain, h, ref);
    }

    public void write(ByteBuffer buf) {
        buf.put((byte) chain);
        hStar.write(buf);
        buf.put((byte) prevBlockRef).put((byte) (prevBlockRef >>> 8));
    }

    public byte[] serialize() {
        ByteBuffer buf = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        write(buf);
        return buf.array();
    }
}
