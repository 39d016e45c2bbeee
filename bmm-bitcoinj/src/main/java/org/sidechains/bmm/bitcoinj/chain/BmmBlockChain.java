package org.sidechains.bmm.bitcoinj.chain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bitcoinj.base.Network;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.AbstractBlockChain;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.FilteredBlock;
import org.bitcoinj.core.NetworkParameters;
import org.bitcoinj.core.PrunedException;
import org.bitcoinj.core.StoredBlock;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutputChanges;
import org.bitcoinj.core.VerificationException;
import org.bitcoinj.core.listeners.ReorganizeListener;
import org.bitcoinj.store.BlockStore;
import org.bitcoinj.store.BlockStoreException;
import org.bitcoinj.utils.ListenerRegistration;
import org.bitcoinj.utils.Threading;
import org.bitcoinj.wallet.Wallet;
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
 * D3 (and, as configured, an index of unspent outputs) through every connect, disconnect and reorg,
 * and refuses a block that breaks a BMM rule with the protocol's reject reason, leaving D3 and the
 * head as they were. Bitcoin's own rules are the mainchain node's job: like bitcoinj's
 * {@code BlockChain}, this chain checks headers and proof of work; scripts, amounts and (unless
 * {@link BmmChainConfig#checkBlockContents()}) merkle roots are left to the node the blocks come from.
 *
 * <p>It runs bitcoinj's header-only path ({@code shouldVerifyTransactions() == false}), so an
 * ordinary block costs little more than in {@code BlockChain}: the full block being added is kept
 * aside while bitcoinj decides where its header goes, and the BMM work hangs on bitcoinj's store
 * hooks: a block that extends the head is checked and connected before its header is stored; a
 * block that makes another branch heavier first disconnects the old branch and connects the new
 * one (the kept bodies), each checked. Everything is journaled: bitcoinj commits through
 * {@link #doSetChainHead} and gives up through {@link #notSettingChainHead}, where the journal is
 * rolled back (also halfway through a reorg).
 *
 * <p>Start-up: BMM state (D3, the output index) lives in memory and must see every block from
 * genesis. Without a state database the block store must be new (its head at genesis); with one
 * ({@link BmmChainConfig#withStateDatabase}), every head change is saved before the block store's
 * head moves, and a chain opened again rebuilds its state from the database, which is the
 * authority: the block store's head is set to the database's tip, with any headers it lacks.
 */
public class BmmBlockChain extends AbstractBlockChain implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BmmBlockChain.class);

    private record BlockUndo(D3Undo d3, OutputIndex.Undo outputs) {
    }

    /**
     * A block kept for a later (re)connect, with the prevouts it was offered with, and its undo
     * data while it is connected. Mutable, and only touched under the chain's lock: one entry per
     * block keeps the per-block bookkeeping to one map operation.
     */
    private static final class Kept {
        final int height;
        final Sha256Hash hash;
        final Block block;
        final PrevoutSource supplied;
        BlockUndo undo;

        Kept(int height, Block block, PrevoutSource supplied) {
            this.height = height;
            this.hash = block.getHash();
            this.block = block;
            this.supplied = supplied;
        }
    }

    private final BlockStore blockStore;
    private final BmmChainConfig config;
    private final D3 d3;
    /** Null when every block brings its prevouts. */
    private final OutputIndex outputs;
    /** Blocks within maxReorgDepth of the head, connected or on a side branch. */
    private final Map<Sha256Hash, Kept> kept;
    /** The same, in arrival order, for pruning. */
    private final ArrayDeque<Kept> keptOrder = new ArrayDeque<>();
    /** No undo data is kept below this height: the highest the kept range's bottom has been (lowestUndoable). */
    private int undoFloor = Integer.MIN_VALUE;
    private final Deque<Runnable> journal = new ArrayDeque<>();
    private final D3View lockedD3;
    /** OP_CBV for one input, against D3 as of the parent block (the check runs before D3 moves). */
    private final OutputIndex.SpendCheck spendCheck;
    /** Why a block below the one {@code add} was given was refused as it connected again (null: none was). */
    private VerificationException refusedBelow;
    /** The full block being offered and its prevouts; only set while the chain's lock is held. */
    private Block pending;
    private PrevoutSource supplied = PrevoutSource.NONE;
    /** The last block refused as an orphan, for bitcoinj's Peer, which asks for its root. */
    private Block lastOrphan;
    /** The highest block ever stored: above the head only after {@link #disconnectTo} (or a lighter, taller branch). */
    private int maxStoredHeight;
    /** The block whose header a hook stored last: set once bitcoinj has placed it, before its listeners run. */
    private Sha256Hash lastPlaced;
    /** Null when the BMM state lives in memory only. */
    private final StateDatabase db;
    /** Changes since the last head change, saved with the next one (dropped with the journal). */
    private final List<StateDatabase.Change> unsaved = new ArrayList<>();
    /** Why the chain takes no more blocks (closed, or its state database and block store fell apart); null while it does. */
    private String unusable;
    private boolean closed;

    public BmmBlockChain(Network network, BlockStore blockStore, BmmChainConfig config) throws BlockStoreException {
        this(NetworkParameters.of(network), blockStore, config);
    }

    public BmmBlockChain(NetworkParameters params, BlockStore blockStore, BmmChainConfig config)
            throws BlockStoreException {
        super(params, List.of(), blockStore);
        ReorganizeListeners.check();
        this.blockStore = blockStore;
        this.config = config;
        this.d3 = D3.create(config.params().window());
        this.kept = new HashMap<>(4 * config.maxReorgDepth());
        this.outputs = config.hasOutputIndex() ? new OutputIndex(config.outputIndex()) : null;
        this.lockedD3 = new LockedD3View(d3, lock);
        boolean complete = outputs != null && outputs.complete();
        this.spendCheck = (tx, j, in, spent) -> BmmRules.checkInput(config.params(), tx, j, in, spent, complete, d3);
        if (config.stateDatabase().isEmpty()) {
            this.db = null;
            StoredBlock head = getChainHead();
            if (head.getHeight() > 0) {
                throw new IllegalStateException("the block store's head is at height " + head.getHeight()
                        + ", but BmmBlockChain keeps D3 in memory and must see every block from genesis:"
                        + " open it on a new store (for an SPVBlockStore, delete its file) and offer the blocks again,"
                        + " or give it a state database (BmmChainConfig.withStateDatabase) to keep its state across restarts");
            }
            // genesis is row 0 of D3: the chain's height and D3's tip stay equal
            d3.connect(0, Optional.empty());
            return;
        }
        this.db = StateDatabase.open(config.stateDatabase().get(), params.getGenesisBlock().getHash(), config);
        lock.lock();
        try {
            restore();
        } catch (BlockStoreException | RuntimeException | Error e) {
            db.close();
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Rebuilds the BMM state from the database, which is the authority: the block store's head is
     * set to the database's tip (with the headers the store lacks: a new store, or one that lost
     * its last writes; or back from blocks the database never saved), D3 is replayed from the
     * stored M7s, the index is loaded, and the kept bodies (with the undo data of the connected
     * ones) come back.
     */
    private void restore() throws BlockStoreException {
        int dbTip = db.tipHeight();
        Sha256Hash tipHash = db.hashAt(dbTip);
        StoredBlock storeHead = getChainHead();
        // bitcoinj looks back at most a difficulty period (and 11 blocks for the median time), a reorg
        // maxReorgDepth: those headers must be in the store, whatever it lost
        int putFrom = Math.max(1, dbTip - Math.max(config.maxReorgDepth(), 2016) - 16);
        int put = 0;
        for (int h = putFrom; h <= dbTip; h++) {
            StoredBlock saved = db.storedAt(h);
            if (lookup(saved.getHeader().getHash(), saved) == null) {
                blockStore.put(saved);
                put++;
            }
        }
        StoredBlock tip = null;
        if (!storeHead.getHeader().getHash().equals(tipHash)) {
            tip = dbTip == 0 ? new StoredBlock(params.getGenesisBlock(), params.getGenesisBlock().getWork(), 0)
                    : db.storedAt(dbTip);
            log.warn("the block store's head (height {}) was not the BMM state database's tip (height {}): set to it",
                    storeHead.getHeight(), dbTip);
        }
        if (put > 0) {
            log.warn("{} header(s) the block store lacked were put back from the BMM state database", put);
        }
        int keepFrom = dbTip - config.maxReorgDepth();
        undoFloor = keepFrom; // the database pruned below this when it saved its tip
        d3.connect(0, Optional.empty());
        Map<Integer, D3Undo> d3Undo = new HashMap<>();
        db.replay((h, m7) -> {
            D3Undo u = d3.connect(h, m7);
            if (h >= keepFrom) {
                d3Undo.put(h, u);
            }
        });
        if (outputs != null) {
            outputs.load(db.outputs());
        }
        for (StateDatabase.StoredBody b : db.bodies(Math.max(keepFrom, 0))) {
            if (lookup(b.header().getHeader().getHash(), getChainHead()) == null) {
                if (lookup(b.header().getHeader().getPrevBlockHash(), getChainHead()) == null) {
                    // a side block whose parent is deeper than the kept bodies: a header without its parent would
                    // make bitcoinj's findSplit throw on the next block of that branch; it comes again as an orphan
                    continue;
                }
                blockStore.put(b.header()); // a side block's header, lost with a new store (in height order: parents first)
            }
            Kept k = keepBody(b.height(), b.block(), PrevoutSource.NONE);
            if (b.height() >= 1 && b.height() <= dbTip && db.hashAt(b.height()).equals(k.hash)) {
                k.undo = new BlockUndo(d3Undo.get(b.height()), db.undoAt(b.height()));
            }
        }
        // the store may hold headers above the head (blocks disconnected, or stored but never saved, before
        // the restart), and no BlockStore says how high: every offer checks for blocks to reconnect first
        maxStoredHeight = Integer.MAX_VALUE;
        if (tip != null) {
            setChainHead(tip);
        }
        if (db.created()) {
            log.info("new BMM state database {}", config.stateDatabase().get());
        } else {
            log.info("BMM state restored at height {} from {}", dbTip, config.stateDatabase().get());
        }
    }

    /**
     * Why the chain takes no more blocks, if it does not: it was closed, or its block store failed
     * after the state database saved a head (close it and open it again). Followers stop on it.
     */
    public Optional<String> unusable() {
        return LockedD3View.underLock(lock, () -> Optional.ofNullable(unusable));
    }

    /**
     * Closes the state database, if any (the block store is the caller's to close, after this).
     * The chain takes no more blocks; D3 stays readable.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                unusable = "the chain is closed";
                if (db != null) {
                    db.close();
                }
            }
        } finally {
            lock.unlock();
        }
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
     * @throws IllegalStateException unless the chain indexes every output ({@link BmmChainConfig#withFullOutputIndex()})
     */
    public PrevoutSource prevouts() {
        if (outputs == null || !outputs.complete()) {
            throw new IllegalStateException("this chain does not index every unspent output (BmmChainConfig.outputIndex is "
                    + config.outputIndex() + "): configure it withFullOutputIndex(), or ask the mainchain node (gettxout)");
        }
        return outpoint -> LockedD3View.underLock(lock, () -> outputs.find(outpoint));
    }

    /**
     * Adds a full block and says what happened. Unlike {@link #add(Block)}, a refused block is a
     * result, with the BMM reject reason when a BMM rule refused it.
     *
     * @throws IllegalStateException when the chain takes no more blocks ({@link #unusable()}), or its
     *                               block store or state database fails: the block is then not
     *                               connected and D3 and the index are as they were (if the store
     *                               failed after the database saved the head, the chain becomes
     *                               unusable until opened again)
     */
    public Offer offer(Block block) {
        return offer(block, PrevoutSource.NONE);
    }

    /**
     * Like {@link #offer(Block)}, with the outputs the block's inputs spend as the mainchain node
     * reported them ({@code getblock} verbosity 3). They are kept with the block for a later reorg,
     * and are required when the chain keeps no output index of its own.
     */
    public Offer offer(Block block, PrevoutSource prevouts) {
        lock.lock();
        try {
            return doOffer(block, java.util.Objects.requireNonNull(prevouts, "prevouts"));
        } catch (VerificationException e) {
            Offer placed = placedDespite(block.getHash(), e);
            return placed != null ? placed : refusal(e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * bitcoinj's entry point (a {@code Peer} calls it), with {@link #offer(Block)}'s behaviour: a
     * refused block throws, and an orphan is not kept (false; {@link #getOrphanRoot} names it so
     * that a {@code Peer} asks for the blocks before it).
     *
     * @throws IllegalStateException as {@link #offer(Block)} does
     */
    @Override
    public boolean add(Block block) throws VerificationException {
        lock.lock();
        try {
            refusedBelow = null;
            Offer o = doOffer(block, PrevoutSource.NONE);
            if (o instanceof Offer.Refused r) {
                // as for a refusal of the block itself, bitcoinj's way: the BMM exception is the cause
                throw new VerificationException(r.message(), refusedBelow);
            }
            return !(o instanceof Offer.Orphan);
        } finally {
            lock.unlock();
        }
    }

    /** Refused: the BMM rules need every transaction of a block. */
    @Override
    public boolean add(FilteredBlock block) throws VerificationException {
        throw new VerificationException("BmmBlockChain enforces the BMM rules on full blocks and cannot take filtered block "
                + block.getHash() + ": download full blocks (with witnesses)");
    }

    @Override
    public Block getOrphanRoot(Sha256Hash from) {
        lock.lock();
        try {
            return lastOrphan != null && lastOrphan.getHash().equals(from) ? lastOrphan : super.getOrphanRoot(from);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Disconnects blocks from the head down to {@code height}, as a node does on
     * {@code invalidateblock}: D3 and the output index go back with them. The blocks stay known;
     * offered again (a {@code reconsiderblock}), they connect again. Reorganize listeners (a
     * wallet) then hear of it as of a reorg with no new blocks.
     *
     * @throws IllegalStateException when the undo data for that depth is no longer kept, or the
     *                               block store or state database refuses the change: nothing
     *                               changed, unless the block store failed after the database saved
     *                               it (then the chain is {@link #unusable()} and the listeners heard it)
     */
    public void disconnectTo(int height) {
        lock.lock();
        try {
            if (height < 0 || height > getChainHead().getHeight()) {
                throw new IllegalArgumentException("cannot disconnect to height " + height + " from head "
                        + getChainHead().getHeight());
            }
            rollBackAndTell(rollbackTo(height));
        } catch (BlockStoreException e) {
            throw new IllegalStateException("cannot disconnect to height " + height + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Takes the head back to {@code height} after reconnections made for a block that was then refused. */
    private void undoReconnects(int height) {
        if (getChainHead().getHeight() <= height) {
            return;
        }
        try {
            rollBackAndTell(rollbackTo(height)); // the listeners heard of the reconnected blocks
        } catch (BlockStoreException e) {
            // D3 and the head still agree (a rollback checks before it changes anything)
            log.warn("cannot take the head back to {} after a refused block: {}", height, e.getMessage());
        }
    }

    /**
     * After {@link #disconnectTo}, the store still holds the disconnected blocks above the head,
     * and bitcoinj's header path cannot place a block on them (it takes the head for a fork point
     * and fails). So the kept blocks from the head up to {@code parent} connect again first, in
     * order. Null when that worked or was not needed, else why not.
     */
    private Offer reconnectUpTo(Sha256Hash parent) throws VerificationException {
        try {
            StoredBlock head = getChainHead();
            StoredBlock p = lookup(parent, getChainHead());
            if (p == null || p.getHeight() <= head.getHeight()) {
                return null;
            }
            List<StoredBlock> above = new ArrayList<>();
            while (p != null && p.getHeight() > head.getHeight()) {
                above.add(p);
                p = prevOf(p);
            }
            if (p == null || !p.getHeader().getHash().equals(head.getHeader().getHash())) {
                return null; // another branch: bitcoinj's reorg path handles it
            }
            for (int i = above.size() - 1; i >= 0; i--) {
                Sha256Hash h = above.get(i).getHeader().getHash();
                Kept k = kept.get(h);
                if (k == null) {
                    return new Offer.Refused(Optional.empty(), "block " + h + " at height " + above.get(i).getHeight()
                            + ", below this one, was disconnected and is no longer kept: offer it again first");
                }
                Offer o;
                try {
                    o = doOffer(k.block, k.supplied);
                } catch (VerificationException e) {
                    o = placedDespite(h, e);
                    if (o == null) {
                        refusedBelow = e.getCause() instanceof BmmVerificationException b ? b : e;
                        Offer.Refused r = refusal(e);
                        return new Offer.Refused(r.reason(), "block " + h + ", below this one, was refused: " + r.message());
                    }
                }
                if (!(o instanceof Offer.Connected)) {
                    return o instanceof Offer.Refused ? o : new Offer.Refused(Optional.empty(),
                            "block " + h + ", below this one, did not connect again: " + o);
                }
            }
            return null;
        } catch (BlockStoreException e) {
            throw new VerificationException("block store: " + e.getMessage(), e);
        }
    }

    /** Under the lock: hands the block to bitcoinj's header path with the full block kept aside. */
    private Offer doOffer(Block block, PrevoutSource prevouts) throws VerificationException {
        if (unusable != null) {
            throw new IllegalStateException("BmmBlockChain takes no more blocks: " + unusable);
        }
        if (block.getTransactions() == null || block.getTransactions().isEmpty()) {
            throw new VerificationException("block " + block.getHash() + " came without its transactions:"
                    + " BmmBlockChain enforces the BMM rules on full blocks");
        }
        Sha256Hash hash = block.getHash();
        StoredBlock before = getChainHead();
        if (before.getHeader().getHash().equals(hash)) {
            return new Offer.Connected(before.getHeight(), hash);
        }
        int startHeight = before.getHeight();
        if (startHeight < maxStoredHeight) { // blocks may be stored above the head
            Offer refused = reconnectUpTo(block.getPrevBlockHash());
            if (refused != null) {
                undoReconnects(startHeight);
                return refused;
            }
        }
        pending = block;
        supplied = prevouts;
        lastPlaced = null;
        boolean placed;
        try {
            placed = super.add(block); // on a VerificationException bitcoinj has called notSettingChainHead
        } catch (VerificationException e) {
            if (!hash.equals(lastPlaced)) {
                undoReconnects(startHeight); // refused: the blocks reconnected for it go back too
            }
            throw e;
        } catch (PrunedException e) {
            notSettingChainHead(); // not thrown on bitcoinj's header path; kept safe all the same
            undoReconnects(startHeight);
            throw new VerificationException("reorg deeper than the kept undo data: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (hash.equals(lastPlaced) && journal.isEmpty() && !(e.getCause() instanceof BlockStoreException)) {
                // placed and committed (nothing left to roll back), then a listener failed: the block
                // stays where it was placed, as with a VerificationException above
                throw new VerificationException("a listener failed after block " + hash + " was placed: " + e, e);
            }
            notSettingChainHead();
            undoReconnects(startHeight);
            if (e.getCause() instanceof BlockStoreException s) {
                // bitcoinj wraps a store's failure (the state database's too): not the block's fault, so no refusal
                throw new IllegalStateException("block " + hash + " was not connected: " + s.getMessage(), s);
            }
            throw e;
        } catch (Error e) {
            // an I/O fault in an SPVBlockStore's mapped file is an InternalError, which bitcoinj lets through
            // without notSettingChainHead: unless the block was committed, memory goes back as for a refusal,
            // so that D3 never shows a block the head does not have
            if (!(hash.equals(lastPlaced) && journal.isEmpty())) {
                notSettingChainHead();
                undoReconnects(startHeight);
            }
            throw e;
        } finally {
            pending = null;
            supplied = PrevoutSource.NONE;
        }
        if (!placed) {
            // bitcoinj keeps an orphan to connect it later, without the prevouts offered with it:
            // it is dropped here; offer it again once its parent is in
            drainOrphanBlocks();
            try {
                if (lookup(hash, getChainHead()) != null) {
                    return new Offer.SideBranch(hash); // genesis, offered again
                }
            } catch (BlockStoreException e) {
                throw new VerificationException("block store: " + e.getMessage(), e);
            }
            lastOrphan = block.cloneAsHeader();
            return new Offer.Orphan(block.getPrevBlockHash());
        }
        StoredBlock head = getChainHead();
        return head.getHeader().getHash().equals(hash)
                ? new Offer.Connected(head.getHeight(), hash)
                : new Offer.SideBranch(hash);
    }

    /**
     * bitcoinj tells its listeners after it has placed a block (and moved the head to it); if one
     * throws, the block stays where it was placed, which is the listener's problem, not the block's.
     * What became of the block then, or null if it was refused.
     */
    private Offer placedDespite(Sha256Hash hash, VerificationException e) {
        if (!hash.equals(lastPlaced)) {
            return null;
        }
        log.warn("block {} placed, but a listener failed", hash, e);
        StoredBlock head = getChainHead();
        return head.getHeader().getHash().equals(hash)
                ? new Offer.Connected(head.getHeight(), hash)
                : new Offer.SideBranch(hash);
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

    /** The full block bitcoinj is placing (it hands the hooks headers only). */
    private Block pendingFor(Sha256Hash hash) throws VerificationException {
        if (pending == null || !pending.getHash().equals(hash)) {
            throw new VerificationException("BmmBlockChain needs the full block " + hash
                    + ": offer it with its transactions");
        }
        return pending;
    }

    // ---- AbstractBlockChain ----

    /** bitcoinj's header path: the BMM work is driven from the store hooks below. */
    @Override
    protected boolean shouldVerifyTransactions() {
        return false;
    }

    @Override
    protected TransactionOutputChanges connectTransactions(int height, Block block) {
        throw new IllegalStateException("not called on bitcoinj's header path");
    }

    @Override
    protected TransactionOutputChanges connectTransactions(StoredBlock newBlock) {
        throw new IllegalStateException("not called on bitcoinj's header path");
    }

    @Override
    protected void disconnectTransactions(StoredBlock block) {
        throw new IllegalStateException("not called on bitcoinj's header path");
    }

    /** A block that extends the head: checked and connected before its header is stored. */
    @Override
    protected StoredBlock addToBlockStore(StoredBlock storedPrev, Block header, TransactionOutputChanges changes)
            throws BlockStoreException, VerificationException {
        connect(storedPrev.getHeight() + 1, pendingFor(header.getHash()), supplied);
        StoredBlock stored = storedPrev.build(header);
        blockStore.put(stored);
        maxStoredHeight = Math.max(maxStoredHeight, stored.getHeight());
        lastPlaced = stored.getHeader().getHash();
        return stored;
    }

    /**
     * A block off the head: kept on a side branch, or (when its branch now has more work) the new
     * head of a reorg, which is carried out on the BMM state here before bitcoinj moves the head.
     */
    @Override
    protected StoredBlock addToBlockStore(StoredBlock storedPrev, Block block)
            throws BlockStoreException, VerificationException {
        Block full = pendingFor(block.getHash());
        StoredBlock stored = storedPrev.build(full.cloneAsHeader());
        if (stored.moreWorkThan(getChainHead())) {
            reorganize(storedPrev, stored, full);
            if (db != null) {
                // now, not only with the head: bitcoinj's reorganize listeners run before the head moves,
                // and if one throws, the block stays on its branch, with its body kept, as in memory
                db.saveBody(stored, full);
            }
        } else {
            if (config.checkBlockContents()) {
                // checked now, not only if its branch wins: a forged body kept here would stand in
                // for the real block, which would then be refused when its branch won
                BlockContents.verify(params, full, stored.getHeight());
            }
            Kept k = keepBody(stored.getHeight(), full, supplied);
            if (db != null && k.block == full) { // a connected block keeps its body
                db.saveBody(stored, full);
            }
        }
        blockStore.put(stored);
        maxStoredHeight = Math.max(maxStoredHeight, stored.getHeight());
        lastPlaced = stored.getHeader().getHash();
        return stored;
    }

    /** bitcoinj's own rollback (its {@code addWallet} takes the chain back to a wallet that is behind): no listener hears it. */
    @Override
    protected void rollbackBlockStore(int height) throws BlockStoreException {
        lock.lock();
        try {
            rollBack(rollbackTo(height));
        } finally {
            lock.unlock();
        }
    }

    /** The blocks a rollback to {@code height} takes off (newest first) and the head it leaves. */
    private record Rollback(StoredBlock to, List<StoredBlock> blocks) {
    }

    /** What a chain that cannot go back far enough must do: a state database would put a new store back where it was. */
    private String startAgain() {
        return config.stateDatabase()
                .map(p -> "close the chain, delete its state database (" + p + ") and its block store, and follow the"
                        + " chain again from genesis")
                .orElse("follow the chain again from genesis with a new store");
    }

    /** Checks the whole way down first: a rollback that stopped halfway would leave D3 and the head apart. */
    private Rollback rollbackTo(int height) throws BlockStoreException {
        if (unusable != null) {
            throw new BlockStoreException("BmmBlockChain takes no more changes: " + unusable);
        }
        List<StoredBlock> blocks = new ArrayList<>();
        StoredBlock head = getChainHead();
        if (height + 1 < lowestUndoable(head.getHeight())) {
            throw new BlockStoreException("no undo data to roll back to height " + height + " from " + head.getHeight()
                    + " (kept for " + config.maxReorgDepth() + " blocks below the head): " + startAgain());
        }
        while (head.getHeight() > height) {
            if (undoOf(head.getHeader().getHash()) == null) {
                throw new BlockStoreException("no undo data to roll back block " + head.getHeader().getHash()
                        + " at height " + head.getHeight() + " (kept for " + config.maxReorgDepth()
                        + " blocks): " + startAgain());
            }
            blocks.add(head);
            head = prevOf(head);
            if (head == null) {
                throw new BlockStoreException("unreachable height " + height);
            }
        }
        return new Rollback(head, blocks);
    }

    private void rollBack(Rollback r) throws BlockStoreException {
        List<Kept> done = new ArrayList<>();
        try {
            for (StoredBlock b : r.blocks()) {
                Kept k = kept.get(b.getHeader().getHash());
                unapply(k);
                done.add(k);
            }
            journal.clear();
            setChainHead(r.to());
        } catch (BlockStoreException | RuntimeException | Error e) {
            // the head did not move in memory (the state database refused the change, or the block store
            // failed after it: then the chain is unusable): D3 and the index go back too
            for (int i = done.size() - 1; i >= 0; i--) {
                reapply(done.get(i));
            }
            unsaved.clear();
            throw e;
        }
    }

    /**
     * Rolls back, then tells the listeners. Also when the state database took the change and the
     * block store then failed: the chain takes no more blocks, and opened again it is where the
     * database is, so that is what a wallet must hear.
     */
    private void rollBackAndTell(Rollback r) throws BlockStoreException {
        try {
            rollBack(r);
        } catch (BlockStoreException | RuntimeException | Error e) {
            if (unusable != null) { // set by this rollback: rollbackTo refuses an unusable chain
                tellReorganizeListeners(r);
            }
            throw e;
        }
        tellReorganizeListeners(r);
    }

    /**
     * Tells bitcoinj's reorganize listeners (a wallet) that the rollback's blocks left the best
     * chain: a reorg with no new blocks, as bitcoinj would report it. Without it a wallet keeps
     * their transactions confirmed, and fails when the blocks connect again. Told after the head
     * moved (or the state database took the change), so that they never hear of a disconnect that
     * did not happen; a disconnect is an order, not a block to check, so a listener that throws is
     * logged and stops neither it nor the others.
     */
    private void tellReorganizeListeners(Rollback r) {
        if (r.blocks().isEmpty()) {
            return;
        }
        for (ListenerRegistration<ReorganizeListener> reg : ReorganizeListeners.of(this)) {
            // fresh lists for each: Wallet reverses the one it is given
            List<StoredBlock> old = new LinkedList<>(r.blocks());
            Runnable tell = () -> {
                try {
                    if (reg.listener instanceof Wallet w) {
                        // a reorg's new blocks would move its height on; here none come (set first: reorganize saves)
                        w.setLastBlockSeenHeight(r.to().getHeight());
                        w.setLastBlockSeenTime(r.to().getHeader().time());
                    }
                    reg.listener.reorganize(r.to(), old, new LinkedList<>());
                } catch (RuntimeException e) { // VerificationException is one
                    log.error("a reorganize listener failed on blocks taken off the chain down to height {}",
                            r.to().getHeight(), e);
                }
            };
            if (reg.executor == Threading.SAME_THREAD) {
                tell.run();
            } else {
                reg.executor.execute(tell);
            }
        }
    }

    @Override
    protected void doSetChainHead(StoredBlock chainHead) throws BlockStoreException {
        if (db != null) {
            // the database first: after a crash in between, it is ahead, and restore() moves the store's head to it
            db.save(unsaved, chainHead.getHeight() - config.maxReorgDepth(), blockStore::get);
            unsaved.clear();
            try {
                blockStore.setChainHead(chainHead);
            } catch (BlockStoreException | RuntimeException | Error e) { // an SPVBlockStore's I/O fault is an InternalError
                // memory goes back with the journal, the database does not: only opening it again agrees them
                unusable = "the block store failed after the state database saved the head at height "
                        + chainHead.getHeight() + " (" + e.getMessage() + "): close the chain and open it again";
                throw e;
            }
        } else {
            blockStore.setChainHead(chainHead);
        }
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
        unsaved.clear(); // memory is back where the database is
    }

    @Override
    protected StoredBlock getStoredBlockInCurrentScope(Sha256Hash hash) throws BlockStoreException {
        return lookup(hash, getChainHead());
    }

    /**
     * The stored header of {@code hash}, if the block store has it. Use it instead of
     * {@code getBlockStore().get(hash)} for any lookup that may miss: bitcoinj 0.17.1's
     * {@code SPVBlockStore} can spin for ever on a miss, this cannot ({@link SpvRingGuard}).
     */
    public Optional<StoredBlock> storedBlock(Sha256Hash hash) throws BlockStoreException {
        lock.lock();
        try {
            return Optional.ofNullable(lookup(hash, getChainHead()));
        } finally {
            lock.unlock();
        }
    }

    /** The stored header of {@code block}'s parent, if the store still has it; safe as {@link #storedBlock} is. */
    public Optional<StoredBlock> storedParent(StoredBlock block) throws BlockStoreException {
        lock.lock();
        try {
            return Optional.ofNullable(prevOf(block));
        } finally {
            lock.unlock();
        }
    }

    /** {@code blockStore.get}, safe from bitcoinj 0.17.1's SPVBlockStore spinning on a miss ({@link SpvRingGuard}). */
    private StoredBlock lookup(Sha256Hash hash, StoredBlock known) throws BlockStoreException {
        SpvRingGuard.beforeLookup(blockStore, known);
        return blockStore.get(hash);
    }

    /** {@code block.getPrev(blockStore)}, likewise: a walk down can go below what the ring holds. */
    private StoredBlock prevOf(StoredBlock block) throws BlockStoreException {
        return lookup(block.getHeader().getPrevBlockHash(), block);
    }

    // ---- BMM ----

    /** Moves the BMM state from the head's branch to {@code newHead}'s; journaled, so a refusal undoes it. */
    private void reorganize(StoredBlock storedPrev, StoredBlock newHead, Block block)
            throws BlockStoreException, VerificationException {
        List<StoredBlock> oldBranch = new ArrayList<>();
        List<StoredBlock> newBranch = new ArrayList<>();
        StoredBlock a = getChainHead();
        StoredBlock b = storedPrev;
        while (!a.getHeader().getHash().equals(b.getHeader().getHash())) {
            if (a.getHeight() >= b.getHeight()) {
                oldBranch.add(a);
                a = prevOf(a);
            } else {
                newBranch.add(b);
                b = prevOf(b);
            }
            if (a == null || b == null) {
                throw new VerificationException("reorg to " + newHead.getHeader().getHash()
                        + " reaches below the headers the block store keeps");
            }
        }
        if (!oldBranch.isEmpty() && a.getHeight() + 1 < lowestUndoable(getChainHead().getHeight())) {
            // a side block that arrived late may still have its undo data in memory, but the state database
            // keeps only this deep: going further would lose outputs it can no longer restore
            throw new VerificationException("reorg deeper than the kept undo data (" + config.maxReorgDepth()
                    + " blocks): it would take off " + oldBranch.size() + " blocks, down to height " + (a.getHeight() + 1));
        }
        log.info("reorg at height {}: {} block(s) off, {} on", a.getHeight(), oldBranch.size(), newBranch.size() + 1);
        for (StoredBlock old : oldBranch) {
            Sha256Hash hash = old.getHeader().getHash();
            Kept k = kept.get(hash);
            if (k == null || k.undo == null) {
                throw new VerificationException("reorg deeper than the kept undo data (" + config.maxReorgDepth()
                        + " blocks): block " + hash + " at height " + old.getHeight() + " cannot be disconnected");
            }
            unapply(k);
            journal.push(() -> reapply(k));
        }
        for (int i = newBranch.size() - 1; i >= 0; i--) {
            StoredBlock next = newBranch.get(i);
            Kept body = kept.get(next.getHeader().getHash());
            if (body == null) {
                throw new VerificationException("reorg deeper than the kept undo data (" + config.maxReorgDepth()
                        + " blocks), or onto blocks never received with their transactions: the transactions of block "
                        + next.getHeader().getHash() + " are not kept; offer that branch again from the fork point");
            }
            connect(next.getHeight(), body.block, body.supplied);
        }
        connect(newHead.getHeight(), block, supplied);
    }

    /**
     * Checks the block against the BMM rules and connects it: the M8 rules, then OP_CBV for every
     * input in one pass with the output index (D3 as of the parent), then D3.
     */
    private void connect(int height, Block block, PrevoutSource given) throws VerificationException {
        if (config.checkBlockContents()) {
            BlockContents.verify(params, block, height);
        }
        BmmRules.Verdict m8s = BmmRules.checkM8s(config.params(), height, block);
        refuseUnlessPassed(m8s, block, height);
        boolean active = config.params().activeAt(height);
        OutputIndex.Undo outUndo = OutputIndex.Undo.EMPTY;
        if (outputs != null) {
            OutputIndex.Applied a = outputs.apply(block, height, given, active ? spendCheck : OutputIndex.SpendCheck.NONE);
            if (a.refusal() != null) {
                refuseUnlessPassed(a.refusal(), block, height);
            }
            outUndo = a.undo();
        } else if (active) {
            refuseUnlessPassed(BmmRules.checkCbv(config.params(), block, given, d3), block, height);
        }
        Kept k;
        try {
            k = record(height, block, given, ((BmmRules.Verdict.Pass) m8s).m7(), outUndo);
        } catch (RuntimeException e) {
            if (outputs != null) {
                outputs.revert(outUndo); // not journaled yet
            }
            throw e;
        }
        journal.push(() -> unapply(k));
    }

    private static void refuseUnlessPassed(BmmRules.Verdict v, Block block, int height) throws VerificationException {
        if (v instanceof BmmRules.Verdict.Broken b) {
            throw new BmmVerificationException(b.reason(), block.getHash(), height, b.detail());
        }
        if (v instanceof BmmRules.Verdict.MissingPrevout m) {
            throw new PrevoutUnknownException(m.outpoint(), m.detail() + " in block " + block.getHash());
        }
        if (v instanceof BmmRules.Verdict.WitnessMissing w) {
            throw new WitnessMissingException(w.outpoint(), w.detail() + " in block " + block.getHash());
        }
    }

    /** Connects a block checked before (a rollback putting back what a refused reorg disconnected). */
    private void reapply(Kept k) {
        OutputIndex.Undo outUndo = outputs != null ? outputs.apply(k.block, k.height) : OutputIndex.Undo.EMPTY;
        record(k.height, k.block, k.supplied, M7Codec.findInCoinbase(BmmRules.coinbaseScripts(k.block)), outUndo);
    }

    private Kept record(int height, Block block, PrevoutSource given, Optional<CoinbaseM7> m7,
                        OutputIndex.Undo outUndo) {
        D3Undo d3Undo = d3.connect(height, m7);
        Kept k = keepBody(height, block, given);
        k.undo = new BlockUndo(d3Undo, outUndo);
        if (db != null) {
            Map<TransactionOutPoint, Prevout> created = new HashMap<>();
            for (TransactionOutPoint op : outUndo.created()) {
                outputs.find(op).ifPresent(p -> created.put(op, p));
            }
            unsaved.add(new StateDatabase.Change.Connected(height, block, m7, created,
                    List.copyOf(outUndo.spent().keySet())));
        }
        if (m7.isPresent() && !m7.get().entries().isEmpty()) {
            log.debug("block {} at height {}: M7 with {} entries", k.hash, height, m7.get().entries().size());
        }
        return k;
    }

    /** How many outputs the chain's own index holds (tests). */
    int indexedOutputs() {
        return LockedD3View.underLock(lock, () -> outputs == null ? 0 : outputs.size());
    }

    /** Undo data of a connected block still kept, else null. */
    private BlockUndo undoOf(Sha256Hash hash) {
        Kept k = kept.get(hash);
        return k == null ? null : k.undo;
    }

    /**
     * Keeps the block as offered now: the latest offer (its body, the prevouts it came with)
     * replaces what an earlier one left, unless the block is connected.
     */
    private Kept keepBody(int height, Block block, PrevoutSource given) {
        Kept old = kept.get(block.getHash());
        if (old != null && old.undo != null) {
            return old;
        }
        Kept k = new Kept(height, block, given);
        kept.put(k.hash, k);
        if (old == null) {
            keptOrder.addLast(k); // pruning goes by hash: a replaced entry keeps its place
        }
        return k;
    }

    private void unapply(Kept k) {
        if (db != null) {
            unsaved.add(new StateDatabase.Change.Disconnected(k.height, k.hash));
        }
        d3.disconnect(k.undo.d3());
        if (outputs != null) {
            outputs.revert(k.undo.outputs());
        }
        k.undo = null;
    }

    /**
     * The lowest height a disconnect may reach with the head at {@code headHeight}: the undo data of
     * the blocks from there up is kept, in memory and in the state database (which prunes below it).
     */
    private int lowestUndoable(int headHeight) {
        // never below what an earlier, higher head pruned (a disconnectTo lowers the head, not what is kept)
        return Math.max(headHeight - config.maxReorgDepth(), undoFloor);
    }

    /** Keeps blocks (bodies, and undo data while connected) for the last maxReorgDepth heights. */
    private void prune(int headHeight) {
        int keepFrom = lowestUndoable(headHeight);
        undoFloor = keepFrom;
        // arrival order is height order but for side blocks that came late: those go a little later
        while (!keptOrder.isEmpty() && keptOrder.peekFirst().height < keepFrom) {
            kept.remove(keptOrder.pollFirst().hash);
        }
    }
}
