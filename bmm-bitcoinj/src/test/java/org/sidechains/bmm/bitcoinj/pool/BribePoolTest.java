package org.sidechains.bmm.bitcoinj.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bitcoinj.base.Coin;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.crypto.TransactionSignature;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.Fixtures;
import org.sidechains.bmm.bitcoinj.RegtestDriver;
import org.sidechains.bmm.bitcoinj.assemble.AssembledBlock;
import org.sidechains.bmm.bitcoinj.assemble.BlockAssembler;
import org.sidechains.bmm.bitcoinj.assemble.Txs;
import org.sidechains.bmm.bitcoinj.assemble.Txs.In;
import org.sidechains.bmm.bitcoinj.assemble.Txs.Out;
import org.sidechains.bmm.bitcoinj.chain.BmmChainConfig;
import org.sidechains.bmm.bitcoinj.chain.Offer;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder.Bribe;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder.Funding;
import org.sidechains.bmm.bitcoinj.m9.M9Scripts;
import org.sidechains.bmm.bitcoinj.prevout.PrevoutSource;
import org.sidechains.bmm.bitcoinj.tx.BlockReadiness;
import org.sidechains.bmm.bitcoinj.tx.Fee;
import org.sidechains.bmm.cbv.CbvPayload;
import org.sidechains.bmm.m8.M8Codec;
import org.sidechains.bmm.m8.M8Tag;

/** The bribe pool against a real regtest chain (BmmBlockChain fed by RegtestDriver). */
class BribePoolTest {
    static final Fee FEE = Fee.absolute(Coin.valueOf(1_000));

    RegtestDriver net;
    List<TransactionOutPoint> coins;
    final ECKey mary = new ECKey();
    final ECKey simon = new ECKey();
    BribePool pool;

    @BeforeEach
    void setUp() {
        net = new RegtestDriver(BmmChainConfig.regtest().withFullOutputIndex());
        coins = net.mineEmpty(6);
        net.mineEmpty(BlockReadiness.COINBASE_MATURITY); // so that the coins can be spent in the next block
        pool = new BribePool(ECKey.fromPublicOnly(mary), net.chain.prevouts(), Tip.of(net.chain.getChainHead()));
    }

    int nextHeight() {
        return net.nextHeight();
    }

    static MiniHeader mh(int chain, int n) {
        return Txs.miniHeader(chain, n);
    }

    Funding coin(int i) {
        return Funding.p2wpkh(coins.get(i), RegtestDriver.SUBSIDY, net.minerKey);
    }

    In in(int i) {
        return new In(coins.get(i), RegtestDriver.SUBSIDY, net.minerKey);
    }

    Script change() {
        return ScriptBuilder.createP2WPKHOutputScript(simon);
    }

    Bribe bribe(int chain, Coin amount, int coin) {
        return BribeBuilder.build(M8Tag.forBlock(mh(chain, 0), nextHeight()), mary, amount, List.of(coin(coin)),
                change(), FEE);
    }

    Script standardFor(int chain) {
        return M9Scripts.standard(CbvPayload.v1(mh(chain, 0)), mary);
    }

    static Admission.Refused refused(Admission a, RefusalReason expected) {
        Admission.Refused r = assertInstanceOf(Admission.Refused.class, a, a.toString());
        assertEquals(expected, r.reason(), r.message());
        assertFalse(r.message().isBlank());
        return r;
    }

    static Admission.Accepted accepted(Admission a) {
        return assertInstanceOf(Admission.Accepted.class, a, a.toString());
    }

    @Test
    void acceptsABribeForThisMiner() {
        Bribe b = bribe(1, Coin.COIN, 0);
        Admission.Accepted a = accepted(pool.submit(b.tx()));
        assertEquals(1, a.chain());
        assertEquals(b.tx().getTxId(), a.txid());
        assertEquals(Coin.COIN, a.amount());
        assertEquals(Optional.empty(), a.replaced());

        PooledBribe p = pool.best(1).orElseThrow();
        assertEquals(b.tag(), p.tag());
        assertEquals(b.fee(), p.fee());
        assertEquals(List.of(new PooledBribe.Payout(b.payoutOutpoint(), Coin.COIN, b.witnessScript())), p.payouts());
        assertArrayEquals(b.tx().serialize(), p.tx().serialize());
        assertEquals(List.of(p), pool.snapshot());
        assertEquals(List.of(p.tx()), pool.winners());
        // the pool keeps its own copy
        assertFalse(p.tx() == b.tx());
    }

    @Test
    void notAnM8() {
        Transaction v2 = Txs.pay(in(0), Out.to(Coin.COIN, mary));
        assertTrue(refused(pool.submit(v2), RefusalReason.NOT_M8).message().contains("version 2"));
        // version 3 without the tag in output 0 (Bitcoin Core 28's TRUC transactions look like this)
        Transaction v3 = Txs.spend(3, List.of(in(0)), List.of(Out.to(Coin.COIN, standardFor(1))));
        assertTrue(refused(pool.submit(v3), RefusalReason.NOT_M8).message().contains("output 0"));
        // the tag in output 1 does not count
        M8Tag tag = M8Tag.forBlock(mh(1, 0), nextHeight());
        Transaction late = Txs.spend(3, List.of(in(0)), List.of(Out.to(Coin.COIN, M9Scripts.p2wsh(standardFor(1))),
                Out.tag(tag)));
        refused(pool.submit(late), RefusalReason.NOT_M8);
        assertEquals(0, pool.size());
    }

