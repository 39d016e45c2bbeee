package org.sidechains.bmm.bitcoinj.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.bitcoinj.base.Coin;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.core.VerificationException;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.RegtestDriver;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder;
import org.sidechains.bmm.bitcoinj.m9.M9Scripts;
import org.sidechains.bmm.bitcoinj.m9.M9Spender;
import org.sidechains.bmm.bitcoinj.tx.Fee;
import org.sidechains.bmm.cbv.CbvPayload;
import org.sidechains.bmm.m8.M8Tag;
import org.sidechains.bmm.rules.RejectReason;

/** OP_CBV enforced by the chain at the protocol's depth (100), with real bribes and sweeps. */
class BmmChainCbvTest {
    static final int CHAIN = 3;
    RegtestDriver net;
    List<TransactionOutPoint> coins;
    final ECKey simon = new ECKey();
    final ECKey mary = new ECKey();

    static Hash32 h(int i) {
        byte[] x = new byte[32];
        Arrays.fill(x, (byte) 0x5c);
        x[0] = (byte) i;
        x[1] = (byte) (i >> 8);
        return Hash32.wrap(x);
    }

    /** The same verdicts with an index of every output and with one of only those that can run OP_CBV. */
    void setUp(OutputIndex.Scope scope) {
        BmmChainConfig cfg = scope == OutputIndex.Scope.ALL
                ? BmmChainConfig.regtest().withFullOutputIndex() : BmmChainConfig.regtest();
        assertEquals(scope, cfg.outputIndex());
        net = new RegtestDriver(cfg);
        coins = net.mineEmpty(3);
    }

    BribeBuilder.Funding coin(int i) {
        return BribeBuilder.Funding.p2wpkh(coins.get(i), RegtestDriver.SUBSIDY, net.minerKey);
    }

    Script change() {
        return ScriptBuilder.createP2WPKHOutputScript(simon);
    }

    /** BMMs CHAIN once per block with side:blocks h(from), h(from+1), ... each on the previous. */
    void bmm(int from, int count) {
        for (int i = from; i < from + count; i++) {
            assertInstanceOf(Offer.Connected.class, net.mine(List.of(new MiniHeader(CHAIN, h(i), 0))));
        }
    }

    @ParameterizedTest
    @EnumSource(value = OutputIndex.Scope.class, names = {"ALL", "CBV"})
    void minerSweepNeeds100BlocksAtop(OutputIndex.Scope scope) {
        setUp(scope);
        MiniHeader first = new MiniHeader(CHAIN, h(0), 0);
        M8Tag tag = M8Tag.forBlock(first, 4);
        BribeBuilder.Bribe bribe = BribeBuilder.build(tag, mary, Coin.COIN, List.of(coin(0)), change(),
                Fee.absolute(Coin.valueOf(1000)));
        assertEquals(4, assertInstanceOf(Offer.Connected.class, net.mine(List.of(first), List.of(bribe.tx()))).height());
        bmm(1, 99);
        assertEquals(OptionalInt.of(99), net.chain.d3().blocksAtop(CHAIN, h(0)));

        Transaction sweep = M9Spender.sweep(List.of(M9Spender.Claim.miner(bribe.payoutOutpoint(), Coin.COIN,
                bribe.witnessScript(), mary)), ScriptBuilder.createP2WPKHOutputScript(mary), Fee.absolute(Coin.valueOf(500)));
        Offer early = net.mine(List.of(), List.of(sweep));
        Offer.Refused r = assertInstanceOf(Offer.Refused.class, early);
        assertEquals(Optional.of(RejectReason.CBV_UNSATISFIED), r.reason(), r.message());

        bmm(100, 1);
        assertEquals(OptionalInt.of(100), net.chain.d3().blocksAtop(CHAIN, h(0)));
        assertInstanceOf(Offer.Connected.class, net.mine(List.of(), List.of(sweep)));
    }

    /** A refund-variant bribe and its witness script. */
    record Unclaimed(Script refund, BribeBuilder.Bribe bribe) {
    }

    /** A refund-variant bribe for a side:block that gets no descendants, mined 6 blocks below the new tip (its CSV delay is 5). */
    Unclaimed unclaimedRefundBribe() {
        MiniHeader never = new MiniHeader(CHAIN, h(0xbeef), 0);
        Script refund = M9Scripts.refund(CbvPayload.v1(never), mary, 5, simon);
        BribeBuilder.Bribe bribe = BribeBuilder.build(M8Tag.forBlock(never, 4), refund, Coin.COIN, List.of(coin(0)),
                change(), Fee.absolute(Coin.valueOf(1000)));
        // an M8 needs its M7 entry, so this block BMMs the side:block; the entry then gets no descendants
        assertInstanceOf(Offer.Connected.class, net.mine(List.of(never), List.of(bribe.tx())));
        net.mineEmpty(5);
        return new Unclaimed(refund, bribe);
    }

