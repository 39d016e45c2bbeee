package org.sidechains.bmm.bitcoinj.chain;

import java.util.Objects;
import org.sidechains.bmm.rules.BmmParams;

/**
 * @param params        activation height, D3 window, OP_CBV depth
 * @param maxReorgDepth how many blocks back undo data and block bodies are kept; a deeper reorg
 *                      fails with bitcoinj's PrunedException
 * @param outputIndex   whether the chain keeps its own index of unspent outputs for OP_CBV. Without
 *                      it every block must be offered with the outputs it spends (bitcoind's
 *                      {@code getblock} verbosity 3), which keeps memory flat on a big chain.
 */
public record BmmChainConfig(BmmParams params, int maxReorgDepth, boolean outputIndex) {
    public static final int DEFAULT_MAX_REORG_DEPTH = 288;

    public BmmChainConfig(BmmParams params, int maxReorgDepth) {
        this(params, maxReorgDepth, true);
    }

    public BmmChainConfig {
        Objects.requireNonNull(params, "params");
        if (maxReorgDepth < 1) {
            throw new IllegalArgumentException("maxReorgDepth must be >= 1");
        }
    }

    /** Regtest: rules active from genesis, window 8000, OP_CBV depth 100, reorgs up to 288 deep. */
    public static BmmChainConfig regtest() {
        return new BmmChainConfig(BmmParams.regtest(), DEFAULT_MAX_REORG_DEPTH);
    }

    public BmmChainConfig withParams(BmmParams p) {
        return new BmmChainConfig(p, maxReorgDepth, outputIndex);
    }

    /** The same chain, but every offer must bring the prevouts it spends (no own output index). */
    public BmmChainConfig withoutOutputIndex() {
        return new BmmChainConfig(params, maxReorgDepth, false);
    }
}
