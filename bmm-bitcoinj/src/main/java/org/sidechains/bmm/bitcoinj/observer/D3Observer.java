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
 * incomplete: {@link #problem()} says so and D3 stops there.
 */
public final class D3Observer {
    private static final Logger log = LoggerFactory.getLogger(D3Observer.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final D3 d3;
    private final int keepDepth;
    /** Counting M7s by block hash, from coinbases seen on either branch (empty Optional: no M7). */
    private final Map<Sha256Hash, Optional<CoinbaseM7>> m7ByBlock = new HashMap<>();
    private final Map<Sha256Hash, Integer> heightByBlock = new HashMap<>();
    private final Map<Sha256Hash, D3Undo> undoByBlock = new HashMap<>();
    private Sha256Hash tip;
    private String problem;

    private D3Observer(int window, int keepDepth, StoredBlock head) {
        this.d3 = D3.create(window);
        this.keepDepth = keepDepth;
        this.tip = head.getHeader().getHash();
        // the head's own row is unknown (its coinbase is not at hand): D3 starts with the next block
    }

    /**
     * Attaches to {@code chain} at its current head. For a complete D3 window, attach before the
     * chain downloads (a new store at genesis).
     */
    public static D3Observer attach(AbstractBlockChain chain, int window, int keepDepth) {
        D3Observer o = new D3Observer(window, keepDepth, chain.getChainHead());
        Listener l = o.new Listener();
        // same thread: the coinbase arrives before the best-block notice, in block order
        chain.addTransactionReceivedListener(Threading.SAME_THREAD, l);
        chain.addNewBestBlockListener(Threading.SAME_THREAD, l);
        chain.addReorganizeListener(Threading.SAME_THREAD, l);
        return o;
    }

    /** D3 as of the observed chain's head; safe from any thread. */
    public D3View d3() {
        return new LockedD3View(d3, lock);
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

    private void onCoinbase(Transaction tx, StoredBlock block) {
        List<byte[]> scripts = new ArrayList<>();
        for (TransactionOutput o : tx.getOutputs()) {
            scripts.add(o.getScriptBytes());
        }
        m7ByBlock.put(block.getHeader().getHash(), M7Codec.findInCoinbase(scripts));
        heightByBlock.put(block.getHeader().getHash(), block.getHeight());
    }

    private void connect(StoredBlock block) {
        Sha256Hash hash = block.getHeader().getHash();
        if (problem != null) {
            return;
        }
        if (!block.getHeader().getPrevBlockHash().equals(tip)) {
            problem = "block " + hash + " does not follow the observed tip " + tip;
        } else if (!m7ByBlock.containsKey(hash)) {
            problem = "no coinbase seen for block " + hash + " at height " + block.getHeight()
                    + ": the observed chain must receive full blocks";
        }
        if (problem != null) {
            log.warn("D3 stops following: {}", problem);
            return;
        }
        undoByBlock.put(hash, d3.connect(block.getHeight(), m7ByBlock.get(hash)));
        tip = hash;
        prune(block.getHeight());
    }

    private void disconnect(StoredBlock block) {
        Sha256Hash hash = block.getHeader().getHash();
        D3Undo undo = undoByBlock.remove(hash);
        if (problem != null) {
            return;
        }
        if (undo == null || !hash.equals(tip)) {
            problem = "reorg deeper than the kept undo data at block " + hash;
            log.warn("D3 stops following: {}", problem);
            return;
        }
        d3.disconnect(undo);
        tip = block.getHeader().getPrevBlockHash();
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
                for (StoredBlock b : oldBlocks) { // newest first
                    disconnect(b);
                }
                for (int i = newBlocks.size() - 1; i >= 0; i--) {
                    connect(newBlocks.get(i));
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