    @Test
    void duplicate() {
        Bribe b = bribe(1, Coin.COIN, 0);
        accepted(pool.submit(b.tx()));
        refused(pool.submit(b.tx()), RefusalReason.DUPLICATE);
        // the same transaction read back from the wire
        refused(pool.submit(Transaction.read(java.nio.ByteBuffer.wrap(b.tx().serialize()))), RefusalReason.DUPLICATE);
        assertEquals(1, pool.size());
    }

    @Test
    void malformed() {
        M8Tag tag = M8Tag.forBlock(mh(1, 0), nextHeight());
        Out pay = Out.to(Coin.COIN, M9Scripts.p2wsh(standardFor(1)));
        Transaction twice = Txs.spend(3, List.of(in(0), in(0)), List.of(Out.tag(tag), pay));
        assertTrue(refused(pool.submit(twice), RefusalReason.MALFORMED).message().contains("second time"));

        Transaction tooMuch = Txs.spend(3, List.of(in(0)), List.of(Out.tag(tag),
                Out.to(RegtestDriver.SUBSIDY.add(Coin.SATOSHI), M9Scripts.p2wsh(standardFor(1)))));
        assertTrue(refused(pool.submit(tooMuch), RefusalReason.MALFORMED).message().contains("exceed"));

        Transaction none = new Transaction();
        none.setVersion(3);
        none.addOutput(new TransactionOutput(none, Coin.ZERO, M8Codec.script(tag)));
        refused(pool.submit(none), RefusalReason.MALFORMED);
    }

    @Test
    void wrongAnchor() {
        int next = nextHeight();
        for (int height : new int[] {next - 1, next + 1, next + 65536 + 1}) {
            Bribe b = BribeBuilder.build(M8Tag.forBlock(mh(1, 0), height), mary, Coin.COIN, List.of(coin(0)),
                    change(), FEE);
            refused(pool.submit(b.tx()), RefusalReason.WRONG_ANCHOR);
        }
        // the anchor is the height mod 65536: a pool at tip 65535 wants anchor 0
        BribePool far = new BribePool(mary, net.chain.prevouts(), new Tip(65535, net.tip()));
        Bribe zero = BribeBuilder.build(M8Tag.forBlock(mh(1, 0), 65536), mary, Coin.COIN, List.of(coin(0)),
                change(), FEE);
        assertEquals(0, zero.tag().mainAnchor());
        accepted(far.submit(zero.tx()));
    }

    @Test
    void inputUnknownOrSpent() {
        Funding unknown = Funding.p2wpkh(Fixtures.outpoint("nowhere", 0), Coin.COIN, net.minerKey);
        Bribe b = BribeBuilder.build(M8Tag.forBlock(mh(1, 0), nextHeight()), mary, Coin.CENT, List.of(unknown),
                change(), FEE);
        refused(pool.submit(b.tx()), RefusalReason.INPUT_UNKNOWN_OR_SPENT);

        // coin 3 is spent by a block; the pool follows the chain's outputs
        assertInstanceOf(Offer.Connected.class, net.mine(List.of(), List.of(Txs.pay(in(3),
                Out.to(RegtestDriver.SUBSIDY.subtract(Coin.valueOf(500)), simon)))));
        pool.onTip(net.chain.getChainHead());
        Admission.Refused r = refused(pool.submit(bribe(1, Coin.COIN, 3).tx()), RefusalReason.INPUT_UNKNOWN_OR_SPENT);
        assertTrue(r.message().contains(coins.get(3).toString()), r.message());
    }

    @Test
    void notPayingThisMiner() {
        ECKey other = new ECKey();
        M8Tag tag = M8Tag.forBlock(mh(1, 0), nextHeight());
        // another miner's key
        Bribe toOther = BribeBuilder.build(tag, other, Coin.COIN, List.of(coin(0)), change(), FEE);
        refused(pool.submit(toOther.tx()), RefusalReason.NOT_PAYING_MINER);
        // this miner, but the payload is for another mini-header (or another chain)
        for (MiniHeader wrong : List.of(mh(1, 1), mh(2, 0), new MiniHeader(1, Txs.hStar(1, 0), 1))) {
            Script ws = M9Scripts.standard(CbvPayload.v1(wrong), mary);
            // built by hand: BribeBuilder refuses a payload that is not the tag's
            assertThrows(IllegalArgumentException.class,
                    () -> BribeBuilder.build(tag, ws, Coin.COIN, List.of(coin(0)), change(), FEE));
            Transaction b = Txs.spend(3, List.of(in(0)), List.of(Out.tag(tag), Out.to(Coin.COIN, M9Scripts.p2wsh(ws))));
            refused(pool.submit(b), RefusalReason.NOT_PAYING_MINER);
            refused(pool.submit(b, ws), RefusalReason.NOT_PAYING_MINER);
        }
        // a version-2 payload, even for the right side:block, is not "v1 for exactly the mini-header"
        Script v2 = M9Scripts.standard(new CbvPayload.V2(1, Txs.hStar(1, 0), Txs.hStar(1, 99)), mary);
        Bribe b2 = BribeBuilder.build(tag, v2, Coin.COIN, List.of(coin(0)), change(), FEE);
        refused(pool.submit(b2.tx(), v2), RefusalReason.NOT_PAYING_MINER);
        // a given witness script that is no M9 script, or pays another key
        Script p2pk = ScriptBuilder.createP2PKOutputScript(mary);
        Transaction odd = Txs.spend(3, List.of(in(0)), List.of(Out.tag(tag), Out.to(Coin.COIN, M9Scripts.p2wsh(p2pk))));
        assertTrue(refused(pool.submit(odd, p2pk), RefusalReason.NOT_PAYING_MINER).message()
                .contains("not an M9 script"));
        refused(pool.submit(toOther.tx(), toOther.witnessScript()), RefusalReason.NOT_PAYING_MINER);
        // paying this miner's key directly (no M9 script) is not a bribe in this profile
        Transaction direct = Txs.spend(3, List.of(in(0)), List.of(Out.tag(tag), Out.to(Coin.COIN, mary)));
        refused(pool.submit(direct), RefusalReason.NOT_PAYING_MINER);
        assertEquals(0, pool.size());
    }