    @ParameterizedTest
    @EnumSource(value = OutputIndex.Scope.class, names = {"ALL", "CBV"})
    void refundBranchIsSpendableWithoutCbv(OutputIndex.Scope scope) {
        setUp(scope);
        // a bribe for a side:block that never gets BMMed: the miner cannot claim, Simon takes it back
        Unclaimed u = unclaimedRefundBribe();
        Script refund = u.refund();
        BribeBuilder.Bribe bribe = u.bribe();

        Transaction minerClaim = M9Spender.sweep(List.of(M9Spender.Claim.miner(bribe.payoutOutpoint(), Coin.COIN,
                refund, mary)), ScriptBuilder.createP2WPKHOutputScript(mary), Fee.absolute(Coin.valueOf(500)));
        assertEquals(Optional.of(RejectReason.CBV_UNSATISFIED),
                assertInstanceOf(Offer.Refused.class, net.mine(List.of(), List.of(minerClaim))).reason());

        Transaction back = M9Spender.sweep(List.of(M9Spender.Claim.refund(bribe.payoutOutpoint(), Coin.COIN,
                refund, simon)), change(), Fee.absolute(Coin.valueOf(500)));
        assertInstanceOf(Offer.Connected.class, net.mine(List.of(), List.of(back)));
    }

    @ParameterizedTest
    @EnumSource(value = OutputIndex.Scope.class, names = {"ALL", "CBV"})
    void anOutputCreatedEarlierInTheSameBlockIsAKnownPrevout(OutputIndex.Scope scope) {
        setUp(scope);
        MiniHeader first = new MiniHeader(CHAIN, h(0), 0);
        BribeBuilder.Bribe bribe = BribeBuilder.build(M8Tag.forBlock(first, 4), mary, Coin.COIN, List.of(coin(0)),
                change(), Fee.absolute(Coin.valueOf(1000)));
        Transaction sweep = M9Spender.sweep(List.of(M9Spender.Claim.miner(bribe.payoutOutpoint(), Coin.COIN,
                bribe.witnessScript(), mary)), ScriptBuilder.createP2WPKHOutputScript(mary), Fee.absolute(Coin.valueOf(500)));
        // the sweep spends the bribe in the same block: its OP_CBV is checked (and fails), not "unknown"
        Offer.Refused r = assertInstanceOf(Offer.Refused.class, net.mine(List.of(first), List.of(bribe.tx(), sweep)));
        assertEquals(Optional.of(RejectReason.CBV_UNSATISFIED), r.reason(), r.message());
    }

    @Test
    void anUnknownPrevoutIsRefusedWithoutABmmReasonByAFullIndex() {
        setUp(OutputIndex.Scope.ALL);
        Offer.Refused r = assertInstanceOf(Offer.Refused.class, net.mine(List.of(), List.of(spendOfNothing())));
        assertEquals(Optional.empty(), r.reason());
        assertEquals(true, r.message().contains("is unknown"), r.message());
    }

    @Test
    void anIndexOfCbvOutputsLeavesUnknownPrevoutsToTheNode() {
        // the node rules out spends of missing outputs; an output this index does not hold runs no OP_CBV
        setUp(OutputIndex.Scope.CBV);
        assertInstanceOf(Offer.Connected.class, net.mine(List.of(), List.of(spendOfNothing())));
    }

    Transaction spendOfNothing() {
        Transaction tx = new Transaction();
        tx.addInput(org.bitcoinj.base.Sha256Hash.of(new byte[] {7}), 0, Script.parse(new byte[0]));
        tx.addOutput(Coin.COIN, ScriptBuilder.createP2WPKHOutputScript(mary));
        return tx;
    }

    @ParameterizedTest
    @EnumSource(value = OutputIndex.Scope.class, names = {"ALL", "CBV"})
    void aReorgRefusedOnCbvHalfwayThroughABlockLeavesTheIndexAsItWas(OutputIndex.Scope scope) {
        setUp(scope);
        org.bitcoinj.base.Sha256Hash fork = net.tip(); // height 3
        // the head's branch: a bribe at height 4, whose P2WSH payout the index holds
        MiniHeader mainEntry = new MiniHeader(CHAIN, h(1), 0);
        BribeBuilder.Bribe kept = BribeBuilder.build(M8Tag.forBlock(mainEntry, 4), mary, Coin.COIN, List.of(coin(0)),
                change(), Fee.absolute(Coin.valueOf(1000)));
        assertInstanceOf(Offer.Connected.class, net.mine(List.of(mainEntry), List.of(kept.tx())));
        org.bitcoinj.base.Sha256Hash head = net.tip();
        int indexed = net.chain.indexedOutputs();
        List<org.sidechains.bmm.d3.D3Row> rows = net.chain.d3().rows();

        // a heavier branch whose second block creates a payout and then spends it too early
        MiniHeader sideEntry = new MiniHeader(CHAIN, h(2), 0);
        BribeBuilder.Bribe early = BribeBuilder.build(M8Tag.forBlock(sideEntry, 5), mary, Coin.COIN, List.of(coin(1)),
                change(), Fee.absolute(Coin.valueOf(1000)));
        Transaction sweep = M9Spender.sweep(List.of(M9Spender.Claim.miner(early.payoutOutpoint(), Coin.COIN,
                early.witnessScript(), mary)), ScriptBuilder.createP2WPKHOutputScript(mary), Fee.absolute(Coin.valueOf(500)));
        org.bitcoinj.core.Block s4 = net.build(fork, List.of(), List.of());
        org.bitcoinj.core.Block s5 = net.build(s4.getHash(), List.of(sideEntry), List.of(early.tx(), sweep));
        assertInstanceOf(Offer.SideBranch.class, net.chain.offer(s4));
        Offer.Refused r = assertInstanceOf(Offer.Refused.class, net.chain.offer(s5));
        assertEquals(Optional.of(RejectReason.CBV_UNSATISFIED), r.reason(), r.message());

        assertEquals(head, net.tip());
        assertEquals(rows, net.chain.d3().rows());
        assertEquals(indexed, net.chain.indexedOutputs(), "the index is back where it was");
        // and the payout the index holds still counts: it matures on the head's branch
        bmm(2, 100);
        Transaction claim = M9Spender.sweep(List.of(M9Spender.Claim.miner(kept.payoutOutpoint(), Coin.COIN,
                kept.witnessScript(), mary)), ScriptBuilder.createP2WPKHOutputScript(mary), Fee.absolute(Coin.valueOf(500)));
        assertInstanceOf(Offer.Connected.class, net.mine(List.of(), List.of(claim)));
    }

