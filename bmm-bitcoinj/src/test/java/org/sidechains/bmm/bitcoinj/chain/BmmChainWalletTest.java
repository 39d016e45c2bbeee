package org.sidechains.bmm.bitcoinj.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.ScriptType;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.StoredBlock;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionConfidence.ConfidenceType;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.VerificationException;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.store.MemoryBlockStore;
import org.bitcoinj.utils.Threading;
import org.bitcoinj.wallet.Wallet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.RegtestDriver;
import org.sidechains.bmm.bitcoinj.assemble.Txs;
import org.sidechains.bmm.d3.D3Row;
import org.sidechains.bmm.m8.M8Tag;
import org.sidechains.bmm.rules.RejectReason;

/**
 * A bitcoinj wallet on the enforcing chain: it hears of blocks the chain takes back
 * ({@code disconnectTo}, and blocks reconnected for a block that was then refused) as of a
 * reorg, so its transactions go back to pending and are confirmed again, once, when they connect again.
 */
class BmmChainWalletTest {
    final RegtestDriver net = new RegtestDriver(BmmChainConfig.regtest());
    final Wallet wallet = Wallet.createDeterministic(RegtestDriver.PARAMS.network(), ScriptType.P2WPKH);
    final ECKey walletKey = wallet.freshReceiveKey();
    final List<TransactionOutPoint> coins = new ArrayList<>();
    /** The blocks on the driver's chain, from height 1. */
    final List<Block> driverBlocks = new ArrayList<>();
    Transaction payment;
    Block b3;
    Block b4;

    @BeforeEach
    void setUp() {
        net.chain.addWallet(wallet);
        for (int i = 0; i < 2; i++) {
            Block b = net.build(net.tip(), List.of(), List.of());
            assertInstanceOf(Offer.Connected.class, net.chain.offer(b));
            driverBlocks.add(b);
            coins.add(new TransactionOutPoint(0, b.getTransactions().get(0).getTxId()));
        }
        payment = Txs.pay(new Txs.In(coins.get(0), RegtestDriver.SUBSIDY, net.minerKey),
                Txs.Out.to(Coin.valueOf(10, 0), walletKey), Txs.Out.to(Coin.valueOf(39, 0), net.minerKey));
        b3 = net.build(net.tip(), List.of(mh(1)), List.of(payment));
        assertEquals(new Offer.Connected(3, b3.getHash()), net.chain.offer(b3));
        b4 = net.build(b3.getHash(), List.of(mh(2)), List.of());
        assertEquals(new Offer.Connected(4, b4.getHash()), net.chain.offer(b4));
        driverBlocks.add(b3);
        driverBlocks.add(b4);
        assertConfirmed(2, 4);
    }

    static MiniHeader mh(int n) {
        byte[] b = new byte[32];
        b[0] = (byte) n;
        b[1] = 0x3c;
        return new MiniHeader(5, Hash32.wrap(b), 0);
    }

    ConfidenceType confidence() {
        return wallet.getTransaction(payment.getTxId()).getConfidence().getConfidenceType();
    }

    void assertConfirmed(int depth, int lastSeen) {
        Transaction t = wallet.getTransaction(payment.getTxId());
        assertEquals(ConfidenceType.BUILDING, t.getConfidence().getConfidenceType());
        assertEquals(depth, t.getConfidence().getDepthInBlocks());
        assertEquals(lastSeen, wallet.getLastBlockSeenHeight());
        assertEquals(Coin.valueOf(10, 0), wallet.getBalance());
    }

    void assertPending(int lastSeen) {
        assertEquals(ConfidenceType.PENDING, confidence());
        assertEquals(lastSeen, wallet.getLastBlockSeenHeight());
        assertEquals(net.chain.getChainHead().getHeader().getHash(), wallet.getLastBlockSeenHash());
    }