    @Test
    void theAmountIsTheSumOfOutputsPayingTheMinersScript() {
        M8Tag tag = M8Tag.forBlock(mh(1, 0), nextHeight());
        Script p2wsh = M9Scripts.p2wsh(standardFor(1));
        Transaction tx = Txs.spend(3, List.of(in(0)), List.of(Out.tag(tag), Out.to(Coin.COIN, p2wsh),
                Out.to(Coin.valueOf(3, 0), simon), Out.to(Coin.CENT, p2wsh)));
        Admission.Accepted a = accepted(pool.submit(tx));
        assertEquals(Coin.COIN.add(Coin.CENT), a.amount());
        assertEquals(List.of(1, 3), pool.best(1).orElseThrow().payouts().stream()
                .map(p -> (int) p.outpoint().index()).toList());
    }

    @Test
    void refundVariantNeedsItsWitnessScriptAndALongDelay() {
        M8Tag tag = M8Tag.forBlock(mh(1, 0), nextHeight());
        Script refund = M9Scripts.refund(CbvPayload.v1(mh(1, 0)), mary, 300, simon);
        Bribe b = BribeBuilder.build(tag, refund, Coin.COIN, List.of(coin(0)), change(), FEE);
        // the pool cannot recompute a refund script: without it, nothing pays this miner
        refused(pool.submit(b.tx()), RefusalReason.NOT_PAYING_MINER);
        Admission.Accepted a = accepted(pool.submit(b.tx(), refund));
        assertEquals(Coin.COIN, a.amount());
        assertEquals(refund, pool.best(1).orElseThrow().payouts().get(0).witnessScript());

        // the sidechain node could take it back before the miner can claim
        Script quick = M9Scripts.refund(CbvPayload.v1(mh(2, 0)), mary, 150, simon);
        Bribe q = BribeBuilder.build(M8Tag.forBlock(mh(2, 0), nextHeight()), quick, Coin.COIN, List.of(coin(1)),
                change(), FEE);
        refused(pool.submit(q.tx(), quick), RefusalReason.REFUND_DELAY_TOO_SHORT);
        // a time-based lock (BIP68 type flag) of 512 * 100 s, about 85 blocks, is too short as well
        Script timed = M9Scripts.refund(CbvPayload.v1(mh(2, 0)), mary, (1L << 22) | 100, simon);
        Bribe t = BribeBuilder.build(M8Tag.forBlock(mh(2, 0), nextHeight()), timed, Coin.COIN, List.of(coin(1)),
                change(), FEE);
        refused(pool.submit(t.tx(), timed), RefusalReason.REFUND_DELAY_TOO_SHORT);
        // a lenient policy takes it
        BribePool lenient = new BribePool(mary, net.chain.prevouts(), pool.tip(), new BribePool.Policy(100));
        accepted(lenient.submit(q.tx(), quick));
        // the refund branch's key does not matter; the miner branch's does
        Script notMine = M9Scripts.refund(CbvPayload.v1(mh(2, 0)), simon, 300, mary);
        Bribe n = BribeBuilder.build(M8Tag.forBlock(mh(2, 0), nextHeight()), notMine, Coin.COIN, List.of(coin(1)),
                change(), FEE);
        refused(pool.submit(n.tx(), notMine), RefusalReason.NOT_PAYING_MINER);
    }

    @Test
    void signaturesAreVerified() {
        // a P2WPKH coin "signed" by someone who does not own it
        Bribe forged = BribeBuilder.build(M8Tag.forBlock(mh(1, 0), nextHeight()), mary, Coin.COIN,
                List.of(Funding.p2wpkh(coins.get(0), RegtestDriver.SUBSIDY, new ECKey())), change(), FEE);
        refused(pool.submit(forged.tx()), RefusalReason.BAD_SIGNATURE);
        // the owner's signature over another value (BIP143 commits to the spent amount)
        Bribe wrongValue = BribeBuilder.build(M8Tag.forBlock(mh(1, 0), nextHeight()), mary, Coin.COIN,
                List.of(Funding.p2wpkh(coins.get(0), Coin.valueOf(49, 0), net.minerKey)), change(), FEE);
        refused(pool.submit(wrongValue.tx()), RefusalReason.BAD_SIGNATURE);
        // a valid signature whose witness was swapped for another input's
        Bribe good = bribe(1, Coin.COIN, 0);
        Transaction tampered = Transaction.read(java.nio.ByteBuffer.wrap(good.tx().serialize()));
        TransactionInput i0 = tampered.getInput(0);
        tampered.replaceInput(0, i0.withWitness(bribe(1, Coin.COIN, 1).tx().getInput(0).getWitness()));
        refused(pool.submit(tampered), RefusalReason.BAD_SIGNATURE);
        assertEquals(0, pool.size());
        accepted(pool.submit(good.tx()));
    }

