package org.sidechains.bmm.bitcoinj.follow;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.BlockLocator;
import org.bitcoinj.core.GetHeadersMessage;
import org.bitcoinj.core.HeadersMessage;
import org.bitcoinj.core.InventoryItem;
import org.bitcoinj.core.InventoryMessage;
import org.bitcoinj.core.NetworkParameters;
import org.bitcoinj.core.Peer;
import org.bitcoinj.core.PeerAddress;
import org.bitcoinj.core.PeerGroup;
import org.bitcoinj.core.ProtocolVersion;
import org.bitcoinj.core.StoredBlock;
import org.bitcoinj.store.BlockStoreException;
import org.bitcoinj.utils.Threading;
import org.sidechains.bmm.bitcoinj.chain.BmmBlockChain;
import org.sidechains.bmm.bitcoinj.context.BitcoinjContext;
import org.sidechains.bmm.bitcoinj.chain.Offer;
import org.sidechains.bmm.bitcoinj.mainchain.Mainchain;
import org.sidechains.bmm.bitcoinj.pool.Tip;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link BmmBlockChain} on a Bitcoin node's best chain over the P2P protocol, through
 * bitcoinj's {@link PeerGroup} with one peer (a node on loopback). bitcoinj's own chain download
 * asks for blocks without their witnesses, which OP_CBV and the witness commitment need, so this
 * follower drives the download itself: {@code getheaders} from the chain's locator, then each new
 * block by {@code getdata} of the witness variant, offered in order. A new block announced by the
 * node ({@code inv} or {@code headers}) starts a round at once; a timer starts one every
 * {@code pollInterval} anyway, so a lost announcement costs at most that long.
 *
 * <p>The chain must keep its own output index (P2P blocks come without their prevouts). With an
 * RPC {@link Mainchain} given for enforcement, refused blocks are {@code invalidateblock}ed there.
 */
