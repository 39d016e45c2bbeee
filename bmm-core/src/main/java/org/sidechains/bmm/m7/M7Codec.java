package org.sidechains.bmm.m7;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.sidechains.bmm.base.MiniHeader;

/**
 * Reads and writes M7 coinbase outputs (protocol.md, "M7"). Reading never throws: any byte string
 * is either an M7 or not.
 */
public final class M7Codec {
    private static final int OP_RETURN = 0x6a;
    private static final int OP_PUSHDATA1 = 0x4c;
    private static final int OP_PUSHDATA2 = 0x4d;
    private static final int OP_PUSHDATA4 = 0x4e;

    private M7Codec() {
    }

    /**
     * Parses a scriptPubKey: OP_RETURN followed by exactly one push (any push opcode) whose data
     * starts with "BMM7". Entries are laid out in 35-byte chunks; a trailing partial chunk is
     * ignored and a repeated ChainIndex keeps its first chunk.
     */
    public static Optional<M7> parse(byte[] script) {
        int dataStart = pushDataStart(script);
        if (dataStart < 0) {
            return Optional.empty();
        }
        int len = script.length - dataStart;
        if (len < M7.TAG.length
                || !Arrays.equals(script, dataStart, dataStart + 4, M7.TAG, 0, 4)) {
            return Optional.empty();
        }
        int n = (len - M7.TAG.length) / MiniHeader.SIZE;
        ByteBuffer buf = ByteBuffer.wrap(script, dataStart + M7.TAG.length, n * MiniHeader.SIZE);
        List<MiniHeader> chunks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            chunks.add(MiniHeader.read(buf));
        }
        return Optional.of(M7.firstWins(chunks));
    }

    /** The first coinbase output (lowest index) that is an M7, with its index; others are ignored. */
    public static Optional<CoinbaseM7> findInCoinbase(List<byte[]> outputScripts) {
        for (int i = 0; i < outputScripts.size(); i++) {
            Optional<M7> m7 = parse(outputScripts.get(i));
            if (m7.isPresent()) {
                return Optional.of(new CoinbaseM7(i, m7.get()));
            }
        }
        return Optional.empty();
    }

    /**
     * Writes an M7 scriptPubKey with the minimal push: direct for 0..2 entries, PUSHDATA1 for
     * 3..7, PUSHDATA2 for 8..256. Entries must have distinct ChainIndexes (a duplicate would have
     * no consensus meaning).
     */
    public static byte[] write(List<MiniHeader> entries) {
        if (entries.size() > M7.MAX_ENTRIES) {
            throw new IllegalArgumentException("an M7 holds at most 256 entries, got " + entries.size());
        }
        new M7(entries); // checks distinct ChainIndexes
        int dataLen = M7.TAG.length + entries.size() * MiniHeader.SIZE;
        int opLen = dataLen <= 75 ? 1 : dataLen <= 0xFF ? 2 : 3;
        ByteBuffer buf = ByteBuffer.allocate(1 + opLen + dataLen);
        buf.put((byte) OP_RETURN);
        if (opLen == 1) {
            buf.put((byte) dataLen);
        } else if (opLen == 2) {
            buf.put((byte) OP_PUSHDATA1).put((byte) dataLen);
        } else {
            buf.put((byte) OP_PUSHDATA2).put((byte) dataLen).put((byte) (dataLen >>> 8));
        }
        buf.put(M7.TAG);
        for (MiniHeader e : entries) {
            e.write(buf);
        }
        return buf.array();
    }

    /**
     * Where the data of "OP_RETURN <one push>" starts, or -1 when the script is not exactly that
     * (a truncated push, a second opcode after the push, or no push at all).
     */
    static int pushDataStart(byte[] script) {
        if (script.length < 2 || (script[0] & 0xFF) != OP_RETURN) {
            return -1;
        }
        int op = script[1] & 0xFF;
        long len;
        int start;
        if (op >= 0x01 && op <= 0x4b) {
            len = op;
            start = 2;
        } else if (op == OP_PUSHDATA1) {
            if (script.length < 3) {
                return -1;
            }
            len = script[2] & 0xFF;
            start = 3;
        } else if (op == OP_PUSHDATA2) {
            if (script.length < 4) {
                return -1;
            }
            len = (script[2] & 0xFF) | (script[3] & 0xFF) << 8;
            start = 4;
        } else if (op == OP_PUSHDATA4) {
            if (script.length < 6) {
                return -1;
            }
            len = (script[2] & 0xFFL) | (script[3] & 0xFFL) << 8 | (script[4] & 0xFFL) << 16
                    | (script[5] & 0xFFL) << 24;
            start = 6;
        } else {
            return -1;
        }
        return start + len == script.length ? start : -1;
    }
}