    @Test
    void p2pkhFundingIsVerifiedAndP2wshFundingIsRefused() {
        // a mined bribe gives a P2PKH change output and a P2WSH (M9) payout to spend
        ECKey funder = Fixtures.FUNDER;
        Bribe first = BribeBuilder.build(M8Tag.forBlock(mh(9, 0), nextHeight()), mary, Coin.COIN, List.of(coin(0)),
                ScriptBuilder.createP2PKHOutputScript(funder), FEE);
        assertInstanceOf(Offer.Connected.class, net.mine(List.of(mh(9, 0)), List.of(first.tx())));
        pool.onTip(net.chain.getChainHead());
        TransactionOutPoint changeOp = new TransactionOutPoint(first.changeIndex().getAsInt(), first.tx().getTxId());
        Coin changeValue = first.tx().getOutput(first.changeIndex().getAsInt()).getValue();

        Bribe forged = BribeBuilder.build(M8Tag.forBlock(mh(1, 0), nextHeight()), mary, Coin.COIN,
                List.of(Funding.p2pkh(changeOp, changeValue, new ECKey())), change(), FEE);
        refused(pool.submit(forged.tx()), RefusalReason.BAD_SIGNATURE);
        Bribe legacy = BribeBuilder.build(M8Tag.forBlock(mh(1, 0), nextHeight()), mary, Coin.COIN,
                List.of(Funding.p2pkh(changeOp, changeValue, funder)), change(), FEE);
        accepted(pool.submit(legacy.tx()));

        // spending the M9 payout (P2WSH): bitcoinj cannot check it, so the pool does not trust it
        Transaction fromP2wsh = new Transaction();
        fromP2wsh.setVersion(3);
        fromP2wsh.addInput(new TransactionInput(fromP2wsh, new byte[0], first.payoutOutpoint(), Coin.COIN));
        fromP2wsh.addOutput(new TransactionOutput(fromP2wsh, Coin.ZERO,
                M8Codec.script(M8Tag.forBlock(mh(2, 0), nextHeight()))));
        fromP2wsh.addOutput(Coin.CENT, M9Scripts.p2wsh(standardFor(2)));
        refused(pool.submit(fromP2wsh), RefusalReason.INPUT_UNVERIFIABLE);
    }

    @Test
    void bestPerChainWithReplacementAndTies() {
        Bribe one = bribe(1, Coin.COIN, 0);
        accepted(pool.submit(one.tx()));
        Bribe other = bribe(2, Coin.CENT, 1);
        accepted(pool.submit(other.tx()));

        refused(pool.submit(bribe(1, Coin.COIN.subtract(Coin.SATOSHI), 2).tx()), RefusalReason.LOWER_THAN_BEST);
        // a tie: the first received stays
        Bribe tie = bribe(1, Coin.COIN, 2);
        assertTrue(refused(pool.submit(tie.tx()), RefusalReason.LOWER_THAN_BEST).message().contains("equals"));
        assertEquals(one.tx().getTxId(), pool.best(1).orElseThrow().txid());

        // the auction is checked before the signatures; a forged higher bribe changes nothing
        Bribe forgedLow = BribeBuilder.build(M8Tag.forBlock(mh(1, 0), nextHeight()), mary, Coin.CENT,
                List.of(Funding.p2wpkh(coins.get(4), RegtestDriver.SUBSIDY, new ECKey())), change(), FEE);
        refused(pool.submit(forgedLow.tx()), RefusalReason.LOWER_THAN_BEST);
        Bribe forgedHigh = BribeBuilder.build(M8Tag.forBlock(mh(1, 0), nextHeight()), mary, Coin.valueOf(10, 0),
                List.of(Funding.p2wpkh(coins.get(4), RegtestDriver.SUBSIDY, new ECKey())), change(), FEE);
        refused(pool.submit(forgedHigh.tx()), RefusalReason.BAD_SIGNATURE);
        assertEquals(one.tx().getTxId(), pool.best(1).orElseThrow().txid());

        Bribe higher = bribe(1, Coin.COIN.add(Coin.SATOSHI), 3);
        Admission.Accepted a = accepted(pool.submit(higher.tx()));
        assertEquals(Optional.of(one.tx().getTxId()), a.replaced());
        // the replaced bribe cannot come back
        refused(pool.submit(one.tx()), RefusalReason.LOWER_THAN_BEST);

        List<PooledBribe> snap = pool.snapshot();
        assertEquals(List.of(1, 2), snap.stream().map(PooledBribe::chain).toList());
        assertEquals(higher.tx().getTxId(), snap.get(0).txid());
        assertEquals(other.tx().getTxId(), snap.get(1).txid());
        assertTrue(snap.get(0).sequence() > snap.get(1).sequence());
    }

