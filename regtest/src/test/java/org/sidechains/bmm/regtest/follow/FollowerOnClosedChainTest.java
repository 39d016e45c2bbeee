package org.sidechains.bmm.regtest.follow;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.bitcoinj.base.ScriptType;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.store.MemoryBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidechains.bmm.bitcoinj.chain.BmmBlockChain;
import org.sidechains.bmm.bitcoinj.chain.BmmChainConfig;
import org.sidechains.bmm.bitcoinj.follow.MainchainFollower;
import org.sidechains.bmm.bitcoinj.mainchain.Mainchain;

/** A started follower whose chain is closed (say by a shutdown hook) stops, instead of fetching and failing every poll. */
class FollowerOnClosedChainTest {
    @TempDir
    Path dir;

    @Test
    void aFollowerOfAClosedChainStops() throws Exception {
        try (PreForkChain net = new PreForkChain(dir, List.of(5))) {
            AtomicInteger fetches = new AtomicInteger();
            Mainchain counting = (Mainchain) Proxy.newProxyInstance(Mainchain.class.getClassLoader(),
                    new Class<?>[] {Mainchain.class}, (p, m, a) -> {
                        if (m.getName().equals("blocks") || m.getName().equals("blocksWithPrevouts")) {
                            fetches.incrementAndGet();
                        }
                        try {
                            return m.invoke(net.node, a);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            BmmBlockChain chain = new BmmBlockChain(net.node.params(),
                    new MemoryBlockStore(net.node.params().getGenesisBlock()),
                    BmmChainConfig.regtest().withStateDatabase(dir.resolve("state.bmm")));
            try (MainchainFollower f = new MainchainFollower(counting, chain, MainchainFollower.Options.DEFAULT)) {
                f.syncToTip();
                chain.close();
                net.node.generateToAddress(1, new ECKey().toAddress(ScriptType.P2WPKH, net.node.params().network()).toString());
                int before = fetches.get();
                f.start();
                Thread.sleep(2000);
                assertTrue(fetches.get() - before == 0, "batch fetches after the chain closed: " + (fetches.get() - before));
                // asked directly, it answers with the chain's own reason
                IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, f::syncToTip);
                assertTrue(e.getMessage().contains("takes no more blocks: the chain is closed"), e.getMessage());
            }
        }
    }
}
