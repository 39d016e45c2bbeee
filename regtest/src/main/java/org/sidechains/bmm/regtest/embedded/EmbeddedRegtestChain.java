package org.sidechains.bmm.regtest.embedded;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.bitcoinj.base.Address;
import org.bitcoinj.base.AddressParser;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.NetworkParameters;
import org.bitcoinj.core.ProtocolException;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.params.RegTestParams;
import org.bitcoinj.script.ScriptBuilder;
import org.sidechains.bmm.bitcoinj.assemble.BlockBuilder;
import org.sidechains.bmm.bitcoinj.assemble.BlockTemplate;
import org.sidechains.bmm.bitcoinj.assemble.Subsidy;
import org.sidechains.bmm.bitcoinj.chain.LockedD3View;
import org.sidechains.bmm.bitcoinj.chain.WitnessCommitment;
import org.sidechains.bmm.bitcoinj.mainchain.BlockWithPrevouts;
import org.sidechains.bmm.bitcoinj.mainchain.HeaderInfo;
import org.sidechains.bmm.bitcoinj.mainchain.Mainchain;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.sidechains.bmm.bitcoinj.mainchain.TxOutInfo;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.d3.D3;
import org.sidechains.bmm.d3.D3Undo;
import org.sidechains.bmm.d3.D3View;
import org.sidechains.bmm.m7.M7Codec;
import org.sidechains.bmm.rules.BmmParams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A regtest Bitcoin node in this JVM behind the {@link Mainchain} interface, for users without a
 * {@code bitcoind}: genesis of bitcoinj's {@link RegTestParams}, a block index with every valid
 * block and its side branches, the active chain by most cumulative work (first seen wins ties), a
 * UTXO set with per-block undo so reorganisations (also by {@link #invalidateBlock} /
 * {@link #reconsiderBlock}) restore it exactly, a small mempool and a miner.
 *
 * <p>Each block is checked as bitcoind v25 checks it, with bitcoind's reject reasons: proof of
 * work, merkle root (and its duplicated-transaction mutation), sizes, BIP34 height, finality,
 * BIP141 witness commitment, inputs that exist and are unspent, coinbase maturity, coinbase value
 * &lt;= subsidy + fees, and the signatures of P2PKH, P2WPKH and P2PK spends; then the BMM rules of
 * protocol.md with their reject reasons (bmm-core's BlockRules and bmm-bitcoinj's CbvChecker
 * against D3 as of the parent). Signatures of other output types are not verified:
 * docs/embedded-chain.md lists everything it does not check; bitcoind is the reference.
 *
 * <p>Failures are {@link MainchainException.Rpc} with bitcoind's code and message. Thread-safe: one
 * lock serialises every call. Blocks live in a {@link BlockArchive} (memory by default); everything
 * else is derived from it.
 */
public final class EmbeddedRegtestChain implements Mainchain {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedRegtestChain.class);
    /** bitcoind's DEFAULT_MAX_RAW_TX_FEE_RATE: 0.10 BTC per 1000 vbytes. */
    public static final Coin DEFAULT_MAX_FEE_RATE = Coin.valueOf(10_000_000);
    private static final Duration MAX_TIP_AGE = Duration.ofHours(24);
    /** bitcoind's block-file framing: 4 bytes magic and 4 bytes size before each block. */
    private static final int BLOCK_FILE_OVERHEAD = 8;
    /** The weight bitcoind's BlockAssembler reserves for the coinbase. */
    private static final int COINBASE_RESERVED_WEIGHT = 4_000;
    /** bitcoind's DEFAULT_BLOCK_MAX_WEIGHT (-blockmaxweight): MAX_BLOCK_WEIGHT - 4000. */
    static final int DEFAULT_BLOCK_MAX_WEIGHT = BlockChecks.MAX_BLOCK_WEIGHT - 4_000;

    private final ReentrantLock lock = new ReentrantLock();
    private final NetworkParameters params = RegTestParams.get();
    private final EmbeddedChainConfig config;
    private final BlockIndex index = new BlockIndex();
    private final List<BlockIndex.Entry> active = new ArrayList<>();
    private final UtxoSet utxo = new UtxoSet();
    private final D3 d3;
    private final D3View lockedD3;
    private final Map<Sha256Hash, BlockUndo> undo = new HashMap<>();
    private final Map<Sha256Hash, D3Undo> d3Undo = new HashMap<>();
    /** Blocks refused after their header was accepted (bitcoind remembers them as invalid). */
    private final Map<Sha256Hash, String> rejected = new HashMap<>();
    private final Mempool mempool = new Mempool();
    private final List<Transaction> disconnectedTxs = new ArrayList<>();
    private long mempoolUpdates;
    private long sizeOnDisk;
    private boolean initialDownload = true;

    private EmbeddedRegtestChain(EmbeddedChainConfig config) {
        this.config = config;
        this.d3 = D3.create(config.bmm().window());
        this.lockedD3 = new LockedD3View(d3, lock);
        Block genesis = params.getGenesisBlock();
        BlockIndex.Entry g = index.addGenesis(genesis);
        active.add(g);
        sizeOnDisk += genesis.messageSize() + BLOCK_FILE_OVERHEAD;
        // genesis is row 0 of D3, as in BmmBlockChain; its coinbase is not spendable (not in the UTXO set)
        d3.connect(0, Optional.empty());
        replay();
    }

    /** A chain at genesis with the BMM rules of protocol.md active from genesis, blocks in memory. */
    public static EmbeddedRegtestChain create() {
        return create(EmbeddedChainConfig.regtest());
    }

    /** A chain as configured; the archive's blocks, if any, are offered again in arrival order. */
    public static EmbeddedRegtestChain create(EmbeddedChainConfig config) {
        return new EmbeddedRegtestChain(Objects.requireNonNull(config, "config"));
    }

    public EmbeddedChainConfig config() {
        return config;
    }

    public BmmParams bmmParams() {
        return config.bmm();
    }

    /** D3 as of the active tip; each call takes the chain's lock. */
    public D3View d3() {
        return lockedD3;
    }

    // ---- Mainchain ----

    @Override
    public String describe() {
        return "embedded regtest chain";
    }

    @Override
    public NetworkParameters params() {
        return params;
    }

    @Override
    public int blockCount() {
        return locked(() -> tip().height());
    }

    @Override
    public Sha256Hash bestBlockHash() {
        return locked(() -> tip().hash());
    }

    @Override
    public Sha256Hash blockHash(int height) {
        return locked(() -> {
            if (height < 0 || height >= active.size()) {
                throw rpc("getblockhash", -8, "Block height out of range");
            }
            return active.get(height).hash();
        });
    }

    @Override
    public HeaderInfo header(Sha256Hash hash) {
        return locked(() -> {
            BlockIndex.Entry e = entry("getblockheader", hash);
            return new HeaderInfo(hash, e.height(), e.parentEntry().map(BlockIndex.Entry::hash), confirmations(e));
        });
    }

    @Override
    public Block block(Sha256Hash hash) {
        return locked(() -> copy(entry("getblock", hash).block()));
    }

    @Override
    public List<Block> blocks(List<Sha256Hash> hashes) {
        return locked(() -> hashes.stream().map(this::block).toList());
    }

    @Override
    public BlockWithPrevouts blockWithPrevouts(Sha256Hash hash) {
        return locked(() -> {
            BlockIndex.Entry e = entry("getblock", hash);
            Block block = copy(e.block());
            Map<TransactionOutPoint, Prevout> prevouts = new HashMap<>();
            BlockUndo u = undo.get(hash);
            if (u != null) {
                List<Transaction> txs = block.getTransactions();
                for (int t = 1; t < txs.size(); t++) {
                    List<TransactionInput> ins = txs.get(t).getInputs();
                    for (int i = 0; i < ins.size(); i++) {
                        prevouts.put(ins.get(i).getOutpoint(), u.spent().get(t - 1).get(i).prevout());
                    }
                }
            }
            return new BlockWithPrevouts(block, e.height(), prevouts);
        });
    }

    @Override
    public BlockTemplate blockTemplate() {
        return templateInfo().template();
    }

    @Override
    public Optional<String> submitBlock(Block block) {
        Objects.requireNonNull(block, "block");
        if (block.getTransactions() == null || block.getTransactions().isEmpty()
                || !block.getTransactions().get(0).isCoinBase()) {
            throw rpc("submitblock", -22, "Block does not start with a coinbase");
        }
        return locked(() -> {
            Optional<String> result = submit(copy(block), true);
            refreshMempool();
            return result;
        });
    }

    @Override
    public Sha256Hash sendRawTransaction(Transaction tx) {
        return sendRawTransaction(tx, DEFAULT_MAX_FEE_RATE, Coin.ZERO);
    }

    /**
     * {@code sendrawtransaction hex maxfeerate maxburnamount}: refused (-25) when an unspendable
     * output carries more than {@code maxBurn}, or the fee is above {@code maxFeeRate} per 1000
     * vbytes (zero: no limit); otherwise the mempool's rules ({@link MempoolPolicy}).
     */
    public Sha256Hash sendRawTransaction(Transaction tx, Coin maxFeeRate, Coin maxBurn) {
        Transaction own = copy(tx);
        for (TransactionOutput out : own.getOutputs()) {
            if (UnspentOutput.unspendable(out.getScriptBytes()) && out.getValue().isGreaterThan(maxBurn)) {
                throw rpc("sendrawtransaction", -25, "Unspendable output exceeds maximum configured by user (maxburnamount)");
            }
        }
        return locked(() -> {
            Sha256Hash txid = own.getTxId();
            if (utxo.hasAnyOutputOf(own)) {
                throw rpc("sendrawtransaction", TxRefusal.ALREADY_IN_CHAIN, "Transaction already in block chain");
            }
            if (mempool.contains(txid)) {
                return txid;
            }
            MempoolPolicy.Verdict v = mempoolCheck(own);
            if (v instanceof MempoolPolicy.Verdict.Refused r) {
                throw rpc("sendrawtransaction", r.refusal().code(), r.refusal().message());
            }
            MempoolEntry entry = ((MempoolPolicy.Verdict.Accepted) v).entry();
            if (maxFeeRate.isPositive() && entry.fee().value > MempoolPolicy.feeFor(maxFeeRate.value, entry.vsize())) {
                throw rpc("sendrawtransaction", -25, "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)");
            }
            mempool.add(entry);
            mempoolUpdates++;
            return txid;
        });
    }

    @Override
    public List<Sha256Hash> generateToAddress(int blocks, String address) {
        byte[] script = outputScript(address).orElseThrow(() -> rpc("generatetoaddress", -5, "Error: Invalid address"));
        return generateToScript(blocks, script);
    }

    /** Mines {@code blocks} blocks from the mempool paying {@code payoutScript}, as generatetoaddress does. */
    public List<Sha256Hash> generateToScript(int blocks, byte[] payoutScript) {
        if (blocks < 0) {
            throw rpc("generatetoaddress", -8, "Invalid nblocks");
        }
        return locked(() -> {
            List<Sha256Hash> hashes = new ArrayList<>(blocks);
            for (int i = 0; i < blocks; i++) {
                Block b = mineOne(payoutScript);
                Optional<String> refused = submit(b, true);
                if (refused.isPresent()) {
                    // the mempool let in what a block refuses: drop the block's transactions (and what
                    // depends on them) so the next generatetoaddress can succeed
                    List<Sha256Hash> dropped = dropFromMempool(b);
                    throw rpc("generatetoaddress", -32603, "ProcessNewBlock, block not accepted: " + refused.get()
                            + (dropped.isEmpty() ? "" : "; removed from the mempool: "
                            + String.join(", ", dropped.stream().map(Sha256Hash::toString).toList())));
                }
                refreshMempool();
                hashes.add(b.getHash());
            }
            return hashes;
        });
    }

    @Override
    public Optional<TxOutInfo> txOut(TransactionOutPoint outpoint, boolean includeMempool) {
        return locked(() -> {
            BlockIndex.Entry tip = tip();
            if (includeMempool) {
                if (mempool.spender(outpoint).isPresent()) {
                    return Optional.empty();
                }
                Optional<UnspentOutput> fromPool = mempool.output(outpoint);
                if (fromPool.isPresent()) {
                    return Optional.of(new TxOutInfo(tip.hash(), 0, fromPool.get().prevout(), false));
                }
            }
            // as gettxout answers: where the output was made is in confirmations and coinbase, not in the output
            return utxo.get(outpoint).map(c -> new TxOutInfo(tip.hash(), tip.height() - c.height() + 1,
                    new Prevout(c.value(), c.scriptPubKey()), c.coinbase()));
        });
    }

    @Override
    public void invalidateBlock(Sha256Hash hash) {
        locked(() -> {
            BlockIndex.Entry e = entry("invalidateblock", hash);
            if (e.height() == 0) {
                throw rpc("invalidateblock", -1, "Cannot invalidate the genesis block");
            }
            index.markFailed(e);
            if (onActiveChain(e)) {
                while (tip() != e.parent()) {
                    disconnectTip();
                }
            }
            activateBestChain(null);
            refreshMempool();
            return null;
        });
    }

    @Override
    public void reconsiderBlock(Sha256Hash hash) {
        locked(() -> {
            BlockIndex.Entry e = entry("reconsiderblock", hash);
            index.clearFailure(e);
            activateBestChain(null);
            refreshMempool();
            return null;
        });
    }

    @Override
    public void close() {
        // memory only: nothing to release
    }

    // ---- views for the RPC service ----

    /** A stored block with what getblock/getblockheader report; empty when unknown. */
    public Optional<BlockRecord> blockRecord(Sha256Hash hash) {
        return locked(() -> index.get(hash).map(e -> new BlockRecord(e.hash(), e.height(), copy(e.block()),
                e.chainWork(), e.medianTimePast(), confirmations(e), e.parentEntry().map(BlockIndex.Entry::hash),
                next(e), Optional.ofNullable(undo.get(hash)))));
    }

    public ChainSummary summary() {
        return locked(() -> {
            BlockIndex.Entry t = tip();
            return new ChainSummary(t.hash(), t.height(), index.best().height(), t.block().getDifficultyTarget(),
                    t.block().getTimeSeconds(), t.medianTimePast(), t.chainWork(), initialDownload(), sizeOnDisk);
        });
    }

    /** {@code getblocktemplate} from the mempool (every mempool transaction that fits, in arrival order). */
    public TemplateInfo templateInfo() {
        return locked(() -> {
            BlockIndex.Entry t = tip();
            int height = t.height() + 1;
            long minTime = t.medianTimePast() + 1;
            List<BlockTemplate.TemplateTx> txs = new ArrayList<>();
            List<Integer> sigops = new ArrayList<>();
            List<Integer> weights = new ArrayList<>();
            Map<Sha256Hash, Integer> position = new HashMap<>();
            long fees = 0;
            int weight = COINBASE_RESERVED_WEIGHT; // bitcoind reserves room for the coinbase
            for (MempoolEntry e : mempool.entries()) {
                // bitcoind's BlockAssembler::TestPackage: the package must leave the block below -blockmaxweight
                if (weight + e.weight() >= DEFAULT_BLOCK_MAX_WEIGHT) {
                    break;
                }
                List<Integer> depends = new ArrayList<>();
                for (TransactionInput in : e.tx().getInputs()) {
                    Integer p = position.get(in.getOutpoint().hash());
                    if (p != null && !depends.contains(p)) {
                        depends.add(p);
                    }
                }
                Collections.sort(depends);
                position.put(e.txid(), txs.size());
                txs.add(new BlockTemplate.TemplateTx(copy(e.tx()), e.fee(), depends));
                sigops.add(e.sigOpCost());
                weights.add(e.weight());
                fees += e.fee().value;
                weight += e.weight();
            }
            List<Transaction> forCommitment = new ArrayList<>();
            forCommitment.add(new Transaction()); // the coinbase counts as zero
            txs.forEach(tx -> forCommitment.add(tx.tx()));
            BlockTemplate template = new BlockTemplate(t.hash(), height, Pow.REGTEST_BITS,
                    Instant.ofEpochSecond(curtime(t)), txs);
            return new TemplateInfo(template, sigops, weights, Subsidy.at(params, height).add(Coin.valueOf(fees)),
                    minTime, Merkle.witnessCommitmentScript(forCommitment), t.hash() + Long.toString(mempoolUpdates));
        });
    }

    /**
     * {@code getblocktemplate} in proposal mode (BIP23), as bitcoind v25 answers it: empty when the
     * block would be valid on the tip; else {@code duplicate} (a stored block that was connected),
     * {@code duplicate-invalid}, {@code duplicate-inconclusive} (stored, never connected),
     * {@code inconclusive-not-best-prevblk} (not built on the tip) or the reject reason of
     * TestBlockValidity: the header's context, CheckBlock without proof of work, the block's
     * context, then the UTXO and BMM checks; nothing is stored or changed.
     */
    public Optional<String> proposeBlock(Block proposal) {
        Objects.requireNonNull(proposal, "block");
        return locked(() -> {
            Block block = copy(proposal);
            Sha256Hash hash = block.getHash();
            if (rejected.containsKey(hash)) {
                return Optional.of("duplicate-invalid");
            }
            Optional<BlockIndex.Entry> known = index.get(hash);
            if (known.isPresent()) {
                BlockIndex.Entry k = known.get();
                return Optional.of(index.isFailed(k) ? "duplicate-invalid"
                        : k.height() == 0 || undo.containsKey(hash) ? "duplicate" : "duplicate-inconclusive");
            }
            BlockIndex.Entry t = tip();
            if (!block.getPrevBlockHash().equals(t.hash())) {
                return Optional.of("inconclusive-not-best-prevblk");
            }
            Optional<Refusal> r = BlockChecks.checkHeader(block, t.medianTimePast());
            if (r.isEmpty()) {
                r = BlockChecks.checkBlock(block, false);
            }
            if (r.isEmpty()) {
                r = BlockChecks.checkContextual(block, t.height() + 1, t.medianTimePast());
            }
            if (r.isEmpty()) {
                r = ConnectCheck.check(block, t.height() + 1, utxo::get, d3, config.bmm(),
                        params.getSubsidyDecreaseBlockCount());
            }
            return r.map(Refusal::reason);
        });
    }

    /** The mempool's transactions, in arrival order. */
    public List<Transaction> mempoolTransactions() {
        return locked(() -> mempool.entries().stream().map(e -> copy(e.tx())).toList());
    }

    // ---- blocks ----

    /**
     * bitcoind's submitblock: duplicates, then CheckBlock, the parent, ContextualCheckBlockHeader and
     * ContextualCheckBlock; the block is stored, then the best chain activated. The result is the
     * block's own verdict if it was connected ("inconclusive" if it was stored on a side branch).
     */
    private Optional<String> submit(Block block, boolean archive) {
        Sha256Hash hash = block.getHash();
        if (rejected.containsKey(hash)) {
            return Optional.of("duplicate-invalid");
        }
        Optional<BlockIndex.Entry> known = index.get(hash);
        if (known.isPresent()) {
            return Optional.of(index.isFailed(known.get()) ? "duplicate-invalid" : "duplicate");
        }
        Optional<BlockIndex.Entry> parent = index.get(block.getPrevBlockHash());
        if (parent.isPresent()) {
            block = withWitnessReserved(block);
        }
        Optional<Refusal> r = BlockChecks.checkBlock(block);
        if (r.isPresent()) {
            return Optional.of(r.get().reason());
        }
        if (parent.isEmpty()) {
            return Optional.of(rejected.containsKey(block.getPrevBlockHash()) ? "bad-prevblk" : "prev-blk-not-found");
        }
        if (index.isFailed(parent.get())) {
            return Optional.of("bad-prevblk");
        }
        // a bad header is not remembered (bitcoind checks it before indexing); a bad body is, unless mutated
        r = BlockChecks.checkHeader(block, parent.get().medianTimePast());
        if (r.isPresent()) {
            return Optional.of(r.get().reason());
        }
        r = BlockChecks.checkContextual(block, parent.get().height() + 1, parent.get().medianTimePast());
        if (r.isPresent()) {
            if (!r.get().mutated()) {
                rejected.put(hash, r.get().reason());
            }
            log.debug("block {} refused: {}", hash, r.get().text());
            return Optional.of(r.get().reason());
        }
        BlockIndex.Entry e = index.add(block, parent.get());
        if (archive) {
            config.archive().put(hash, block.serialize());
        }
        sizeOnDisk += block.messageSize() + BLOCK_FILE_OVERHEAD;
        Optional<Optional<String>> verdict = activateBestChain(e);
        return verdict.orElse(Optional.of("inconclusive"));
    }

    /**
     * Moves the active chain to the most-work valid block, connecting (and fully checking) each
     * block on the way; a block that fails is marked invalid and the search starts again, so the
     * chain ends on the best valid block. Returns the verdict of {@code watched} if it was checked.
     */
    private Optional<Optional<String>> activateBestChain(BlockIndex.Entry watched) {
        Optional<Optional<String>> verdict = Optional.empty();
        while (true) {
            BlockIndex.Entry best = index.best();
            if (best == tip()) {
                return verdict;
            }
            BlockIndex.Entry fork = BlockIndex.fork(tip(), best);
            while (tip() != fork) {
                disconnectTip();
            }
            List<BlockIndex.Entry> path = new ArrayList<>();
            for (BlockIndex.Entry x = best; x != fork; x = x.parent()) {
                path.add(x);
            }
            Collections.reverse(path);
            for (BlockIndex.Entry x : path) {
                Optional<Refusal> r = connect(x);
                if (x == watched) {
                    verdict = Optional.of(r.map(Refusal::reason));
                }
                if (r.isPresent()) {
                    log.debug("block {} at height {} invalid: {}", x.hash(), x.height(), r.get().text());
                    index.markFailed(x);
                    break;
                }
            }
        }
    }

    private Optional<Refusal> connect(BlockIndex.Entry e) {
        Block block = e.block();
        Optional<Refusal> r = ConnectCheck.check(block, e.height(), utxo::get, d3, config.bmm(),
                params.getSubsidyDecreaseBlockCount());
        if (r.isPresent()) {
            return r;
        }
        undo.put(e.hash(), utxo.apply(block, e.height()));
        List<byte[]> scripts = block.getTransactions().get(0).getOutputs().stream()
                .map(TransactionOutput::getScriptBytes).toList();
        d3Undo.put(e.hash(), d3.connect(e.height(), M7Codec.findInCoinbase(scripts)));
        active.add(e);
        return Optional.empty();
    }

    private void disconnectTip() {
        BlockIndex.Entry e = active.remove(active.size() - 1);
        utxo.revert(e.block(), undo.get(e.hash()));
        d3.disconnect(d3Undo.remove(e.hash()));
        List<Transaction> txs = e.block().getTransactions();
        // oldest disconnected block first when they go back to the mempool
        disconnectedTxs.addAll(0, txs.subList(1, txs.size()));
    }

    /** After a tip change: the disconnected blocks' transactions and the old mempool, checked again in order. */
    private void refreshMempool() {
        refreshMempool(Set.of());
    }

    /** As {@link #refreshMempool()}, leaving out the transactions {@code drop}. */
    private void refreshMempool(Set<Sha256Hash> drop) {
        List<Transaction> candidates = new ArrayList<>(disconnectedTxs);
        disconnectedTxs.clear();
        mempool.entries().forEach(e -> candidates.add(e.tx()));
        mempool.clear();
        for (Transaction tx : candidates) {
            if (drop.contains(tx.getTxId()) || mempool.contains(tx.getTxId()) || utxo.hasAnyOutputOf(tx)) {
                continue;
            }
            if (mempoolCheck(tx) instanceof MempoolPolicy.Verdict.Accepted a) {
                mempool.add(a.entry());
            }
        }
        mempoolUpdates++;
    }

    /**
     * After a block this chain built from its mempool was refused: removes the block's transactions
     * from the mempool, and with them those that no longer pass (their descendants); returns the
     * txids removed, in mempool order.
     */
    private List<Sha256Hash> dropFromMempool(Block refused) {
        Set<Sha256Hash> inBlock = new HashSet<>();
        List<Transaction> txs = refused.getTransactions();
        txs.subList(1, txs.size()).forEach(tx -> inBlock.add(tx.getTxId()));
        List<Sha256Hash> before = mempool.entries().stream().map(MempoolEntry::txid).toList();
        refreshMempool(inBlock);
        return before.stream().filter(txid -> !mempool.contains(txid)).toList();
    }

    /**
     * For tests of the generatetoaddress safety net only: puts a transaction in the mempool without
     * {@link MempoolPolicy}'s checks, as if the policy had a gap.
     */
    void addToMempoolUnchecked(Transaction tx, Coin fee) {
        locked(() -> {
            Transaction own = copy(tx);
            int weight = own.getWeight();
            mempool.add(new MempoolEntry(own, own.getTxId(), fee, weight, (weight + 3) / 4, 0));
            mempoolUpdates++;
            return null;
        });
    }

    private MempoolPolicy.Verdict mempoolCheck(Transaction tx) {
        BlockIndex.Entry t = tip();
        return MempoolPolicy.check(tx, utxo::get, mempool, t.height() + 1, t.medianTimePast(), d3, config.bmm());
    }

    /** A block on the tip from the mempool, as bitcoind's generatetoaddress builds it. */
    private Block mineOne(byte[] payoutScript) {
        TemplateInfo info = templateInfo();
        BlockTemplate t = info.template();
        List<Transaction> txs = t.transactions().stream().map(BlockTemplate.TemplateTx::tx).toList();
        List<BlockBuilder.Output> outs = List.of(new BlockBuilder.Output(info.coinbaseValue(), payoutScript));
        Instant time = t.time();
        while (true) {
            Block b = BlockMaker.build(t.prevBlockHash(), t.height(), time, t.bits(), outs, txs);
            // two blocks on one parent in the same second would be the same block: bitcoind too would
            // refuse the second as a duplicate; a second later it is a new block
            if (index.get(b.getHash()).isEmpty() && !rejected.containsKey(b.getHash())) {
                return b;
            }
            time = time.plusSeconds(1);
        }
    }

    /** bitcoind's UpdateUncommittedBlockStructures: a committed coinbase without witness gets the zero reserved value. */
    private static Block withWitnessReserved(Block block) {
        Transaction coinbase = block.getTransactions().get(0);
        OptionalInt pos = WitnessCommitment.index(coinbase);
        if (pos.isEmpty() || coinbase.getInput(0).hasWitness()) {
            return block;
        }
        Transaction cb = copy(coinbase);
        cb.replaceInput(0, cb.getInput(0).withWitness(WitnessCommitment.reservedWitness()));
        List<Transaction> txs = new ArrayList<>(block.getTransactions());
        txs.set(0, cb);
        return new Block(block.getVersion(), block.getPrevBlockHash(), block.getMerkleRoot(), block.time(),
                block.getDifficultyTarget(), block.getNonce(), txs);
    }

    /** Offers the archive's blocks again, in arrival order (for a persistent archive). */
    private void replay() {
        List<Sha256Hash> order = config.archive().arrivalOrder();
        for (Sha256Hash h : order) {
            config.archive().get(h).ifPresent(bytes -> submit(Block.read(ByteBuffer.wrap(bytes)), false));
        }
        if (!order.isEmpty()) {
            refreshMempool();
            log.info("embedded chain replayed {} archived blocks, tip at height {}", order.size(), tip().height());
        }
    }

    // ---- helpers ----

    private BlockIndex.Entry tip() {
        return active.get(active.size() - 1);
    }

    private boolean onActiveChain(BlockIndex.Entry e) {
        return e.height() < active.size() && active.get(e.height()) == e;
    }

    private int confirmations(BlockIndex.Entry e) {
        return onActiveChain(e) ? tip().height() - e.height() + 1 : -1;
    }

    private Optional<Sha256Hash> next(BlockIndex.Entry e) {
        return onActiveChain(e) && e.height() + 1 < active.size()
                ? Optional.of(active.get(e.height() + 1).hash()) : Optional.empty();
    }

    private long curtime(BlockIndex.Entry t) {
        return Math.max(config.clock().instant().getEpochSecond(), t.medianTimePast() + 1);
    }

    /** bitcoind's IsInitialBlockDownload on regtest: until the tip is less than 24 hours old, then latched off. */
    private boolean initialDownload() {
        if (initialDownload && tip().block().getTimeSeconds()
                >= config.clock().instant().minus(MAX_TIP_AGE).getEpochSecond()) {
            initialDownload = false;
        }
        return initialDownload;
    }

    private BlockIndex.Entry entry(String method, Sha256Hash hash) {
        return index.get(hash).orElseThrow(() -> rpc(method, -5, "Block not found"));
    }

    /** The output script of a regtest address (P2PKH, P2SH, P2WPKH, P2WSH, P2TR, other witness versions). */
    public static Optional<byte[]> outputScript(String address) {
        try {
            Address a = AddressParser.getDefault(BitcoinNetwork.REGTEST).parseAddress(address);
            return Optional.of(ScriptBuilder.createOutputScript(a).program());
        } catch (IllegalStateException | IllegalArgumentException e) { // AddressFormatException too
            return Optional.empty();
        }
    }

    private <T> T locked(Supplier<T> body) {
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    private static MainchainException.Rpc rpc(String method, int code, String message) {
        return new MainchainException.Rpc(method, code, message);
    }

    /** Blocks and transactions are mutable in bitcoinj: callers get copies, the chain keeps its own. */
    static Block copy(Block b) {
        try {
            return Block.read(ByteBuffer.wrap(b.serialize()));
        } catch (BufferUnderflowException | ProtocolException e) {
            throw new IllegalStateException("cannot copy block " + b.getHash(), e);
        }
    }

    static Transaction copy(Transaction tx) {
        return Transaction.read(ByteBuffer.wrap(tx.serialize()));
    }
}