    @Test
    void snapshotIsInChainOrderWhateverTheArrivalOrder() {
        accepted(pool.submit(bribe(200, Coin.CENT, 0).tx()));
        accepted(pool.submit(bribe(0, Coin.CENT, 1).tx()));
        accepted(pool.submit(bribe(17, Coin.CENT, 2).tx()));
        assertEquals(List.of(0, 17, 200), pool.snapshot().stream().map(PooledBribe::chain).toList());
    }

    @Test
    void aNewBlockDropsEverything() {
        Bribe b1 = bribe(1, Coin.COIN, 0);
        Bribe b2 = bribe(2, Coin.COIN, 1);
        accepted(pool.submit(b1.tx()));
        accepted(pool.submit(b2.tx()));
        // the same tip again changes nothing
        assertEquals(0, pool.onTip(net.chain.getChainHead()));
        assertEquals(2, pool.size());

        net.mineEmpty(1);
        assertEquals(2, pool.onTip(net.chain.getChainHead()));
        assertEquals(0, pool.size());
        assertEquals(List.of(), pool.snapshot());
        assertEquals(Tip.of(net.chain.getChainHead()), pool.tip());
        // nothing is re-evaluated: the old bribes are now for the wrong block
        refused(pool.submit(b1.tx()), RefusalReason.WRONG_ANCHOR);
        accepted(pool.submit(bribe(1, Coin.COIN, 0).tx()));
    }

    @Test
    void aReorgDropsEverythingEvenAtTheSameHeight() {
        var parent = net.tip();
        Block a = net.build(parent, List.of(), List.of());
        assertInstanceOf(Offer.Connected.class, net.chain.offer(a));
        pool.onTip(net.chain.getChainHead());
        int h = net.chain.getChainHead().getHeight();
        accepted(pool.submit(bribe(1, Coin.COIN, 0).tx()));

        // a competitor at the same height: bitcoind switching to it (e.g. after invalidateblock) is a new tip
        Block b = net.build(parent, List.of(), List.of());
        assertInstanceOf(Offer.SideBranch.class, net.chain.offer(b));
        assertEquals(1, pool.onTip(h, b.getHash()));
        assertEquals(0, pool.size());
        accepted(pool.submit(bribe(1, Coin.COIN, 0).tx())); // same anchor (same next height): admitted afresh

        // and a real reorg of the chain: b's branch overtakes a
        Block b2 = net.build(b.getHash(), List.of(), List.of());
        assertInstanceOf(Offer.Connected.class, net.chain.offer(b2));
        assertEquals(b2.getHash(), net.chain.getChainHead().getHeader().getHash());
        assertEquals(1, pool.onTip(net.chain.getChainHead()));
        assertEquals(new Tip(h + 1, b2.getHash()), pool.tip());
        assertEquals(0, pool.size());
    }

