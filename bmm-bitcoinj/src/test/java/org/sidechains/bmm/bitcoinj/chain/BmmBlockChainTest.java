package org.sidechains.bmm.bitcoinj.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.RegtestDriver;
import org.sidechains.bmm.d3.D3Row;
import org.sidechains.bmm.m8.M8Codec;
import org.sidechains.bmm.m8.M8Tag;
import org.sidechains.bmm.rules.BmmParams;
import org.sidechains.bmm.rules.RejectReason;

class BmmBlockChainTest {
    RegtestDriver net;
    List<TransactionOutPoint> coins;

    static Hash32 h(int b) {
        byte[] x = new byte[32];
        Arrays.fill(x, (byte) b);
        return Hash32.wrap(x);
    }

    @BeforeEach
    void setUp() {
        net = new RegtestDriver(BmmChainConfig.regtest().withFullOutputIndex());
        coins = net.mineEmpty(5);
    }

    Transaction m8(M8Tag tag, TransactionOutPoint coin) {
        return net.m8(tag, coin);
    }

    void assertRefused(Offer offer, RejectReason reason) {
        Offer.Refused r = assertInstanceOf(Offer.Refused.class, offer);
        assertEquals(Optional.of(reason), r.reason(), r.message());
        assertTrue(r.message().startsWith(reason.code() + ": "), r.message());
    }

    @Test
    void m7EntriesReachD3() {
        MiniHeader a = new MiniHeader(1, h(1), 0);
        MiniHeader b = new MiniHeader(2, h(2), 0);
        assertInstanceOf(Offer.Connected.class, net.mine(List.of(a, b)));
        assertInstanceOf(Offer.Connected.class, net.mine(List.of(new MiniHeader(1, h(3), 0))));
        assertEquals(7, net.chain.d3().tipHeight());
        List<D3Row> rows = net.chain.d3().rows();
        assertEquals(2, rows.size());
        assertEquals(6, rows.get(0).height());
        assertEquals(1, rows.get(0).cbIndex());
        assertEquals(1, rows.get(0).entries().get(0).blocksAtop());
        assertEquals(Optional.of(h(1)), rows.get(1).entries().get(0).prevSideBlockHash());
    }

    @Test
    void blockWithM8AndMatchingM7IsAccepted() {
        MiniHeader a = new MiniHeader(1, h(1), 0);
        Offer o = net.mine(List.of(a), List.of(m8(M8Tag.forBlock(a, 6), coins.get(0))));
        assertEquals(6, assertInstanceOf(Offer.Connected.class, o).height());
    }

    @Test
    void eachRejectReasonLeavesD3AndHeadUntouched() {
        MiniHeader a = new MiniHeader(1, h(1), 0);
        net.mine(List.of(new MiniHeader(9, h(9), 0)));
        Sha256Hash head = net.tip();
        List<D3Row> before = net.chain.d3().rows();

        assertRefused(net.mine(List.of(a), List.of(m8(M8Tag.forBlock(a, 8), coins.get(0)))),
                RejectReason.M8_ANCHOR);
        assertRefused(net.mine(List.of(a), List.of(m8(M8Tag.forBlock(new MiniHeader(1, h(1), 1), 7), coins.get(0)))),
                RejectReason.M8_NO_M7);
        assertRefused(net.mine(List.of(), List.of(m8(M8Tag.forBlock(a, 7), coins.get(0)))),
                RejectReason.M8_NO_M7);
        assertRefused(net.mine(List.of(a), List.of(m8(M8Tag.forBlock(a, 7), coins.get(0)),
                m8(M8Tag.forBlock(a, 7), coins.get(1)))), RejectReason.M8_DUPLICATE);

        assertEquals(head, net.tip());
        assertEquals(6, net.chain.getBestChainHeight());
        assertEquals(before, net.chain.d3().rows());
        // and the chain goes on normally afterwards
        assertInstanceOf(Offer.Connected.class, net.mine(List.of(a), List.of(m8(M8Tag.forBlock(a, 7), coins.get(0)))));
    }

    @Test
    void rulesStartAtTheActivationHeight() {
        RegtestDriver late = new RegtestDriver(BmmChainConfig.regtest().withParams(
                BmmParams.regtest().withActivationHeight(4)));
        List<TransactionOutPoint> c = late.mineEmpty(2);
        MiniHeader a = new MiniHeader(1, h(1), 0);
        Transaction badAnchor = m8With(late, M8Tag.forBlock(a, 99), c.get(0));
        assertInstanceOf(Offer.Connected.class, late.mine(List.of(a), List.of(badAnchor)));
        Transaction bad2 = m8With(late, M8Tag.forBlock(a, 99), c.get(1));
        assertRefused(late.mine(List.of(a), List.of(bad2)), RejectReason.M8_ANCHOR);
    }

