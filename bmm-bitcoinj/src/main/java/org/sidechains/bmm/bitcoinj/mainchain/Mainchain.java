package org.sidechains.bmm.bitcoinj.mainchain;

import java.util.List;
import java.util.Optional;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.NetworkParameters;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.sidechains.bmm.bitcoinj.assemble.BlockTemplate;

/**
 * A Bitcoin node that knows nothing of BMM, as the miner and the sidechain node see it: a real
 * {@code bitcoind -regtest} reached by JSON-RPC, or the embedded regtest chain in this JVM.
 *
 * <p>Each method is one bitcoind RPC and has its semantics. Failures are unchecked
 * {@link MainchainException}s: {@link MainchainException.Rpc} carries bitcoind's own error code and
 * message (for example -5 for an unknown block, -8 for a height out of range), so callers handle
 * both implementations alike. Implementations are safe for use from several threads.
 */
public interface Mainchain extends AutoCloseable {

    /** For logs: "bitcoind at http://127.0.0.1:18443" or "embedded regtest chain". */
    String describe();

    /** The network's parameters (regtest for everything this project runs). */
    NetworkParameters params();

    /** {@code getblockcount}: the height of the active tip. */
    int blockCount();

    /** {@code getbestblockhash}. */
    Sha256Hash bestBlockHash();

    /** {@code getblockhash height}; -8 when the height is out of range. */
    Sha256Hash blockHash(int height);

    /**
     * The hashes of {@code count} consecutive active blocks from {@code fromHeight}; an implementation
     * over RPC answers with one batch of {@code getblockhash}.
     */
    default List<Sha256Hash> blockHashes(int fromHeight, int count) {
        List<Sha256Hash> out = new java.util.ArrayList<>(count);
        for (int h = fromHeight; h < fromHeight + count; h++) {
            out.add(blockHash(h));
        }
        return out;
    }

    /** {@code getblockheader hash true}; -5 when the block is unknown. */
    HeaderInfo header(Sha256Hash hash);

    /** {@code getblock hash 0}: the whole block, parsed with its witnesses; -5 when unknown. */
    Block block(Sha256Hash hash);

    /** Several {@code getblock hash 0} in one round trip (a JSON-RPC batch), in the order asked. */
    List<Block> blocks(List<Sha256Hash> hashes);

    /**
     * {@code getblock hash 0} and {@code getblock hash 3} in one batch: the block and the outputs its
     * transactions spend, for OP_CBV checks without an own output index.
     */
    BlockWithPrevouts blockWithPrevouts(Sha256Hash hash);

    /** {@link #blockWithPrevouts} for several blocks in one round trip, in the order asked. */
    default List<BlockWithPrevouts> blocksWithPrevouts(List<Sha256Hash> hashes) {
        List<BlockWithPrevouts> out = new java.util.ArrayList<>(hashes.size());
        for (Sha256Hash h : hashes) {
            out.add(blockWithPrevouts(h));
        }
        return out;
    }

    /** {@code getblocktemplate {"rules":["segwit"]}} with bitcoind's 1-based depends made 0-based. */
    BlockTemplate blockTemplate();

    /**
     * {@code submitblock}: empty when accepted, else bitcoind's answer string as it is. Most are
     * refusals ({@code "high-hash"}, {@code "bad-cb-amount"}, ...), but two are not: {@code "duplicate"}
     * (the node already has the block) and {@code "inconclusive"} (valid, but not on the best chain).
     * A block that cannot be decoded is an {@link MainchainException.Rpc} with -22.
     */
    Optional<String> submitBlock(Block block);

    /** {@code sendrawtransaction}; bitcoind's mempool refusals are {@link MainchainException.Rpc} (-26, -25, ...). */
    Sha256Hash sendRawTransaction(Transaction tx);

    /** {@code generatetoaddress n address}: the new blocks' hashes. */
    List<Sha256Hash> generateToAddress(int blocks, String address);

    /** {@code gettxout txid n includeMempool}: empty when spent or unknown. */
    Optional<TxOutInfo> txOut(TransactionOutPoint outpoint, boolean includeMempool);

    /** {@code invalidateblock}. */
    void invalidateBlock(Sha256Hash hash);

    /** {@code reconsiderblock}. */
    void reconsiderBlock(Sha256Hash hash);

    /** Releases connections or threads; never throws. */
    @Override
    void close();
}