    @Test
    void disconnectToTakesTheWalletsTransactionBackToPendingAndAReconnectConfirmsItOnce() {
        net.chain.disconnectTo(2);
        assertPending(2);
        assertEquals(Coin.ZERO, wallet.getBalance(), "an unconfirmed payment from others is not available");

        assertInstanceOf(Offer.Connected.class, net.chain.offer(b3));
        assertInstanceOf(Offer.Connected.class, net.chain.offer(b4));
        assertConfirmed(2, 4); // without the disconnect heard, bitcoinj's Wallet throws here
        assertTrue(wallet.getTransaction(payment.getTxId()).getAppearsInHashes().containsKey(b3.getHash()));
    }

    @Test
    void aBranchWithoutTheTransactionLeavesItPending() {
        // what MainchainFollower does when the node left our branch: disconnectTo, then the node's blocks
        net.chain.disconnectTo(2);
        Sha256Hash prev = net.tip();
        for (int i = 0; i < 3; i++) {
            Block b = net.build(prev, List.of(mh(10 + i)), List.of());
            assertInstanceOf(Offer.Connected.class, net.chain.offer(b));
            prev = b.getHash();
        }
        assertEquals(5, wallet.getLastBlockSeenHeight());
        assertEquals(ConfidenceType.PENDING, confidence());
    }

    @Test
    void blocksReconnectedForARefusedBlockAreTakenBackFromTheWalletToo() {
        net.chain.disconnectTo(2);
        List<D3Row> rows = net.chain.d3().rows();
        // b5 on b4: b3 and b4 connect again first (the wallet hears of them), then b5 is refused
        Block b5 = net.build(b4.getHash(), List.of(), List.of(m8(M8Tag.forBlock(mh(3), 5), coins.get(1))));
        Offer.Refused r = assertInstanceOf(Offer.Refused.class, net.chain.offer(b5));
        assertEquals(Optional.of(RejectReason.M8_NO_M7), r.reason(), r.message());
        assertEquals(2, net.chain.getChainHead().getHeight());
        assertEquals(rows, net.chain.d3().rows());
        assertPending(2);

        assertInstanceOf(Offer.Connected.class, net.chain.offer(b4)); // b3 with it
        assertConfirmed(2, 4);
    }

    @Test
    void aCompetingBranchThatWinsIsAReorgForTheWalletAsInBitcoinj() {
        Block c3 = net.build(b3.getPrevBlockHash(), List.of(mh(20)), List.of());
        assertInstanceOf(Offer.SideBranch.class, net.chain.offer(c3));
        Block c4 = net.build(c3.getHash(), List.of(mh(21)), List.of());
        assertInstanceOf(Offer.SideBranch.class, net.chain.offer(c4));
        Block c5 = net.build(c4.getHash(), List.of(mh(22)), List.of());
        assertInstanceOf(Offer.Connected.class, net.chain.offer(c5));
        assertEquals(5, wallet.getLastBlockSeenHeight());
        assertEquals(ConfidenceType.PENDING, confidence());
    }

    @Test
    void aReorganizeListenerThatThrowsStopsNeitherTheDisconnectNorTheListenersAfterIt() {
        // the failing one first, the wallet after it
        net.chain.removeWallet(wallet);
        net.chain.addReorganizeListener(Threading.SAME_THREAD, (split, oldBlocks, newBlocks) -> {
            throw new VerificationException("not now");
        });
        net.chain.addReorganizeListener(Threading.SAME_THREAD, (split, oldBlocks, newBlocks) -> {
            throw new IllegalStateException("nor now");
        });
        net.chain.addWallet(wallet);
        net.chain.disconnectTo(2);
        assertEquals(2, net.chain.getChainHead().getHeight());
        assertEquals(2, net.chain.d3().tipHeight());
        assertPending(2);
        assertInstanceOf(Offer.Connected.class, net.chain.offer(b3));
        assertInstanceOf(Offer.Connected.class, net.chain.offer(b4));
        assertConfirmed(2, 4);
    }

