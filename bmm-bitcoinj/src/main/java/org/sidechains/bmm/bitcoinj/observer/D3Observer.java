package org.sidechains.bmm.bitcoinj.observer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.AbstractBlockChain;
import org.bitcoinj.core.StoredBlock;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.core.listeners.NewBestBlockListener;
import org.bitcoinj.core.listeners.ReorganizeListener;
import org.bitcoinj.core.listeners.TransactionReceivedInBlockListener;
import org.bitcoinj.utils.Threading;
import org.sidechains.bmm.bitcoinj.chain.LockedD3View;
import org.sidechains.bmm.d3.D3;
import org.sidechains.bmm.d3.D3Undo;
import org.sidechains.bmm.d3.D3View;
import org.sidechains.bmm.m7.CoinbaseM7;
import org.sidechains.bmm.m7.M7Codec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-only D3 for an application that already runs a bitcoinj chain (for example an SPV wallet's
 * {@code BlockChain}): attached through bitcoinj's listeners, it follows new best blocks and
 * reorgs. It cannot refuse blocks: a block that breaks a BMM rule is still connected by the
 * chain it observes (use {@code BmmBlockChain} to enforce).
 *
 * <p>It reads each block's coinbase, so the chain must receive full blocks (with a PeerGroup:
 * {@code setBloomFilteringEnabled(false)}). A best block whose coinbase it never saw makes D3
 * incomplete: {@link #problem()} says so and D3 stops there. Like bitcoinj's {@code BlockChain},
 * it trusts the blocks' contents: it does not check merkle roots, so a peer could change a
 * coinbase (and its M7) under a valid header.
 *
 * <p>D3 holds the blocks from {@link #followingSince()} up: from the head it was attached at,
 * or, after a reorg it could not follow back (deeper than {@code keepDepth}, or below that head),
 * from the fork point on (or the oldest block of the new branch whose coinbase it still keeps), as
 * if attached there. Until {@link #complete()}, D3 lacks the rows below that height, and an entry
 * whose parent came before it has no prevSideBlockHash (it is fixed when the entry is added), so a
 * version-2 OP_CBV lookup ({@code hasEntryWithParent}) misses it.
 */
public final class D3Observer {
    private static final Logger log = LoggerFactory.getLogger(D3Observer.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final int window;
    private final int keepDepth;
    private final AbstractBlockChain chain;
    private final Listener listener = new Listener();
    private D3 d3;
    /** Counting M7s by block hash, from coinbases seen on either branch (empty Optional: no M7). */
    private final Map<Sha256Hash, Optional<CoinbaseM7>> m7ByBlock = new HashMap<>();
    private final Map<Sha256Hash, Integer> heightByBlock = new HashMap<>();
    private final Map<Sha256Hash, D3Undo> undoByBlock = new HashMap<>();
    private Sha256Hash tip;
    private int followingSince;
    private String problem;

    private D3Observer(AbstractBlockChain chain, int window, int keepDepth, StoredBlock head) {
        if (keepDepth < 1) {
            throw new IllegalArgumentException("keepDepth must be at least 1 (how many blocks deep a reorg can be and"
                    + " still be followed back; the enforcing chain keeps 288), got " + keepDepth);
        }
        this.chain = chain;
        this.window = window;
        this.keepDepth = keepDepth;
        restartAt(head.getHeader().getHash(), head.getHeight());
    }

    /**
     * Attaches to {@code chain} at its current head. For a complete D3 window, attach before the
     * chain downloads (a new store at genesis). Attach before adding listeners of your own that
     * read D3 on the same thread, so that they read it with the block already in.
     */
    public static D3Observer attach(AbstractBlockChain chain, int window, int keepDepth) {
        D3Observer o = new D3Observer(chain, window, keepDepth, chain.getChainHead());
        // same thread: the coinbase arrives before the best-block notice, in block order
        chain.addTransactionReceivedListener(Threading.SAME_THREAD, o.listener);
        chain.addNewBestBlockListener(Threading.SAME_THREAD, o.listener);
        chain.addReorganizeListener(Threading.SAME_THREAD, o.listener);
        return o;
    }

    /** Stops following: the listeners leave the chain, and D3 stays as it is. */
    public void detach() {
        chain.removeTransactionReceivedListener(listener);
        chain.removeNewBestBlockListener(listener);
        chain.removeReorganizeListener(listener);
        lock.lock();
        try {
            if (problem == null) {
                problem = "detached";
            }
            clearBlocks();
        } finally {
            lock.unlock();
        }
    }

    /**
     * D3 as of the observed chain's head; safe from any thread, and a view taken before a restart
     * reads the new D3. Right after a restart with no block since (a disconnect it could not
     * undo), it is empty until the next block.
     */
    public D3View d3() {
        return new LockedD3View(() -> d3, lock);
    }

    /** The height of the first block D3 holds: the attach head's + 1, or after a restart that of the block it started after + 1. */
    public int followingSince() {
        lock.lock();
        try {
            return followingSince;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether D3 is sure to be what the enforcing chain holds for the same blocks: it has followed
     * from genesis (whose row holds no entry), or long enough (2 x window - 1 blocks from
     * {@link #followingSince()}) that every row of the window, and the parent of every entry in it,
     * came while it followed.
     */
    public boolean complete() {
        lock.lock();
        try {
            return problem == null && (followingSince <= 1 || d3.tipHeight() >= followingSince + 2L * window - 2);
        } finally {
            lock.unlock();
        }
    }

    /** Why D3 stopped following, if it did. */
    public Optional<String> problem() {
        lock.lock();
        try {
            return Optional.ofNullable(problem);
        } finally {
            lock.unlock();
        }
    }

    /** An empty D3 whose next block is the one after {@code head} (its own row is unknown: its coinbase is not at hand). */
    private void restartAt(Sha256Hash head, int height) {
        d3 = D3.create(window);
        undoByBlock.clear();
        tip = head;
        followingSince = height + 1;
    }

    private void clearBlocks() {
        m7ByBlock.clear();
        heightByBlock.clear();
        undoByBlock.clear();
    }

    private void onCoinbase(Transaction tx, StoredBlock block) {
        if (problem != null) {
            return; // stopped: keep nothing
        }
        List<byte[]> scripts = new ArrayList<>();
        for (TransactionOutput o : tx.getOutputs()) {
            scripts.add(o.getScriptBytes());
        }
        m7ByBlock.put(block.getHeader().getHash(), M7Codec.findInCoinbase(scripts));
        heightByBlock.put(block.getHeader().getHash(), block.getHeight());
    }

    private void connect(StoredBlock block) {
        Sha256Hash hash = block.getHeader().getHash();
        if (problem != null || hash.equals(tip)) {
            return; // stopped, or the head it attached at announced while it attached
        }
        if (!m7ByBlock.containsKey(hash)) {
            problem = "no coinbase seen for block " + hash + " at height " + block.getHeight()
                    + ": the observed chain must receive full blocks";
            log.warn("D3 stops following: {}", problem);
            clearBlocks();
            return;
        }
        if (!block.getHeader().getPrevBlockHash().equals(tip)) {
            // a block connected between reading the head and attaching, or a reorg not followed back
            restart(block.getHeader().getPrevBlockHash(), block.getHeight() - 1,
                    "block " + hash + " does not follow the observed tip " + tip);
        }
        undoByBlock.put(hash, d3.connect(block.getHeight(), m7ByBlock.get(hash)));
        tip = hash;
        prune(block.getHeight());
    }

    private void restart(Sha256Hash at, int height, String why) {
        log.warn("D3 restarts after block {} at height {} ({}): its rows below are gone until a whole window is"
                + " followed again", at, height, why);
        restartAt(at, height);
    }

    /** Takes the tip block off; false if that cannot be done (no undo kept, or below the attach point). */
    private boolean disconnect(StoredBlock block) {
        Sha256Hash hash = block.getHeader().getHash();
        D3Undo undo = undoByBlock.remove(hash);
        if (undo == null || !hash.equals(tip)) {
            return false;
        }
        d3.disconnect(undo);
        tip = block.getHeader().getPrevBlockHash();
        return true;
    }

    private void prune(int height) {
        int keepFrom = height - keepDepth;
        heightByBlock.entrySet().removeIf(e -> {
            if (e.getValue() < keepFrom) {
                m7ByBlock.remove(e.getKey());
                undoByBlock.remove(e.getKey());
                return true;
            }
            return false;
        });
    }

    private final class Listener implements TransactionReceivedInBlockListener, NewBestBlockListener,
            ReorganizeListener {
        @Override
        public void receiveFromBlock(Transaction tx, StoredBlock block, AbstractBlockChain.NewBlockType blockType,
                                     int relativityOffset) {
            if (relativityOffset == 0 && tx.isCoinBase()) {
                lock.lock();
                try {
                    onCoinbase(tx, block);
                } finally {
                    lock.unlock();
                }
            }
        }

        @Override
        public boolean notifyTransactionIsInBlock(Sha256Hash txHash, StoredBlock block,
                                                  AbstractBlockChain.NewBlockType blockType, int relativityOffset) {
            return false;
        }

        @Override
        public void notifyNewBestBlock(StoredBlock block) {
            lock.lock();
            try {
                connect(block);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void reorganize(StoredBlock splitPoint, List<StoredBlock> oldBlocks, List<StoredBlock> newBlocks) {
            lock.lock();
            try {
                if (problem != null) {
                    return;
                }
                int from = newBlocks.size() - 1; // newBlocks are newest first
                for (StoredBlock b : oldBlocks) { // newest first
                    if (!disconnect(b)) {
                        // start again below the oldest new block whose coinbase is still kept (those of
                        // blocks deeper than keepDepth may be gone: they came while the other branch led)
                        int first = 0;
                        while (first < newBlocks.size() && m7ByBlock.containsKey(newBlocks.get(first).getHeader().getHash())) {
                            first++;
                        }
                        StoredBlock at = first < newBlocks.size() ? newBlocks.get(first) : splitPoint;
                        restart(at.getHeader().getHash(), at.getHeight(), "a reorg to height " + splitPoint.getHeight()
                                + " deeper than the kept undo data or the attach point");
                        from = first - 1;
                        break;
                    }
                }
                for (int i = from; i >= 0; i--) {
                    connect(newBlocks.get(i));
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
