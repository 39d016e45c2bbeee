package org.sidechains.bmm.cbv;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;

/**
 * The stack item OP_CBV reads (protocol.md, "M9"): byte 0 is the bribe version.
 */
public sealed interface CbvPayload {
    int V1_SIZE = 36;
    int V2_SIZE = 66;

    /** Version 1: 0x01 || mini-header (ChainIndex, h*, prevBlockRef). */
    record V1(MiniHeader miniHeader) implements CbvPayload {
        public V1 {
            Objects.requireNonNull(miniHeader);
        }
    }

    /** Version 2 (the seed's Lightning variant): 0x02 || ChainIndex || h* || prevSideBlockHash. */
    record V2(int chain, Hash32 hStar, Hash32 prevSideBlockHash) implements CbvPayload {
        public V2 {
            if (chain < 0 || chain > 255) {
                throw new IllegalArgumentException("ChainIndex must be 0..255, got " + chain);
            }
            Objects.requireNonNull(hStar);
            Objects.requireNonNull(prevSideBlockHash);
        }
    }

    /** A version this node does not know: succeeds, so that future versions can be soft-forked in. */
    record UnknownVersion(int version) implements CbvPayload {
    }

    /** Version 1 or 2 with the wrong length, an empty item, or an empty stack: fails. */
    record Malformed(String why) implements CbvPayload {
    }

    /**
     * Reads the top stack item; {@code null} stands for an empty stack. An empty item has no
     * version byte and fails (protocol.md does not say; failing closed is the safe reading).
     */
    static CbvPayload parse(byte[] item) {
        if (item == null) {
            return new Malformed("empty stack");
        }
        if (item.length == 0) {
            return new Malformed("empty stack item");
        }
        int version = item[0] & 0xFF;
        return switch (version) {
            case 1 -> item.length == V1_SIZE
                    ? new V1(MiniHeader.read(ByteBuffer.wrap(item, 1, MiniHeader.SIZE)))
                    : new Malformed("version 1 payload must be 36 bytes, got " + item.length);
            case 2 -> {
                if (item.length != V2_SIZE) {
                    yield new Malformed("version 2 payload must be 66 bytes, got " + item.length);
                }
                ByteBuffer buf = ByteBuffer.wrap(item, 1, V2_SIZE - 1);
                int chain = buf.get() & 0xFF;
                yield new V2(chain, Hash32.read(buf), Hash32.read(buf));
            }
            default -> new UnknownVersion(version);
        };
    }

    /** The bytes a script pushes for this payload (not defined for unknown or malformed ones). */
    default byte[] serialize() {
        if (this instanceof V1 v1) {
            ByteBuffer buf = ByteBuffer.allocate(V1_SIZE);
            buf.put((byte) 1);
            v1.miniHeader().write(buf);
            return buf.array();
        }
        if (this instanceof V2 v2) {
            ByteBuffer buf = ByteBuffer.allocate(V2_SIZE);
            buf.put((byte) 2).put((byte) v2.chain());
            v2.hStar().write(buf);
            v2.prevSideBlockHash().write(buf);
            return buf.array();
        }
        throw new IllegalStateException("no serialization for " + this);
    }

    static CbvPayload v1(MiniHeader miniHeader) {
        return new V1(miniHeader);
    }

    static CbvPayload v2(int chain, Hash32 hStar, Hash32 prevSideBlockHash) {
        return new V2(chain, hStar, prevSideBlockHash);
    }
}
