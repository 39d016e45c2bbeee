package org.sidechains.bmm.m7;

import java.util.List;
import org.sidechains.bmm.base.MiniHeader;

/**
 * The consensus content of one M7 output: its mini-headers after first-wins (at most one per
 * ChainIndex, in the order they appear). An M7 with no entries is still an M7.
 */
public record M7(List<MiniHeader> entries) {
    /** The 4-byte message header "BMM7". */
    public static final byte[] TAG = {0x42, 0x4d, 0x4d, 0x37};
    /** Writers put at most one entry per ChainIndex, so at most 256. */
    public static final int MAX_ENTRIES = 256;

    public M7 {
        entries = List.copyOf(entries);
        boolean[] seen = new boolean[256];
        for (MiniHeader e : entries) {
            if (seen[e.chain()]) {
                throw new IllegalArgumentException("ChainIndex " + e.chain() + " appears twice; use firstWins");
            }
            seen[e.chain()] = true;
        }
    }

    /** Applies the protocol's first-wins rule: of several chunks with one ChainIndex, the first counts. */
    public static M7 firstWins(List<MiniHeader> chunks) {
        boolean[] seen = new boolean[256];
        List<MiniHeader> kept = new java.util.ArrayList<>(Math.min(chunks.size(), MAX_ENTRIES));
        for (MiniHeader e : chunks) {
            if (!seen[e.chain()]) {
                seen[e.chain()] = true;
                kept.add(e);
            }
        }
        return new M7(kept);
    }
}