    @Test
    void aDisconnectTheBlockStoreRefusesLeavesTheWalletAsItWas() throws Exception {
        BmmBlockChainRestartTest.FlakyStore store = new BmmBlockChainRestartTest.FlakyStore();
        Wallet w = Wallet.createDeterministic(RegtestDriver.PARAMS.network(), ScriptType.P2WPKH);
        BmmBlockChain chain = new BmmBlockChain(RegtestDriver.PARAMS, store, BmmChainConfig.regtest());
        chain.addWallet(w);
        for (Block b : driverBlocks) {
            assertInstanceOf(Offer.Connected.class, chain.offer(b));
        }
        // the payment is not to w: give w its own, in a fifth block
        Transaction toW = Txs.pay(new Txs.In(coins.get(1), RegtestDriver.SUBSIDY, net.minerKey),
                Txs.Out.to(Coin.valueOf(5, 0), w.freshReceiveKey()));
        Block b5 = net.build(b4.getHash(), List.of(), List.of(toW));
        assertInstanceOf(Offer.Connected.class, chain.offer(b5));
        assertEquals(ConfidenceType.BUILDING, w.getTransaction(toW.getTxId()).getConfidence().getConfidenceType());

        store.failAt = 4; // once
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> chain.disconnectTo(4));
        assertTrue(e.getMessage().contains("cannot disconnect"), e.getMessage());
        assertEquals(5, chain.getChainHead().getHeight());
        assertEquals(ConfidenceType.BUILDING, w.getTransaction(toW.getTxId()).getConfidence().getConfidenceType(),
                "the wallet heard nothing of a disconnect that did not happen");
        assertEquals(5, w.getLastBlockSeenHeight());

