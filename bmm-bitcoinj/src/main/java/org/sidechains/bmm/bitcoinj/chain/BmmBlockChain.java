package org.sidechains.bmm.bitcoinj.chain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bitcoinj.base.Network;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.AbstractBlockChain;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.NetworkParameters;
import org.bitcoinj.core.PrunedException;
import org.bitcoinj.core.StoredBlock;
import org.bitcoinj.core.TransactionOutputChanges;
import org.bitcoinj.core.VerificationException;
import org.bitcoinj.store.BlockStore;
import org.bitcoinj.store.BlockStoreException;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.prevout.PrevoutSource;
import org.sidechains.bmm.d3.D3;
import org.sidechains.bmm.d3.D3Undo;
import org.sidechains.bmm.d3.D3View;
import org.sidechains.bmm.m7.CoinbaseM7;
import org.sidechains.bmm.m7.M7Codec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bitcoinj block chain that enforces the BMM soft fork (protocol.md) on full blocks: it keeps
 * D3 and an index of unspent outputs through every connect, disconnect and reorg, and refuses a
 * block that breaks a BMM rule with the protocol's reject reason, leaving D3 and the head as they
 * were. Bitcoin's own rules are the mainchain node's job: like bitcoinj's {@code BlockChain}, this
 * chain checks headers, proof of work, merkle roots and coinbase height, not scripts or amounts.
 *
 * <p>Everything an {@code add} changes is journaled: bitcoinj commits through
 * {@link #doSetChainHead} and gives up through {@link #notSettingChainHead}, where the journal is
 * rolled back (also halfway through a reorg).
 *
 * <p>Start-up: BMM state (D3, the output index) lives in memory and must see every block from
 * genesis, so the block store must be new (its head at genesis). bitcoinj skips blocks already in
 * its store when verifying full blocks, so a used store cannot simply be rolled back and replayed.
 */
public class BmmBlockChain extends AbstractBlockChain {
    private static final Logger log = LoggerFactory.getLogger(BmmBlockChain.class);

    private record BlockUndo(int height, D3Undo d3, OutputIndex.Undo outputs) {
    }

    /** A block kept for a later (re)connect, with the prevouts it was offered with, if any. */
    private record Body(int height, Block block, PrevoutSource supplied) {
    }

    private static final PrevoutSource NONE = PrevoutSource.none();

    private final BlockStore blockStore;
    private final BmmChainConfig config;
    private final D3 d3;
    private final OutputIndex outputs = new OutputIndex();
    private final Map<Sha256Hash, BlockUndo> undoByHash = new HashMap<>();
    private final Map<Sha256Hash, Body> bodies = new HashMap<>();
    private final Deque<Runnable> journal = new ArrayDeque<>();
    private final D3View lockedD3;
    /** The prevouts of the block being offered; only set while the chain's lock is held. */
    private PrevoutSource supplied = NONE;

    public BmmBlockChain(Network network, BlockStore blockStore, BmmChainConfig config) throws BlockStoreException {
        this(NetworkParameters.of(network), blockStore, config);
    }

    public BmmBlockChain(NetworkParameters params, BlockStore blockStore, BmmChainConfig config)
            throws BlockStoreException {
        super(params, List.of(), blockStore);
        this.blockStore = blockStore;
        this.config = config;
        this.d3 = D3.create(config.params().window());
        this.lockedD3 = new LockedD3View(d3, lock);
        StoredBlock head = getChainHead();
        if (head.getHeight() > 0) {
            throw new IllegalStateException("the block store's head is at height " + head.getHeight()
                    + ", but BmmBlockChain keeps D3 in memory and must see every block from genesis:"
                    + " open it on a new store (for an SPVBlockStore, delete its file) and offer the blocks again");
        }
        // genesis is row 0 of D3: the chain's height and D3's tip stay equal
        d3.connect(0, Optional.empty());
    }

    /** The network this chain is for. */
    public NetworkParameters params() {
        return params;
    }

    public BmmChainConfig config() {
        return config;
    }

    /** D3 as of the chain head; each call takes the chain's lock, so it is safe from any thread. */
    public D3View d3() {
        return lockedD3;
    }

    /**
     * Unspent outputs known to this chain (value and script), as of the head.
     *
     * @throws IllegalStateException when the chain was configured without an output index
     */
    public PrevoutSource prevouts() {
        if (!config.outputIndex()) {
            throw new IllegalStateException("this chain keeps no output index (BmmChainConfig.outputIndex is false):"
                    + " ask the mainchain node (gettxout) instead");
        }
        return outpoint -> LockedD3View.underLock(lock, () -> outputs.find(outpoint));
    }

    /**
     * Adds a full block and says what happened. Unlike {@link #add(Block)}, a refused block is a
     * result, with the BMM reject reason when a BMM rule refused it.
     */
    public Offer offer(Block block) {
        return offer(block, NONE);
    }

    /**
     * Like {@link #offer(Block)}, with the outputs the block's inputs spend as the mainchain node
     * reported them ({@code getblock} verbosity 3). They are kept with the block for a later reorg,
     * and are required when the chain keeps no output index of its own.
     */
    public Offer offer(Block block, PrevoutSource prevouts) {
        lock.lock();
        try {
            supplied = java.util.Objects.requireNonNull(prevouts, "prevouts");
            return doOffer(block);
        } finally {
            supplied = NONE;
            lock.unlock();
        }
    }

    /**
     * Disconnects blocks from the head down to {@code height}, as a node does on
     * {@code invalidateblock}: D3 and the output index go back with them. The blocks stay known;
     * offered again (a {@code reconsiderblock}), they connect again.
     *
     * @throws IllegalStateException when the undo data for that depth is no longer kept
     */
    public void disconnectTo(int height) {
        lock.lock();
        try {
            if (height < 0 || height > getChainHead().getHeight()) {
                throw new IllegalArgumentException("cannot disconnect to height " + height + " from head "
                        + getChainHead().getHeight());
            }
            rollbackBlockStore(height);
        } catch (BlockStoreException e) {
            throw new IllegalStateException("cannot disconnect to height " + height + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private Offer doOffer(Block block) {
        try {
            StoredBlock known = blockStore.get(block.getHash());
            if (known != null) {
                // bitcoinj's add() takes a block it has stored as done; connect it here if it extends the head
                return offerKnown(known, block);
            }
            if (blockStore.get(block.getPrevBlockHash()) == null) {
                // not handed to bitcoinj's orphan pool: it would connect the block later without the
                // prevouts offered with it; offer it again once its parent is in
                return new Offer.Orphan(block.getPrevBlockHash());
            }
        } catch (BlockStoreException e) {
            return new Offer.Refused(Optional.empty(), "block store: " + e.getMessage());
        }
        try {
            if (!add(block)) {
                return new Offer.Orphan(block.getPrevBlockHash());
            }
            StoredBlock head = getChainHead();
            return head.getHeader().getHash().equals(block.getHash())
                    ? new Offer.Connected(head.getHeight(), block.getHash())
                    : new Offer.SideBranch(block.getHash());
        } catch (VerificationException e) {
            // bitcoinj wraps the cause with the whole block dumped as text: report the cause
            return refusal(e);
        } catch (PrunedException e) {
            // bitcoinj gives up a reorg without notSettingChainHead when undo data is missing: the
            // blocks it already disconnected must be connected again here
            notSettingChainHead();
            return new Offer.Refused(Optional.empty(), "reorg deeper than the kept undo data: " + e.getMessage());
        }
    }

    /** A block the store already holds: the head, a block on a side branch, or one disconnected before. */
    private Offer offerKnown(StoredBlock known, Block block) throws BlockStoreException {
        StoredBlock head = getChainHead();
        Sha256Hash hash = block.getHash();
        if (head.getHeader().getHash().equals(hash)) {
            return new Offer.Connected(head.getHeight(), hash);
        }
        if (undoByHash.containsKey(hash) || !known.getHeader().getPrevBlockHash().equals(head.getHeader().getHash())) {
            return new Offer.SideBranch(hash); // on the active chain below the head, or not on top of it
        }
        try {
            connect(known.getHeight(), block, supplied);
        } catch (VerificationException e) {
            notSettingChainHead();
            return refusal(e);
        }
        setChainHead(known);
        return new Offer.Connected(known.getHeight(), hash);
    }

    private static Offer.Refused refusal(VerificationException e) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BmmVerificationException b) {
                return new Offer.Refused(Optional.of(b.reason()), b.getMessage());
            }
            root = t;
        }
        return new Offer.Refused(Optional.empty(), root.getMessage());
    }

    // ---- AbstractBlockChain ----

    @Override
    protected boolean shouldVerifyTransactions() {
        return true;
    }

    @Override
    protected TransactionOutputChanges connectTransactions(int height, Block block) throws VerificationException {
        connect(height, block, supplied);
        return new TransactionOutputChanges(List.of(), List.of());
    }

    @Override
    protected TransactionOutputChanges connectTransactions(StoredBlock newBlock)
            throws VerificationException, PrunedException {
        Sha256Hash hash = newBlock.getHeader().getHash();
        Body body = bodies.get(hash);
        if (body == null) {
            throw new PrunedException(hash);
        }
        connect(newBlock.getHeight(), body.block(), body.supplied());
        return new TransactionOutputChanges(List.of(), List.of());
    }

    @Override
    protected void disconnectTransactions(StoredBlock block) throws PrunedException {
        Sha256Hash hash = block.getHeader().getHash();
        BlockUndo u = undoByHash.get(hash);
        Body body = bodies.get(hash);
        if (u == null || body == null) {
            throw new PrunedException(hash);
        }
        unapply(hash, u);
        journal.push(() -> apply(u.height(), body.block(), body.supplied()));
    }

    @Override
    protected StoredBlock addToBlockStore(StoredBlock storedPrev, Block block)
            throws BlockStoreException, VerificationException {
        // a block on a side branch: not connected now, its body is kept for a later reorg
        StoredBlock stored = storedPrev.build(block.cloneAsHeader());
        blockStore.put(stored);
        if (block.getTransactions() != null) {
            bodies.put(block.getHash(), new Body(stored.getHeight(), block, supplied));
        }
        return stored;
    }

    @Override
    protected StoredBlock addToBlockStore(StoredBlock storedPrev, Block header, TransactionOutputChanges changes)
            throws BlockStoreException, VerificationException {
        StoredBlock stored = storedPrev.build(header);
        blockStore.put(stored);
        return stored;
    }

    @Override
    protected void rollbackBlockStore(int height) throws BlockStoreException {
        lock.lock();
        try {
            // check the whole way down first: a rollback that stopped halfway would leave D3 and the head apart
            List<StoredBlock> undo = new ArrayList<>();
            StoredBlock head = getChainHead();
            while (head.getHeight() > height) {
                if (!undoByHash.containsKey(head.getHeader().getHash())) {
                    throw new BlockStoreException("no undo data to roll back block " + head.getHeader().getHash()
                            + " at height " + head.getHeight() + " (kept for " + config.maxReorgDepth()
                            + " blocks): follow the chain again from genesis with a new store");
                }
                undo.add(head);
                head = head.getPrev(blockStore);
                if (head == null) {
                    throw new BlockStoreException("unreachable height " + height);
                }
            }
            for (StoredBlock b : undo) {
                Sha256Hash hash = b.getHeader().getHash();
                unapply(hash, undoByHash.get(hash));
            }
            journal.clear();
            setChainHead(head);
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected void doSetChainHead(StoredBlock chainHead) throws BlockStoreException {
        blockStore.setChainHead(chainHead);
        journal.clear();
        prune(chainHead.getHeight());
    }

    @Override
    protected void notSettingChainHead() {
        if (!journal.isEmpty()) {
            log.info("rolling back {} BMM state change(s) of a refused block", journal.size());
        }
        while (!journal.isEmpty()) {
            journal.pop().run();
        }
    }

    @Override
    protected StoredBlock getStoredBlockInCurrentScope(Sha256Hash hash) throws BlockStoreException {
        return blockStore.get(hash);
    }

    // ---- BMM ----

    private void connect(int height, Block block, PrevoutSource given) throws VerificationException {
        checkBmm(height, block, given);
        apply(height, block, given);
        Sha256Hash hash = block.getHash();
        journal.push(() -> unapply(hash, undoByHash.get(hash)));
    }

    /** The block rules of protocol.md, then OP_CBV against D3 as of the previous block. */
    private void checkBmm(int height, Block block, PrevoutSource given) throws VerificationException {
        PrevoutSource spent = op -> {
            Optional<Prevout> g = given.find(op);
            return g.isPresent() || !config.outputIndex() ? g : outputs.find(op);
        };
        BmmRules.Verdict v = BmmRules.check(config.params(), height, block, spent, d3);
        if (v instanceof BmmRules.Verdict.Broken b) {
            throw new BmmVerificationException(b.reason(), block.getHash(), height, b.detail());
        }
        if (v instanceof BmmRules.Verdict.MissingPrevout m) {
            throw new PrevoutUnknownException(m.outpoint(), m.detail() + " in block " + block.getHash());
        }
    }

    private void apply(int height, Block block, PrevoutSource given) {
        Optional<CoinbaseM7> m7 = M7Codec.findInCoinbase(BmmRules.coinbaseScripts(block));
        D3Undo d3Undo = d3.connect(height, m7);
        OutputIndex.Undo outUndo = config.outputIndex() ? outputs.apply(block) : OutputIndex.Undo.EMPTY;
        undoByHash.put(block.getHash(), new BlockUndo(height, d3Undo, outUndo));
        bodies.put(block.getHash(), new Body(height, block, given));
        if (m7.isPresent() && !m7.get().entries().isEmpty()) {
            log.debug("block {} at height {}: M7 with {} entries", block.getHash(), height, m7.get().entries().size());
        }
    }

    private void unapply(Sha256Hash hash, BlockUndo u) {
        d3.disconnect(u.d3());
        outputs.revert(u.outputs());
        undoByHash.remove(hash);
    }

    /** Keeps undo data and bodies for the last maxReorgDepth blocks (and side blocks as recent). */
    private void prune(int headHeight) {
        int keepFrom = headHeight - config.maxReorgDepth();
        undoByHash.values().removeIf(u -> u.height() < keepFrom);
        bodies.values().removeIf(b -> b.height() < keepFrom);
    }
}
