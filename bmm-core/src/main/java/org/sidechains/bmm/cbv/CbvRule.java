package org.sidechains.bmm.cbv;

import org.sidechains.bmm.d3.D3View;

/**
 * OP_CheckBribeVerify's consensus rule over D3: whether the top stack item is satisfied. D3 is
 * the state after the previous block (for a block's transactions) or after the tip (for a pool).
 */
public final class CbvRule {
    private CbvRule() {
    }

    /**
     * @param topItem       the top stack item, or {@code null} for an empty stack
     * @param d3            D3 before the block being checked
     * @param minBlocksAtop 100 in the protocol
     */
    public static boolean satisfied(byte[] topItem, D3View d3, int minBlocksAtop) {
        return satisfied(CbvPayload.parse(topItem), d3, minBlocksAtop);
    }

    public static boolean satisfied(CbvPayload payload, D3View d3, int minBlocksAtop) {
        if (payload instanceof CbvPayload.V1 v1) {
            return d3.hasEntry(v1.miniHeader().chain(), v1.miniHeader().hStar(), v1.miniHeader().prevBlockRef(),
                    minBlocksAtop);
        }
        if (payload instanceof CbvPayload.V2 v2) {
            return d3.hasEntryWithParent(v2.chain(), v2.hStar(), v2.prevSideBlockHash(), minBlocksAtop);
        }
        return payload instanceof CbvPayload.UnknownVersion;
    }
}
