package org.sidechains.bmm.bitcoinj.observer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.BlockChain;
import org.bitcoinj.store.MemoryBlockStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.RegtestDriver;
import org.sidechains.bmm.bitcoinj.chain.BmmChainConfig;
import org.sidechains.bmm.bitcoinj.chain.Offer;

/** Observer mode on bitcoinj's plain (SPV) BlockChain, fed full blocks, against the enforcing chain. */
class D3ObserverTest {
    RegtestDriver net;
    BlockChain plain;
    D3Observer observer;

    static Hash32 h(int b) {
        byte[] x = new byte[32];
        Arrays.fill(x, (byte) b);
        return Hash32.wrap(x);
    }

    @BeforeEach
    void setUp() throws Exception {
        net = new RegtestDriver(BmmChainConfig.regtest());
        plain = new BlockChain(RegtestDriver.PARAMS.network(), new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock()));
        observer = D3Observer.attach(plain, 8000, 288);
    }

    /** Offers the block to both chains. */
    void feed(Block b) throws Exception {
        net.chain.offer(b);
        plain.add(b);
    }

    @Test
    void followsBlocksAndReorgsLikeTheEnforcingChain() throws Exception {
        Block a1 = net.build(net.tip(), List.of(new MiniHeader(1, h(1), 0), new MiniHeader(2, h(2), 0)), List.of());
        feed(a1);
        Block a2 = net.build(a1.getHash(), List.of(new MiniHeader(1, h(3), 0)), List.of());
        feed(a2);
        Block a3 = net.build(a2.getHash(), List.of(), List.of());
        feed(a3);
        assertEquals(net.chain.d3().rows(), observer.d3().rows());
        assertEquals(1, observer.d3().lookup(1, h(1)).get(0).blocksAtop());

        // a heavier branch from a1 with another side:block for chain 1
        Block b2 = net.build(a1.getHash(), List.of(new MiniHeader(1, h(4), 0)), List.of());
        Block b3 = net.build(b2.getHash(), List.of(new MiniHeader(1, h(5), 0)), List.of());
        Block b4 = net.build(b3.getHash(), List.of(), List.of());
        feed(b2);
        feed(b3);
        feed(b4);
        assertEquals(b4.getHash(), plain.getChainHead().getHeader().getHash());
        assertEquals(net.chain.d3().rows(), observer.d3().rows());
        assertTrue(observer.d3().lookup(1, h(3)).isEmpty());
        assertEquals(2, observer.d3().lookup(1, h(1)).get(0).blocksAtop());
        assertEquals(4, observer.d3().tipHeight());
        assertEquals(Optional.empty(), observer.problem());
    }

    @Test
    void aBlockWithoutItsCoinbaseMakesD3IncompleteAndSaysSo() throws Exception {
        Block b1 = net.build(net.tip(), List.of(new MiniHeader(1, h(1), 0)), List.of());
        plain.add(b1.cloneAsHeader()); // header only: the observer never sees the coinbase
        assertTrue(observer.problem().orElseThrow().contains("no coinbase seen"), observer.problem().toString());
        assertEquals(-1, observer.d3().tipHeight());
    }

    @Test
    void cannotRefuseABlockThatBreaksTheRules() throws Exception {
        Block b1 = net.build(net.tip(), List.of(), List.of());
        feed(b1);
        var coin = new org.bitcoinj.core.TransactionOutPoint(0, b1.getTransactions().get(0).getTxId());
        var tag = org.sidechains.bmm.m8.M8Tag.forBlock(new MiniHeader(7, h(7), 0), 2);
        var tx = new org.bitcoinj.core.Transaction();
        tx.setVersion(3);
        tx.addOutput(org.bitcoinj.base.Coin.ZERO,
                org.bitcoinj.script.Script.parse(org.sidechains.bmm.m8.M8Codec.script(tag)));
        tx.addSignedInput(coin, org.bitcoinj.script.Script.parse(net.payoutScript()), RegtestDriver.SUBSIDY,
                net.minerKey);
        Block bad = net.build(b1.getHash(), List.of(), List.of(tx)); // an M8 without its M7 entry
        assertInstanceOf(Offer.Refused.class, net.chain.offer(bad));
        assertTrue(plain.add(bad));
        assertEquals(bad.getHash(), plain.getChainHead().getHeader().getHash());
        assertEquals(2, observer.d3().tipHeight(), "the observer follows what its chain connected");
        assertEquals(1, net.chain.d3().tipHeight());
    }

    /** Blocks on {@code prev}, each with an M7 entry for chain {@code chain}; not offered. */
    List<Block> branch(org.bitcoinj.base.Sha256Hash prev, int chain, int first, int n) {
        return branch(net, prev, chain, first, n);
    }

    @Test
    void aReorgBelowTheAttachHeadRestartsFromTheForkPoint() throws Exception {
        BlockChain late = new BlockChain(RegtestDriver.PARAMS.network(), new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock()));
        Block a1 = branch(net.tip(), 1, 1, 1).get(0);
        net.chain.offer(a1);
        late.add(a1);
        D3Observer o = D3Observer.attach(late, 8000, 288); // at a1: its row is not known
        assertEquals(2, o.followingSince());
        for (Block b : branch(RegtestDriver.PARAMS.getGenesisBlock().getHash(), 2, 10, 2)) {
            net.chain.offer(b);
            late.add(b);
        }
        assertEquals(2, late.getBestChainHeight());
        assertEquals(Optional.empty(), o.problem(), "it goes on");
        assertEquals(1, o.followingSince(), "from the fork point (genesis) on");
        assertEquals(net.chain.d3().rows(), o.d3().rows(), "both blocks of the new branch");
    }

    @Test
    void aReorgDeeperThanTheKeptUndoRestartsFromTheForkPointAndFollowsOn() throws Exception {
        BlockChain shallow = new BlockChain(RegtestDriver.PARAMS.network(), new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock()));
        D3Observer o = D3Observer.attach(shallow, 8000, 2);
        org.bitcoinj.base.Sha256Hash genesis = RegtestDriver.PARAMS.getGenesisBlock().getHash();
        for (Block b : branch(genesis, 1, 1, 4)) {
            net.chain.offer(b);
            shallow.add(b);
        }
        List<Block> other = branch(genesis, 2, 20, 6);
        for (Block b : other) {
            net.chain.offer(b);
            shallow.add(b);
        }
        assertEquals(6, shallow.getBestChainHeight());
        assertEquals(1, o.followingSince());
        assertEquals(net.chain.d3().rows(), o.d3().rows());
        for (Block b : branch(other.get(5).getHash(), 2, 40, 3)) {
            net.chain.offer(b);
            shallow.add(b);
        }
        assertEquals(net.chain.d3().rows(), o.d3().rows());
        assertEquals(9, o.d3().tipHeight());
    }

    @Test
    void detachStopsFollowingAndKeepsD3AsItWas() throws Exception {
        Block a1 = branch(net.tip(), 1, 1, 1).get(0);
        feed(a1);
        observer.detach();
        feed(branch(a1.getHash(), 1, 2, 1).get(0));
        assertEquals(1, observer.d3().tipHeight());
        assertEquals(Optional.of("detached"), observer.problem());
    }

    /** As a peer may send them: the two branches grow in turn, then the second wins deeper than keepDepth. */
    @Test
    void aDeepReorgOfTwoBranchesThatGrewInTurnRestartsWhereItStillHasCoinbases() throws Exception {
        BlockChain shallow = new BlockChain(RegtestDriver.PARAMS.network(), new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock()));
        D3Observer o = D3Observer.attach(shallow, 8000, 2);
        org.sidechains.bmm.d3.D3View early = o.d3(); // taken before the restart
        org.bitcoinj.base.Sha256Hash genesis = RegtestDriver.PARAMS.getGenesisBlock().getHash();
        List<Block> a = branch(genesis, 1, 1, 4);
        List<Block> b = branch(genesis, 2, 20, 6);
        for (int i = 0; i < 4; i++) {
            shallow.add(a.get(i)); // a leads: b's blocks arrive as side blocks in between
            shallow.add(b.get(i));
        }
        shallow.add(b.get(4));
        shallow.add(b.get(5));
        assertEquals(b.get(5).getHash(), shallow.getChainHead().getHeader().getHash());
        assertEquals(Optional.empty(), o.problem(), "it goes on");
        int since = o.followingSince();
        assertTrue(since > 1 && since <= 6, "from a block whose coinbase it still has: " + since);
        List<org.sidechains.bmm.d3.D3Row> want = fromHeight(b, since);
        assertEquals(want, o.d3().rows());
        assertEquals(want, early.rows(), "a view taken before the restart reads the new D3");
    }

    @Test
    void attachingWhileABlockIsAnnouncedDoesNotStopIt() throws Exception {
        BlockChain busy = new BlockChain(RegtestDriver.PARAMS.network(), new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock()));
        D3Observer[] attached = new D3Observer[1];
        // bitcoinj moves the head, then tells transaction listeners, then best-block listeners: attach in between
        busy.addTransactionReceivedListener(org.bitcoinj.utils.Threading.SAME_THREAD,
                new org.bitcoinj.core.listeners.TransactionReceivedInBlockListener() {
                    @Override
                    public void receiveFromBlock(org.bitcoinj.core.Transaction tx, org.bitcoinj.core.StoredBlock block,
                                                 org.bitcoinj.core.AbstractBlockChain.NewBlockType type, int offset) {
                        if (attached[0] == null) {
                            attached[0] = D3Observer.attach(busy, 8000, 288);
                        }
                    }

                    @Override
                    public boolean notifyTransactionIsInBlock(org.bitcoinj.base.Sha256Hash txHash,
                                                              org.bitcoinj.core.StoredBlock block,
                                                              org.bitcoinj.core.AbstractBlockChain.NewBlockType type,
                                                              int offset) {
                        return false;
                    }
                });
        List<Block> blocks = branch(net.tip(), 1, 1, 3);
        for (Block x : blocks) {
            busy.add(x);
            net.chain.offer(x);
        }
        assertEquals(Optional.empty(), attached[0].problem());
        assertEquals(2, attached[0].followingSince());
        assertEquals(fromHeight(blocks, 2), attached[0].d3().rows());
    }

    /** The D3 of an observer that saw {@code chain} (blocks from height 1) from {@code since} on. */
    static List<org.sidechains.bmm.d3.D3Row> fromHeight(List<Block> chain, int since) {
        org.sidechains.bmm.d3.D3 ref = org.sidechains.bmm.d3.D3.create(8000);
        for (int h = since; h <= chain.size(); h++) {
            ref.connect(h, org.sidechains.bmm.m7.M7Codec.findInCoinbase(
                    org.sidechains.bmm.bitcoinj.chain.BmmRules.coinbaseScripts(chain.get(h - 1))));
        }
        return ref.rows();
    }

    @Test
    void attachedLateItSaysWhenItsD3IsCompleteAndAgreesFromThen() throws Exception {
        int window = 5;
        RegtestDriver wide = new RegtestDriver(BmmChainConfig.regtest().withParams(
                BmmChainConfig.regtest().params().withWindow(window)));
        BlockChain late = new BlockChain(RegtestDriver.PARAMS.network(), new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock()));
        assertTrue(D3Observer.attach(plain, window, 1).complete(), "attached at genesis");
        // chain 1 is BMMed in every block, each entry on the one before
        List<Block> blocks = branch(wide, RegtestDriver.PARAMS.getGenesisBlock().getHash(), 1, 1, 3 + 2 * window);
        for (Block b : blocks.subList(0, 3)) {
            wide.chain.offer(b);
            late.add(b);
        }
        D3Observer o = D3Observer.attach(late, window, 288);
        assertEquals(4, o.followingSince());
        wide.chain.offer(blocks.get(3));
        late.add(blocks.get(3));
        assertFalse(o.complete());
        // the entry at 4 has its parent at 3, which came before the observer: no prevSideBlockHash
        assertTrue(wide.chain.d3().hasEntryWithParent(1, h(4), h(3), 0));
        assertFalse(o.d3().hasEntryWithParent(1, h(4), h(3), 0));
        int completeAt = 4 + 2 * window - 2;
        for (Block b : blocks.subList(4, blocks.size())) {
            wide.chain.offer(b);
            late.add(b);
            int height = late.getBestChainHeight();
            assertEquals(height >= completeAt, o.complete(), "at height " + height);
            if (height >= completeAt) {
                assertEquals(wide.chain.d3().rows(), o.d3().rows(), "at height " + height);
            } else if (height == 4 + window - 1) {
                // a whole window of rows, but the entry at 4 still lacks its parent
                assertFalse(wide.chain.d3().rows().equals(o.d3().rows()));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> D3Observer.attach(late, window, 0));
    }

    static List<Block> branch(RegtestDriver d, org.bitcoinj.base.Sha256Hash prev, int chain, int first, int n) {
        List<Block> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            Block b = d.build(prev, List.of(new MiniHeader(chain, h(first + i), 0)), List.of());
            out.add(b);
            prev = b.getHash();
        }
        return out;
    }
}
