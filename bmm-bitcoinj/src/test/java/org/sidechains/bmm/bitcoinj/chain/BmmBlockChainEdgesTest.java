package org.sidechains.bmm.bitcoinj.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.base.Coin;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.Transaction;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.RegtestDriver;
import org.sidechains.bmm.d3.D3Row;

/** Reorgs deeper than the kept undo data, rewinds, re-offers and orphans: D3 and the head never part. */
class BmmBlockChainEdgesTest {
    static final int DEPTH = 3;

    final RegtestDriver net = new RegtestDriver(new BmmChainConfig(BmmChainConfig.regtest().params(), DEPTH));

    static MiniHeader mh(int n) {
        byte[] b = new byte[32];
        b[0] = (byte) n;
        b[1] = 0x5a;
        return new MiniHeader(7, Hash32.wrap(b), 0);
    }

    /** Blocks on {@code prev}, each with an M7 entry for chain 7; not offered. */
    List<Block> branch(Sha256Hash prev, int n, int salt) {
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Block b = net.build(prev, List.of(mh(salt + i)), List.of());
            out.add(b);
            prev = b.getHash();
        }
        return out;
    }

    int entries() {
        return net.chain.d3().rows().stream().mapToInt(r -> r.entries().size()).sum();
    }

    @Test
    void aReorgDeeperThanTheUndoDataIsRefusedAndChangesNothing() {
        net.mineEmpty(2);
        Sha256Hash fork = net.tip();
        for (Block b : branch(fork, 6, 0)) {
            assertInstanceOf(Offer.Connected.class, net.chain.offer(b));
        }
        Sha256Hash head = net.tip();
        List<D3Row> before = net.chain.d3().rows();
        List<Block> other = branch(fork, 7, 100);
        for (int i = 0; i < 6; i++) {
            assertInstanceOf(Offer.SideBranch.class, net.chain.offer(other.get(i)));
        }
        // the seventh makes the other branch heavier: a 6-deep reorg, but undo is kept for 3
        Offer.Refused r = assertInstanceOf(Offer.Refused.class, net.chain.offer(other.get(6)));
        assertTrue(r.message().contains("deeper than the kept undo data"), r.message());
        assertEquals(head, net.tip());
        assertEquals(before, net.chain.d3().rows(), "D3 is where the head is");
        assertEquals(net.chain.getChainHead().getHeight(), net.chain.d3().tipHeight());
        // and the chain goes on: a block on the head connects
        assertInstanceOf(Offer.Connected.class, net.chain.offer(net.build(head, List.of(mh(50)), List.of())));
    }

    @Test
    void disconnectToBeyondTheUndoDataThrowsAndChangesNothing() {
        for (Block b : branch(net.tip(), 6, 0)) {
            net.chain.offer(b);
        }
        List<D3Row> before = net.chain.d3().rows();
        Sha256Hash head = net.tip();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.chain.disconnectTo(1));
        assertTrue(e.getMessage().contains("no undo data"), e.getMessage());
        assertEquals(head, net.tip());
        assertEquals(before, net.chain.d3().rows());
    }

    @Test
    void aRewoundBlockConnectsAgainWhenOfferedAgain() {
        List<Block> bs = branch(net.tip(), 3, 0);
        bs.forEach(net.chain::offer);
        List<D3Row> full = net.chain.d3().rows();
        net.chain.disconnectTo(1);
        assertEquals(1, net.chain.getChainHead().getHeight());
        assertEquals(1, entries());
        assertEquals(new Offer.Connected(1, bs.get(0).getHash()), net.chain.offer(bs.get(0)), "the head itself");
        assertInstanceOf(Offer.SideBranch.class, net.chain.offer(net.chain.params().getGenesisBlock()),
                "below the head: nothing to do");
        assertEquals(new Offer.Connected(2, bs.get(1).getHash()), net.chain.offer(bs.get(1)));
        assertEquals(new Offer.Connected(3, bs.get(2).getHash()), net.chain.offer(bs.get(2)));
        assertEquals(full, net.chain.d3().rows());
    }

    @Test
    void anOrphanIsNotKeptAndConnectsWhenOfferedAfterItsParent() {
        List<Block> bs = branch(net.tip(), 2, 0);
        assertEquals(new Offer.Orphan(bs.get(0).getHash()), net.chain.offer(bs.get(1)));
        assertInstanceOf(Offer.Connected.class, net.chain.offer(bs.get(0)));
        assertEquals(1, net.chain.getChainHead().getHeight(), "the orphan was not connected behind our back");
        assertInstanceOf(Offer.Connected.class, net.chain.offer(bs.get(1)));
        assertEquals(2, entries());
    }

    /** {@code real}'s header (same hash, valid proof of work) over {@code other}'s transactions. */
    static Block underTheHeaderOf(Block real, Block other) {
        return new Block(real.getVersion(), real.getPrevBlockHash(), real.getMerkleRoot(), real.time(),
                real.getDifficultyTarget(), real.getNonce(), other.getTransactions());
    }

    @Test
    void blockContentsAreTheNodesWordUnlessContentChecksAreOn() {
        Block real = net.build(net.tip(), List.of(mh(1)), List.of());
        Block forged = underTheHeaderOf(real, net.build(net.tip(), List.of(mh(2)), List.of()));
        assertEquals(real.getHash(), forged.getHash());

        // trusted source (the default): the forged M7 is taken as it came
        assertInstanceOf(Offer.Connected.class, net.chain.offer(forged));
        assertTrue(net.chain.d3().blocksAtop(7, mh(2).hStar()).isPresent());
        assertTrue(net.chain.d3().blocksAtop(7, mh(1).hStar()).isEmpty());

        // content checks on: the merkle root gives the forgery away and nothing changes
        RegtestDriver careful = new RegtestDriver(BmmChainConfig.regtest().withBlockContentChecks());
        Block real2 = careful.build(careful.tip(), List.of(mh(1)), List.of());
        Block forged2 = underTheHeaderOf(real2, careful.build(careful.tip(), List.of(mh(2)), List.of()));
        Offer.Refused r = assertInstanceOf(Offer.Refused.class, careful.chain.offer(forged2));
        assertTrue(r.reason().isEmpty() && r.message().toLowerCase().contains("merkle"), r.message());
        assertEquals(0, careful.chain.getBestChainHeight());
        assertEquals(0, careful.chain.d3().tipHeight());
        assertInstanceOf(Offer.Connected.class, careful.chain.offer(real2));
    }

    @Test
    void bitcoinjsAddTakesTheSamePathAsOffer() throws Exception {
        List<Block> bs = branch(net.tip(), 2, 0);
        assertEquals(false, net.chain.add(bs.get(1)), "an orphan: not connected, not kept");
        assertEquals(bs.get(1).getHash(), net.chain.getOrphanRoot(bs.get(1).getHash()).getHash(),
                "a Peer asks for the blocks before it");
        assertTrue(net.chain.add(bs.get(0)));
        assertEquals(1, net.chain.getBestChainHeight(), "the orphan was not connected behind our back");
        assertTrue(net.chain.add(bs.get(1)));
        assertEquals(2, entries());

        // a BMM refusal throws, with the reject reason, and changes nothing
        Block bad = net.build(net.tip(), List.of(), List.of(bribeWithoutM7(3)));
        org.bitcoinj.core.VerificationException e = assertThrows(org.bitcoinj.core.VerificationException.class,
                () -> net.chain.add(bad));
        BmmVerificationException cause = assertInstanceOf(BmmVerificationException.class, e.getCause(),
                "bitcoinj wraps the refusal");
        assertEquals(org.sidechains.bmm.rules.RejectReason.M8_NO_M7, cause.reason());
        assertEquals(2, net.chain.getBestChainHeight());

        // a filtered block cannot be enforced on
        org.bitcoinj.core.FilteredBlock filtered = new org.bitcoinj.core.FilteredBlock(bad.cloneAsHeader(),
                new org.bitcoinj.core.PartialMerkleTree(1, List.of(Sha256Hash.ZERO_HASH), new byte[] {1}));
        e = assertThrows(org.bitcoinj.core.VerificationException.class, () -> net.chain.add(filtered));
        assertTrue(e.getMessage().contains("full blocks"), e.getMessage());
    }

    @Test
    void aForgedSideBlockIsRefusedWithContentChecksAndTheRealOneStillWins() {
        RegtestDriver careful = new RegtestDriver(BmmChainConfig.regtest().withBlockContentChecks());
        Sha256Hash genesis = careful.tip();
        careful.mineEmpty(2);
        Block r1 = careful.build(genesis, List.of(mh(1)), List.of());
        Block r2 = careful.build(r1.getHash(), List.of(), List.of());
        Block r3 = careful.build(r2.getHash(), List.of(), List.of());
        Block forged = underTheHeaderOf(r1, careful.build(genesis, List.of(mh(2)), List.of()));
        Offer.Refused r = assertInstanceOf(Offer.Refused.class, careful.chain.offer(forged));
        assertTrue(r.message().toLowerCase().contains("merkle"), r.message());
        assertInstanceOf(Offer.SideBranch.class, careful.chain.offer(r1));
        assertInstanceOf(Offer.SideBranch.class, careful.chain.offer(r2));
        assertEquals(new Offer.Connected(3, r3.getHash()), careful.chain.offer(r3), "the real r1 was kept");
        assertTrue(careful.chain.d3().blocksAtop(7, mh(1).hStar()).isPresent());
    }

    @Test
    void aSideBlockOfferedAgainWithItsPrevoutsKeepsThem() {
        RegtestDriver node = new RegtestDriver(BmmChainConfig.regtest().withoutOutputIndex());
        Block c1 = node.build(node.tip(), List.of(), List.of());
        node.chain.offer(c1); // a coinbase to spend; it spends nothing itself
        Sha256Hash fork = node.tip();
        node.chain.offer(node.build(fork, List.of(), List.of()));
        node.chain.offer(node.build(node.tip(), List.of(), List.of())); // head at 3
        TransactionOutPoint coin = new TransactionOutPoint(0, c1.getTransactions().get(0).getTxId());
        Transaction spend = new Transaction();
        spend.addInput(coin.hash(), coin.index(), org.bitcoinj.script.Script.parse(new byte[0]));
        spend.addOutput(Coin.valueOf(1000), org.bitcoinj.script.ScriptBuilder.createP2WPKHOutputScript(node.minerKey));
        Block s2 = node.build(fork, List.of(), List.of(spend));
        Block s3 = node.build(s2.getHash(), List.of(), List.of());
        Block s4 = node.build(s3.getHash(), List.of(), List.of());
        org.sidechains.bmm.bitcoinj.prevout.PrevoutSource prevouts = op -> op.equals(coin)
                ? Optional.of(new org.sidechains.bmm.bitcoinj.prevout.Prevout(RegtestDriver.SUBSIDY, node.payoutScript()))
                : Optional.empty();
        assertInstanceOf(Offer.SideBranch.class, node.chain.offer(s2), "without prevouts: not checked yet");
        assertInstanceOf(Offer.SideBranch.class, node.chain.offer(s2, prevouts));
        assertInstanceOf(Offer.SideBranch.class, node.chain.offer(s3));
        assertEquals(new Offer.Connected(4, s4.getHash()), node.chain.offer(s4),
                "the reorg connects s2 with the prevouts of its second offer");
    }

    @Test
    void afterDisconnectToABlockHigherUpConnectsWithItsKeptAncestors() {
        List<Block> bs = branch(net.tip(), 3, 0);
        bs.forEach(net.chain::offer);
        List<D3Row> full = net.chain.d3().rows();
        net.chain.disconnectTo(0);
        assertEquals(0, entries());
        assertEquals(new Offer.Connected(3, bs.get(2).getHash()), net.chain.offer(bs.get(2)));
        assertEquals(full, net.chain.d3().rows());
        Block next = net.build(bs.get(2).getHash(), List.of(mh(9)), List.of());
        assertEquals(new Offer.Connected(4, next.getHash()), net.chain.offer(next));
    }

    @Test
    void aListenerThatThrowsDoesNotTurnAConnectedBlockIntoARefusal() {
        net.chain.addNewBestBlockListener(org.bitcoinj.utils.Threading.SAME_THREAD, b -> {
            throw new org.bitcoinj.core.VerificationException("a listener's own failure");
        });
        Block b = net.build(net.tip(), List.of(mh(3)), List.of());
        assertEquals(new Offer.Connected(1, b.getHash()), net.chain.offer(b));
        assertEquals(1, entries());
    }

    /** A block that breaks an M8 rule (an M8 without its M7 entry) on {@code prev}. */
    Block badBlockOn(Sha256Hash prev) {
        Transaction m8 = org.sidechains.bmm.bitcoinj.m8.BribeBuilder.build(
                org.sidechains.bmm.m8.M8Tag.forBlock(mh(9), net.heightOf(prev) + 1), net.minerKey, Coin.COIN,
                List.of(org.sidechains.bmm.bitcoinj.m8.BribeBuilder.Funding.p2wpkh(
                        new TransactionOutPoint(0, Sha256Hash.ZERO_HASH), RegtestDriver.SUBSIDY, net.minerKey)),
                org.bitcoinj.script.ScriptBuilder.createP2WPKHOutputScript(net.minerKey),
                org.sidechains.bmm.bitcoinj.tx.Fee.absolute(Coin.valueOf(1000))).tx();
        return net.build(prev, List.of(), List.of(m8));
    }

    @Test
    void aRefusedBlockAboveDisconnectedOnesLeavesTheHeadWhereItWas() {
        List<Block> bs = branch(net.tip(), 3, 0);
        bs.forEach(net.chain::offer);
        net.chain.disconnectTo(0);
        Offer.Refused r = assertInstanceOf(Offer.Refused.class, net.chain.offer(badBlockOn(bs.get(2).getHash())));
        assertEquals(Optional.of(org.sidechains.bmm.rules.RejectReason.M8_NO_M7), r.reason(), r.message());
        assertEquals(0, net.chain.getBestChainHeight(), "refused, and nothing changed");
        assertEquals(0, entries());
        assertEquals(new Offer.Connected(3, bs.get(2).getHash()), net.chain.offer(bs.get(2)));
    }

    @Test
    void aListenerFailingOnABlockConnectedAgainDoesNotStopTheOneAbove() {
        List<Block> bs = branch(net.tip(), 3, 0);
        bs.forEach(net.chain::offer);
        net.chain.disconnectTo(0);
        net.chain.addNewBestBlockListener(org.bitcoinj.utils.Threading.SAME_THREAD, b -> {
            if (b.getHeight() == 1) {
                throw new org.bitcoinj.core.VerificationException("a listener's own failure");
            }
        });
        assertEquals(new Offer.Connected(3, bs.get(2).getHash()), net.chain.offer(bs.get(2)));
        assertEquals(3, entries());
    }

    @Test
    void aListenerFailingOnASideBlockLeavesItOnItsBranch() {
        Sha256Hash fork = net.tip();
        net.mineEmpty(2);
        net.chain.addNewBestBlockListener(org.bitcoinj.utils.Threading.SAME_THREAD, b -> { });
        net.chain.addTransactionReceivedListener(org.bitcoinj.utils.Threading.SAME_THREAD,
                new org.bitcoinj.core.listeners.TransactionReceivedInBlockListener() {
                    @Override
                    public void receiveFromBlock(Transaction tx, org.bitcoinj.core.StoredBlock block,
                                                 org.bitcoinj.core.AbstractBlockChain.NewBlockType type, int offset) {
                        throw new org.bitcoinj.core.VerificationException("a listener's own failure");
                    }

                    @Override
                    public boolean notifyTransactionIsInBlock(Sha256Hash txHash, org.bitcoinj.core.StoredBlock block,
                                                              org.bitcoinj.core.AbstractBlockChain.NewBlockType type,
                                                              int relativityOffset) {
                        return false;
                    }
                });
        Block side = net.build(fork, List.of(mh(4)), List.of());
        assertEquals(new Offer.SideBranch(side.getHash()), net.chain.offer(side));
        assertEquals(2, net.chain.getBestChainHeight());
    }

    @Test
    void disconnectToStopsAtMaxReorgDepthEvenWhereLateBlocksStillHaveUndoData() {
        List<Block> a = branch(net.tip(), 2, 0); // heights 1, 2
        a.forEach(net.chain::offer);
        Sha256Hash fork = net.tip();
        List<Block> upA = branch(fork, 4, 10); // 3..6
        for (int i = 0; i < 3; i++) {
            net.chain.offer(upA.get(i));
        }
        for (Block b : branch(fork, 6, 20)) { // 3..8: wins; its blocks 3 and 4 arrived after A's and keep their undo
            net.chain.offer(b);
        }
        assertEquals(8, net.chain.getBestChainHeight());
        Sha256Hash head = net.tip();
        List<D3Row> before = net.chain.d3().rows();
        // maxReorgDepth 3: a state database keeps undo data down to height 5, so memory must not go further
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.chain.disconnectTo(2));
        assertTrue(e.getMessage().contains("no undo data"), e.getMessage());
        assertEquals(head, net.tip());
        assertEquals(before, net.chain.d3().rows());
        net.chain.disconnectTo(4); // the deepest it may go: blocks 5..8 off
        assertEquals(4, net.chain.getBestChainHeight());
    }

    @Test
    void addNamesTheBmmReasonOfABlockBelowThatIsRefusedAsItConnectsAgain() throws Exception {
        Sha256Hash fork = net.tip();
        for (Block b : branch(fork, 3, 0)) { // 1..3 connected
            net.chain.offer(b);
        }
        // a shorter branch from genesis, stored but never connected, so never checked: its first block breaks M8
        Block bad = net.build(fork, List.of(), List.of(bribeWithoutM7(1)));
        assertInstanceOf(Offer.SideBranch.class, net.chain.offer(bad));
        Block onBad = net.build(bad.getHash(), List.of(mh(40)), List.of());
        assertInstanceOf(Offer.SideBranch.class, net.chain.offer(onBad));
        net.chain.disconnectTo(0);
        // the next block on that branch connects its blocks first: the bad one is refused
        Block next = net.build(onBad.getHash(), List.of(mh(41)), List.of());
        org.bitcoinj.core.VerificationException e = assertThrows(org.bitcoinj.core.VerificationException.class,
                () -> net.chain.add(next));
        assertTrue(e.getMessage().contains("below this one, was refused"), e.getMessage());
        BmmVerificationException cause = assertInstanceOf(BmmVerificationException.class, e.getCause(), e.getMessage());
        assertEquals(org.sidechains.bmm.rules.RejectReason.M8_NO_M7, cause.reason());
        assertEquals(bad.getHash(), cause.blockHash());
        assertEquals(0, net.chain.getBestChainHeight(), "nothing changed");
        assertEquals(0, entries());
    }

    /** A bribe for a block at {@code height} with no M7 for it: refused with bmm-m8-no-m7 if connected. */
    Transaction bribeWithoutM7(int height) {
        return net.m8(org.sidechains.bmm.m8.M8Tag.forBlock(mh(9), height),
                new org.bitcoinj.core.TransactionOutPoint(0, Sha256Hash.ZERO_HASH));
    }
}
