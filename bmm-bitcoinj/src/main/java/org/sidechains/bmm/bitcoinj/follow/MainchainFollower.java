package org.sidechains.bmm.bitcoinj.follow;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.StoredBlock;
import org.bitcoinj.store.BlockStoreException;
import org.sidechains.bmm.bitcoinj.chain.BmmBlockChain;
import org.sidechains.bmm.bitcoinj.context.BitcoinjContext;
import org.sidechains.bmm.bitcoinj.chain.Offer;
import org.sidechains.bmm.bitcoinj.mainchain.BlockWithPrevouts;
import org.sidechains.bmm.bitcoinj.mainchain.Mainchain;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.sidechains.bmm.bitcoinj.pool.Tip;
import org.sidechains.bmm.bitcoinj.prevout.PrevoutSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link BmmBlockChain} on a mainchain node's best chain by polling it: every
 * {@link Options#pollInterval} it asks for the best block hash, finds the common ancestor with the
 * enforcing chain by comparing hashes height by height, and offers the node's blocks from there in
 * batches. Polling, not notifications: a missed message can never leave it behind, and a node that
 * restarts is simply polled again.
 *
 * <p>A block the chain refuses is recorded as a {@link Refusal}; the follower never offers it, or
 * anything built on it, again. With {@link Options#enforce}, a block refused by a BMM rule is also
 * {@code invalidateblock}ed on the node (again whenever the node shows it on its best chain), so the
 * node's best chain stays BMM-valid.
 */
public final class MainchainFollower implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MainchainFollower.class);

    /**
     * @param batchSize      blocks per JSON-RPC batch
     * @param pollInterval   how often the node's best block is asked for
     * @param enforce        invalidate refused blocks on the node
     * @param fetchPrevouts  fetch each block's spent outputs ({@code getblock} verbosity 3) with it;
     *                       required when the chain keeps no output index
     */
    public record Options(int batchSize, Duration pollInterval, boolean enforce, boolean fetchPrevouts) {
        public static final Options DEFAULT = new Options(100, Duration.ofMillis(250), false, true);

        public Options {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            }
            Objects.requireNonNull(pollInterval, "pollInterval");
            if (pollInterval.isNegative() || pollInterval.isZero()) {
                throw new IllegalArgumentException("pollInterval must be positive, got " + pollInterval);
            }
        }

        public Options withEnforce(boolean e) {
            return new Options(batchSize, pollInterval, e, fetchPrevouts);
        }

        public Options withFetchPrevouts(boolean f) {
            return new Options(batchSize, pollInterval, enforce, f);
        }

        public Options withBatchSize(int b) {
            return new Options(b, pollInterval, enforce, fetchPrevouts);
        }

        public Options withPollInterval(Duration d) {
            return new Options(batchSize, d, enforce, fetchPrevouts);
        }
    }

    /** What one {@link #sync()} did. */
    public record SyncResult(int offered, Tip tip, boolean caughtUp) {
    }

    private final Mainchain main;
    private final BmmBlockChain chain;
    private final Options options;
    private final Refusals refused = new Refusals();
    private final Optional<Mainchain> enforceVia;
    private boolean genesisChecked;
    /** Guards the threads below, apart from sync()'s monitor: closing must not wait out a sync. */
    private final Object threads = new Object();
    private ScheduledExecutorService poller;
    private java.util.concurrent.ExecutorService fetcher;
    /** Prefetches not finished yet. */
    private final Set<CompletableFuture<Batch>> inFlight = ConcurrentHashMap.newKeySet();
    private boolean closed;
    private volatile boolean unreachable;
    /** The last failure the poll logged in full, so that one that repeats every poll is logged once. */
    private String lastFailure;

    public MainchainFollower(Mainchain main, BmmBlockChain chain, Options options) {
        this.main = Objects.requireNonNull(main, "main");
        this.chain = Objects.requireNonNull(chain, "chain");
        this.options = Objects.requireNonNull(options, "options");
        this.enforceVia = options.enforce() ? Optional.of(main) : Optional.empty();
        if (!chain.config().hasOutputIndex() && !options.fetchPrevouts()) {
            throw new IllegalArgumentException("the chain keeps no output index, so the follower must fetch prevouts");
        }
    }

    public void addListener(FollowerListener l) {
        refused.addListener(l);
    }

    public BmmBlockChain chain() {
        return chain;
    }

    /** The blocks refused so far, oldest first. */
    public List<Refusal> refusals() {
        return refused.all();
    }

    public Tip tip() {
        return Tip.of(chain.getChainHead());
    }

    /**
     * Brings the chain to the node's best block, or to the last valid block before a refused one.
     * Safe to call from any thread; calls are serialised.
     *
     * @throws MainchainException when the node cannot be asked
     */
    public synchronized SyncResult sync() {
        Tip before = tip();
        int offered = 0;
        boolean caughtUp = true;
        try {
            checkGenesis();
            Sha256Hash best = main.bestBlockHash();
            if (best.equals(before.hash())) {
                return new SyncResult(0, before, true);
            }
            if (refused.contains(best)) {
                boolean told = refused.enforceAgain(best, enforceVia);
                return new SyncResult(0, before, !told);
            }
            int tipHeight = main.header(best).height();
            int ancestor = commonAncestorHeight(tipHeight);
            if (chain.getChainHead().getHeight() > ancestor) {
                // the node left our head's branch (a reorg, or invalidateblock with nothing on top yet):
                // go back to where we agree, then take the node's blocks from there
                try {
                    chain.disconnectTo(ancestor);
                } catch (IllegalStateException e) {
                    throw new IllegalStateException("the node's best chain leaves this chain's at height " + ancestor
                            + ", " + (chain.getChainHead().getHeight() - ancestor) + " blocks below its head: "
                            + e.getMessage(), e);
                }
            }
            int from = ancestor + 1;
            // the next batch is fetched while the chain checks this one
            CompletableFuture<Batch> next = fetchAsync(from, tipHeight);
            while (next != null) {
                Batch batch = join(next);
                int after = batch.from() + batch.blocks().size();
                next = batch.stop() || after > tipHeight ? null : fetchAsync(after, tipHeight);
                for (int i = 0; i < batch.blocks().size(); i++) {
                    Block b = batch.blocks().get(i);
                    Offer o = chain.offer(b, batch.prevouts().get(i));
                    offered++;
                    if (o instanceof Offer.Orphan) {
                        // the node reorganised while we fetched: start over on the next poll
                        caughtUp = false;
                        next = cancel(next);
                        break;
                    }
                    if (o instanceof Offer.Refused r) {
                        Refusal refusal = Refusal.of(batch.from() + i, b.getHash(), r);
                        refused.refuse(refusal, enforceVia);
                        // enforced: the node has a new best chain to follow
                        caughtUp = !(options.enforce() && refusal.bmmRule());
                        next = cancel(next);
                        break;
                    }
                }
            }
        } finally {
            refused.tipMoved(before, tip());
        }
        return new SyncResult(offered, tip(), caughtUp);
    }

    /** One batch of the node's blocks from height {@code from}; {@code stop} when a refused block cut it short. */
    private record Batch(int from, List<Block> blocks, List<PrevoutSource> prevouts, boolean stop) {
    }

    private CompletableFuture<Batch> fetchAsync(int from, int tipHeight) {
        CompletableFuture<Batch> f = CompletableFuture.supplyAsync(() -> {
            BitcoinjContext.ensure();
            int n = Math.min(options.batchSize(), tipHeight - from + 1);
            List<Sha256Hash> hashes = main.blockHashes(from, n);
            boolean stop = false;
            for (int i = 0; i < hashes.size(); i++) {
                if (refused.contains(hashes.get(i))) {
                    // never fetch a refused block or its descendants; enforcing, tell the node again
                    refused.enforceAgain(hashes.get(i), enforceVia);
                    hashes = hashes.subList(0, i);
                    stop = true;
                    break;
                }
            }
            List<Block> blocks = new ArrayList<>(hashes.size());
            List<PrevoutSource> prevouts = new ArrayList<>(hashes.size());
            fetch(hashes, blocks, prevouts);
            return new Batch(from, blocks, prevouts, stop);
        }, fetcher());
        // close() ends what is still fetching or queued, so that a sync waiting on it cannot wait forever
        inFlight.add(f);
        f.whenComplete((batch, failure) -> inFlight.remove(f));
        synchronized (threads) {
            if (closed) { // closed since fetcher() answered, before close() could see f
                f.completeExceptionally(new IllegalStateException("the follower of " + main.describe() + " is closed"));
            }
        }
        return f;
    }

    private static Batch join(CompletableFuture<Batch> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r; // the node's own error (MainchainException), as if fetched on this thread
            }
            throw e;
        }
    }

    private static CompletableFuture<Batch> cancel(CompletableFuture<Batch> f) {
        if (f != null) {
            f.cancel(false);
        }
        return null;
    }

    private java.util.concurrent.ExecutorService fetcher() {
        synchronized (threads) {
            if (closed) {
                throw new IllegalStateException("the follower of " + main.describe() + " is closed");
            }
            if (fetcher == null) {
                fetcher = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "mainchain-fetch");
                    t.setDaemon(true);
                    return t;
                });
            }
            return fetcher;
        }
    }


    /**
     * Syncs until the chain is at the node's best block (or stopped by a refusal).
     *
     * @throws IllegalStateException when the node's chain keeps changing under the follower
     */
    public SyncResult syncToTip() {
        for (int stalled = 0; stalled < 100; ) {
            Tip before = tip();
            SyncResult r = sync();
            if (r.caughtUp()) {
                return r;
            }
            if (r.tip().equals(before)) {
                stalled++;
                try {
                    Thread.sleep(Math.min(1000, 20L * stalled)); // the node is reorganising: let it settle
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while following " + main.describe(), e);
                }
            }
        }
        throw new IllegalStateException(main.describe() + " kept changing its best chain: gave up catching up");
    }

    /** A node of another network would look like an endless reorg: say what it is instead. */
    private void checkGenesis() {
        if (genesisChecked) {
            return;
        }
        Sha256Hash theirs = main.blockHash(0);
        Sha256Hash ours = chain.params().getGenesisBlock().getHash();
        if (!theirs.equals(ours)) {
            throw new IllegalStateException(main.describe() + " has genesis block " + theirs + ", not " + ours
                    + " of " + chain.params().network() + ": is it a node of another network?");
        }
        genesisChecked = true;
    }

    /** Starts polling on a daemon thread; node outages are logged once and waited out. */
    public void start() {
        synchronized (threads) {
            if (closed) {
                throw new IllegalStateException("the follower of " + main.describe() + " is closed");
            }
            if (poller != null) {
                return;
            }
            poller = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "mainchain-follower");
                t.setDaemon(true);
                return t;
            });
            long ms = options.pollInterval().toMillis();
            poller.scheduleWithFixedDelay(this::pollOnce, 0, Math.max(1, ms), TimeUnit.MILLISECONDS);
        }
    }

    private void pollOnce() {
        BitcoinjContext.ensure();
        Optional<String> unusable = chain.unusable();
        if (unusable.isPresent()) {
            // closed (a shutdown hook) or failed: fetching on would only fail again, every poll
            log.warn("the chain takes no more blocks ({}): the follower of {} stops", unusable.get(), main.describe());
            synchronized (threads) {
                if (poller != null) {
                    poller.shutdown(); // the fetcher stays: syncToTip() still answers, with the chain's own error
                }
            }
            return;
        }
        try {
            sync();
            lastFailure = null;
            if (unreachable) {
                log.info("{} answers again; following from {}", main.describe(), tip());
                unreachable = false;
            }
        } catch (MainchainException.Unreachable e) {
            if (!unreachable) {
                log.warn("{} is unreachable ({}); waiting for it", main.describe(), e.getMessage());
                unreachable = true;
            }
        } catch (RuntimeException e) {
            if (e.toString().equals(lastFailure)) {
                log.debug("following {} failed again: {}", main.describe(), e.toString());
            } else {
                lastFailure = e.toString();
                log.error("following {} failed (logged once while it repeats): {}", main.describe(), e.toString(), e);
            }
        }
    }

    /** Stops the poll and the prefetch at once (a sync in progress ends with an error). */
    @Override
    public void close() {
        ScheduledExecutorService p;
        synchronized (threads) {
            closed = true;
            if (fetcher != null) {
                fetcher.shutdownNow();
                fetcher = null;
            }
            p = poller;
            poller = null;
        }
        // a queued prefetch that shutdownNow dropped, or one stuck in a call that ignores interrupts,
        // would never complete: the sync waiting on it gets this instead
        for (CompletableFuture<Batch> f : inFlight) {
            f.completeExceptionally(new IllegalStateException("the follower of " + main.describe() + " is closed"));
        }
        if (p != null) {
            p.shutdownNow();
            try {
                p.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void fetch(List<Sha256Hash> hashes, List<Block> blocks, List<PrevoutSource> prevouts) {
        if (hashes.isEmpty()) {
            return;
        }
        if (options.fetchPrevouts()) {
            for (BlockWithPrevouts bp : main.blocksWithPrevouts(hashes)) {
                blocks.add(bp.block());
                prevouts.add(bp);
            }
        } else {
            for (Block b : main.blocks(hashes)) {
                blocks.add(b);
                prevouts.add(PrevoutSource.none());
            }
        }
    }

    private StoredBlock parentOrFail(StoredBlock block) throws BlockStoreException {
        return chain.storedParent(block).orElseThrow(() -> new IllegalStateException("the node's best chain leaves"
                + " this chain's below the headers its block store keeps: follow the node again from genesis (a new"
                + " block store, and a new state database if the chain has one)"));
    }

    /** The highest height at which the chain's active block is also the node's. */
    private int commonAncestorHeight(int nodeTipHeight) {
        try {
            StoredBlock ours = chain.getChainHead();
            while (ours.getHeight() > nodeTipHeight) {
                ours = parentOrFail(ours);
            }
            while (ours.getHeight() > 0 && !main.blockHash(ours.getHeight()).equals(ours.getHeader().getHash())) {
                ours = parentOrFail(ours);
            }
            return ours.getHeight();
        } catch (BlockStoreException e) {
            throw new IllegalStateException("cannot read the chain's block store: " + e.getMessage(), e);
        }
    }
}
