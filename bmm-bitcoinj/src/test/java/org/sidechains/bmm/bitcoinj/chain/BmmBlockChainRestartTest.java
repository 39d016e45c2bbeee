package org.sidechains.bmm.bitcoinj.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.BlockChain;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.bitcoinj.store.BlockStoreException;
import org.bitcoinj.store.SPVBlockStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.RegtestDriver;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.tx.Fee;
import org.sidechains.bmm.m8.M8Tag;
import org.sidechains.bmm.rules.RejectReason;

/**
 * A chain over an {@code SPVBlockStore} with a state database, closed and opened again, or left
 * by a crash between its two writes: its head, D3 and output index come back as a chain that
 * never stopped has them, and it goes on (reorgs across the restart included).
 */
class BmmBlockChainRestartTest {
    @TempDir
    Path dir;

    /** Builds the blocks and keeps a chain that never stops (memory only) as the reference. */
    final RegtestDriver net = new RegtestDriver(BmmChainConfig.regtest().withFullOutputIndex());
    final List<Block> offered = new ArrayList<>();
    SPVBlockStore store;
    BmmBlockChain chain;

    BmmChainConfig config() {
        return BmmChainConfig.regtest().withFullOutputIndex().withStateDatabase(dir.resolve("bmm.sqlite"));
    }

    BmmBlockChain open(BmmChainConfig cfg) throws BlockStoreException {
        store = new SPVBlockStore(RegtestDriver.PARAMS, dir.resolve("headers.spv").toFile());
        try {
            chain = new BmmBlockChain(RegtestDriver.PARAMS, store, cfg);
        } catch (BlockStoreException | RuntimeException e) {
            store.close();
            throw e;
        }
        return chain;
    }

    void close() throws BlockStoreException {
        chain.close();
        store.close();
        chain = null;
    }

    @AfterEach
    void tearDown() throws BlockStoreException {
        if (chain != null) {
            close();
        }
    }

    static MiniHeader mh(int chainIndex, int n) {
        byte[] b = new byte[32];
        b[0] = (byte) n;
        b[1] = (byte) chainIndex;
        return new MiniHeader(chainIndex, Hash32.wrap(b), 0);
    }

    /** Builds a block on the reference head, offers it to both chains; both must connect it. */
    Block mine(List<MiniHeader> m7, List<Transaction> txs) {
        Block b = net.build(net.tip(), m7, txs);
        assertInstanceOf(Offer.Connected.class, net.chain.offer(b));
        assertInstanceOf(Offer.Connected.class, chain.offer(b));
        offered.add(b);
        return b;
    }

