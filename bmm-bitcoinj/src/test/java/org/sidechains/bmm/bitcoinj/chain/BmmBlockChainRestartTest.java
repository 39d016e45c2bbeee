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
import org.bitcoinj.store.MemoryBlockStore;
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
import org.sidechains.bmm.d3.D3Row;
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

    /** As {@link #config()}, with undo data and bodies kept for 3 blocks only. */
    BmmChainConfig shallowConfig() {
        return new BmmChainConfig(BmmChainConfig.regtest().params(), 3).withFullOutputIndex()
                .withStateDatabase(dir.resolve("bmm.sqlite"));
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
        if (store != null) {
            store.close();
        }
        chain = null;
        store = null;
    }

    /** The chain (closed first, if open) opened over a new MemoryBlockStore: all it has is the database. */
    void openInMemory(org.bitcoinj.store.BlockStore in) throws BlockStoreException {
        if (chain != null) {
            close();
        }
        chain = new BmmBlockChain(RegtestDriver.PARAMS, in, config());
    }

    void openInMemory() throws BlockStoreException {
        openInMemory(new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock()));
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

    /** Builds {@code n} blocks on {@code from}, the i-th with an M7 entry mh(chainIndex, first + i), offered to both chains; the last one's hash. */
    Sha256Hash branch(Sha256Hash from, int chainIndex, int first, int n) {
        Sha256Hash prev = from;
        for (int i = 0; i < n; i++) {
            Block b = net.build(prev, List.of(mh(chainIndex, first + i)), List.of());
            net.chain.offer(b);
            chain.offer(b);
            prev = b.getHash();
        }
        return prev;
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

    /** The two chains' indexes agree on each of these outputs (value and script). */
    void assertSameIndex(List<TransactionOutPoint> ops) {
        for (TransactionOutPoint op : ops) {
            Optional<Prevout> want = net.chain.prevouts().find(op);
            Optional<Prevout> have = chain.prevouts().find(op);
            assertEquals(want.isPresent(), have.isPresent(), op.toString());
            if (want.isPresent()) {
                assertEquals(want.get().value(), have.get().value());
                assertArrayEquals(want.get().scriptPubKey(), have.get().scriptPubKey());
            }
        }
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
        Sha256Hash won = branch(offered.get(offered.size() - 4).getHash(), 1, 50, 5);
        assertEquals(won, chain.getChainHead().getHeader().getHash());
        assertSameAsReference();
        close();

        open(config());
        assertSameAsReference();
    }

    @Test
    void aDatabaseAheadOfTheStoreMovesTheStoresHeadToItsTip() throws Exception {
        open(config());
        history();
        close();
        // a crash after the database saved two blocks and before the store's head moved
        SPVBlockStore s = new SPVBlockStore(RegtestDriver.PARAMS, dir.resolve("headers.spv").toFile());
        s.setChainHead(s.get(offered.get(offered.size() - 3).getHash()));
        s.close();
        open(config());
        assertSameAsReference();
        mine(List.of(mh(1, 7)), List.of());
        assertSameAsReference();
    }

    @Test
    void aStoreThatLostItsHeadersGetsThemFromTheDatabase() throws Exception {
        BmmChainConfig shallow = shallowConfig();
        open(shallow);
        List<Block> main = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            main.add(mine(List.of(mh(1, i)), List.of()));
        }
        close();
        // a power loss took the store's last writes, far deeper than the undo data: here, all of them
        Files.delete(dir.resolve("headers.spv"));
        open(shallow);
        assertEquals(6, chain.getBestChainHeight());
        assertSameAsReference();
        // and a reorg within the kept depth still works
        Sha256Hash won = branch(main.get(3).getHash(), 2, 1, 3);
        assertEquals(won, chain.getChainHead().getHeader().getHash());
        assertSameAsReference();
    }

    @Test
    void aChainOverAMemoryStoreOpensAgainFromTheDatabase() throws Exception {
        openInMemory();
        List<TransactionOutPoint> coins = history();
        openInMemory();
        assertSameAsReference();
        assertSameIndex(coins);
        mine(List.of(mh(1, 8)), List.of(spend(coins.get(1), ScriptBuilder.createP2WPKHOutputScript(net.minerKey))));
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

    /** Spends made, undone by a reorg after a restart, and made again: the index follows on disk too. */
    @Test
    void spendsUndoneByAReorgAcrossARestart() throws Exception {
        open(config());
        List<TransactionOutPoint> coins = mineEmpty(5);
        Sha256Hash fork = net.tip();
        Script p2wpkh = ScriptBuilder.createP2WPKHOutputScript(net.minerKey);
        Transaction t1 = spend(coins.get(0), p2wpkh);
        TransactionOutPoint x = new TransactionOutPoint(0, t1.getTxId());
        Transaction t2 = new Transaction();
        t2.addOutput(RegtestDriver.SUBSIDY.subtract(Coin.valueOf(3000)), p2wpkh);
        t2.addSignedInput(x, p2wpkh, RegtestDriver.SUBSIDY.subtract(Coin.valueOf(1000)), net.minerKey);
        // created and spent in one block
        Transaction t3 = spend(coins.get(1), p2wpkh);
        Transaction t4 = new Transaction();
        t4.addOutput(RegtestDriver.SUBSIDY.subtract(Coin.valueOf(3000)), p2wpkh);
        t4.addSignedInput(new TransactionOutPoint(0, t3.getTxId()), p2wpkh,
                RegtestDriver.SUBSIDY.subtract(Coin.valueOf(1000)), net.minerKey);
        mine(List.of(mh(1, 1)), List.of(t1, t3, t4));
        mine(List.of(), List.of(t2)); // spends x, made a block before
        mineEmpty(1);
        List<TransactionOutPoint> watched = new ArrayList<>(List.of(coins.get(0), coins.get(1), x,
                new TransactionOutPoint(0, t2.getTxId()), new TransactionOutPoint(0, t3.getTxId()),
                new TransactionOutPoint(0, t4.getTxId())));
        close();
        open(config());
        assertSameIndex(watched);
        Sha256Hash won = branch(fork, 1, 60, 4);
        assertEquals(won, chain.getChainHead().getHeader().getHash(), "the other branch won");
        assertTrue(chain.prevouts().find(coins.get(0)).isPresent(), "unspent again");
        assertSameAsReference();
        assertSameIndex(watched);
        close();
        open(config());
        assertSameAsReference();
        assertSameIndex(watched);
    }

    @Test
    void aSideBlockKeptBeforeARestartCanWinAfterIt() throws Exception {
        open(config());
        mineEmpty(4);
        Sha256Hash fork = offered.get(offered.size() - 2).getHash();
        Block s1 = net.build(fork, List.of(mh(1, 70)), List.of());
        assertInstanceOf(Offer.SideBranch.class, chain.offer(s1));
        net.chain.offer(s1);
        close();
        open(config());
        Sha256Hash won = branch(s1.getHash(), 1, 71, 2);
        assertEquals(won, chain.getChainHead().getHeader().getHash(), "s1's body came from the database");
        assertSameAsReference();
    }

    /** The latest offer of a side block replaces its body, on disk as in memory. */
    @Test
    void aSideBlockOfferedAgainKeepsItsLatestBodyAcrossARestart() throws Exception {
        open(config());
        mineEmpty(4);
        Sha256Hash fork = offered.get(offered.size() - 2).getHash();
        Block real = net.build(fork, List.of(mh(1, 90)), List.of());
        Block forged = BmmBlockChainEdgesTest.underTheHeaderOf(real, net.build(fork, List.of(mh(1, 91)), List.of()));
        assertEquals(real.getHash(), forged.getHash());
        assertInstanceOf(Offer.SideBranch.class, chain.offer(forged));
        assertInstanceOf(Offer.SideBranch.class, chain.offer(real));
        net.chain.offer(real);
        close();
        open(config());
        Sha256Hash won = branch(real.getHash(), 1, 92, 2);
        assertEquals(won, chain.getChainHead().getHeader().getHash());
        assertSameAsReference();
    }

    /** A connected block offered again with another body keeps the body it was connected with, on disk too. */
    @Test
    void aConnectedBlockOfferedAgainWithAnotherBodyKeepsItsOwn() throws Exception {
        open(config());
        mineEmpty(2);
        Block x = mine(List.of(mh(1, 1)), List.of());
        mine(List.of(mh(1, 2)), List.of());
        Block top = mine(List.of(mh(1, 3)), List.of());
        Block forged = BmmBlockChainEdgesTest.underTheHeaderOf(x, net.build(offered.get(1).getHash(), List.of(mh(1, 9)), List.of()));
        assertInstanceOf(Offer.SideBranch.class, chain.offer(forged));
        close();
        open(config());
        chain.disconnectTo(2);
        net.chain.disconnectTo(2);
        assertEquals(new Offer.Connected(5, top.getHash()), chain.offer(top), "reconnected from the kept bodies");
        net.chain.offer(top);
        assertSameAsReference();
    }

    @Test
    void blocksDisconnectedBeforeARestartConnectAgainInAnyOrderAfterIt() throws Exception {
        open(config());
        mineEmpty(3);
        int h = chain.getBestChainHeight();
        List<Block> up = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            up.add(mine(List.of(mh(1, 80 + i)), List.of()));
        }
        chain.disconnectTo(h);
        close();
        open(config());
        assertEquals(h, chain.getBestChainHeight());
        assertEquals(new Offer.Connected(h + 3, up.get(2).getHash()), chain.offer(up.get(2)), "the highest first");
        assertSameAsReference();
    }

    /** The database refuses a write (here a trigger; in life a full disk): nothing changes, in memory either. */
    @Test
    void aFailedSaveChangesNothing() throws Exception {
        open(config());
        mineEmpty(3);
        mine(List.of(mh(1, 5)), List.of());
        int h = chain.getBestChainHeight();
        close();
        sql(dir.resolve("bmm.sqlite"), "CREATE TRIGGER no_delete BEFORE DELETE ON blocks BEGIN SELECT RAISE(ABORT, 'disk full'); END");
        open(config());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> chain.disconnectTo(h - 2));
        assertTrue(e.getMessage().contains("disk full"), e.getMessage());
        assertEquals(h, chain.getBestChainHeight());
        assertSameAsReference();
        // and the chain goes on
        mine(List.of(mh(1, 6)), List.of());
        assertSameAsReference();
        close();
        open(config());
        assertSameAsReference();
    }

    /** A block store whose setChainHead fails once, at a chosen height (a transient I/O error). */
    static final class FlakyStore implements org.bitcoinj.store.BlockStore {
        final MemoryBlockStore inner = new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock());
        int failAt = -1;
        int failPutAt = -1;
        /** Fail as an SPVBlockStore does on an I/O fault of its mapped file: with an InternalError. */
        boolean asError;

        private void fail() throws BlockStoreException {
            if (asError) {
                throw new InternalError("a fault occurred in a recent unsafe memory access operation");
            }
            throw new BlockStoreException("transient I/O error");
        }

        @Override
        public void put(org.bitcoinj.core.StoredBlock b) throws BlockStoreException {
            if (b.getHeight() == failPutAt) {
                failPutAt = -1;
                fail();
            }
            inner.put(b);
        }

        @Override
        public org.bitcoinj.core.StoredBlock get(Sha256Hash h) throws BlockStoreException {
            return inner.get(h);
        }

        @Override
        public org.bitcoinj.core.StoredBlock getChainHead() throws BlockStoreException {
            return inner.getChainHead();
        }

        @Override
        public void setChainHead(org.bitcoinj.core.StoredBlock b) throws BlockStoreException {
            if (b.getHeight() == failAt) {
                failAt = -1;
                fail();
            }
            inner.setChainHead(b);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /**
     * The store fails after the database saved block 6: the chain takes no more changes (no
     * disconnectTo either, which would leave the database apart), and opened again it is at 6.
     */
    @Test
    void aStoreFailingAfterTheDatabaseSavedStopsTheChainUntilOpenedAgain() throws Exception {
        FlakyStore flaky = new FlakyStore();
        openInMemory(flaky);
        mineEmpty(5);
        Block b6 = net.build(net.tip(), List.of(mh(1, 6)), List.of());
        net.chain.offer(b6);
        flaky.failAt = 6;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> chain.offer(b6));
        assertTrue(e.getMessage().contains("transient I/O error"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> chain.disconnectTo(3));
        assertTrue(e.getMessage().contains("open it again"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> chain.offer(net.build(b6.getHash(), List.of(), List.of())));
        openInMemory();
        assertSameAsReference();
    }

    /**
     * Runs {@code task}, failing if it spins: then the chain is left alone, since the spinning
     * thread holds its lock (and closing it would wait for ever).
     */
    <T> T withinAMinute(org.junit.jupiter.api.function.ThrowingSupplier<T> task) {
        try {
            return org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), task);
        } catch (org.opentest4j.AssertionFailedError e) {
            chain = null;
            store = null;
            throw e;
        }
    }

    /** An SPVBlockStore of 21 headers: genesis and 20 blocks bring its write cursor to the end of the file. */
    BmmBlockChain openSmallSpv(String name) throws BlockStoreException {
        store = new SPVBlockStore(RegtestDriver.PARAMS, dir.resolve(name).toFile(), 21, false);
        chain = new BmmBlockChain(RegtestDriver.PARAMS, store, config());
        return chain;
    }

    @Test
    void anOrphanWhileTheSpvRingsCursorIsAtTheEndOfItsFile() throws Exception {
        assertTrue(SpvRingGuard.active(), "bitcoinj's SPVBlockStore still has the ring cursor the guard reads");
        openSmallSpv("small.spv");
        mineEmpty(20);
        // a lookup that misses, as the followers make them (the hash is in none of the store's caches)
        assertEquals(Optional.empty(), withinAMinute(() -> chain.storedBlock(Sha256Hash.of(new byte[] {1}))));
        mineEmpty(20); // the guard wrote one header: 20 more bring the cursor to the end again
        Block parent = net.build(net.tip(), List.of(), List.of());
        Block orphan = net.build(parent.getHash(), List.of(), List.of());
        // bitcoinj 0.17.1's SPVBlockStore.get spins forever on this miss without the guard
        Offer o = withinAMinute(() -> chain.offer(orphan));
        assertEquals(new Offer.Orphan(parent.getHash()), o);
        net.chain.offer(parent);
        net.chain.offer(orphan);
        assertInstanceOf(Offer.Connected.class, chain.offer(parent));
        assertInstanceOf(Offer.Connected.class, chain.offer(orphan));
        assertSameAsReference();
    }

    @Test
    void aRestoreIntoAnSpvStoreSmallerThanWhatItPutsBack() throws Exception {
        open(config());
        mineEmpty(30);
        close();
        // a new, small store: the 30 headers put back from the database go round its ring of 21
        Block next = net.build(net.tip(), List.of(mh(1, 31)), List.of());
        net.chain.offer(next);
        Offer o = withinAMinute(() -> {
            openSmallSpv("new-small.spv");
            return chain.offer(next);
        });
        assertInstanceOf(Offer.Connected.class, o);
        assertEquals(31, chain.getBestChainHeight());
        assertSameAsReference();
    }

    /** Five blocks on a store that fails with an {@code Error} when told to; the sixth, on the reference only. */
    Block sixthOnAStoreFailingWithAnError(FlakyStore flaky) throws Exception {
        flaky.asError = true;
        openInMemory(flaky);
        mineEmpty(5);
        Block b6 = net.build(net.tip(), List.of(mh(1, 6)), List.of());
        net.chain.offer(b6);
        return b6;
    }

    @Test
    void anErrorFromTheStoreAfterTheDatabaseSavedStopsTheChainToo() throws Exception {
        FlakyStore flaky = new FlakyStore();
        Block b6 = sixthOnAStoreFailingWithAnError(flaky);
        flaky.failAt = 6;
        assertThrows(InternalError.class, () -> chain.offer(b6));
        assertTrue(chain.unusable().isPresent(), "the database is ahead of the store: open it again");
        assertEquals(5, chain.d3().tipHeight(), "D3 back at the head");
        assertEquals(5, chain.getBestChainHeight());
        openInMemory();
        assertSameAsReference();
    }

    @Test
    void anErrorFromTheStoresPutRollsTheBlockBack() throws Exception {
        FlakyStore flaky = new FlakyStore();
        Block b6 = sixthOnAStoreFailingWithAnError(flaky);
        flaky.failPutAt = 6;
        assertThrows(InternalError.class, () -> chain.offer(b6));
        assertTrue(chain.unusable().isEmpty(), "nothing was saved");
        assertEquals(5, chain.d3().tipHeight(), "D3 shows no block the head lacks");
        assertInstanceOf(Offer.Connected.class, chain.offer(b6), "the store works again");
        assertSameAsReference();
    }

    /** The same, when the failing block came after blocks reconnected for it (taking those back must not happen either). */
    @Test
    void aStoreFailingAfterReconnectionsLeavesTheDatabaseWhole() throws Exception {
        FlakyStore flaky = new FlakyStore();
        openInMemory(flaky);
        mineEmpty(5);
        chain.disconnectTo(3);
        Block b6 = net.build(net.tip(), List.of(mh(1, 6)), List.of());
        net.chain.offer(b6);
        flaky.failAt = 6;
        assertThrows(IllegalStateException.class, () -> chain.offer(b6));
        openInMemory();
        assertSameAsReference();
    }

    @Test
    void aSideBlockSurvivesARestartOverAMemoryStore() throws Exception {
        openInMemory();
        mineEmpty(4);
        Block s1 = net.build(offered.get(2).getHash(), List.of(mh(2, 70)), List.of());
        assertInstanceOf(Offer.SideBranch.class, chain.offer(s1));
        net.chain.offer(s1);
        openInMemory();
        Block s2 = net.build(s1.getHash(), List.of(mh(2, 71)), List.of());
        net.chain.offer(s2);
        assertEquals(new Offer.Connected(5, s2.getHash()), chain.offer(s2), "s1's header and body came from the database");
        assertSameAsReference();
    }

    /**
     * Killed after bitcoinj stored block 6's header and before the database saved it; then block 7
     * comes first: refused with what to do (not an exception from bitcoinj), and 6 then 7 connect.
     */
    @Test
    void killedBetweenAHeaderAndItsSaveTheNextBlockIsRefusedUntilItsParentComes() throws Exception {
        open(config());
        mineEmpty(5);
        close();
        Block b6 = net.build(net.tip(), List.of(mh(1, 6)), List.of());
        net.chain.offer(b6);
        Block b7 = net.build(b6.getHash(), List.of(mh(1, 7)), List.of());
        net.chain.offer(b7);
        SPVBlockStore s = new SPVBlockStore(RegtestDriver.PARAMS, dir.resolve("headers.spv").toFile());
        s.put(s.getChainHead().build(b6.cloneAsHeader()));
        s.close();
        open(config());
        Offer.Refused r = assertInstanceOf(Offer.Refused.class, chain.offer(b7));
        assertTrue(r.message().contains("offer it again first"), r.message());
        assertInstanceOf(Offer.Connected.class, chain.offer(b6));
        assertInstanceOf(Offer.Connected.class, chain.offer(b7));
        assertSameAsReference();
    }

    /**
     * bitcoinj runs reorganize listeners before it moves the head: one that throws stops the reorg,
     * as in its BlockChain. The block stays on its branch, with its body, across a restart too.
     */
    @Test
    void aReorganizeListenerThatThrowsStopsTheReorgAndTheBlockIsStillKeptAfterARestart() throws Exception {
        open(config());
        mineEmpty(1);
        Sha256Hash fork = net.tip();
        mine(List.of(mh(1, 1)), List.of());
        List<D3Row> before = chain.d3().rows();
        Block b2 = net.build(fork, List.of(mh(1, 2)), List.of());
        Block b3 = net.build(b2.getHash(), List.of(mh(1, 3)), List.of());
        assertInstanceOf(Offer.SideBranch.class, chain.offer(b2));
        chain.addReorganizeListener(org.bitcoinj.utils.Threading.SAME_THREAD, (split, oldBlocks, newBlocks) -> {
            throw new org.bitcoinj.core.VerificationException("a listener's own failure");
        });
        assertEquals(new Offer.SideBranch(b3.getHash()), chain.offer(b3));
        assertEquals(before, chain.d3().rows(), "the reorg did not happen");
        close();
        open(config());
        net.chain.offer(b2);
        net.chain.offer(b3);
        Block b4 = net.build(b3.getHash(), List.of(mh(1, 4)), List.of());
        net.chain.offer(b4);
        assertEquals(new Offer.Connected(4, b4.getHash()), chain.offer(b4), "b3's body came from the database");
        assertSameAsReference();
    }

    @Test
    void aClosedChainTakesNoMoreBlocks() throws Exception {
        open(config());
        mineEmpty(2);
        chain.close();
        Block b = net.build(net.tip(), List.of(), List.of());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> chain.offer(b));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> chain.disconnectTo(1));
        assertEquals(2, chain.d3().tipHeight(), "D3 stays readable");
        close();
    }

    @Test
    void aSecondChainOnTheSameDatabaseIsRefused() throws Exception {
        open(config());
        mineEmpty(1);
        BlockStoreException e = assertThrows(BlockStoreException.class, () -> new BmmBlockChain(RegtestDriver.PARAMS,
                new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock()), config()));
        assertTrue(e.getMessage().contains("another chain, in this process or another, has it open"), e.getMessage());
        mineEmpty(1);
        assertSameAsReference();
    }

    /** What is deeper than the reorg depth leaves the database: it stays small on a long chain. */
    @Test
    void undoAndBodiesDeeperThanTheReorgDepthAreDropped() throws Exception {
        BmmChainConfig shallow = shallowConfig();
        open(shallow);
        List<TransactionOutPoint> coins = mineEmpty(102);
        Script p2wpkh = ScriptBuilder.createP2WPKHOutputScript(net.minerKey);
        for (int i = 0; i < 8; i++) {
            mine(List.of(), List.of(spend(coins.get(i), p2wpkh)));
        }
        int tip = chain.getBestChainHeight();
        close();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("bmm.sqlite"));
             java.sql.Statement st = c.createStatement()) {
            try (java.sql.ResultSet r = st.executeQuery("SELECT COUNT(*), MIN(height) FROM spent")) {
                r.next();
                assertEquals(4, r.getInt(1), "the spends of the last 4 blocks");
                assertEquals(tip - 3, r.getInt(2));
            }
            try (java.sql.ResultSet r = st.executeQuery("SELECT COUNT(*), MIN(height) FROM bodies")) {
                r.next();
                assertEquals(4, r.getInt(1));
                assertEquals(tip - 3, r.getInt(2));
            }
        }
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
        BmmChainConfig later = config().withParams(config().params().withActivationHeight(500));
        e = assertThrows(BlockStoreException.class, () -> open(later));
        assertTrue(e.getMessage().contains("activationHeight 0, but this chain has 500"), e.getMessage());
        // a database of the first schema (no coinbase flags) is refused with what to do
        setSchema("1");
        e = assertThrows(BlockStoreException.class, () -> open(config()));
        assertTrue(e.getMessage().contains("another version of bmm-bitcoinj (schema 1, this one reads 2)")
                && e.getMessage().contains("delete it"), e.getMessage());
        setSchema("2");
        // as is one whose index was kept under another rule of what can run OP_CBV
        setMeta("keepRule", "0");
        e = assertThrows(BlockStoreException.class, () -> open(config()));
        assertTrue(e.getMessage().contains("keepRule 0, but this chain has 1"), e.getMessage());
        setMeta("keepRule", "1");
        chain = null;
        open(config());
        assertSameAsReference();
    }

    @Test
    void aSqliteFileThatIsNotAStateDatabaseIsRefusedAndLeftAsItWas() throws Exception {
        Path foreign = dir.resolve("bmm.sqlite");
        sql(foreign, "CREATE TABLE accounts(id INTEGER PRIMARY KEY, balance INTEGER)", "INSERT INTO accounts VALUES (1, 100)");
        byte[] before = Files.readAllBytes(foreign);
        BlockStoreException e = assertThrows(BlockStoreException.class, () -> open(config()));
        assertTrue(e.getMessage().contains("not a BMM state database (its tables: accounts)"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(foreign), "not a byte changed (it was switched to WAL and given tables)");
        // a table named meta does not make it ours, empty or with rows of its own
        sql(foreign, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)");
        before = Files.readAllBytes(foreign);
        e = assertThrows(BlockStoreException.class, () -> open(config()));
        assertTrue(e.getMessage().contains("not a BMM state database (its tables: accounts, meta)"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(foreign));
        sql(foreign, "INSERT INTO meta VALUES ('owner', 'accounting')");
        e = assertThrows(BlockStoreException.class, () -> open(config()));
        assertTrue(e.getMessage().contains("not a BMM state database"), e.getMessage());
    }

    @Test
    void aRefusedDatabaseIsLeftAsItWas() throws Exception {
        open(config());
        mine(List.of(mh(1, 1)), List.of());
        close();
        // as a newer version might leave it: another schema, without a table this version makes
        setSchema("3");
        sql(dir.resolve("bmm.sqlite"), "DROP TABLE bodies");
        byte[] before = Files.readAllBytes(dir.resolve("bmm.sqlite"));
        BlockStoreException e = assertThrows(BlockStoreException.class, () -> open(config()));
        assertTrue(e.getMessage().contains("schema 3, this one reads 2"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("bmm.sqlite")), "the bodies table was made again");
    }

    /** Runs statements on a SQLite file behind the chain's back (another program, a newer version, a full disk). */
    static void sql(Path file, String... statements) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
             java.sql.Statement st = c.createStatement()) {
            for (String statement : statements) {
                st.execute(statement);
            }
        }
    }

    void setSchema(String v) throws Exception {
        setMeta("schema", v);
    }

    void setMeta(String key, String v) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("bmm.sqlite"));
             java.sql.PreparedStatement st = c.prepareStatement("UPDATE meta SET value = ? WHERE key = ?")) {
            st.setString(1, v);
            st.setString(2, key);
            st.executeUpdate();
        }
    }

    @Test
    void spentOutputsComeBackWithTheirHeightAndCoinbaseFlag() throws Exception {
        open(config());
        List<TransactionOutPoint> coins = mineEmpty(3);
        close();
        open(config());
        Prevout p = chain.prevouts().find(coins.get(1)).orElseThrow();
        assertEquals(2, p.height());
        assertTrue(p.coinbase());
        // spent, then disconnected after a restart: it comes back from the undo rows as it was
        mine(List.of(), List.of(spend(coins.get(1), ScriptBuilder.createP2WPKHOutputScript(net.minerKey))));
        close();
        open(config());
        chain.disconnectTo(3);
        assertEquals(p, chain.prevouts().find(coins.get(1)).orElseThrow());
        close();
        open(config()); // and as the database put it back
        assertEquals(p, chain.prevouts().find(coins.get(1)).orElseThrow());
    }

    @Test
    void aStateDatabaseNeedsTheChainsOwnIndex() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BmmChainConfig.regtest().withoutOutputIndex().withStateDatabase(dir.resolve("x")));
        assertTrue(e.getMessage().contains("own output index"), e.getMessage());
    }

    @Test
    void aDisconnectDeeperThanTheUndoDataSaysToDeleteTheDatabase() throws Exception {
        // a new block store alone would not help: the database puts the old head back
        open(shallowConfig());
        mineEmpty(6);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> chain.disconnectTo(1));
        assertTrue(e.getMessage().contains("delete its state database (" + dir.resolve("bmm.sqlite") + ")"), e.getMessage());
        assertEquals(6, chain.getBestChainHeight());
    }
}
