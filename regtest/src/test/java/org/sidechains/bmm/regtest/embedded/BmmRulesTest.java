package org.sidechains.bmm.regtest.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.params.RegTestParams;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.bitcoinj.store.MemoryBlockStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.assemble.AssembledBlock;
import org.sidechains.bmm.bitcoinj.assemble.BlockAssembler;
import org.sidechains.bmm.bitcoinj.assemble.BlockBuilder;
import org.sidechains.bmm.bitcoinj.chain.BmmBlockChain;
import org.sidechains.bmm.bitcoinj.chain.BmmChainConfig;
import org.sidechains.bmm.bitcoinj.chain.Offer;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder;
import org.sidechains.bmm.bitcoinj.m9.M9Spender;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.sidechains.bmm.bitcoinj.pool.BribePool;
import org.sidechains.bmm.bitcoinj.pool.Tip;
import org.sidechains.bmm.bitcoinj.tx.Fee;
import org.sidechains.bmm.m7.M7Codec;
import org.sidechains.bmm.m8.M8Tag;
import org.sidechains.bmm.rules.RejectReason;

/**
 * The BMM rules of protocol.md on the embedded chain: an M7 with its M8 bribe is accepted, every
 * M8 rule refuses with its reason, OP_CBV needs 100 blocksAtop; and bmm-bitcoinj's BmmBlockChain,
 * fed the same blocks, agrees on every verdict.
 */
class BmmRulesTest {
    static final Coin FIFTY = Coin.FIFTY_COINS;
    static final Coin FEE = Coin.valueOf(10_000);
    static final Coin BRIBE = Coin.COIN;
    static final ECKey MARY = ECKey.fromPrivate(BigInteger.valueOf(0x4d415259L));
    static final Script MARY_PAYOUT = ScriptBuilder.createP2WPKHOutputScript(MARY);

    /** A block offered to the embedded chain and its verdict, to replay into BmmBlockChain. */
    record Offered(Block block, Optional<String> verdict) {
    }

    TestChain t;
    List<TransactionOutPoint> coins;
    final List<Offered> offered = new ArrayList<>();

    @BeforeEach
    void setUp() {
        t = new TestChain();
        coins = t.mine(101);
        for (int h = 1; h <= 101; h++) {
            offered.add(new Offered(t.chain.block(t.chain.blockHash(h)), Optional.empty()));
        }
    }

    static Hash32 hStar(int chain, int n) {
        return Hash32.wrap(Sha256Hash.hash(("side:chain " + chain + " block " + n).getBytes(StandardCharsets.UTF_8)));
    }

    static MiniHeader mh(int chain, int n) {
        return MiniHeader.of(chain, hStar(chain, n), 0);
    }

    BribeBuilder.Bribe bribe(int coin, MiniHeader m, long height) {
        return BribeBuilder.build(M8Tag.forBlock(m, height), ECKey.fromPublicOnly(MARY), BRIBE,
                List.of(BribeBuilder.Funding.p2wpkh(coins.get(coin), FIFTY, TestChain.KEY)),
                ScriptBuilder.createP2WPKHOutputScript(TestChain.KEY), Fee.absolute(FEE));
    }

    Block blockOnTip(List<MiniHeader> m7, List<Transaction> txs, Coin fees) {
        List<BlockBuilder.Output> outs = new ArrayList<>();
        // the regtest halving at 150 matters here: the subsidy, not 50 BTC
        Coin subsidy = org.sidechains.bmm.bitcoinj.assemble.Subsidy.at(RegTestParams.get(), t.height() + 1);
        outs.add(new BlockBuilder.Output(subsidy.add(fees), MARY_PAYOUT.program()));
        if (!m7.isEmpty()) {
            outs.add(new BlockBuilder.Output(Coin.ZERO, M7Codec.write(m7)));
        }
        return t.blockOn(t.tip(), outs, txs);
    }

    Optional<String> submit(Block b) {
        Optional<String> v = t.submit(b);
        offered.add(new Offered(b, v));
        return v;
    }

    @Test
    void anM7WithItsM8FromThePoolAndTheAssemblerIsAccepted() {
        BribeBuilder.Bribe b = bribe(0, mh(7, 1), 102);
        BribePool pool = new BribePool(ECKey.fromPublicOnly(MARY), t.prevouts(), new Tip(101, t.tip()));
        assertTrue(pool.submit(b.tx()).accepted());
        AssembledBlock ab = new BlockAssembler(RegTestParams.get(), MARY_PAYOUT)
                .assemble(t.chain.blockTemplate(), pool.winners(), t.prevouts());
        assertEquals(List.of(mh(7, 1)), ab.m7Entries());
        assertEquals(Optional.empty(), submit(ab.block()));
        assertEquals(102, t.chain.d3().lookup(7, hStar(7, 1)).get(0).height());
        assertTrue(t.chain.txOut(b.payoutOutpoint(), false).isPresent());
        assertAgreement();
    }

