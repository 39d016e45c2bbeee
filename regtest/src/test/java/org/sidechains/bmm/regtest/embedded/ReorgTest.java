package org.sidechains.bmm.regtest.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.assemble.BlockBuilder;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.sidechains.bmm.m7.M7Codec;

/** Reorganisations, by more work and by invalidateblock/reconsiderblock, restore UTXO set, D3 and mempool. */
class ReorgTest {
    static final Coin FIFTY = Coin.FIFTY_COINS;
    static final Coin FEE = Coin.valueOf(10_000);

    TestChain t;
    List<TransactionOutPoint> coins;
    List<Sha256Hash> seen = new ArrayList<>();

    @BeforeEach
    void setUp() {
        t = new TestChain();
        coins = t.mine(101);
        for (int h = 0; h <= 101; h++) {
            seen.add(t.chain.blockHash(h));
        }
    }

    Block block(Sha256Hash prev, int chainIndex, Hash32 hStar, Coin fees, List<Transaction> txs) {
        List<BlockBuilder.Output> outs = List.of(new BlockBuilder.Output(FIFTY.add(fees), TestChain.p2wpkh(TestChain.KEY)),
                new BlockBuilder.Output(Coin.ZERO, M7Codec.write(List.of(MiniHeader.of(chainIndex, hStar, 0)))));
        Block b = t.blockOn(prev, outs, txs);
        seen.add(b.getHash());
        return b;
    }

    static Hash32 h(int n) {
        return Hash32.wrap(Sha256Hash.of(new byte[] {(byte) n}).getBytes());
    }

    ChainState state() {
        return ChainState.of(t.chain, seen);
    }

    @Test
    void moreWorkWinsAndTheUtxoSetFollows() {
        Sha256Hash fork = t.tip();
        ChainState atFork = state();
        Transaction a = TestChain.pay(coins.get(0), FIFTY, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER), FEE);
        Block a1 = block(fork, 5, h(1), FEE, List.of(a));
        assertEquals(Optional.empty(), t.submit(a1));
        ChainState onA = state();
        assertEquals(1, t.chain.d3().lookup(5, h(1)).size());

