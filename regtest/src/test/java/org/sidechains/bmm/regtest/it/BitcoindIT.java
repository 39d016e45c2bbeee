package org.sidechains.bmm.regtest.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.store.MemoryBlockStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;
import org.sidechains.bmm.bitcoinj.chain.BmmBlockChain;
import org.sidechains.bmm.bitcoinj.chain.BmmChainConfig;
import org.sidechains.bmm.bitcoinj.follow.MainchainFollower;
import org.sidechains.bmm.bitcoinj.follow.P2pFollower;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder.Bribe;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.sidechains.bmm.bitcoinj.rpc.RpcAuth;
import org.sidechains.bmm.bitcoinj.rpc.RpcConfig;
import org.sidechains.bmm.bitcoinj.rpc.RpcMainchain;
import org.sidechains.bmm.m7.M7Codec;
import org.sidechains.bmm.regtest.bitcoind.BitcoindLauncher;
import org.sidechains.bmm.regtest.bitcoind.RunningBitcoind;
import org.sidechains.bmm.regtest.follow.PreForkChain;
import org.sidechains.bmm.regtest.miner.BmmMiner;

/**
 * Against a real bitcoind (the binary named by {@code BITCOIND}; skipped without it): BMM blocks
 * accepted, the RPC and P2P followers agreeing, reorgs, refusal and {@code --enforce}, and a
 * bitcoind restart under a running miner.
 */
@EnabledIfEnvironmentVariable(named = "BITCOIND", matches = ".+")
class BitcoindIT {
    @TempDir
    Path dir;

    RunningBitcoind bitcoind;
    PreForkChain net;

    @BeforeEach
    void start() throws Exception {
        bitcoind = BitcoindLauncher.of(Path.of(System.getenv("BITCOIND"))).start();
        net = new PreForkChain(rpc(), dir, List.of(1, 2));
    }

    @AfterEach
    void stop() {
        if (net != null) {
            net.close();
        }
        if (bitcoind != null) {
            bitcoind.close();
        }
    }

    RpcMainchain rpc() {
        return RpcMainchain.connect(RpcConfig.of(bitcoind.rpcUrl(),
                RpcAuth.userPassword(bitcoind.rpcUser(), bitcoind.rpcPassword())));
    }

