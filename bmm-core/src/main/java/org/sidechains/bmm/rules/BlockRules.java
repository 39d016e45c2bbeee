package org.sidechains.bmm.rules;

import java.util.List;
import java.util.Optional;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.m7.CoinbaseM7;
import org.sidechains.bmm.m7.M7Codec;
import org.sidechains.bmm.m8.M8Tag;

/**
 * The block-level BMM rules that need no spent outputs (protocol.md, "Block rules"): M8s are
 * checked in block order, each against anchor, then M7 match, then duplicate; the first failure
 * names the reject reason. OP_CBV ({@link RejectReason#CBV_UNSATISFIED}) needs the spent scripts
 * and is checked by the caller that has them.
 */
public final class BlockRules {
    private BlockRules() {
    }

    /**
     * @param params               activation height
     * @param height               the block's height
     * @param coinbaseOutputScripts the coinbase's output scripts, in order
     * @param m8s                  the tags of the block's M8s, in block order
     */
    public static BlockVerdict check(BmmParams params, long height, List<byte[]> coinbaseOutputScripts,
                                     List<M8Tag> m8s) {
        Optional<CoinbaseM7> m7 = M7Codec.findInCoinbase(coinbaseOutputScripts);
        if (!params.activeAt(height) || m8s.isEmpty()) {
            return new BlockVerdict.Valid(m7); // every rule here is about M8s
        }
        MiniHeader[] byChain = new MiniHeader[256];
        m7.ifPresent(c -> c.entries().forEach(e -> byChain[e.chain()] = e));
        int anchor = M8Tag.anchorFor(height);
        boolean[] paid = new boolean[256];
        for (int i = 0; i < m8s.size(); i++) {
            M8Tag tag = m8s.get(i);
            if (tag.mainAnchor() != anchor) {
                return new BlockVerdict.Invalid(RejectReason.M8_ANCHOR, i,
                        "mainAnchor " + tag.mainAnchor() + " but the block's height " + height + " gives " + anchor);
            }
            MiniHeader entry = byChain[tag.chain()];
            if (!tag.miniHeader().equals(entry)) {
                return new BlockVerdict.Invalid(RejectReason.M8_NO_M7, i, entry == null
                        ? "no M7 entry for chain " + tag.chain()
                        : "M8 mini-header differs from the M7 entry for chain " + tag.chain());
            }
            if (paid[tag.chain()]) {
                return new BlockVerdict.Invalid(RejectReason.M8_DUPLICATE, i,
                        "a second M8 for chain " + tag.chain());
            }
            paid[tag.chain()] = true;
        }
        return new BlockVerdict.Valid(m7);
    }
}