        Transaction b = TestChain.pay(coins.get(1), FIFTY, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER), FEE);
        Block b1 = block(fork, 5, h(2), FEE, List.of(b));
        assertEquals(Optional.of("inconclusive"), t.submit(b1));
        assertEquals(a1.getHash(), t.tip()); // equal work: the first seen stays
        Block b2 = block(b1.getHash(), 5, h(3), Coin.ZERO, List.of());
        assertEquals(Optional.empty(), t.submit(b2));
        assertEquals(b2.getHash(), t.tip());
        assertEquals(103, t.height());

        // a's spend is undone, b's is done; a went back to the mempool
        assertTrue(t.chain.txOut(coins.get(0), false).isPresent());
        assertTrue(t.chain.txOut(new TransactionOutPoint(0, a.getTxId()), false).isEmpty());
        assertTrue(t.chain.txOut(coins.get(1), false).isEmpty());
        assertTrue(t.chain.txOut(new TransactionOutPoint(0, b.getTxId()), false).isPresent());
        assertEquals(List.of(a.getTxId()), t.chain.mempoolTransactions().stream().map(Transaction::getTxId).toList());
        assertTrue(t.chain.d3().lookup(5, h(1)).isEmpty());
        assertEquals(1, t.chain.d3().lookup(5, h(3)).size());
        assertEquals(-1, t.chain.header(a1.getHash()).confirmations());

        // and back: A gets two more blocks
        Block a2 = block(a1.getHash(), 5, h(4), Coin.ZERO, List.of());
        assertEquals(Optional.of("inconclusive"), t.submit(a2));
        Block a3 = block(a2.getHash(), 5, h(5), Coin.ZERO, List.of());
        assertEquals(Optional.empty(), t.submit(a3));
        assertEquals(a3.getHash(), t.tip());
        assertTrue(t.chain.mempoolTransactions().stream().map(Transaction::getTxId).toList().contains(b.getTxId()));
        t.chain.invalidateBlock(b1.getHash()); // not on the active chain: nothing moves
        assertEquals(a3.getHash(), t.tip());
        t.chain.invalidateBlock(a2.getHash());
        assertEquals(onA, onA.again(t.chain), "the UTXO set and D3 at a1 again");
        t.chain.invalidateBlock(a1.getHash());
        assertEquals(atFork, atFork.again(t.chain));
        t.chain.reconsiderBlock(b2.getHash());
        assertEquals(b2.getHash(), t.tip()); // b1 and b2 have more work than the fork point
        assertNotEquals(atFork.d3(), onA.d3());
    }

    @Test
    void invalidateAndReconsiderRestoreEverything() {
        Transaction a = TestChain.pay(coins.get(0), FIFTY, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER), FEE);
        ChainState before = state();
        Block a1 = block(t.tip(), 7, h(1), FEE, List.of(a));
        assertEquals(Optional.empty(), t.submit(a1));
        Block a2 = block(a1.getHash(), 7, h(2), Coin.ZERO, List.of());
        assertEquals(Optional.empty(), t.submit(a2));
        ChainState after = state();

        t.chain.invalidateBlock(a1.getHash());
        assertEquals(before, before.again(t.chain));
        assertEquals(List.of(a.getTxId()), t.chain.mempoolTransactions().stream().map(Transaction::getTxId).toList());
        assertEquals(Optional.of("duplicate-invalid"), t.submit(a2));

        t.chain.reconsiderBlock(a2.getHash()); // clears its ancestors too
        assertEquals(after, after.again(t.chain));
        assertTrue(t.chain.mempoolTransactions().isEmpty());
    }

    @Test
    void invalidateDeepThenMineThenReconsider() {
        ChainState full = state();
        Sha256Hash h50 = t.chain.blockHash(50);
        t.chain.invalidateBlock(h50);
        assertEquals(49, t.height());
        List<Sha256Hash> other = t.chain.generateToScript(3, TestChain.p2wpkh(TestChain.OTHER));
        seen.addAll(other);
        assertEquals(52, t.height());
        t.chain.reconsiderBlock(h50);
        assertEquals(101, t.height());
        assertEquals(full.tip(), t.tip());
        assertEquals(full, full.again(t.chain));
        for (Sha256Hash h : other) {
            assertEquals(-1, t.chain.header(h).confirmations());
        }
        // the UTXO set equals one rebuilt from the active chain's blocks alone
        EmbeddedRegtestChain fresh = EmbeddedRegtestChain.create();
        for (int i = 1; i <= 101; i++) {
            assertEquals(Optional.empty(), fresh.submitBlock(t.chain.block(t.chain.blockHash(i))));
        }
        assertEquals(ChainState.of(fresh, seen.subList(0, 102)).outputs(), ChainState.of(t.chain, seen.subList(0, 102))
                .outputs());
        assertEquals(fresh.d3().rows(), t.chain.d3().rows());
    }

    @Test
    void anInvalidBlockInAHeavierBranchLeavesTheValidChain() {
        Sha256Hash fork = t.tip();
        Block a1 = block(fork, 1, h(1), Coin.ZERO, List.of());
        assertEquals(Optional.empty(), t.submit(a1));
        ChainState onA = state();
        Block b1 = block(fork, 1, h(2), Coin.ZERO, List.of());
        assertEquals(Optional.of("inconclusive"), t.submit(b1));
        List<BlockBuilder.Output> tooMuch = List.of(new BlockBuilder.Output(FIFTY.add(Coin.SATOSHI),
                TestChain.p2wpkh(TestChain.KEY)));
        Block b2 = t.blockOn(b1.getHash(), tooMuch, List.of());
        seen.add(b2.getHash());
        assertEquals(Optional.of("bad-cb-amount"), t.submit(b2));
        assertEquals(a1.getHash(), t.tip());
        assertEquals(onA, onA.again(t.chain));
        Block b3 = block(b2.getHash(), 1, h(3), Coin.ZERO, List.of());
        assertEquals(Optional.of("bad-prevblk"), t.submit(b3));
    }

    @Test
    void tiesGoToTheFirstSeenAlsoAfterReconsider() {
        Sha256Hash fork = t.tip();
        Block a1 = block(fork, 1, h(1), Coin.ZERO, List.of());
        Block b1 = block(fork, 1, h(2), Coin.ZERO, List.of());
        t.submit(a1);
        t.submit(b1);
        assertEquals(a1.getHash(), t.tip());
        t.chain.invalidateBlock(a1.getHash());
        assertEquals(b1.getHash(), t.tip());
        t.chain.reconsiderBlock(a1.getHash());
        assertEquals(a1.getHash(), t.tip());
    }

    @Test
    void unknownBlocksAndGenesis() {
        MainchainException.Rpc e = assertThrows(MainchainException.Rpc.class,
                () -> t.chain.invalidateBlock(Sha256Hash.ZERO_HASH));
        assertEquals(-5, e.code());
        assertEquals("Block not found", e.rpcMessage());
        assertThrows(MainchainException.Rpc.class, () -> t.chain.invalidateBlock(t.chain.blockHash(0)));
        assertFalse(t.chain.blockRecord(Sha256Hash.ZERO_HASH).isPresent());
    }

    @Test
    void reconsiderblockClearsOnlyTheBlockItsDescendantsAndItsAncestors() {
        // active A -> B2 -> B3, side A -> B1
        Sha256Hash fork = t.tip();
        Block a = block(fork, 1, h(1), Coin.ZERO, List.of());
        assertEquals(Optional.empty(), t.submit(a));
        Block b2 = block(a.getHash(), 1, h(2), Coin.ZERO, List.of());
        assertEquals(Optional.empty(), t.submit(b2));
        Block b1 = block(a.getHash(), 1, h(3), Coin.ZERO, List.of());
        assertEquals(Optional.of("inconclusive"), t.submit(b1));
        Block b3 = block(b2.getHash(), 1, h(4), Coin.ZERO, List.of());
        assertEquals(Optional.empty(), t.submit(b3));
        assertEquals(b3.getHash(), t.tip());

        t.chain.invalidateBlock(a.getHash());
        assertEquals(fork, t.tip());
        // bitcoind v25: B2 and B3 stay BLOCK_FAILED_CHILD; reconsiderblock B1 clears B1 and A only
        t.chain.reconsiderBlock(b1.getHash());
        assertEquals(b1.getHash(), t.tip());
        assertEquals(-1, t.chain.header(b2.getHash()).confirmations());
        assertEquals(Optional.of("duplicate-invalid"), t.submit(b3));
        assertEquals(Optional.of("duplicate"), t.submit(a));

        // and reconsiderblock B2 revives B3 with it: the longer branch wins again
        t.chain.reconsiderBlock(b2.getHash());
        assertEquals(b3.getHash(), t.tip());
    }

    @Test
    void aBlockRefusedByValidationIsFailedValidAndItsDescendantsFailedChild() {
        Sha256Hash fork = t.tip();
        Block a1 = block(fork, 1, h(1), Coin.ZERO, List.of());
        assertEquals(Optional.empty(), t.submit(a1));
        Block b1 = block(fork, 1, h(2), Coin.ZERO, List.of());
        assertEquals(Optional.of("inconclusive"), t.submit(b1));
        Block b2 = t.blockOn(b1.getHash(), List.of(new BlockBuilder.Output(FIFTY.add(Coin.SATOSHI),
                TestChain.p2wpkh(TestChain.KEY))), List.of());
        Block b2sibling = block(b1.getHash(), 1, h(3), Coin.ZERO, List.of());
        // b2 is stored (its branch has more work), then refused when connected
        assertEquals(Optional.of("bad-cb-amount"), t.submit(b2));
        assertEquals(a1.getHash(), t.tip());
        assertEquals(Optional.of("duplicate-invalid"), t.submit(b2));
        Block b2child = t.blockOn(b2.getHash(), List.of(new BlockBuilder.Output(FIFTY, TestChain.p2wpkh(TestChain.KEY))),
                List.of());
        assertEquals(Optional.of("bad-prevblk"), t.submit(b2child));
        // b1 itself stays valid: another child of it is fine
        assertEquals(Optional.empty(), t.submit(b2sibling));
        assertEquals(b2sibling.getHash(), t.tip());
    }
}
