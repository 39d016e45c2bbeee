package org.sidechains.bmm.regtest.embedded;

import java.util.Optional;
import org.bitcoinj.core.Block;
import org.sidechains.bmm.bitcoinj.chain.BmmRules;
import org.sidechains.bmm.bitcoinj.prevout.PrevoutSource;
import org.sidechains.bmm.d3.D3View;
import org.sidechains.bmm.rules.BmmParams;

/**
 * The BMM soft-fork rules of protocol.md for a block, as bitcoind-style refusals: bmm-bitcoinj's
 * {@link BmmRules}, which {@code BmmBlockChain} applies too, so both refuse the same blocks with the
 * same reason. A spent output nobody knows is bitcoind's {@code bad-txns-inputs-missingorspent}.
 */
final class BmmBlockCheck {
    private BmmBlockCheck() {
    }

    /**
     * @param spent the outputs the block's inputs spend (including outputs of earlier transactions
     *              of the block); every input must be found
     * @param d3    D3 after the parent block
     */
    static Optional<Refusal> check(BmmParams params, int height, Block block, PrevoutSource spent, D3View d3) {
        BmmRules.Verdict v = BmmRules.check(params, height, block, spent, d3);
        if (v instanceof BmmRules.Verdict.Broken b) {
            return Optional.of(Refusal.of(b.reason().code(), b.detail()));
        }
        if (v instanceof BmmRules.Verdict.MissingPrevout m) {
            return Optional.of(Refusal.of("bad-txns-inputs-missingorspent", m.detail()));
        }
        if (v instanceof BmmRules.Verdict.WitnessMissing w) {
            // bitcoind's script check refuses it first (SCRIPT_ERR_WITNESS_PROGRAM_WITNESS_EMPTY)
            return Optional.of(Refusal.of("mandatory-script-verify-flag-failed (Witness program was passed an empty witness)",
                    w.detail()));
        }
        return Optional.empty();
    }
}
