package org.sidechains.bmm.bip301;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.sidechains.bmm.base.Hash32;

/**
 * The BIP 301 interop profile, as finally published (protocol.md, "Interop profile"): an M7 is the
 * coinbase output {@code 6a 25 d1617368 <slot> <h*>}; an M8 is output 0 of any transaction,
 * {@code 6a 44 00bf00 <slot> <h*> <prevMainBlock>}. Exact lengths only; the bid is the fee.
 */
public final class Bip301 {
    private static final byte[] M7_PREFIX = {0x6a, 0x25, (byte) 0xd1, 0x61, 0x73, 0x68};
    private static final byte[] M8_PREFIX = {0x6a, 0x44, 0x00, (byte) 0xbf, 0x00};
    public static final int M7_SIZE = M7_PREFIX.length + 1 + 32;
    public static final int M8_SIZE = M8_PREFIX.length + 1 + 32 + 32;

    private Bip301() {
    }

    /** A BIP 301 M7: sidechain slot and the h* it commits to. */
    public record M7(int slot, Hash32 hStar) {
        public M7 {
            checkSlot(slot);
            Objects.requireNonNull(hStar);
        }
    }

    /** A BIP 301 M8: slot, h* and the main:block it must be mined on top of (prevMainBlock). */
    public record M8(int slot, Hash32 hStar, Hash32 prevMainBlock) {
        public M8 {
            checkSlot(slot);
            Objects.requireNonNull(hStar);
            Objects.requireNonNull(prevMainBlock);
        }
    }

    /** How BIP 301 judges a coinbase's M7s. */
    public sealed interface CoinbaseResult {
        record Ok(List<M7> m7s) implements CoinbaseResult {
            public Ok {
                m7s = List.copyOf(m7s);
            }
        }

        /** Two M7s for one slot: the block is invalid. */
        record DuplicateSlot(int slot) implements CoinbaseResult {
        }
    }

    public static Optional<M7> parseM7(byte[] script) {
        if (script.length != M7_SIZE || !Arrays.equals(script, 0, M7_PREFIX.length, M7_PREFIX, 0, M7_PREFIX.length)) {
            return Optional.empty();
        }
        ByteBuffer buf = ByteBuffer.wrap(script, M7_PREFIX.length, 33);
        return Optional.of(new M7(buf.get() & 0xFF, Hash32.read(buf)));
    }

    public static Optional<M8> parseM8(byte[] script) {
        if (script.length != M8_SIZE || !Arrays.equals(script, 0, M8_PREFIX.length, M8_PREFIX, 0, M8_PREFIX.length)) {
            return Optional.empty();
        }
        ByteBuffer buf = ByteBuffer.wrap(script, M8_PREFIX.length, 65);
        return Optional.of(new M8(buf.get() & 0xFF, Hash32.read(buf), Hash32.read(buf)));
    }

    public static byte[] write(M7 m7) {
        ByteBuffer buf = ByteBuffer.allocate(M7_SIZE);
        buf.put(M7_PREFIX).put((byte) m7.slot());
        m7.hStar().write(buf);
        return buf.array();
    }

    public static byte[] write(M8 m8) {
        ByteBuffer buf = ByteBuffer.allocate(M8_SIZE);
        buf.put(M8_PREFIX).put((byte) m8.slot());
        m8.hStar().write(buf);
        m8.prevMainBlock().write(buf);
        return buf.array();
    }

    /** Reads every BIP 301 M7 of a coinbase; two for one slot make the block invalid. */
    public static CoinbaseResult readCoinbase(List<byte[]> outputScripts) {
        boolean[] seen = new boolean[256];
        List<M7> out = new java.util.ArrayList<>();
        for (byte[] s : outputScripts) {
            Optional<M7> m7 = parseM7(s);
            if (m7.isPresent()) {
                if (seen[m7.get().slot()]) {
                    return new CoinbaseResult.DuplicateSlot(m7.get().slot());
                }
                seen[m7.get().slot()] = true;
                out.add(m7.get());
            }
        }
        return new CoinbaseResult.Ok(out);
    }

    private static void checkSlot(int slot) {
        if (slot < 0 || slot > 255) {
            throw new IllegalArgumentException("slot must be 0..255, got " + slot);
        }
    }
}
