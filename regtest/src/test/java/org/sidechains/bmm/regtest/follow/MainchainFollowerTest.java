package org.sidechains.bmm.regtest.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.base.ScriptType;
import org.bitcoinj.store.MemoryBlockStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidechains.bmm.bitcoinj.chain.BmmBlockChain;
import org.sidechains.bmm.bitcoinj.chain.BmmChainConfig;
import org.sidechains.bmm.bitcoinj.follow.FollowerListener;
import org.sidechains.bmm.bitcoinj.follow.MainchainFollower;
import org.sidechains.bmm.bitcoinj.follow.Refusal;
import org.sidechains.bmm.bitcoinj.pool.Tip;
import org.sidechains.bmm.regtest.miner.BmmMiner;

/** The polling follower against a node that knows nothing of BMM: D3, reorgs, refusals, --enforce. */
class MainchainFollowerTest {
    @TempDir
    Path dir;

    PreForkChain net;

    @BeforeEach
    void setUp() throws Exception {
        net = new PreForkChain(dir, List.of(5, 6));
    }

    @AfterEach
    void tearDown() {
        net.close();
    }

    /** A follower on a new chain; verbosity-3 prevouts unless the chain keeps its own index. */
    MainchainFollower follower(boolean ownIndex, boolean enforce) throws Exception {
        BmmChainConfig cfg = ownIndex ? BmmChainConfig.regtest() : BmmChainConfig.regtest().withoutOutputIndex();
        BmmBlockChain chain = new BmmBlockChain(net.node.params(),
                new MemoryBlockStore(net.node.params().getGenesisBlock()), cfg);
        return new MainchainFollower(net.node, chain,
                MainchainFollower.Options.DEFAULT.withFetchPrevouts(!ownIndex).withEnforce(enforce).withBatchSize(7));
    }

    String randomAddress() {
        return new ECKey().toAddress(ScriptType.P2WPKH, net.node.params().network()).toString();
    }

    /** A reorg deeper than the chain can go back: the follower says what to do, and the chain stays as it was. */
    @Test
    void aReorgDeeperThanTheUndoDataIsReportedWithWhatToDo() throws Exception {
        BmmChainConfig shallow = new BmmChainConfig(BmmChainConfig.regtest().params(), 2).withoutOutputIndex();
        BmmBlockChain chain = new BmmBlockChain(net.node.params(), new MemoryBlockStore(net.node.params().getGenesisBlock()),
                shallow);
        try (MainchainFollower f = new MainchainFollower(net.node, chain, MainchainFollower.Options.DEFAULT)) {
            net.node.generateToAddress(5, randomAddress());
            f.syncToTip();
            Sha256Hash head = f.tip().hash();
            int h = net.node.blockCount();
            net.node.invalidateBlock(net.node.blockHash(h - 3));
            net.node.generateToAddress(5, randomAddress());
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, f::syncToTip);
            assertTrue(e.getMessage().contains("leaves this chain's at height " + (h - 4) + ", 4 blocks below its head")
                    && e.getMessage().contains("no undo data"), e.getMessage());
            assertEquals(head, f.tip().hash(), "nothing changed");
        }
    }

    @Test
    void followsD3ThroughAReorgAndRefusesABmmInvalidBlock() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertTrue(net.bmmBlock().accepted());
        }
        try (MainchainFollower f = follower(false, false); MainchainFollower own = follower(true, false)) {
            List<Tip> tips = new ArrayList<>();
            f.addListener(new FollowerListener() {
                @Override
                public void onTip(Tip tip) {
                    tips.add(tip);
                }
            });
            f.syncToTip();
            own.syncToTip();
            assertEquals(net.tip(), f.tip().hash());
            assertEquals(net.miner.chain().d3().rows(), f.chain().d3().rows(), "the same D3 as the miner's chain");
            assertEquals(f.chain().d3().rows(), own.chain().d3().rows(), "verbosity 3 or own index: same D3");
            assertEquals(6, f.chain().d3().rows().stream().mapToInt(r -> r.entries().size()).sum());
            assertEquals(1, tips.size());

            // a reorg: the last BMM block is invalidated and a longer plain branch replaces it
            Sha256Hash lastBmm = net.tip();
            int h = net.node.blockCount();
            net.node.invalidateBlock(lastBmm);
            net.node.generateToAddress(2, randomAddress());
            f.syncToTip();
            assertEquals(net.tip(), f.tip().hash());
            assertEquals(h + 1, f.tip().height());
            assertEquals(4, f.chain().d3().rows().stream().mapToInt(r -> r.entries().size()).sum(),
                    "the invalidated block's two entries left D3");
            assertTrue(net.miner.catchUp());
            assertEquals(net.miner.chain().d3().rows(), f.chain().d3().rows());
            assertEquals(2, tips.size());

            // a BMM-invalid block the node accepts, and one on top of it
            Sha256Hash parent = net.tip();
            Block bad = net.m8WithoutM7();
            net.node.generateToAddress(1, randomAddress());
            f.syncToTip();
            assertEquals(parent, f.tip().hash(), "D3 stops at the last valid block of that branch");
            List<Refusal> refused = f.refusals();
            assertEquals(1, refused.size());
            assertEquals(bad.getHash(), refused.get(0).hash());
            assertEquals(h + 2, refused.get(0).height());
            assertEquals("bmm-m8-no-m7", refused.get(0).reason());
            f.syncToTip();
            assertEquals(1, f.refusals().size(), "the refused block and its descendants are not offered again");
            assertEquals(net.tip(), net.node.bestBlockHash(), "without --enforce the node keeps its tip");
        }
    }

    @Test
    void withEnforceTheNodeInvalidatesTheRefusedBlock() throws Exception {
        net.bmmBlock();
        Sha256Hash parent = net.tip();
        Block bad = net.m8WithoutM7();
        net.node.generateToAddress(1, randomAddress());
        try (MainchainFollower f = follower(false, true)) {
            f.syncToTip();
            assertEquals("bmm-m8-no-m7", f.refusals().get(0).reason());
            assertEquals(parent, net.node.bestBlockHash(), "invalidateblock took the block and its child off the tip");
            // mining goes on from the valid tip, and the follower keeps up
            net.node.generateToAddress(1, randomAddress());
            f.syncToTip();
            assertEquals(net.node.bestBlockHash(), f.tip().hash());
            assertEquals(bad.getHash(), f.refusals().get(0).hash());
        }
    }

    @Test
    void thePollerSeesNewTipsWithoutBeingAsked() throws Exception {
        try (MainchainFollower f = follower(true, false)) {
            f.syncToTip();
            f.start();
            Sha256Hash want = net.node.generateToAddress(1, randomAddress()).get(0);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!f.tip().hash().equals(want) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(want, f.tip().hash());
        }
    }

    @Test
    void aNodeOfAnotherNetworkIsNamedNotFollowedForever() throws Exception {
        org.bitcoinj.core.NetworkParameters testnet = org.bitcoinj.core.NetworkParameters.of(
                org.bitcoinj.base.BitcoinNetwork.TESTNET);
        BmmBlockChain chain = new BmmBlockChain(testnet, new MemoryBlockStore(testnet.getGenesisBlock()),
                BmmChainConfig.regtest().withoutOutputIndex());
        try (MainchainFollower f = new MainchainFollower(net.node, chain, MainchainFollower.Options.DEFAULT)) {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    f::syncToTip);
            assertTrue(e.getMessage().contains("is it a node of another network?"), e.getMessage());
        }
    }
}
