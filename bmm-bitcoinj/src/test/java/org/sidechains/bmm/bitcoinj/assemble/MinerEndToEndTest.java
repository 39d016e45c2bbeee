package org.sidechains.bmm.bitcoinj.assemble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.bitcoinj.base.Coin;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.RegtestDriver;
import org.sidechains.bmm.bitcoinj.SegwitV0Verifier;
import org.sidechains.bmm.bitcoinj.chain.BmmChainConfig;
import org.sidechains.bmm.bitcoinj.chain.Offer;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder.Bribe;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder.Funding;
import org.sidechains.bmm.bitcoinj.m9.M9Scripts;
import org.sidechains.bmm.bitcoinj.m9.M9Spender;
import org.sidechains.bmm.bitcoinj.pool.Admission;
import org.sidechains.bmm.bitcoinj.pool.BribePool;
import org.sidechains.bmm.bitcoinj.pool.PooledBribe;
import org.sidechains.bmm.bitcoinj.pool.Tip;
import org.sidechains.bmm.bitcoinj.prevout.PrevoutSource;
import org.sidechains.bmm.bitcoinj.tx.Fee;
import org.sidechains.bmm.d3.D3Entry;
import org.sidechains.bmm.m8.M8Tag;
import org.sidechains.bmm.rules.RejectReason;

/**
 * Simon bribes Mary for two sidechains in every block; Mary runs the pool and the assembler; the
 * BMM chain connects every block; after 100 more BMM blocks Mary sweeps her first two bribes.
 */
class MinerEndToEndTest {
    static final int[] CHAINS = {1, 2};
    static final Fee FEE = Fee.absolute(Coin.valueOf(1_000));

    final RegtestDriver net = new RegtestDriver(BmmChainConfig.regtest().withFullOutputIndex());
    final ECKey mary = new ECKey();
    final ECKey simon = new ECKey();
    final Script simonChange = ScriptBuilder.createP2WPKHOutputScript(simon);
    final Script maryPayout = ScriptBuilder.createP2WPKHOutputScript(mary);
    final BlockAssembler assembler = new BlockAssembler(RegtestDriver.PARAMS, maryPayout);
    final BribePool pool = new BribePool(ECKey.fromPublicOnly(mary), net.chain.prevouts(),
            Tip.of(net.chain.getChainHead()));
    /** Simon's next funding output per chain. */
    final Funding[] funding = new Funding[256];

    static MiniHeader mh(int chain, int n) {
        return new MiniHeader(chain, Txs.hStar(chain, n), 0);
    }

    int nextHeight() {
        return net.chain.getChainHead().getHeight() + 1;
    }

    /** Simon: a bribe for side:block n of every chain, each spending the previous one's change. */
    void simonBribes(int n, Coin amount) {
        for (int c : CHAINS) {
            Bribe b = BribeBuilder.build(M8Tag.forBlock(mh(c, n), nextHeight()), ECKey.fromPublicOnly(mary), amount,
                    List.of(funding[c]), simonChange, FEE);
            Admission a = pool.submit(b.tx());
            assertTrue(a.accepted(), a.toString());
            int change = b.changeIndex().getAsInt();
            funding[c] = Funding.p2wpkh(new TransactionOutPoint(change, b.tx().getTxId()),
                    b.tx().getOutput(change).getValue(), simon);
        }
    }

    /** Mary: assembles on the head from the pool's winners (and extras), offers, follows the new tip. */
    Offer mineRound(List<Transaction> extras) {
        List<Transaction> winners = pool.winners();
        List<Transaction> all = new ArrayList<>(winners);
        all.addAll(extras);
        PrevoutSource before = Txs.snapshot(net.chain.prevouts(), all);
        AssembledBlock ab = assembler.assemble(Txs.template(net.chain, List.of()), winners, net.chain.prevouts(),
                BlockAssembler.Options.NONE.withExtraTransactions(extras));
        assertEquals(List.of(), ab.stripped());
        assertEquals(Subsidy.at(RegtestDriver.PARAMS, ab.height()).add(Txs.feesOf(ab.block(), before)),
                ab.block().getTransactions().get(0).getOutputSum());
        Offer o = net.chain.offer(ab.block());
        if (o instanceof Offer.Connected) {
            pool.onTip(net.chain.getChainHead());
        }
        return o;
    }