    static Transaction m8With(RegtestDriver d, M8Tag tag, TransactionOutPoint coin) {
        Transaction tx = new Transaction();
        tx.setVersion(3);
        tx.addOutput(Coin.ZERO, Script.parse(M8Codec.script(tag)));
        tx.addSignedInput(coin, Script.parse(d.payoutScript()), RegtestDriver.SUBSIDY, d.minerKey);
        return tx;
    }

    @Test
    void reorgToABranchWithAnotherM7MovesD3AndBack() {
        Sha256Hash fork = net.tip(); // height 5
        MiniHeader x = new MiniHeader(4, h(0x11), 0);
        MiniHeader y = new MiniHeader(4, h(0x22), 0);
        Block a1 = net.build(fork, List.of(x), List.of());
        assertInstanceOf(Offer.Connected.class, net.chain.offer(a1));
        assertEquals(1, net.chain.d3().lookup(4, h(0x11)).size());

        // a competing branch: equal work first (side branch), then more work (reorg)
        Block b1 = net.build(fork, List.of(y), List.of());
        assertInstanceOf(Offer.SideBranch.class, net.chain.offer(b1));
        assertEquals(1, net.chain.d3().lookup(4, h(0x11)).size(), "a side branch does not touch D3");
        Block b2 = net.build(b1.getHash(), List.of(new MiniHeader(4, h(0x23), 0)), List.of());
        assertInstanceOf(Offer.Connected.class, net.chain.offer(b2));
        assertEquals(0, net.chain.d3().lookup(4, h(0x11)).size());
        assertEquals(1, net.chain.d3().lookup(4, h(0x22)).get(0).blocksAtop());
        assertEquals(7, net.chain.d3().tipHeight());

        // branch a overtakes again
        Block a2 = net.build(a1.getHash(), List.of(), List.of());
        Block a3 = net.build(a2.getHash(), List.of(new MiniHeader(4, h(0x12), 0)), List.of());
        assertInstanceOf(Offer.SideBranch.class, net.chain.offer(a2));
        assertInstanceOf(Offer.Connected.class, net.chain.offer(a3));
        assertEquals(List.of(), net.chain.d3().lookup(4, h(0x22)));
        assertEquals(1, net.chain.d3().lookup(4, h(0x11)).get(0).blocksAtop());
        assertEquals(8, net.chain.d3().tipHeight());
    }

    @Test
    void aReorgOntoAnInvalidBranchIsRolledBack() {
        Sha256Hash fork = net.tip();
        MiniHeader x = new MiniHeader(4, h(0x11), 0);
        net.chain.offer(net.build(fork, List.of(x), List.of()));
        Block a2 = net.build(net.tip(), List.of(new MiniHeader(4, h(0x12), 0)), List.of());
        net.chain.offer(a2);
        List<D3Row> before = net.chain.d3().rows();

        MiniHeader y = new MiniHeader(4, h(0x22), 0);
        Block b1 = net.build(fork, List.of(y), List.of());
        Block b2 = net.build(b1.getHash(), List.of(y), List.of(m8(M8Tag.forBlock(new MiniHeader(5, h(5), 0), 7),
                coins.get(0))));
        Block b3 = net.build(b2.getHash(), List.of(), List.of());
        net.chain.offer(b1);
        net.chain.offer(b2);
        // b3 makes branch b heavier: the reorg disconnects a2 and a1, connects b1, then b2 breaks a rule
        assertRefused(net.chain.offer(b3), RejectReason.M8_NO_M7);
        assertEquals(a2.getHash(), net.tip());
        assertEquals(before, net.chain.d3().rows());
        assertEquals(7, net.chain.d3().tipHeight());
        assertTrue(net.chain.prevouts().find(new TransactionOutPoint(0, a2.getTransactions().get(0).getTxId()))
                .isPresent(), "the output index was rolled back too");
    }

    @Test
    void outputsCreatedAndSpentInOneBlockDoNotComeBackOnDisconnect() {
        OutputIndex idx = new OutputIndex();
        Transaction t1 = new Transaction();
        t1.addInput(Sha256Hash.of(new byte[] {1}), 0, Script.parse(new byte[0]));
        t1.addOutput(Coin.COIN, ScriptBuilder.createP2WPKHOutputScript(net.minerKey));
        Transaction t2 = new Transaction();
        t2.addInput(t1.getOutput(0));
        t2.addOutput(Coin.COIN, ScriptBuilder.createP2WPKHOutputScript(net.minerKey));
        Block b = net.build(net.tip(), List.of(), List.of(t1, t2));
        OutputIndex.Undo undo = idx.apply(b, net.nextHeight());
        assertTrue(idx.find(new TransactionOutPoint(0, t1.getTxId())).isEmpty());
        idx.revert(undo);
        assertEquals(0, idx.size());
    }