public final class P2pFollower implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(P2pFollower.class);
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_HEADERS = 2000;

    private final BmmBlockChain chain;
    private final PeerGroup peers;
    private final Optional<Mainchain> enforceVia;
    private final Duration pollInterval;
    private final Refusals refused = new Refusals();
    private final ScheduledExecutorService worker;
    private volatile Pending pendingHeaders;
    /** The last round's failure, to log one that repeats only once (only the worker thread touches it). */
    private String lastFailure;
    private boolean started;

    /** A getheaders sent: its answer starts right after a block of the locator (or is empty: none known). */
    private record Pending(CompletableFuture<HeadersMessage> answer, Set<Sha256Hash> locator) {
        boolean answeredBy(HeadersMessage h) {
            List<Block> headers = h.getBlockHeaders();
            return headers.isEmpty() || locator.contains(headers.get(0).getPrevBlockHash());
        }
    }

    /**
     * @param port        the node's P2P port on 127.0.0.1
     * @param enforceVia  where to {@code invalidateblock} refused blocks, if anywhere
     */
    public P2pFollower(BmmBlockChain chain, int port, Optional<Mainchain> enforceVia, Duration pollInterval) {
        this.chain = Objects.requireNonNull(chain, "chain");
        if (!chain.config().hasOutputIndex()) {
            throw new IllegalArgumentException("a P2P follower needs a chain with its own output index"
                    + " (blocks over P2P come without the outputs they spend)");
        }
        this.enforceVia = Objects.requireNonNull(enforceVia, "enforceVia");
        this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
        NetworkParameters params = chain.params();
        this.peers = new PeerGroup(params, null); // no chain: bitcoinj would download without witnesses
        peers.setUserAgent("bmm-p2p-follower", "0.1");
        peers.setMaxConnections(1);
        peers.addAddress(PeerAddress.simple(InetAddress.getLoopbackAddress(), port));
        peers.addPreMessageReceivedEventListener(Threading.SAME_THREAD, (peer, m) -> {
            if (m instanceof HeadersMessage h) {
                Pending p = pendingHeaders;
                if (p != null && p.answeredBy(h)) {
                    p.answer().complete(h);
                } else {
                    kick(); // an announcement of a new block, not the answer a round waits for
                }
                return null; // handled here: the peer has no chain to give it to
            } else if (m instanceof InventoryMessage inv
                    && inv.getItems().stream().anyMatch(i -> i.type == InventoryItem.Type.BLOCK
                    || i.type == InventoryItem.Type.WITNESS_BLOCK)) {
                kick();
            }
            return m;
        });
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "p2p-follower");
            t.setDaemon(true);
            return t;
        });
    }

    public void addListener(FollowerListener l) {
        refused.addListener(l);
    }

    public List<Refusal> refusals() {
        return refused.all();
    }

    public Tip tip() {
        return Tip.of(chain.getChainHead());
    }

    public BmmBlockChain chain() {
        return chain;
    }

    /** Connects and follows in the background. */
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        peers.start();
        long ms = Math.max(1, pollInterval.toMillis());
        worker.scheduleWithFixedDelay(this::round, 0, ms, TimeUnit.MILLISECONDS);
    }

    /** Runs a round now, on the follower's thread. */
    private void kick() {
        try {
            worker.execute(this::round);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed
        }
    }

    private void round() {
        BitcoinjContext.ensure();
        Optional<String> unusable = chain.unusable();
        if (unusable.isPresent()) {
            if (!worker.isShutdown()) { // a round queued before the shutdown still runs: say it once
                log.warn("the chain takes no more blocks ({}): the P2P follower stops", unusable.get());
                worker.shutdown();
            }
            return;
        }
        try {
            List<Peer> connected = peers.getConnectedPeers();
            if (connected.isEmpty()) {
                return;
            }
            sync(connected.get(0));
            lastFailure = null;
        } catch (TimeoutException e) {
            log.warn("the peer did not answer within {}; trying again", ANSWER_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | ExecutionException | BlockStoreException e) {
            String failure = e.toString();
            if (!failure.equals(lastFailure)) { // a failure that repeats every round (a reorg too deep) is logged once
                log.warn("P2P follow round failed (logged once while it repeats): {}", failure);
                lastFailure = failure;
            }
        }
    }

    private void sync(Peer peer) throws InterruptedException, ExecutionException, TimeoutException,
            BlockStoreException {
        while (true) {
            Tip before = tip();
            StoredBlock head = chain.getChainHead();
            // asked from the head's parent, the node's answer starts with our head iff its best chain holds it
            StoredBlock from = head.getHeight() > 0 ? chain.storedParent(head).orElse(head) : head;
            CompletableFuture<HeadersMessage> f = new CompletableFuture<>();
            BlockLocator locator = locator(from);
            pendingHeaders = new Pending(f, Set.copyOf(locator.getHashes()));
            peer.sendMessage(new GetHeadersMessage(ProtocolVersion.CURRENT.intValue(), locator, Sha256Hash.ZERO_HASH));
            List<Block> headers = f.get(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).getBlockHeaders();
            pendingHeaders = null;
            int first = 0;
            if (head.getHeight() > 0) {
                if (headers.isEmpty() || !headers.get(0).getHash().equals(head.getHeader().getHash())) {
                    // the node left our head's branch (a reorg, or invalidateblock). Its answer starts after
                    // the fork point, a block of our locator: back there at once (all or nothing, as
                    // disconnectTo checks the undo data first). An empty answer names no fork point
                    // (the node's tip is one of the locator's blocks): one step back, and ask again.
                    StoredBlock fork = headers.isEmpty() ? null : chain.storedBlock(headers.get(0).getPrevBlockHash()).orElse(null);
                    int to = fork != null && fork.getHeight() < head.getHeight() ? fork.getHeight() : head.getHeight() - 1;
                    chain.disconnectTo(to);
                    refused.tipMoved(before, tip());
                    continue;
                }
                first = 1;
            }
            boolean stop = false;
            for (int i = first; i < headers.size() && !stop; i++) {
                Block h = headers.get(i);
                Sha256Hash hash = h.getHash();
                if (refused.contains(hash) || refused.contains(h.getPrevBlockHash())) {
                    refused.enforceAgain(hash, enforceVia); // nothing built on a refused block is offered
                    stop = true;
                    break;
                }
                Block full = peer.getBlock(hash).get(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                Offer o = chain.offer(full);
                if (o instanceof Offer.Refused r) {
                    StoredBlock parent = chain.storedBlock(full.getPrevBlockHash()).orElse(null);
                    int height = parent == null ? -1 : parent.getHeight() + 1;
                    refused.refuse(Refusal.of(height, hash, r), enforceVia);
                    stop = true;
                } else if (!(o instanceof Offer.Connected)) {
                    log.warn("block {} from the peer did not extend the chain: {}", hash, o);
                    stop = true;
                }
            }
            refused.tipMoved(before, tip());
            if (stop || headers.size() < MAX_HEADERS) {
                return;
            }
        }
    }

    /** A locator from {@code start}: it, then back 1, 2, 4, ... blocks, ending at genesis. */
    private BlockLocator locator(StoredBlock start) throws BlockStoreException {
        List<Sha256Hash> hashes = new ArrayList<>();
        StoredBlock b = start;
        int step = 1;
        while (b != null) {
            hashes.add(b.getHeader().getHash());
            if (b.getHeight() == 0) {
                break;
            }
            int target = Math.max(0, b.getHeight() - step);
            while (b != null && b.getHeight() > target) {
                b = chain.storedParent(b).orElse(null);
            }
            if (hashes.size() >= 10) {
                step *= 2;
            }
        }
        Sha256Hash genesis = chain.params().getGenesisBlock().getHash();
        if (!hashes.get(hashes.size() - 1).equals(genesis)) {
            // the store keeps only recent headers: genesis still ends the locator, so that any answer is recognised
            hashes.add(genesis);
        }
        return new BlockLocator(hashes);
    }

    @Override
    public synchronized void close() {
        worker.shutdownNow();
        if (started) {
            started = false;
            peers.stop();
        }
    }
}
