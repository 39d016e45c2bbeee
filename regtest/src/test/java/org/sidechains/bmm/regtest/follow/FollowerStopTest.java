package org.sidechains.bmm.regtest.follow;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.bitcoinj.base.ScriptType;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.store.MemoryBlockStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidechains.bmm.bitcoinj.chain.BmmBlockChain;
import org.sidechains.bmm.bitcoinj.chain.BmmChainConfig;
import org.sidechains.bmm.bitcoinj.follow.MainchainFollower;
import org.sidechains.bmm.bitcoinj.mainchain.Mainchain;

/** How a follower stops: its chain closed under it (say by a shutdown hook), or closed while a node call hangs. */
class FollowerStopTest {
    @TempDir
    Path dir;

    PreForkChain net;

    @BeforeEach
    void setUp() throws Exception {
        net = new PreForkChain(dir, List.of(5));
    }

    @AfterEach
    void tearDown() {
        net.close();
    }

    /** The node, with {@code beforeCall} run (on the calling thread) before each call, given the method's name. */
    Mainchain intercepted(Consumer<String> beforeCall) {
        return (Mainchain) Proxy.newProxyInstance(Mainchain.class.getClassLoader(), new Class<?>[] {Mainchain.class},
                (p, m, a) -> {
                    beforeCall.accept(m.getName());
                    try {
                        return m.invoke(net.node, a);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    void mineOne() {
        net.node.generateToAddress(1, new ECKey().toAddress(ScriptType.P2WPKH, net.node.params().network()).toString());
    }

    @Test
    void aFollowerOfAClosedChainStops() throws Exception {
        AtomicInteger fetches = new AtomicInteger();
        Mainchain counting = intercepted(name -> {
            if (name.equals("blocks") || name.equals("blocksWithPrevouts")) {
                fetches.incrementAndGet();
            }
        });
        BmmBlockChain chain = new BmmBlockChain(net.node.params(), new MemoryBlockStore(net.node.params().getGenesisBlock()),
                BmmChainConfig.regtest().withStateDatabase(dir.resolve("state.bmm")));
        try (MainchainFollower f = new MainchainFollower(counting, chain, MainchainFollower.Options.DEFAULT)) {
            f.syncToTip();
            chain.close();
            mineOne();
            int before = fetches.get();
            f.start();
            Thread.sleep(2000);
            assertTrue(fetches.get() - before == 0, "batch fetches after the chain closed: " + (fetches.get() - before));
            // asked directly, it answers with the chain's own reason
            IllegalStateException e = assertThrows(IllegalStateException.class, f::syncToTip);
            assertTrue(e.getMessage().contains("takes no more blocks: the chain is closed"), e.getMessage());
        }
    }

    @Test
    void closeEndsASyncWaitingOnAStuckNode() throws Exception {
        AtomicBoolean stuck = new AtomicBoolean();
        CountDownLatch entered = new CountDownLatch(1);
        Mainchain node = intercepted(name -> {
            if (name.equals("blockHashes") && stuck.get()) {
                entered.countDown();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (System.nanoTime() < until) { // a call that ignores interrupts, as some blocking I/O does
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException ignored) {
                        // on it goes
                    }
                }
            }
        });
        BmmBlockChain chain = new BmmBlockChain(net.node.params(), new MemoryBlockStore(net.node.params().getGenesisBlock()),
                BmmChainConfig.regtest());
        MainchainFollower f = new MainchainFollower(node, chain, MainchainFollower.Options.DEFAULT);
        f.syncToTip();
        mineOne();
        stuck.set(true);
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread sync = new Thread(() -> {
            try {
                f.syncToTip();
            } catch (Throwable t) {
                ended.set(t);
            }
        });
        sync.start();
        assertTrue(entered.await(10, TimeUnit.SECONDS), "the sync reached the stuck call");
        long t0 = System.nanoTime();
        f.close();
        sync.join(5_000);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(!sync.isAlive() && ms < 3_000, "the sync ended " + ms + " ms after close (alive: " + sync.isAlive() + ")");
        assertTrue(ended.get() instanceof IllegalStateException && ended.get().getMessage().contains("closed"),
                "it ended with: " + ended.get());
    }
}