    @Test
    void concurrentSubmissionsKeepTheHighest() throws Exception {
        List<Transaction> txs = new ArrayList<>();
        for (int i = 1; i <= 24; i++) {
            txs.add(bribe(5, Coin.valueOf(i * 1_000_000L), i % 6).tx());
        }
        Collections.shuffle(txs, new Random(7));
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<Admission>> results = new ArrayList<>();
            for (Transaction tx : txs) {
                results.add(threads.submit(() -> pool.submit(tx)));
            }
            int accepted = 0;
            for (Future<Admission> f : results) {
                Admission a = f.get();
                if (a instanceof Admission.Accepted) {
                    accepted++;
                } else {
                    assertEquals(RefusalReason.LOWER_THAN_BEST, ((Admission.Refused) a).reason());
                }
            }
            assertTrue(accepted >= 1);
        } finally {
            threads.shutdown();
        }
        assertEquals(Coin.valueOf(24_000_000L), pool.best(5).orElseThrow().amount());
        assertEquals(1, pool.size());
    }

    @Test
    void clearErrors() {
        assertThrows(IllegalArgumentException.class, () -> new BribePool(
                ECKey.fromPublicOnly(mary.decompress()), net.chain.prevouts(), pool.tip()));
        assertThrows(IllegalArgumentException.class, () -> new Tip(-1, net.tip()));
        assertThrows(IllegalArgumentException.class, () -> pool.best(256));
        assertThrows(IllegalArgumentException.class, () -> new BribePool.Policy(-1));
        assertSame(RefusalReason.LOWER_THAN_BEST, RefusalReason.valueOf("LOWER_THAN_BEST"));
        assertEquals("bribe-lower-than-best", RefusalReason.LOWER_THAN_BEST.code());
    }

    /** A bribe of 1 BTC for {@code chain} spending {@code coin}, with the given lock-time and nSequence. */
    Transaction lockedBribe(int chain, TransactionOutPoint coin, long lockTime, long sequence) {
        return Txs.spend(M8Codec.TX_VERSION, List.of(new In(coin, RegtestDriver.SUBSIDY, net.minerKey)),
                List.of(Txs.Out.tag(M8Tag.forBlock(mh(chain, 0), nextHeight())),
                        Txs.Out.to(Coin.COIN, M9Scripts.p2wsh(standardFor(chain))), Txs.Out.to(Coin.valueOf(48, 0), change())),
                lockTime, sequence);
    }

    @Test
    void aBribeThatCannotGoIntoTheNextBlockIsRefused() {
        int next = nextHeight();
        // an absolute lock-time a thousand blocks away (nSequence not final, so it counts)
        refused(pool.submit(lockedBribe(1, coins.get(0), next + 1000, 0xFFFFFFFEL)), RefusalReason.NOT_FINAL);
        // a lock-time of the next block itself is not met yet; the one before is
        refused(pool.submit(lockedBribe(1, coins.get(0), next, 0xFFFFFFFEL)), RefusalReason.NOT_FINAL);
        accepted(pool.submit(lockedBribe(1, coins.get(0), next - 1, 0xFFFFFFFEL)));
        // a time lock-time cannot be checked by the pool
        refused(pool.submit(lockedBribe(2, coins.get(1), 1_600_000_000L, 0xFFFFFFFEL)), RefusalReason.NOT_FINAL);
        // ignored when every input's nSequence is final
        accepted(pool.submit(lockedBribe(2, coins.get(1), next + 1000, 0xFFFFFFFFL)));
        // BIP 68 (an M8 is version 3): coins.get(2) was made at height 3, so a relative lock of 500 blocks is not met
        Admission.Refused r = refused(pool.submit(lockedBribe(3, coins.get(2), 0, 500)), RefusalReason.NOT_FINAL);
        assertTrue(r.message().contains("relative lock of 500 blocks"), r.message());
        // one of (next - 3) blocks is, and one with the disable flag is no lock
        accepted(pool.submit(lockedBribe(3, coins.get(2), 0, next - 3)));
        refused(pool.submit(lockedBribe(4, coins.get(3), 0, next - 3)), RefusalReason.NOT_FINAL); // made at 4
        accepted(pool.submit(lockedBribe(4, coins.get(3), 0, (1L << 31) | 500)));
        // a relative time lock cannot be checked
        refused(pool.submit(lockedBribe(5, coins.get(4), 0, (1L << 22) | 1)), RefusalReason.NOT_FINAL);
    }

    @Test
    void aBribeSpendingAYoungCoinbaseIsRefused() {
        TransactionOutPoint young = net.mineEmpty(1).get(0);
        Bribe b = BribeBuilder.build(M8Tag.forBlock(mh(1, 0), nextHeight()), mary, Coin.COIN,
                List.of(Funding.p2wpkh(young, RegtestDriver.SUBSIDY, net.minerKey)), change(), FEE);
        pool.onTip(net.chain.getChainHead());
        Admission.Refused r = refused(pool.submit(b.tx()), RefusalReason.INPUT_IMMATURE);
        assertTrue(r.message().contains("spendable from block " + (net.chain.getBestChainHeight() + 100)), r.message());
        // the coins of block 1 are 100 blocks deep at the next block: fine
        accepted(pool.submit(bribe(1, Coin.COIN, 0).tx()));
    }

    @Test
    void aBribeWithTooManySigOpsIsRefused() {
        // 1001 outputs "OP_CHECKMULTISIG": a legacy sigop cost of 1001 * 20 * 4, above a whole block's
        List<Txs.Out> outs = new ArrayList<>(List.of(Txs.Out.tag(M8Tag.forBlock(mh(1, 0), nextHeight())),
                Txs.Out.to(Coin.COIN, M9Scripts.p2wsh(standardFor(1)))));
        for (int i = 0; i < 1001; i++) {
            outs.add(new Txs.Out(Coin.ZERO, new byte[] {(byte) 0xae}));
        }
        Transaction heavy = Txs.spend(M8Codec.TX_VERSION, List.of(in(0)), outs);
        Transaction tx = lockedBribe(1, coins.get(0), 0, 0xFFFFFFFFL);
        Admission.Refused r = refused(pool.submit(heavy), RefusalReason.TOO_LARGE);
        assertTrue(r.message().contains("sigop cost 80081"), r.message()); // 80,080 for the outputs, 1 for the P2WPKH input
        accepted(pool.submit(tx));
    }

    @Test
    void aRefundDelayWithTheDisableFlagIsNoDelay() {
        // OP_CHECKSEQUENCEVERIFY with bit 31 set is a NOP: the node could take the bribe back at once
        byte[] delay = Script.parse(new ScriptBuilder().number(0x8000012cL).build().program()).chunks().get(0).data;
        Script sneaky = new ScriptBuilder().op(0x63).data(CbvPayload.v1(mh(2, 0)).serialize()).op(0xb5).op(0x75)
                .data(mary.getPubKey()).op(0xac).op(0x67).data(delay).op(0xb2).op(0x75).data(simon.getPubKey())
                .op(0xac).op(0x68).build();
        Transaction b = Txs.spend(3, List.of(in(1)), List.of(Out.tag(M8Tag.forBlock(mh(2, 0), nextHeight())),
                Out.to(Coin.COIN, M9Scripts.p2wsh(sneaky))));
        Admission.Refused r = refused(pool.submit(b, sneaky), RefusalReason.NOT_PAYING_MINER);
        assertTrue(r.message().contains("not an M9 script"), r.message());
    }

    @Test
    void theBribesHandedOutAreCopies() {
        accepted(pool.submit(bribe(1, Coin.COIN, 0).tx()));
        Transaction given = pool.winners().get(0);
        org.bitcoinj.base.Sha256Hash txid = given.getTxId();
        given.setLockTime(12345);
        assertEquals(txid, pool.winners().get(0).getTxId(), "the pool's own is as admitted");
        assertEquals(txid, pool.snapshot().get(0).tx().getTxId());
    }

    /** A bribe for chain 1 spending coin 0 with extra outputs. */
    Transaction bribeWith(List<Txs.Out> extra) {
        List<Txs.Out> outs = new ArrayList<>(List.of(Txs.Out.tag(M8Tag.forBlock(mh(1, 0), nextHeight())),
                Txs.Out.to(Coin.COIN, M9Scripts.p2wsh(standardFor(1)))));
        outs.addAll(extra);
        return Txs.spend(M8Codec.TX_VERSION, List.of(in(0)), outs);
    }

    @Test
    void theSizeLimitsAreBitcoindsStandardOnes() {
        // 199 OP_CHECKMULTISIG (15,920) + 19 OP_CHECKSIG (76) + the P2WPKH input (1): 15,997, taken
        List<Txs.Out> ops = new ArrayList<>();
        for (int i = 0; i < 199; i++) {
            ops.add(new Txs.Out(Coin.ZERO, new byte[] {(byte) 0xae}));
        }
        for (int i = 0; i < 19; i++) {
            ops.add(new Txs.Out(Coin.ZERO, new byte[] {(byte) 0xac}));
        }
        Transaction under = bribeWith(ops);
        ops.add(new Txs.Out(Coin.ZERO, new byte[] {(byte) 0xac})); // 16,001
        Admission.Refused r = refused(pool.submit(bribeWith(ops)), RefusalReason.TOO_LARGE);
        assertTrue(r.message().contains("sigop cost 16001"), r.message());
        accepted(pool.submit(under));
        // and weight: ten outputs of 10,000 bytes are over 400,000 weight units
        List<Txs.Out> bulk = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            byte[] big = new byte[10_000];
            big[0] = 0x6a;
            bulk.add(new Txs.Out(Coin.ZERO, big));
        }
        r = refused(pool.submit(Txs.spend(M8Codec.TX_VERSION, List.of(in(1)), List.of(
                Txs.Out.tag(M8Tag.forBlock(mh(2, 0), nextHeight())), Txs.Out.to(Coin.COIN, M9Scripts.p2wsh(standardFor(2))),
                bulk.get(0), bulk.get(1), bulk.get(2), bulk.get(3), bulk.get(4), bulk.get(5), bulk.get(6), bulk.get(7),
                bulk.get(8), bulk.get(9)))), RefusalReason.TOO_LARGE);
        assertTrue(r.message().contains("at most 400000"), r.message());
    }

    /** An M8 spending coin {@code coin}, paying the standard script; its signature hashed as {@code anyoneCanPay} says, labelled {@code label}. */
    Transaction m8(int chain, Coin amount, int coin, List<Out> extra, boolean anyoneCanPay, int label) {
        List<Out> outs = new ArrayList<>(List.of(Out.tag(M8Tag.forBlock(mh(chain, 0), nextHeight())),
                Out.to(amount, M9Scripts.p2wsh(standardFor(chain))),
                Out.to(RegtestDriver.SUBSIDY.subtract(amount).subtract(Coin.valueOf(1_000)), simon)));
        outs.addAll(extra);
        Transaction tx = Txs.spend(3, List.of(in(coin)), outs);
        ECKey k = net.minerKey;
        TransactionSignature sig = tx.calculateWitnessSignature(0, k, ScriptBuilder.createP2PKHOutputScript(k),
                RegtestDriver.SUBSIDY, Transaction.SigHash.ALL, anyoneCanPay);
        byte[] encoded = sig.encodeToBitcoin();
        encoded[encoded.length - 1] = (byte) label;
        tx.replaceInput(0, tx.getInput(0).withWitness(TransactionWitness.of(encoded, k.getPubKey())));
        return Transaction.read(ByteBuffer.wrap(tx.serialize()));
    }

    @Test
    void signaturesAreCheckedWithTheirOwnHashType() throws Exception {
        // signed over SIGHASH_ALL's digest but labelled ALL|ANYONECANPAY: bitcoind refuses it (and the block)
        Admission.Refused r = refused(pool.submit(m8(1, Coin.COIN, 0, List.of(), false, 0x81)), RefusalReason.BAD_SIGNATURE);
        assertTrue(r.message().contains("input 0"), r.message());
        // a real ALL|ANYONECANPAY signature is valid
        accepted(pool.submit(m8(2, Coin.COIN, 1, List.of(), true, 0x81)));
        // a high S is valid in a block (only bitcoind's mempool policy refuses it)
        Transaction high = m8(3, Coin.COIN, 2, List.of(), false, 0x01);
        byte[] sig = high.getInput(0).getWitness().getPush(0);
        ECKey.ECDSASignature rs = ECKey.ECDSASignature.decodeFromDER(Arrays.copyOf(sig, sig.length - 1));
        byte[] flipped = new TransactionSignature(rs.r, ECKey.ecDomainParameters().getN().subtract(rs.s)).encodeToBitcoin();
        high.replaceInput(0, high.getInput(0).withWitness(TransactionWitness.of(flipped, net.minerKey.getPubKey())));
        accepted(pool.submit(high));
    }

    @Test
    void aTransactionBitcoindWouldRefuseOutrightIsMalformed() {
        // bitcoinj parses an output of -1 sat (its sentinel value); bitcoind: bad-txns-vout-negative
        Transaction negative = m8(4, Coin.COIN, 1, List.of(new Out(Coin.NEGATIVE_SATOSHI,
                ScriptBuilder.createP2WPKHOutputScript(simon).program())), false, 0x01);
        Admission.Refused r = refused(pool.submit(negative), RefusalReason.MALFORMED);
        assertTrue(r.message().contains("bad-txns-vout-negative"), r.message());
        assertEquals(0, pool.size());
    }

    @Test
    void whereTwoChainsBribesSpendOneCoinTheHigherIsMined() {
        Transaction big = m8(7, Coin.valueOf(40, 0), 2, List.of(), false, 0x01);
        Transaction tiny = m8(0, Coin.SATOSHI, 2, List.of(), false, 0x01);
        accepted(pool.submit(big));
        accepted(pool.submit(tiny));
        assertEquals(List.of(big, tiny), pool.winners());
        AssembledBlock ab = new BlockAssembler(RegtestDriver.PARAMS, ScriptBuilder.createP2WPKHOutputScript(mary))
                .assemble(Txs.template(net.chain, List.of()), pool.winners(), net.chain.prevouts());
        assertEquals(List.of(big.getTxId()), ab.includedM8s());
        assertEquals(List.of(tiny.getTxId()), ab.stripped().stream().map(AssembledBlock.Stripped::txid).toList());
        BribePool.Snapshot snap = pool.snapshotWithTip();
        assertEquals(Tip.of(net.chain.getChainHead()), snap.tip());
        assertEquals(2, snap.bribes().size());
    }

    /** Waits inside a prevout lookup (which cannot throw InterruptedException). */
    static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aTieGoesToTheFirstReceivedEvenIfALaterOneFinishesItsChecksFirst() throws Exception {
        // the first bribe's input lookup is held up until the second, equal one has been admitted
        CountDownLatch firstLookingUp = new CountDownLatch(1);
        CountDownLatch secondAdmitted = new CountDownLatch(1);
        TransactionOutPoint slowCoin = coins.get(0);
        PrevoutSource slow = op -> {
            if (op.equals(slowCoin)) {
                firstLookingUp.countDown();
                await(secondAdmitted);
            }
            return net.chain.prevouts().find(op);
        };
        BribePool racing = new BribePool(mary, slow, pool.tip());
        Transaction first = bribe(9, Coin.COIN, 0).tx();
        Transaction second = bribe(9, Coin.COIN, 1).tx();
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<Admission> firstResult = thread.submit(() -> racing.submit(first));
            assertTrue(firstLookingUp.await(30, TimeUnit.SECONDS));
            accepted(racing.submit(second));
            assertEquals(second.getTxId(), racing.best(9).orElseThrow().txid());
            secondAdmitted.countDown();

            Admission.Accepted a = accepted(firstResult.get(30, TimeUnit.SECONDS));
            assertEquals(Optional.of(second.getTxId()), a.replaced());
        } finally {
            thread.shutdownNow();
        }
        PooledBribe best = racing.best(9).orElseThrow();
        assertEquals(first.getTxId(), best.txid());
        // the one received later cannot come back
        assertTrue(refused(racing.submit(second), RefusalReason.LOWER_THAN_BEST).message().contains("equals"));
        assertEquals(first.getTxId(), racing.best(9).orElseThrow().txid());
    }

    @Test
    void aBribeSubmittedTwiceKeepsItsFirstArrivalForTies() throws Exception {
        // A arrives first and is slow; an equal B arrives; A's second copy gets in before either
        AtomicInteger coinALookups = new AtomicInteger();
        CountDownLatch aLooking = new CountDownLatch(1);
        CountDownLatch bLooking = new CountDownLatch(1);
        CountDownLatch releaseA = new CountDownLatch(1);
        CountDownLatch releaseB = new CountDownLatch(1);
        TransactionOutPoint coinA = coins.get(0);
        TransactionOutPoint coinB = coins.get(1);
        PrevoutSource slow = op -> {
            boolean firstOfA = op.equals(coinA) && coinALookups.getAndIncrement() == 0;
            if (firstOfA || op.equals(coinB)) {
                (firstOfA ? aLooking : bLooking).countDown();
                await(firstOfA ? releaseA : releaseB);
            }
            return net.chain.prevouts().find(op);
        };
        BribePool racing = new BribePool(mary, slow, pool.tip());
        Transaction a = bribe(9, Coin.COIN, 0).tx();
        Transaction b = bribe(9, Coin.COIN, 1).tx();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<Admission> firstA = threads.submit(() -> racing.submit(a));
            assertTrue(aLooking.await(30, TimeUnit.SECONDS));
            Future<Admission> laterB = threads.submit(() -> racing.submit(b));
            assertTrue(bLooking.await(30, TimeUnit.SECONDS));
            accepted(racing.submit(a)); // the copy, sent again
            releaseA.countDown();
            refused(firstA.get(30, TimeUnit.SECONDS), RefusalReason.DUPLICATE);
            releaseB.countDown();
            assertTrue(refused(laterB.get(30, TimeUnit.SECONDS), RefusalReason.LOWER_THAN_BEST).message().contains("equals"));
        } finally {
            threads.shutdownNow();
        }
        assertEquals(a.getTxId(), racing.best(9).orElseThrow().txid());
    }
}