    BmmBlockChain newChain(boolean ownIndex) throws Exception {
        BmmChainConfig cfg = ownIndex ? BmmChainConfig.regtest() : BmmChainConfig.regtest().withoutOutputIndex();
        return new BmmBlockChain(net.node.params(), new MemoryBlockStore(net.node.params().getGenesisBlock()), cfg);
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void bmmBlocksWithBribesAreAcceptedByBitcoind() {
        for (int i = 0; i < 3; i++) {
            BmmMiner.Mined m = net.bmmBlock();
            assertTrue(m.accepted(), m.rejected().orElse(""));
            assertEquals(2, m.bribes().size());
            assertEquals(m.hash(), net.node.bestBlockHash(), "bitcoind's tip is the miner's block");
        }
        Block tip = net.node.block(net.node.bestBlockHash());
        List<byte[]> scripts = tip.getTransactions().get(0).getOutputs().stream().map(o -> o.getScriptBytes()).toList();
        assertEquals(2, M7Codec.findInCoinbase(scripts).orElseThrow().entries().size());
        assertEquals(2, tip.getTransactions().stream().filter(t -> t.getVersion() == 3).count(), "the two M8s");
    }

    @Test
    void rpcAndP2pFollowersAgree() throws Exception {
        net.bmmBlock();
        net.bmmBlock();
        try (MainchainFollower rpcF = new MainchainFollower(net.node, newChain(false), MainchainFollower.Options.DEFAULT);
             P2pFollower p2p = new P2pFollower(newChain(true), bitcoind.p2pPort(), Optional.empty(),
                     Duration.ofMillis(250))) {
            p2p.start();
            rpcF.syncToTip();
            Sha256Hash tip = net.node.bestBlockHash();
            assertEquals(tip, rpcF.tip().hash());
            await("the P2P follower to reach " + tip, () -> p2p.tip().hash().equals(tip));
            assertEquals(rpcF.chain().d3().rows(), p2p.chain().d3().rows());
            assertEquals(4, p2p.chain().d3().rows().stream().mapToInt(r -> r.entries().size()).sum());
            // one more BMM block: both see it
            net.bmmBlock();
            Sha256Hash next = net.node.bestBlockHash();
            rpcF.syncToTip();
            await("the P2P follower to reach " + next, () -> p2p.tip().hash().equals(next));
            assertEquals(rpcF.chain().d3().rows(), p2p.chain().d3().rows());
            // invalidateblock with nothing on top: both go back; a new block on the parent: both follow
            net.node.invalidateBlock(next);
            rpcF.syncToTip();
            assertEquals(tip, rpcF.tip().hash());
            await("the P2P follower to go back to " + tip, () -> p2p.tip().hash().equals(tip));
            assertEquals(rpcF.chain().d3().rows(), p2p.chain().d3().rows());
            Sha256Hash other = net.node.generateToAddress(1, net.miner.payoutAddress().toString()).get(0);
            rpcF.syncToTip();
            await("the P2P follower to reach " + other, () -> p2p.tip().hash().equals(other));
            assertEquals(rpcF.chain().d3().rows(), p2p.chain().d3().rows());
            assertEquals(4, p2p.chain().d3().rows().stream().mapToInt(r -> r.entries().size()).sum());
        }
    }

    /**
     * The bitcoinj app's way: a P2P follower over an {@code SPVBlockStore} with a state database,
     * stopped, while bitcoind mines on and drops the block it last saw; started again, it resumes
     * from its saved state (a reorg across the restart) and agrees with a chain synced from scratch.
     */
    @Test
    void aP2pFollowerOverAnSpvStoreResumesAfterARestart() throws Exception {
        net.bmmBlock();
        net.bmmBlock();
        BmmChainConfig cfg = BmmChainConfig.regtest().withStateDatabase(dir.resolve("bmm.sqlite"));
        java.io.File headers = dir.resolve("headers.spv").toFile();
        Sha256Hash seen = net.node.bestBlockHash();
        org.bitcoinj.store.SPVBlockStore store = new org.bitcoinj.store.SPVBlockStore(net.node.params(), headers);
        try (BmmBlockChain chain = new BmmBlockChain(net.node.params(), store, cfg);
             P2pFollower p2p = new P2pFollower(chain, bitcoind.p2pPort(), Optional.empty(), Duration.ofMillis(250))) {
            p2p.start();
            await("the P2P follower to reach " + seen, () -> p2p.tip().hash().equals(seen));
        } finally {
            store.close();
        }
        // while it is down: the block it saw last is dropped, and the chain goes on with BMM blocks
        net.node.invalidateBlock(seen);
        net.node.generateToAddress(1, net.miner.payoutAddress().toString());
        net.bmmBlock();
        Sha256Hash tip = net.node.bestBlockHash();
        store = new org.bitcoinj.store.SPVBlockStore(net.node.params(), headers);
        try (BmmBlockChain chain = new BmmBlockChain(net.node.params(), store, cfg);
             P2pFollower p2p = new P2pFollower(chain, bitcoind.p2pPort(), Optional.empty(), Duration.ofMillis(250));
             MainchainFollower fresh = new MainchainFollower(net.node, newChain(true), MainchainFollower.Options.DEFAULT)) {
            assertEquals(seen, chain.getChainHead().getHeader().getHash(), "it resumes where it stopped");
            p2p.start();
            await("the P2P follower to reach " + tip, () -> p2p.tip().hash().equals(tip));
            fresh.syncToTip();
            assertEquals(fresh.chain().d3().rows(), chain.d3().rows());
            assertEquals(4, chain.d3().rows().stream().mapToInt(r -> r.entries().size()).sum(),
                    "two BMM blocks of 2 entries on the best chain: the first, and the one after the restart");
        } finally {
            store.close();
        }
    }

    @Test
    void aReorgByInvalidateAndReconsiderMovesD3AndEmptiesThePool() throws Exception {
        net.bmmBlock();
        Sha256Hash bmmTip = net.node.bestBlockHash();
        assertTrue(net.miner.catchUp());
        int entries = net.miner.chain().d3().rows().stream().mapToInt(r -> r.entries().size()).sum();
        for (Bribe b : net.sender.bribesFor(net.node.blockCount() + 1, net.miner.publicKey(), Coin.valueOf(9_000))) {
            assertTrue(net.miner.submitBribe(b.tx(), Optional.empty()).accepted());
        }
        assertEquals(2, net.miner.pool().size());

        net.node.invalidateBlock(bmmTip);
        assertTrue(net.miner.catchUp());
        assertEquals(0, net.miner.pool().size(), "the tip changed: the pool is empty");
        assertEquals(entries - 2, net.miner.chain().d3().rows().stream().mapToInt(r -> r.entries().size()).sum());

        net.node.reconsiderBlock(bmmTip);
        assertTrue(net.miner.catchUp());
        assertEquals(bmmTip, net.miner.tip().hash());
        assertEquals(entries, net.miner.chain().d3().rows().stream().mapToInt(r -> r.entries().size()).sum());
    }

    @Test
    void aBmmInvalidBlockIsRefusedAndWithEnforceBitcoindDropsIt() throws Exception {
        net.bmmBlock();
        Sha256Hash parent = net.node.bestBlockHash();
        Block bad = net.m8WithoutM7();
        assertEquals(bad.getHash(), net.node.bestBlockHash(), "bitcoind knows nothing of BMM: it took the block");
        try (MainchainFollower f = new MainchainFollower(net.node, newChain(false), MainchainFollower.Options.DEFAULT)) {
            f.syncToTip();
            assertEquals("bmm-m8-no-m7", f.refusals().get(0).reason());
            assertEquals(parent, f.tip().hash());
            assertEquals(bad.getHash(), net.node.bestBlockHash(), "without --enforce bitcoind keeps it");
        }
        try (MainchainFollower f = new MainchainFollower(net.node, newChain(false),
                MainchainFollower.Options.DEFAULT.withEnforce(true))) {
            f.syncToTip();
            assertEquals(bad.getHash(), f.refusals().get(0).hash());
            assertEquals(parent, net.node.bestBlockHash(), "with --enforce bitcoind's tip no longer includes it");
        }
        // the miner builds on the valid tip again
        assertTrue(net.miner.catchUp());
        assertTrue(net.bmmBlock().accepted());
    }

    @Test
    void theMinerWaitsOutABitcoindRestartAndLosesNothing() throws Exception {
        net.miner.follower().start(); // the daemon's background poll
        assertTrue(net.bmmBlock().accepted());
        int claims = net.miner.claims().size();
        int height = net.node.blockCount();

        bitcoind.stop();
        assertThrows(MainchainException.Unreachable.class, () -> net.miner.mineOne());
        assertFalse(net.miner.catchUp());
        bitcoind.start();
        await("the miner to reach bitcoind again", net.miner::catchUp);
        assertEquals(height, net.miner.tip().height());
        assertEquals(claims, net.miner.claims().size());
        BmmMiner.Mined m = net.bmmBlock();
        assertTrue(m.accepted(), m.rejected().orElse(""));
        assertEquals(height + 1, net.node.blockCount());
        assertEquals(claims + 2, net.miner.claims().size());
    }
}
