package org.sidechains.bmm.m8;

import java.util.Objects;
import org.sidechains.bmm.base.MiniHeader;

/**
 * What an M8 (bribe) commits to in its output 0: the sidechain mini-header it pays for and the
 * mainAnchor (height of the only block that may include it, modulo 65536).
 */
public record M8Tag(MiniHeader miniHeader, int mainAnchor) {
    public M8Tag {
        Objects.requireNonNull(miniHeader, "miniHeader");
        if (mainAnchor < 0 || mainAnchor > 0xFFFF) {
            throw new IllegalArgumentException("mainAnchor must be 0..65535, got " + mainAnchor);
        }
    }

    /** The mainAnchor for a block at {@code height}. */
    public static int anchorFor(long height) {
        return (int) (height & 0xFFFF);
    }

    public static M8Tag forBlock(MiniHeader miniHeader, long height) {
        return new M8Tag(miniHeader, anchorFor(height));
    }

    public int chain() {
        return miniHeader.chain();
    }
}
