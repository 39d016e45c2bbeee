package org.sidechains.bmm.regtest.miner;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.sidechains.bmm.bitcoinj.chain.BmmChainConfig;
import org.sidechains.bmm.bitcoinj.mainchain.Mainchain;
import org.sidechains.bmm.bitcoinj.rpc.RpcAuth;
import org.sidechains.bmm.regtest.rpcserver.RpcServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The miner as a process: a {@link BmmMiner} on a mainchain, its JSON-RPC server on 127.0.0.1, and
 * optionally a timer that mines every interval. Closing stops all three; the mainchain stays the
 * caller's to close.
 */
public final class MinerDaemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MinerDaemon.class);

    private final BmmMiner miner;
    private final RpcServer server;
    private final ScheduledExecutorService timer;
    private final DatadirLock lock;
    private boolean closed;

    private MinerDaemon(BmmMiner miner, RpcServer server, ScheduledExecutorService timer, DatadirLock lock) {
        this.lock = lock;
        this.miner = miner;
        this.server = server;
        this.timer = timer;
    }

    /**
     * @param interval mine a block this often, or null for on demand only
     */
    public static MinerDaemon start(Mainchain mainchain, Path datadir, int port, RpcAuth auth, Duration interval)
            throws IOException {
        return start(mainchain, datadir, port, auth, interval, false);
    }

    /** @param enforce invalidate BMM-invalid blocks on the node (see {@link BmmMiner}) */
    public static MinerDaemon start(Mainchain mainchain, Path datadir, int port, RpcAuth auth, Duration interval,
                                    boolean enforce) throws IOException {
        Objects.requireNonNull(mainchain, "mainchain");
        return start(mainchain, DatadirLock.acquire(datadir), port, auth, interval, enforce);
    }

    /**
     * Starts on a data directory locked beforehand (so that a command can refuse a directory in
     * use before it starts a bitcoind). The daemon owns the lock from here on: it is released when
     * the daemon closes, or at once if it fails to start.
     */
    public static MinerDaemon start(Mainchain mainchain, DatadirLock lock, int port, RpcAuth auth, Duration interval,
                                    boolean enforce) throws IOException {
        Path datadir = lock.dir();
        BmmMiner miner = null;
        RpcServer server = null;
        try {
            miner = new BmmMiner(mainchain, MinerKey.loadOrCreate(datadir), ClaimStore.open(datadir),
                    BmmChainConfig.regtest(), enforce);
            miner.start();
            server = RpcServer.builder().methods(MinerRpcMethods.of(miner)).auth(auth).port(port)
                    .threadName("miner-rpc").start();
            ScheduledExecutorService timer = null;
            if (interval != null) {
                timer = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "miner-interval");
                    t.setDaemon(true);
                    return t;
                });
                BmmMiner m = miner;
                timer.scheduleWithFixedDelay(() -> {
                    try {
                        m.mineOne();
                    } catch (RuntimeException e) {
                        log.warn("interval mining failed (will try again): {}", e.toString());
                    }
                }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
            }
            return new MinerDaemon(miner, server, timer, lock);
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            if (miner != null) {
                miner.close();
            }
            lock.release();
            throw e;
        }
    }

    public BmmMiner miner() {
        return miner;
    }

    public URI url() {
        return server.url();
    }

    public RpcServer server() {
        return server;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (timer != null) {
            // not shutdownNow: an interrupt could cut a claim's write (or a block's submission) short
            timer.shutdown();
            try {
                timer.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        server.close();
        miner.close();
        lock.release();
    }
}