    @Test
    void bribeIncludeBuryAndSweep() {
        List<TransactionOutPoint> coins = net.mineEmpty(2);
        net.mineEmpty(100);
        pool.onTip(net.chain.getChainHead());
        for (int i = 0; i < CHAINS.length; i++) {
            funding[CHAINS[i]] = Funding.p2wpkh(coins.get(i), RegtestDriver.SUBSIDY, net.minerKey);
        }

        // round 0: bribes for both chains, one block carries both
        simonBribes(0, Coin.COIN);
        List<PooledBribe> first = pool.snapshot();
        assertEquals(2, first.size());
        Offer.Connected c0 = assertInstanceOf(Offer.Connected.class, mineRound(List.of()));
        int h0 = c0.height();
        assertEquals(0, pool.size()); // the tip changed
        for (int c : CHAINS) {
            List<D3Entry> entries = net.chain.d3().lookup(c, Txs.hStar(c, 0));
            assertEquals(1, entries.size());
            assertEquals(h0, entries.get(0).height());
            assertEquals(0, entries.get(0).blocksAtop());
        }

        // Mary's sweep of the two first bribes, to be put straight into one of her blocks
        List<M9Spender.Claim> claims = new ArrayList<>();
        for (PooledBribe b : first) {
            for (PooledBribe.Payout p : b.payouts()) {
                claims.add(M9Spender.Claim.miner(p.outpoint(), p.value(), p.witnessScript(), mary));
            }
        }
        Transaction sweep = M9Spender.sweep(claims, maryPayout, Fee.absolute(Coin.valueOf(2_000)));
        for (int i = 0; i < claims.size(); i++) {
            // bitcoinj's interpreter (OP_CBV as the NOP old nodes see) accepts every witness
            SegwitV0Verifier.verifyP2wsh(sweep, i, M9Scripts.p2wsh(claims.get(i).witnessScript()),
                    claims.get(i).value(), SegwitV0Verifier.CONSENSUS_FLAGS);
        }

        // rounds 1..100: each BMMs side:block n on side:block n-1 (prevBlockRef 0)
        for (int n = 1; n <= 100; n++) {
            simonBribes(n, Coin.valueOf(10_000));
            if (n == 100) {
                // 99 blocksAtop so far: the sweep is still too early, and the refused block changes nothing
                assertEquals(OptionalInt.of(99), net.chain.d3().blocksAtop(1, Txs.hStar(1, 0)));
                Offer.Refused early = assertInstanceOf(Offer.Refused.class, mineRound(List.of(sweep)));
                assertEquals(Optional.of(RejectReason.CBV_UNSATISFIED), early.reason(), early.message());
                assertEquals(2, pool.size());
            }
            assertInstanceOf(Offer.Connected.class, mineRound(List.of()));
        }
        for (int c : CHAINS) {
            assertEquals(OptionalInt.of(100), net.chain.d3().blocksAtop(c, Txs.hStar(c, 0)));
        }

        // round 101: the sweep goes in as an extra transaction, beside the new bribes
        simonBribes(101, Coin.valueOf(10_000));
        Offer.Connected last = assertInstanceOf(Offer.Connected.class, mineRound(List.of(sweep)));
        assertEquals(h0 + 101, last.height());
        TransactionOutPoint swept = new TransactionOutPoint(0, sweep.getTxId());
        assertEquals(Coin.valueOf(2, 0).subtract(Coin.valueOf(2_000)),
                net.chain.prevouts().find(swept).orElseThrow().value());
        for (PooledBribe b : first) {
            assertTrue(net.chain.prevouts().find(b.payouts().get(0).outpoint()).isEmpty());
        }
        assertTrue(last.height() > 150, "the run crosses the regtest halving at 150");
    }
}