    @Test
    void aCbvScopedIndexHoldsOnlyOutputsWhoseSpendCanRunCbv() {
        OutputIndex idx = new OutputIndex(OutputIndex.Scope.CBV);
        Transaction t = new Transaction();
        t.addInput(Sha256Hash.of(new byte[] {1}), 0, Script.parse(new byte[0]));
        t.addOutput(Coin.COIN, ScriptBuilder.createP2WPKHOutputScript(net.minerKey));             // 0: no
        t.addOutput(Coin.COIN, ScriptBuilder.createP2PKHOutputScript(net.minerKey));              // 1: no
        t.addOutput(Coin.COIN, ScriptBuilder.createP2WSHOutputScript(Script.parse(new byte[] {0x51}))); // 2: yes
        t.addOutput(Coin.COIN, ScriptBuilder.createP2SHOutputScript(Script.parse(new byte[] {0x51})));  // 3: yes
        t.addOutput(Coin.COIN, Script.parse(new byte[] {0x51, (byte) 0xb5}));                     // 4: bare OP_CBV
        t.addOutput(Coin.COIN, Script.parse(new byte[] {0x01, (byte) 0xb5}));                     // 5: 0xb5 is push data
        t.addOutput(Coin.COIN, Script.parse(new byte[] {0x6a, (byte) 0xb5}));                     // 6: OP_RETURN
        Block b = net.build(net.tip(), List.of(), List.of(t));
        OutputIndex.Undo undo = idx.apply(b, net.nextHeight());
        for (int i = 0; i < 7; i++) {
            assertEquals(i >= 2 && i <= 4, idx.find(new TransactionOutPoint(i, t.getTxId())).isPresent(), "output " + i);
        }
        assertEquals(3, idx.size());
        assertEquals(false, idx.complete());
        idx.revert(undo);
        assertEquals(0, idx.size());
        assertEquals(OutputIndex.Undo.EMPTY, idx.apply(net.build(net.tip(), List.of(), List.of()), net.nextHeight()),
                "a block of P2WPKH outputs changes nothing");
    }

    @Test
    void prevoutsNeedsAFullIndex() {
        BmmBlockChain cbvOnly = new RegtestDriver(BmmChainConfig.regtest()).chain;
        IllegalStateException e = assertThrows(IllegalStateException.class, cbvOnly::prevouts);
        assertTrue(e.getMessage().contains("withFullOutputIndex()"), e.getMessage());
    }

    @Test
    void anIndexLeftHalfwayByAnExceptionIsPutBack() {
        OutputIndex idx = new OutputIndex(OutputIndex.Scope.CBV);
        Script p2wsh = ScriptBuilder.createP2WSHOutputScript(Script.parse(new byte[] {0x51}));
        Transaction t1 = new Transaction();
        t1.addInput(Sha256Hash.of(new byte[] {1}), 0, Script.parse(new byte[0]));
        t1.addOutput(Coin.COIN, p2wsh);
        idx.apply(net.build(net.tip(), List.of(), List.of(t1)), net.nextHeight());
        TransactionOutPoint held = new TransactionOutPoint(0, t1.getTxId());

        Transaction t2 = new Transaction(); // creates one more that the index keeps
        t2.addInput(Sha256Hash.of(new byte[] {2}), 0, Script.parse(new byte[0]));
        t2.addOutput(Coin.COIN, p2wsh);
        Transaction t3 = new Transaction(); // spends the held one, then something the source chokes on
        t3.addInput(held.hash(), held.index(), Script.parse(new byte[0]));
        t3.addInput(Sha256Hash.of(new byte[] {3}), 0, Script.parse(new byte[0]));
        t3.addOutput(Coin.COIN, ScriptBuilder.createP2WPKHOutputScript(net.minerKey));
        Block b = net.build(net.tip(), List.of(), List.of(t2, t3));
        org.sidechains.bmm.bitcoinj.prevout.PrevoutSource broken = op -> {
            throw new IllegalStateException("the node's answer was cut off");
        };
        assertThrows(IllegalStateException.class, () -> idx.apply(b, net.nextHeight(), broken, (tx, j, in, spent) -> null));
        assertEquals(1, idx.size());
        assertTrue(idx.find(held).isPresent(), "the spent output is back");
    }
}