        chain.disconnectTo(4); // a retry works
        assertEquals(ConfidenceType.PENDING, w.getTransaction(toW.getTxId()).getConfidence().getConfidenceType());
        assertEquals(4, w.getLastBlockSeenHeight());
    }

    @Test
    void aDisconnectTheDatabaseTookBeforeTheStoreFailedReachesTheWallet(@TempDir Path dir) throws Exception {
        BmmChainConfig cfg = BmmChainConfig.regtest().withStateDatabase(dir.resolve("bmm.sqlite"));
        BmmBlockChainRestartTest.FlakyStore store = new BmmBlockChainRestartTest.FlakyStore();
        Wallet w = Wallet.createDeterministic(RegtestDriver.PARAMS.network(), ScriptType.P2WPKH);
        BmmBlockChain chain = new BmmBlockChain(RegtestDriver.PARAMS, store, cfg);
        chain.addWallet(w);
        for (Block b : driverBlocks) {
            assertInstanceOf(Offer.Connected.class, chain.offer(b));
        }
        Transaction toW = Txs.pay(new Txs.In(coins.get(1), RegtestDriver.SUBSIDY, net.minerKey),
                Txs.Out.to(Coin.valueOf(5, 0), w.freshReceiveKey()));
        assertInstanceOf(Offer.Connected.class, chain.offer(net.build(b4.getHash(), List.of(), List.of(toW))));
        store.failAt = 4; // after the database saved the disconnect
        assertThrows(IllegalStateException.class, () -> chain.disconnectTo(4));
        assertTrue(chain.unusable().isPresent());
        assertEquals(ConfidenceType.PENDING, w.getTransaction(toW.getTxId()).getConfidence().getConfidenceType(),
                "the wallet follows the database, which is what the chain is when opened again");
        assertEquals(4, w.getLastBlockSeenHeight());
        chain.close();
        try (BmmBlockChain again = new BmmBlockChain(RegtestDriver.PARAMS, new MemoryBlockStore(
                RegtestDriver.PARAMS.getGenesisBlock()), cfg)) {
            assertEquals(4, again.getBestChainHeight());
            assertEquals(again.getChainHead().getHeader().getHash(), w.getLastBlockSeenHash());
        }
    }

    @Test
    void aNewBlockListenerThatThrowsLeavesTheBlockConnected() {
        net.chain.addNewBestBlockListener(Threading.SAME_THREAD, block -> {
            throw new IllegalStateException("boom");
        });
        Block b5 = net.build(b4.getHash(), List.of(mh(5)), List.of());
        assertEquals(new Offer.Connected(5, b5.getHash()), net.chain.offer(b5));
        assertEquals(5, net.chain.d3().tipHeight());
        Block b6 = net.build(b5.getHash(), List.of(mh(6)), List.of());
        assertThrows(VerificationException.class, () -> net.chain.add(b6), "add throws, as BlockChain would");
        assertEquals(b6.getHash(), net.tip(), "but the block stays connected");
        assertEquals(6, net.chain.d3().tipHeight());
    }

    @Test
    void aListenerOnItsOwnExecutorHearsTheSplitPointAndTheBlocksTakenOffNewestFirst() {
        List<Object[]> heard = new ArrayList<>();
        Executor direct = Runnable::run; // not Threading.SAME_THREAD: the executor path
        net.chain.addReorganizeListener(direct, (split, oldBlocks, newBlocks) ->
                heard.add(new Object[] {split, List.copyOf(oldBlocks), List.copyOf(newBlocks)}));
        net.chain.disconnectTo(2);
        assertEquals(1, heard.size());
        assertEquals(2, ((StoredBlock) heard.get(0)[0]).getHeight());
        @SuppressWarnings("unchecked")
        List<StoredBlock> old = (List<StoredBlock>) heard.get(0)[1];
        assertEquals(List.of(b4.getHash(), b3.getHash()), old.stream().map(s -> s.getHeader().getHash()).toList());
        assertEquals(List.of(), heard.get(0)[2]);
        net.chain.disconnectTo(2); // nothing to take off: nothing to hear
        assertEquals(1, heard.size());
    }

    @Test
    void aWalletBehindAReopenedChainTakesItBackAndHearsTheBlocksAgain(@TempDir Path dir) throws Exception {
        BmmChainConfig cfg = BmmChainConfig.regtest().withStateDatabase(dir.resolve("bmm.sqlite"));
        Wallet w = Wallet.createDeterministic(RegtestDriver.PARAMS.network(), ScriptType.P2WPKH);
        BmmBlockChain chain = new BmmBlockChain(RegtestDriver.PARAMS, new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock()), cfg);
        chain.addWallet(w);
        List<Block> blocks = new ArrayList<>();
        Sha256Hash prev = RegtestDriver.PARAMS.getGenesisBlock().getHash();
        RegtestDriver builder = new RegtestDriver(BmmChainConfig.regtest());
        for (int i = 0; i < 5; i++) {
            Block b = builder.build(prev, List.of(mh(30 + i)), List.of());
            assertInstanceOf(Offer.Connected.class, chain.offer(b));
            blocks.add(b);
            prev = b.getHash();
            if (i == 2) {
                chain.removeWallet(w); // the wallet was last saved here
            }
        }
        chain.close();

        BmmBlockChain again = new BmmBlockChain(RegtestDriver.PARAMS, new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock()), cfg);
        try {
            assertEquals(5, again.getChainHead().getHeight());
            again.addWallet(w); // bitcoinj's rollback to the wallet's height
            assertEquals(3, again.getChainHead().getHeight());
            assertEquals(3, again.d3().tipHeight());
            assertEquals(3, again.d3().rows().size());
            assertInstanceOf(Offer.Connected.class, again.offer(blocks.get(3)));
            assertInstanceOf(Offer.Connected.class, again.offer(blocks.get(4)));
            assertEquals(5, w.getLastBlockSeenHeight());
        } finally {
            again.close();
        }
        // and the rollback was saved: opened once more, the chain is at 5 with five rows
        BmmBlockChain third = new BmmBlockChain(RegtestDriver.PARAMS, new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock()), cfg);
        try {
            assertEquals(blocks.get(4).getHash(), third.getChainHead().getHeader().getHash());
            assertEquals(5, third.d3().rows().size());
        } finally {
            third.close();
        }
    }

    Transaction m8(M8Tag tag, TransactionOutPoint coin) {
        return net.m8(tag, coin);
    }
}
