package org.sidechains.bmm.bitcoinj.chain;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.sidechains.bmm.rules.BmmParams;

/**
 * @param params             activation height, D3 window, OP_CBV depth
 * @param maxReorgDepth      how many blocks back undo data and block bodies are kept; a deeper
 *                           reorg is refused and changes nothing
 * @param outputIndex        which unspent outputs the chain indexes itself to see what inputs spend
 * @param checkBlockContents also run bitcoinj's full-block checks (merkle root, block size,
 *                           sigops, transaction sanity) on every block. Off by default: the chain
 *                           trusts the mainchain node for Bitcoin's own rules, as bitcoinj's
 *                           {@code BlockChain} does; turn it on when blocks come from peers you do
 *                           not trust, because a peer could otherwise change a block's transactions
 *                           (and with them its M7 and M8s) under a valid header.
 * @param stateDatabase      where the chain keeps its BMM state on disk (SQLite), for a chain over
 *                           a persistent block store ({@code SPVBlockStore}) to survive restarts
 *                           and crashes; empty: in memory only, and the block store must start new
 */
public record BmmChainConfig(BmmParams params, int maxReorgDepth, OutputIndex.Scope outputIndex,
                             boolean checkBlockContents, Optional<Path> stateDatabase) {
    public static final int DEFAULT_MAX_REORG_DEPTH = 288;

    public BmmChainConfig(BmmParams params, int maxReorgDepth) {
        this(params, maxReorgDepth, OutputIndex.Scope.CBV, false, Optional.empty());
    }

    public BmmChainConfig {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(outputIndex, "outputIndex");
        Objects.requireNonNull(stateDatabase, "stateDatabase");
        if (maxReorgDepth < 1) {
            throw new IllegalArgumentException("maxReorgDepth must be >= 1");
        }
        if (stateDatabase.isPresent() && outputIndex == OutputIndex.Scope.NONE) {
            // the prevouts offered with a kept block are not saved, so a reorg after a restart could not reconnect it
            throw new IllegalArgumentException("a state database needs the chain's own output index:"
                    + " use the default (CBV) or withFullOutputIndex(), not withoutOutputIndex()");
        }
    }

    /**
     * Regtest: rules active from genesis, window 8000, OP_CBV depth 100, reorgs up to 288 deep, an
     * index of only the outputs whose spend can run OP_CBV, Bitcoin's rules left to the node.
     */
    public static BmmChainConfig regtest() {
        return new BmmChainConfig(BmmParams.regtest(), DEFAULT_MAX_REORG_DEPTH);
    }

    public BmmChainConfig withParams(BmmParams p) {
        return new BmmChainConfig(p, maxReorgDepth, outputIndex, checkBlockContents, stateDatabase);
    }

    /** Whether the chain indexes outputs itself; without, every offer must bring its prevouts. */
    public boolean hasOutputIndex() {
        return outputIndex != OutputIndex.Scope.NONE;
    }

    /** The same chain, but every offer must bring the prevouts it spends (no own output index). */
    public BmmChainConfig withoutOutputIndex() {
        return new BmmChainConfig(params, maxReorgDepth, OutputIndex.Scope.NONE, checkBlockContents, stateDatabase);
    }

    /**
     * The same chain, also indexing every unspent output (value and script), so that
     * {@link BmmBlockChain#prevouts()} can serve a bribe pool or a block assembler.
     */
    public BmmChainConfig withFullOutputIndex() {
        return new BmmChainConfig(params, maxReorgDepth, OutputIndex.Scope.ALL, checkBlockContents, stateDatabase);
    }

    /** The same chain, also checking what bitcoinj checks of a full block (for blocks from untrusted peers). */
    public BmmChainConfig withBlockContentChecks() {
        return new BmmChainConfig(params, maxReorgDepth, outputIndex, true, stateDatabase);
    }

    /**
     * The same chain, keeping its BMM state in a SQLite database at {@code file} (made if new), so
     * that it can be opened again over the same persistent block store after a restart or a crash.
     * Close the chain ({@link BmmBlockChain#close()}) before the block store.
     */
    public BmmChainConfig withStateDatabase(Path file) {
        return new BmmChainConfig(params, maxReorgDepth, outputIndex, checkBlockContents,
                Optional.of(Objects.requireNonNull(file, "file")));
    }
}