    /** {@code BmmRules.check} itself (the embedded chain's entry) with a source that holds only OP_CBV outputs. */
    @Test
    void theRulesTakeAPartialSourceAtItsWord() {
        setUp(OutputIndex.Scope.CBV);
        OutputIndex onlyCbv = new OutputIndex(OutputIndex.Scope.CBV);
        MiniHeader first = new MiniHeader(CHAIN, h(0), 0);
        BribeBuilder.Bribe bribe = BribeBuilder.build(M8Tag.forBlock(first, 4), mary, Coin.COIN, List.of(coin(0)),
                change(), Fee.absolute(Coin.valueOf(1000)));
        Transaction sweep = M9Spender.sweep(List.of(M9Spender.Claim.miner(bribe.payoutOutpoint(), Coin.COIN,
                bribe.witnessScript(), mary)), ScriptBuilder.createP2WPKHOutputScript(mary), Fee.absolute(Coin.valueOf(500)));
        org.sidechains.bmm.rules.BmmParams params = org.sidechains.bmm.rules.BmmParams.regtest();
        // the funding coin is not in the partial source: taken as one that runs no OP_CBV
        assertInstanceOf(BmmRules.Verdict.Pass.class, BmmRules.check(params, 4,
                net.build(net.tip(), List.of(first), List.of(bribe.tx())), onlyCbv, net.chain.d3()));
        // the payout is made earlier in the same block, so it is found there, and its OP_CBV fails
        BmmRules.Verdict.Broken b = assertInstanceOf(BmmRules.Verdict.Broken.class, BmmRules.check(params, 4,
                net.build(net.tip(), List.of(first), List.of(bribe.tx(), sweep)), onlyCbv, net.chain.d3()));
        assertEquals(RejectReason.CBV_UNSATISFIED, b.reason());
        // a complete source that does not know the funding coin says so
        assertInstanceOf(BmmRules.Verdict.MissingPrevout.class, BmmRules.check(params, 4,
                net.build(net.tip(), List.of(first), List.of(bribe.tx())), new OutputIndex(), net.chain.d3()));
    }

    @ParameterizedTest
    @EnumSource(value = OutputIndex.Scope.class, names = {"ALL", "CBV"})
    void aBlockWithoutItsWitnessesIsRefusedWithoutABmmReason(OutputIndex.Scope scope) {
        setUp(scope);
        // the refund branch runs no OP_CBV: with its witness the block is valid
        Unclaimed u = unclaimedRefundBribe();
        Transaction back = M9Spender.sweep(List.of(M9Spender.Claim.refund(u.bribe().payoutOutpoint(), Coin.COIN,
                u.refund(), simon)), change(), Fee.absolute(Coin.valueOf(500)));
        Block full = net.build(net.tip(), List.of(), List.of(back));
        // as bitcoinj's P2P download hands it over: same header, no witnesses
        Block stripped = Block.read(ByteBuffer.wrap(full.serialize()));
        for (Transaction tx : stripped.getTransactions()) {
            for (int i = 0; i < tx.getInputs().size(); i++) {
                tx.replaceInput(i, tx.getInput(i).withWitness(TransactionWitness.EMPTY));
            }
        }
        assertEquals(full.getHash(), stripped.getHash());
        int height = net.chain.getBestChainHeight();

        Offer.Refused r = assertInstanceOf(Offer.Refused.class, net.chain.offer(stripped));
        assertEquals(Optional.empty(), r.reason(), r.message());
        assertTrue(r.message().contains("came without its witnesses"), r.message());
        VerificationException e = assertThrows(VerificationException.class, () -> net.chain.add(stripped));
        assertInstanceOf(WitnessMissingException.class, e.getCause() != null ? e.getCause() : e);
        assertEquals(height, net.chain.getBestChainHeight());

        assertInstanceOf(Offer.Connected.class, net.chain.offer(full));
    }
}