    List<TransactionOutPoint> mineEmpty(int n) {
        List<TransactionOutPoint> coins = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            coins.add(new TransactionOutPoint(0, mine(List.of(), List.of()).getTransactions().get(0).getTxId()));
        }
        return coins;
    }

    Transaction spend(TransactionOutPoint coin, Script to) {
        Transaction tx = new Transaction();
        tx.addOutput(RegtestDriver.SUBSIDY.subtract(Coin.valueOf(1000)), to);
        tx.addSignedInput(coin, Script.parse(net.payoutScript()), RegtestDriver.SUBSIDY, net.minerKey);
        return tx;
    }

    Transaction bribe(MiniHeader m, int height, TransactionOutPoint coin) {
        return BribeBuilder.build(M8Tag.forBlock(m, height), net.minerKey, Coin.COIN,
                List.of(BribeBuilder.Funding.p2wpkh(coin, RegtestDriver.SUBSIDY, net.minerKey)),
                ScriptBuilder.createP2WPKHOutputScript(net.minerKey), Fee.absolute(Coin.valueOf(2000))).tx();
    }

    void assertSameAsReference() {
        assertEquals(net.chain.getChainHead().getHeader().getHash(), chain.getChainHead().getHeader().getHash());
        assertEquals(net.chain.d3().rows(), chain.d3().rows());
        assertEquals(net.chain.d3().tipHeight(), chain.d3().tipHeight());
        assertEquals(net.chain.indexedOutputs(), chain.indexedOutputs());
    }

    /** 110 blocks with spends, an M8 and M7s of two sidechains; returns a coin spent on the way and one unspent. */
    List<TransactionOutPoint> history() {
        List<TransactionOutPoint> coins = mineEmpty(105);
        Script p2wsh = ScriptBuilder.createP2WSHOutputScript(Script.parse(new byte[] {0x51}));
        mine(List.of(mh(1, 1)), List.of(spend(coins.get(0), p2wsh)));
        MiniHeader m = mh(2, 1);
        mine(List.of(mh(1, 2), m), List.of(bribe(m, net.nextHeight(), coins.get(1))));
        mine(List.of(mh(2, 2)), List.of());
        mineEmpty(2);
        return List.of(coins.get(0), coins.get(2));
    }

    @Test
    void openedAgainItHasTheSameStateAndGoesOnThroughAReorgAcrossTheRestart() throws Exception {
        open(config());
        List<TransactionOutPoint> coins = history();
        // a refused block changes nothing, on disk either
        MiniHeader m = mh(3, 1);
        Block bad = net.build(net.tip(), List.of(m), List.of(bribe(m, net.nextHeight() + 1, coins.get(1))));
        Offer.Refused r = assertInstanceOf(Offer.Refused.class, chain.offer(bad));
        assertEquals(Optional.of(RejectReason.M8_ANCHOR), r.reason());
        mine(List.of(mh(1, 3)), List.of());
        assertSameAsReference();
        int height = chain.getBestChainHeight();
        close();

        open(config());
        assertSameAsReference();
        assertEquals(height, chain.getBestChainHeight());
        Prevout unspent = chain.prevouts().find(coins.get(1)).orElseThrow();
        assertEquals(RegtestDriver.SUBSIDY, unspent.value());
        assertArrayEquals(net.payoutScript(), unspent.scriptPubKey());
        assertEquals(Optional.empty(), chain.prevouts().find(coins.get(0)), "spent before the restart");

        // a competing branch from 3 below the restart point, with other M7s, wins on both chains
        Sha256Hash fork = offered.get(offered.size() - 4).getHash();
        Sha256Hash prev = fork;
        for (int i = 0; i < 5; i++) {
            Block b = net.build(prev, List.of(mh(1, 50 + i)), List.of());
            net.chain.offer(b);
            chain.offer(b);
            prev = b.getHash();
        }
        assertEquals(prev, chain.getChainHead().getHeader().getHash());
        assertSameAsReference();
        close();

        open(config());
        assertSameAsReference();
    }

    @Test
    void aDatabaseAheadOfTheStoreGoesBackToTheStoresHead() throws Exception {
        open(config());
        history();
        int height = chain.getBestChainHeight();
        close();
        // a crash after the database saved two blocks and before the store's head moved
        SPVBlockStore s = new SPVBlockStore(RegtestDriver.PARAMS, dir.resolve("headers.spv").toFile());
        s.setChainHead(s.get(offered.get(offered.size() - 3).getHash()));
        s.close();
        open(config());
        assertEquals(height - 2, chain.getBestChainHeight());
        net.chain.disconnectTo(height - 2);
        assertSameAsReference();
        // bitcoinj downloads the two blocks again
        for (Block b : offered.subList(offered.size() - 2, offered.size())) {
            assertInstanceOf(Offer.Connected.class, chain.offer(b));
            net.chain.offer(b);
        }
        assertSameAsReference();
    }

    @Test
    void aStoreAheadOfTheDatabaseGoesBackToTheDatabasesTip() throws Exception {
        open(config());
        history();
        int height = chain.getBestChainHeight();
        close();
        Path saved = dir.resolve("saved.sqlite");
        Files.copy(dir.resolve("bmm.sqlite"), saved);
        open(config());
        List<TransactionOutPoint> more = mineEmpty(3);
        mine(List.of(mh(1, 9)), List.of(spend(more.get(0), ScriptBuilder.createP2WPKHOutputScript(net.minerKey))));
        close();
        // the database lost its last four commits (a power loss), the store kept its head
        Files.copy(saved, dir.resolve("bmm.sqlite"), StandardCopyOption.REPLACE_EXISTING);
        open(config());
        assertEquals(height, chain.getBestChainHeight(), "the store's head went back to the database's tip");
        net.chain.disconnectTo(height);
        assertSameAsReference();
        for (Block b : offered.subList(offered.size() - 4, offered.size())) {
            assertInstanceOf(Offer.Connected.class, chain.offer(b), "downloaded again");
            net.chain.offer(b);
        }
        assertSameAsReference();
    }

    @Test
    void aNewDatabaseOverAStoreThatIsNotNewStartsFromGenesis() throws Exception {
        SPVBlockStore s = new SPVBlockStore(RegtestDriver.PARAMS, dir.resolve("headers.spv").toFile());
        BlockChain plain = new BlockChain(RegtestDriver.PARAMS.network(), s);
        for (int i = 0; i < 5; i++) {
            Block b = net.build(net.tip(), List.of(mh(1, i)), List.of());
            net.chain.offer(b);
            plain.add(b);
            offered.add(b);
        }
        assertEquals(5, plain.getBestChainHeight());
        s.close();
        open(config());
        assertEquals(0, chain.getBestChainHeight(), "D3 must see every block: the store's head went back to genesis");
        offered.forEach(b -> assertInstanceOf(Offer.Connected.class, chain.offer(b)));
        assertSameAsReference();
    }

    @Test
    void aStoreTooFarBehindTheDatabaseIsRefusedAndNothingChanges() throws Exception {
        BmmChainConfig shallow = new BmmChainConfig(BmmChainConfig.regtest().params(), 3)
                .withStateDatabase(dir.resolve("bmm.sqlite"));
        open(shallow);
        for (int i = 0; i < 6; i++) {
            Block b = net.build(net.tip(), List.of(mh(1, i)), List.of());
            net.chain.offer(b);
            chain.offer(b);
        }
        close();
        Files.move(dir.resolve("headers.spv"), dir.resolve("other.spv"));
        BlockStoreException e = assertThrows(BlockStoreException.class, () -> open(shallow));
        assertTrue(e.getMessage().contains("6 blocks behind the BMM state database"), e.getMessage());
        chain = null;
        // the right store again: all there
        Files.delete(dir.resolve("headers.spv"));
        Files.move(dir.resolve("other.spv"), dir.resolve("headers.spv"));
        open(shallow);
        assertEquals(6, chain.getBestChainHeight());
        assertEquals(net.chain.d3().rows(), chain.d3().rows());
    }

    @Test
    void settingsThatChangeWhatTheStateMeansAreRefused() throws Exception {
        open(config());
        mine(List.of(mh(1, 1)), List.of());
        close();
        BmmChainConfig otherWindow = config().withParams(config().params().withWindow(100));
        BlockStoreException e = assertThrows(BlockStoreException.class, () -> open(otherWindow));
        assertTrue(e.getMessage().contains("window 8000, but this chain has 100"), e.getMessage());
        BmmChainConfig cbvOnly = BmmChainConfig.regtest().withStateDatabase(dir.resolve("bmm.sqlite"));
        e = assertThrows(BlockStoreException.class, () -> open(cbvOnly));
        assertTrue(e.getMessage().contains("outputIndex ALL, but this chain has CBV"), e.getMessage());
        chain = null;
        open(config());
        assertSameAsReference();
    }

    @Test
    void aStateDatabaseNeedsTheChainsOwnIndex() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BmmChainConfig.regtest().withoutOutputIndex().withStateDatabase(dir.resolve("x")));
        assertTrue(e.getMessage().contains("own output index"), e.getMessage());
    }
}