    @Test
    void everyM8RuleWithItsReason() {
        MiniHeader m = mh(7, 1);
        Transaction m8 = bribe(0, m, 102).tx();
        assertEquals(Optional.of(RejectReason.M8_NO_M7.code()), submit(blockOnTip(List.of(), List.of(m8), FEE)));
        assertEquals(Optional.of("bmm-m8-no-m7"), submit(blockOnTip(List.of(mh(7, 2)), List.of(m8), FEE)));
        assertEquals(Optional.of("bmm-m8-no-m7"), submit(blockOnTip(List.of(mh(3, 1)), List.of(m8), FEE)));
        MiniHeader otherRef = MiniHeader.of(7, hStar(7, 1), 1); // all 35 bytes must match
        assertEquals(Optional.of("bmm-m8-no-m7"), submit(blockOnTip(List.of(otherRef), List.of(m8), FEE)));

        Transaction late = bribe(0, m, 103).tx();
        assertEquals(Optional.of("bmm-m8-anchor"), submit(blockOnTip(List.of(m), List.of(late), FEE)));
        Transaction second = bribe(1, m, 102).tx();
        assertEquals(Optional.of("bmm-m8-duplicate"), submit(blockOnTip(List.of(m), List.of(m8, second), FEE.add(FEE))));
        // M8s in block order, each against anchor, then M7, then duplicate: the first failure names the block
        Transaction noM7 = bribe(1, mh(9, 1), 102).tx();
        assertEquals(Optional.of("bmm-m8-anchor"), submit(blockOnTip(List.of(m), List.of(late, noM7), FEE.add(FEE))));
        assertEquals(Optional.of("bmm-m8-no-m7"), submit(blockOnTip(List.of(m), List.of(noM7, late), FEE.add(FEE))));
        assertEquals(101, t.height());

        // two entries, one paid: an M7 entry without an M8 is fine
        assertEquals(Optional.empty(), submit(blockOnTip(List.of(mh(3, 1), m), List.of(m8), FEE)));
        assertAgreement();
    }

    @Test
    void opCbvNeedsOneHundredBlocksAtop() {
        BribeBuilder.Bribe b = bribe(0, mh(1, 0), 102);
        assertEquals(Optional.empty(), submit(blockOnTip(List.of(mh(1, 0)), List.of(b.tx()), FEE)));
        Transaction sweep = M9Spender.sweep(List.of(M9Spender.Claim.miner(b.payoutOutpoint(), BRIBE, b.witnessScript(),
                MARY)), MARY_PAYOUT, Fee.absolute(FEE));
        for (int n = 1; n <= 99; n++) {
            assertEquals(Optional.empty(), submit(blockOnTip(List.of(mh(1, n)), List.of(), Coin.ZERO)));
        }
        assertEquals(OptionalInt.of(99), t.chain.d3().blocksAtop(1, hStar(1, 0)));
        Optional<String> early = submit(blockOnTip(List.of(mh(1, 100)), List.of(sweep), FEE));
        assertEquals(Optional.of("bmm-cbv-unsatisfied"), early);

        // bitcoind's mempool policy refuses a script that runs OP_NOP6, whatever D3 says
        MainchainException.Rpc e = assertThrows(MainchainException.Rpc.class, () -> t.chain.sendRawTransaction(sweep));
        assertEquals(-26, e.code());
        assertEquals("non-mandatory-script-verify-flag (NOPx reserved for soft-fork upgrades)", e.rpcMessage());

        assertEquals(Optional.empty(), submit(blockOnTip(List.of(mh(1, 100)), List.of(), Coin.ZERO)));
        assertEquals(OptionalInt.of(100), t.chain.d3().blocksAtop(1, hStar(1, 0)));
        assertEquals(Optional.empty(), submit(blockOnTip(List.of(mh(1, 101)), List.of(sweep), FEE)));
        assertTrue(t.chain.txOut(b.payoutOutpoint(), false).isEmpty());
        assertEquals(BRIBE.subtract(FEE), t.chain.txOut(new TransactionOutPoint(0, sweep.getTxId()), false)
                .orElseThrow().value());

        // a reorg below the bribe undoes D3 too: the sweep's block goes, and cannot come back early
        Sha256Hash atop99 = t.chain.blockHash(t.height() - 1);
        t.chain.invalidateBlock(atop99);
        assertTrue(t.chain.d3().blocksAtop(1, hStar(1, 0)).getAsInt() < 100);
        assertTrue(t.chain.txOut(b.payoutOutpoint(), false).isPresent());
        t.chain.reconsiderBlock(atop99);
        assertTrue(t.chain.txOut(b.payoutOutpoint(), false).isEmpty());
        assertAgreement();
    }

    /** bmm-bitcoinj's BmmBlockChain, fed the same blocks in the same order, reaches the same verdicts. */
    void assertAgreement() {
        BmmBlockChain bmm;
        try {
            bmm = new BmmBlockChain(RegTestParams.get(), new MemoryBlockStore(RegTestParams.get().getGenesisBlock()),
                    BmmChainConfig.regtest());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        for (Offered o : offered) {
            Offer verdict = bmm.offer(EmbeddedRegtestChain.copy(o.block()));
            if (o.verdict().isEmpty()) {
                assertInstanceOf(Offer.Connected.class, verdict, o.block().getHash() + ": " + verdict);
            } else {
                Offer.Refused r = assertInstanceOf(Offer.Refused.class, verdict, o.block().getHash() + " " + o.verdict());
                assertEquals(o.verdict(), r.reason().map(RejectReason::code), r.message());
            }
        }
        assertEquals(t.tip(), bmm.getChainHead().getHeader().getHash());
        assertEquals(bmm.d3().rows(), t.chain.d3().rows());
    }
}
