package org.sidechains.bmm.bitcoinj.assemble;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.core.VerificationException;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.params.BitcoinNetworkParams;
import org.bitcoinj.params.MainNetParams;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.Fixtures;
import org.sidechains.bmm.bitcoinj.RegtestDriver;
import org.sidechains.bmm.bitcoinj.assemble.AssembledBlock.Reason;
import org.sidechains.bmm.bitcoinj.assemble.AssembledBlock.Stripped;
import org.sidechains.bmm.bitcoinj.assemble.BlockTemplate.TemplateTx;
import org.sidechains.bmm.bitcoinj.assemble.Txs.In;
import org.sidechains.bmm.bitcoinj.assemble.Txs.Out;
import org.sidechains.bmm.bitcoinj.chain.BmmChainConfig;
import org.sidechains.bmm.bitcoinj.chain.Offer;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder.Bribe;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder.Funding;
import org.sidechains.bmm.bitcoinj.pool.Admission;
import org.sidechains.bmm.bitcoinj.pool.BribePool;
import org.sidechains.bmm.bitcoinj.pool.Tip;
import org.sidechains.bmm.bitcoinj.prevout.PrevoutSource;
import org.sidechains.bmm.bitcoinj.tx.Fee;
import org.sidechains.bmm.d3.D3Entry;
import org.sidechains.bmm.d3.D3Row;
import org.sidechains.bmm.m7.M7Codec;
import org.sidechains.bmm.m8.M8Tag;
import org.sidechains.bmm.rules.RejectReason;

/** The block assembler, with every block offered to a real BmmBlockChain. */
class BlockAssemblerTest {
    static final Fee FEE = Fee.absolute(Coin.valueOf(1_000));
    static final byte[] COMMITMENT_HEADER = {0x6a, 0x24, (byte) 0xaa, 0x21, (byte) 0xa9, (byte) 0xed};

    RegtestDriver net;
    List<TransactionOutPoint> coins;
    final ECKey mary = new ECKey();
    final ECKey simon = new ECKey();
    BlockAssembler assembler;

    @BeforeEach
    void setUp() {
        net = new RegtestDriver(BmmChainConfig.regtest().withFullOutputIndex());
        coins = net.mineEmpty(10);
        net.mineEmpty(100); // the coins are mature, as bitcoind would require
        assembler = new BlockAssembler(RegtestDriver.PARAMS, ScriptBuilder.createP2WPKHOutputScript(mary));
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

    Bribe bribe(MiniHeader mh, Coin amount, int coin) {
        return BribeBuilder.build(M8Tag.forBlock(mh, nextHeight()), mary, amount, List.of(coin(coin)),
                ScriptBuilder.createP2WPKHOutputScript(simon), FEE);
    }

    BribePool pool() {
        return new BribePool(mary, net.chain.prevouts(), Tip.of(net.chain.getChainHead()));
    }

    BlockTemplate template(TemplateTx... txs) {
        return Txs.template(net.chain, List.of(txs));
    }

    /** A plain payment of a coin to Simon with the given fee. */
    Transaction payment(int coin, long fee) {
        return Txs.pay(in(coin), Out.to(RegtestDriver.SUBSIDY.subtract(Coin.valueOf(fee)), simon));
    }

    Offer.Connected connect(AssembledBlock ab) {
        Offer o = net.chain.offer(ab.block());
        return assertInstanceOf(Offer.Connected.class, o, o.toString());
    }

    /** Coinbase value checks: the outputs, the summary, and the fees recomputed from inputs and outputs. */
    static void assertCoinbaseValue(AssembledBlock ab, PrevoutSource chainBefore) {
        Transaction cb = ab.block().getTransactions().get(0);
        Coin subsidy = Subsidy.at(RegtestDriver.PARAMS, ab.height());
        Coin recomputed = Txs.feesOf(ab.block(), chainBefore);
        assertEquals(subsidy, ab.subsidy());
        assertEquals(recomputed, ab.fees());
        assertEquals(subsidy.add(recomputed), ab.coinbaseValue());
        assertEquals(ab.coinbaseValue(), cb.getOutputSum());
    }

    @Test
    void twoWinnersMakeAValidBmmBlock() {
        BribePool pool = pool();
        Bribe b2 = bribe(mh(2, 0), Coin.valueOf(2, 0), 1);
        Bribe b1 = bribe(mh(1, 0), Coin.COIN, 0);
        assertTrue(pool.submit(b2.tx()).accepted());
        assertTrue(pool.submit(b1.tx()).accepted());
        int height = nextHeight();
        PrevoutSource before = Txs.snapshot(net.chain.prevouts(), pool.winners());

        AssembledBlock ab = assembler.assemble(template(), pool.winners(), net.chain.prevouts());
        Block block = ab.block();
        assertEquals(height, ab.height());
        assertEquals(List.of(mh(1, 0), mh(2, 0)), ab.m7Entries()); // the M7 by ChainIndex
        // the M8s in the pool's order: the higher bribe first
        assertEquals(List.of(b2.tx().getTxId(), b1.tx().getTxId()), ab.includedM8s());
        assertEquals(List.of(), ab.stripped());
        assertEquals(List.of(b2.tx().getTxId(), b1.tx().getTxId()),
                Txs.nonCoinbase(block).stream().map(Transaction::getTxId).toList());

        Transaction cb = block.getTransactions().get(0);
        assertEquals(3, cb.getOutputs().size()); // payout, M7, witness commitment
        assertArrayEquals(ScriptBuilder.createP2WPKHOutputScript(mary).program(), cb.getOutput(0).getScriptBytes());
        assertEquals(Coin.ZERO, cb.getOutput(1).getValue());
        assertArrayEquals(M7Codec.write(List.of(mh(1, 0), mh(2, 0))), cb.getOutput(1).getScriptBytes());
        assertEquals(List.of(mh(1, 0), mh(2, 0)), M7Codec.parse(cb.getOutput(1).getScriptBytes()).orElseThrow().entries());

        Coin fees = b1.fee().add(b2.fee());
        assertEquals(Coin.valueOf(2_000), fees);
        assertEquals(Coin.FIFTY_COINS.add(fees), cb.getOutput(0).getValue()); // height < 150: 50 BTC
        assertCoinbaseValue(ab, before);

        assertEquals(height, connect(ab).height());
        D3Row row = net.chain.d3().row(height).orElseThrow();
        assertEquals(1, row.cbIndex());
        assertEquals(List.of(mh(1, 0), mh(2, 0)), row.entries().stream().map(D3Entry::miniHeader).toList());
    }

    @Test
    void witnessCommitmentBip34AndProofOfWork() {
        Bribe b1 = bribe(mh(1, 0), Coin.COIN, 0);
        Transaction pay = payment(2, 700);
        int height = nextHeight();
        AssembledBlock ab = assembler.assemble(template(TemplateTx.of(pay, Coin.valueOf(700))), List.of(b1.tx()),
                net.chain.prevouts());
        Block block = ab.block();
        Transaction cb = block.getTransactions().get(0);

        // BIP141: the last output starting 6a24aa21a9ed commits to the witness root and the reserved value
        TransactionOutput last = null;
        for (TransactionOutput o : cb.getOutputs()) {
            byte[] s = o.getScriptBytes();
            if (s.length >= 38 && Arrays.equals(s, 0, 6, COMMITMENT_HEADER, 0, 6)) {
                last = o;
            }
        }
        assertTrue(last != null, "no witness commitment");
        byte[] reserved = new byte[32];
        Sha256Hash expected = Sha256Hash.twiceOf(block.getWitnessRoot().serialize(), reserved);
        // the raw SHA256d output, as in the bitcoind-accepted fixture blocks (FixtureBlocksTest)
        assertArrayEquals(expected.getBytes(), Arrays.copyOfRange(last.getScriptBytes(), 6, 38));
        assertEquals(1, cb.getInput(0).getWitness().getPushCount());
        assertArrayEquals(reserved, cb.getInput(0).getWitness().getPush(0));
        assertTrue(Txs.nonCoinbase(block).stream().allMatch(Transaction::hasWitnesses));

        // BIP34: the coinbase's scriptSig starts with the height, minimally pushed
        byte[] heightPush = new ScriptBuilder().number(height).build().program();
        assertArrayEquals(heightPush, Arrays.copyOf(cb.getInput(0).getScriptBytes(), heightPush.length));
        Block.verify(RegtestDriver.PARAMS, block, height, EnumSet.of(Block.VerifyFlag.HEIGHT_IN_COINBASE));
        assertThrows(VerificationException.class, () -> Block.verify(RegtestDriver.PARAMS, block, height + 1,
                EnumSet.of(Block.VerifyFlag.HEIGHT_IN_COINBASE)));

        // solved: the hash is at or below the target of the template's bits
        assertEquals(net.chain.getChainHead().getHeader().getDifficultyTarget(), block.getDifficultyTarget());
        assertTrue(block.getHash().toBigInteger().compareTo(block.getDifficultyTargetAsInteger()) <= 0);
        Block.verifyHeader(block);
        assertEquals(net.tip(), block.getPrevBlockHash());
        // the serialized block reads back identically (what submitblock would send)
        Block read = Block.read(ByteBuffer.wrap(block.serialize()));
        assertEquals(block.getHash(), read.getHash());
        assertEquals(block.getWitnessRoot(), read.getWitnessRoot());

        connect(ab);
    }

    @Test
    void anUnmatchedM8AndItsDescendantsAreStripped() {
        Bribe winner = bribe(mh(1, 0), Coin.COIN, 0);
        Transaction p0 = payment(2, 500);
        // an M8 for a chain no winner has, as a bitcoind 28 template might carry it
        Bribe unmatched = bribe(mh(7, 0), Coin.COIN, 3);
        TransactionOutPoint change = new TransactionOutPoint(2, unmatched.tx().getTxId());
        Coin changeValue = unmatched.tx().getOutput(2).getValue();
        Transaction child = Txs.pay(new In(change, changeValue, simon),
                Out.to(changeValue.subtract(Coin.valueOf(300)), simon));
        Transaction grandchild = Txs.pay(new In(new TransactionOutPoint(0, child.getTxId()),
                child.getOutput(0).getValue(), simon), Out.to(child.getOutput(0).getValue().subtract(Coin.valueOf(200)), mary));
        Transaction p4 = payment(4, 800);
        BlockTemplate tpl = template(
                TemplateTx.of(p0, Coin.valueOf(500)),
                TemplateTx.of(unmatched.tx(), unmatched.fee()),
                TemplateTx.of(child, Coin.valueOf(300), 1),
                TemplateTx.of(grandchild, Coin.valueOf(200)), // "depends" left out: found from its input
                TemplateTx.of(p4, Coin.valueOf(800)));

        // the test is not vacuous: the template as it is, with the winner's M7, breaks the BMM rules
        List<Transaction> naive = new ArrayList<>();
        tpl.transactions().forEach(t -> naive.add(t.tx()));
        naive.add(winner.tx());
        Block bad = BlockBuilder.build(tpl.prevBlockHash(), tpl.height(), tpl.time(), tpl.bits(), new byte[0],
                List.of(new BlockBuilder.Output(Coin.FIFTY_COINS, net.payoutScript()),
                        new BlockBuilder.Output(Coin.ZERO, M7Codec.write(List.of(mh(1, 0))))), naive);
        Offer.Refused r = assertInstanceOf(Offer.Refused.class, net.chain.offer(bad));
        assertEquals(Optional.of(RejectReason.M8_NO_M7), r.reason());

        PrevoutSource before = Txs.snapshot(net.chain.prevouts(), List.of(p0, p4, winner.tx()));
        AssembledBlock ab = assembler.assemble(tpl, List.of(winner.tx()), net.chain.prevouts());
        assertEquals(List.of(
                        new Stripped(unmatched.tx().getTxId(), Reason.M8_NOT_IN_M7, ab.stripped().get(0).detail()),
                        new Stripped(child.getTxId(), Reason.DESCENDANT_OF_STRIPPED, "spends from stripped tx "
                                + unmatched.tx().getTxId()),
                        new Stripped(grandchild.getTxId(), Reason.DESCENDANT_OF_STRIPPED, "spends from stripped tx "
                                + child.getTxId())),
                ab.stripped());
        assertEquals(List.of(p0.getTxId(), p4.getTxId(), winner.tx().getTxId()),
                Txs.nonCoinbase(ab.block()).stream().map(Transaction::getTxId).toList());
        assertEquals(List.of(mh(1, 0)), ab.m7Entries());
        // the stripped transactions' fees are not claimed
        assertEquals(Coin.valueOf(500 + 800).add(winner.fee()), ab.fees());
        assertCoinbaseValue(ab, before);
        connect(ab);
    }

    @Test
    void templateM8sOtherThanTheWinnersAreStripped() {
        Bribe b1 = bribe(mh(1, 0), Coin.COIN, 0);
        Bribe b2 = bribe(mh(2, 0), Coin.COIN, 1);
        Bribe rival = bribe(mh(1, 0), Coin.CENT, 5);     // the winner's mini-header, another tx
        Bribe stale = bribe(mh(1, 5), Coin.valueOf(5, 0), 6); // chain 1, a mini-header the M7 will not carry
        Transaction p = payment(2, 400);
        BlockTemplate tpl = template(TemplateTx.of(p, Coin.valueOf(400)),
                TemplateTx.of(rival.tx(), rival.fee()),
                TemplateTx.of(b1.tx(), b1.fee()), // bitcoind happened to carry a winner: it stays in place
                TemplateTx.of(stale.tx(), stale.fee()));
        PrevoutSource before = Txs.snapshot(net.chain.prevouts(), List.of(p, b1.tx(), b2.tx()));
        AssembledBlock ab = assembler.assemble(tpl, List.of(b2.tx(), b1.tx()), net.chain.prevouts());
        assertEquals(List.of(Reason.M8_NOT_THE_WINNER, Reason.M8_NOT_IN_M7),
                ab.stripped().stream().map(Stripped::reason).toList());
        assertEquals(List.of(rival.tx().getTxId(), stale.tx().getTxId()),
                ab.stripped().stream().map(Stripped::txid).toList());
        assertEquals(List.of(p.getTxId(), b1.tx().getTxId(), b2.tx().getTxId()),
                Txs.nonCoinbase(ab.block()).stream().map(Transaction::getTxId).toList());
        assertEquals(List.of(b1.tx().getTxId(), b2.tx().getTxId()), ab.includedM8s());
        assertEquals(List.of(mh(1, 0), mh(2, 0)), ab.m7Entries());
        assertCoinbaseValue(ab, before);
        connect(ab);
    }

    @Test
    void winnersThatCannotGoInAreDroppedWithTheirM7Entries() {
        int height = nextHeight();
        Bribe wrongAnchor = BribeBuilder.build(M8Tag.forBlock(mh(1, 0), height + 1), mary, Coin.COIN,
                List.of(coin(0)), ScriptBuilder.createP2WPKHOutputScript(simon), FEE);
        Transaction p = payment(2, 400);
        Bribe conflict = bribe(mh(2, 0), Coin.COIN, 2); // coin 2 is spent by the template's p
        Bribe unmatched = bribe(mh(7, 0), Coin.COIN, 3);
        TransactionOutPoint change = new TransactionOutPoint(2, unmatched.tx().getTxId());
        Bribe dependsOnStripped = BribeBuilder.build(M8Tag.forBlock(mh(3, 0), height), mary, Coin.CENT,
                List.of(Funding.p2wpkh(change, unmatched.tx().getOutput(2).getValue(), simon)),
                ScriptBuilder.createP2WPKHOutputScript(simon), FEE);
        Bribe unknown = BribeBuilder.build(M8Tag.forBlock(mh(4, 0), height), mary, Coin.CENT,
                List.of(Funding.p2wpkh(Fixtures.outpoint("nowhere", 0), Coin.COIN, simon)),
                ScriptBuilder.createP2WPKHOutputScript(simon), FEE);
        Bribe fine = bribe(mh(5, 0), Coin.COIN, 4);
        Bribe doubleSpend = bribe(mh(6, 0), Coin.valueOf(2, 0), 4); // the same coin as chain 5's, higher
        BlockTemplate tpl = template(TemplateTx.of(p, Coin.valueOf(400)), TemplateTx.of(unmatched.tx(), unmatched.fee()));

        PrevoutSource before = Txs.snapshot(net.chain.prevouts(), List.of(p, doubleSpend.tx()));
        AssembledBlock ab = assembler.assemble(tpl, List.of(doubleSpend.tx(), fine.tx(), unknown.tx(),
                dependsOnStripped.tx(), conflict.tx(), wrongAnchor.tx()), net.chain.prevouts());
        assertEquals(List.of(
                        Reason.WINNER_WRONG_ANCHOR,     // checked first, before the template
                        Reason.M8_NOT_IN_M7,            // the template's chain-7 M8
                        // then the winners in the order given:
                        Reason.WINNER_CONFLICT,         // chain 5 (chain 6, given first, took the coin)
                        Reason.WINNER_INPUT_UNKNOWN,    // chain 4
                        Reason.WINNER_DEPENDS_ON_STRIPPED, // chain 3
                        Reason.WINNER_CONFLICT),        // chain 2 (the template's p spends its coin)
                ab.stripped().stream().map(Stripped::reason).toList());
        assertEquals(List.of(wrongAnchor.tx().getTxId(), unmatched.tx().getTxId(), fine.tx().getTxId(),
                        unknown.tx().getTxId(), dependsOnStripped.tx().getTxId(), conflict.tx().getTxId()),
                ab.stripped().stream().map(Stripped::txid).toList());
        assertEquals(List.of(mh(6, 0)), ab.m7Entries());
        assertEquals(List.of(doubleSpend.tx().getTxId()), ab.includedM8s());
        assertCoinbaseValue(ab, before);
        connect(ab);
        D3Row row = net.chain.d3().row(height).orElseThrow();
        assertEquals(List.of(mh(6, 0)), row.entries().stream().map(D3Entry::miniHeader).toList());
    }

    @Test
    void aWinnerBitcoindWouldRefuseOutrightIsLeftOut() {
        int height = nextHeight();
        // an output of -1 sat parses in bitcoinj (its sentinel value); bitcoind refuses the block: bad-txns-vout-negative
        Transaction negative = Txs.spend(3, List.of(in(0)), List.of(Out.tag(M8Tag.forBlock(mh(1, 0), height)),
                new Out(Coin.NEGATIVE_SATOSHI, ScriptBuilder.createP2WPKHOutputScript(simon).program())));
        Bribe fine = bribe(mh(2, 0), Coin.COIN, 1);
        AssembledBlock ab = assembler.assemble(template(), List.of(negative, fine.tx()), net.chain.prevouts());
        assertEquals(List.of(Reason.WINNER_INVALID), ab.stripped().stream().map(Stripped::reason).toList());
        assertTrue(ab.stripped().get(0).detail().contains("bad-txns-vout-negative"), ab.stripped().get(0).detail());
        assertEquals(List.of(fine.tx().getTxId()), ab.includedM8s());
        connect(ab);
    }

    @Test
    void noWinnerNoM7Output() {
        int height = nextHeight();
        Bribe stale = BribeBuilder.build(M8Tag.forBlock(mh(1, 0), height - 1), mary, Coin.COIN, List.of(coin(0)),
                ScriptBuilder.createP2WPKHOutputScript(simon), FEE);
        AssembledBlock ab = assembler.assemble(template(), List.of(stale.tx()), net.chain.prevouts());
        assertEquals(List.of(Reason.WINNER_WRONG_ANCHOR), ab.stripped().stream().map(Stripped::reason).toList());
        Transaction cb = ab.block().getTransactions().get(0);
        assertEquals(1, ab.block().getTransactions().size());
        assertEquals(1, cb.getOutputs().size()); // no M7, no witness commitment (no witness data)
        assertEquals(Coin.FIFTY_COINS, cb.getOutput(0).getValue());
        assertEquals(List.of(), ab.m7Entries());
        connect(ab);
        assertEquals(List.of(), net.chain.d3().row(height).orElseThrow().entries());
    }

    @Test
    void extrasGoLastAndPayTheCoinbase() {
        Bribe b1 = bribe(mh(1, 0), Coin.COIN, 0);
        Transaction extra = payment(5, 1_500);
        byte[] note = ScriptBuilder.createOpReturnScript("mary".getBytes(StandardCharsets.UTF_8)).program();
        BlockAssembler.Options opts = BlockAssembler.Options.NONE
                .withExtraTransactions(List.of(extra))
                .withExtraCoinbaseOutputs(List.of(new BlockBuilder.Output(Coin.ZERO, note),
                        new BlockBuilder.Output(Coin.COIN, ScriptBuilder.createP2WPKHOutputScript(simon).program())))
                .withExtraNonce(new byte[] {1, 2, 3});
        PrevoutSource before = Txs.snapshot(net.chain.prevouts(), List.of(b1.tx(), extra));
        AssembledBlock ab = assembler.assemble(template(), List.of(b1.tx()), net.chain.prevouts(), opts);
        List<Transaction> txs = Txs.nonCoinbase(ab.block());
        assertEquals(List.of(b1.tx().getTxId(), extra.getTxId()), txs.stream().map(Transaction::getTxId).toList());
        Transaction cb = ab.block().getTransactions().get(0);
        assertEquals(5, cb.getOutputs().size()); // payout, M7, note, Simon's coin, commitment
        assertArrayEquals(note, cb.getOutput(2).getScriptBytes());
        assertEquals(ab.coinbaseValue().subtract(Coin.COIN), cb.getOutput(0).getValue());
        assertEquals(b1.fee().add(Coin.valueOf(1_500)), ab.fees());
        assertCoinbaseValue(ab, before);
        assertTrue(Arrays.equals(new byte[] {3, 1, 2, 3},
                Arrays.copyOfRange(cb.getInput(0).getScriptBytes(), 2, 6))); // <height 2 bytes> <push 3>
        connect(ab);
    }

    @Test
    void extrasThatCannotBePlacedAreErrors() {
        Bribe b1 = bribe(mh(1, 0), Coin.COIN, 0);
        BlockTemplate tpl = template();
        PrevoutSource chain = net.chain.prevouts();
        BlockAssembler.Options m8 = BlockAssembler.Options.NONE.withExtraTransactions(List.of(b1.tx()));
        assertThrows(IllegalArgumentException.class, () -> assembler.assemble(tpl, List.of(), chain, m8));
        Transaction unknown = Txs.pay(new In(Fixtures.outpoint("nowhere", 1), Coin.COIN, simon),
                Out.to(Coin.CENT, simon));
        assertThrows(IllegalArgumentException.class, () -> assembler.assemble(tpl, List.of(), chain,
                BlockAssembler.Options.NONE.withExtraTransactions(List.of(unknown))));
        Transaction a = payment(3, 100);
        Transaction b = payment(3, 200);
        assertThrows(IllegalArgumentException.class, () -> assembler.assemble(tpl, List.of(), chain,
                BlockAssembler.Options.NONE.withExtraTransactions(List.of(a, b))));
        assertThrows(IllegalArgumentException.class, () -> assembler.assemble(tpl, List.of(), chain,
                BlockAssembler.Options.NONE.withExtraTransactions(List.of(a, a))));
        assertThrows(IllegalArgumentException.class, () -> assembler.assemble(tpl, List.of(), chain,
                BlockAssembler.Options.NONE.withExtraCoinbaseOutputs(List.of(new BlockBuilder.Output(
                        Coin.FIFTY_COINS.add(Coin.SATOSHI), net.payoutScript())))));
        // winners: not an M8, or two for one chain
        assertThrows(IllegalArgumentException.class, () -> assembler.assemble(tpl, List.of(a), chain));
        Bribe other1 = bribe(mh(1, 1), Coin.COIN, 1);
        assertThrows(IllegalArgumentException.class, () -> assembler.assemble(tpl, List.of(b1.tx(), other1.tx()),
                chain));
    }

    @Test
    void templateShapeIsChecked() {
        Transaction p = payment(2, 100);
        Transaction q = payment(3, 100);
        assertThrows(IllegalArgumentException.class, () -> template(TemplateTx.of(p, Coin.ZERO, 1),
                TemplateTx.of(q, Coin.ZERO)));
        assertThrows(IllegalArgumentException.class, () -> template(TemplateTx.of(p, Coin.ZERO, 0)));
        assertThrows(IllegalArgumentException.class, () -> template(TemplateTx.of(p, Coin.ZERO),
                TemplateTx.of(p, Coin.ZERO)));
        assertThrows(IllegalArgumentException.class, () -> TemplateTx.of(p, Coin.valueOf(-1)));
    }

    @Test
    void subsidyHalvesEvery150BlocksOnRegtest() {
        assertEquals(150, RegtestDriver.PARAMS.getSubsidyDecreaseBlockCount());
        assertEquals(Coin.FIFTY_COINS, Subsidy.at(RegtestDriver.PARAMS, 0));
        assertEquals(Coin.FIFTY_COINS, Subsidy.at(RegtestDriver.PARAMS, 149));
        assertEquals(Coin.valueOf(25, 0), Subsidy.at(RegtestDriver.PARAMS, 150));
        assertEquals(Coin.valueOf(12, 50), Subsidy.at(RegtestDriver.PARAMS, 300));
        assertEquals(Coin.SATOSHI, Subsidy.at(RegtestDriver.PARAMS, 150 * 32));  // 5e9 >> 32 = 1
        assertEquals(Coin.ZERO, Subsidy.at(RegtestDriver.PARAMS, 150 * 33));
        assertEquals(Coin.ZERO, Subsidy.at(RegtestDriver.PARAMS, 150 * 64));
        assertEquals(Coin.valueOf(25, 0), Subsidy.at(MainNetParams.get(), 210_000));
        // why not bitcoinj's getBlockInflation: past 64 halvings Java's shift wraps around to 50 BTC
        assertEquals(Coin.FIFTY_COINS, ((BitcoinNetworkParams) RegtestDriver.PARAMS).getBlockInflation(150 * 64));
        assertFalse(Subsidy.at(RegtestDriver.PARAMS, 150 * 64).isPositive());
    }

    @Test
    void theCoinbaseFollowsTheHalving() {
        net.mineEmpty(150 - nextHeight()); // the next block is at height 150
        assertEquals(150, nextHeight());
        AssembledBlock ab = assembler.assemble(template(), List.of(), net.chain.prevouts());
        assertEquals(Coin.valueOf(25, 0), ab.coinbaseValue());
        assertEquals(Coin.valueOf(25, 0), ab.block().getTransactions().get(0).getOutputSum());
        connect(ab);
    }

    @Test
    void aWinnerFromThePoolOfAnotherTipIsDropped() {
        BribePool pool = pool();
        Admission a = pool.submit(bribe(mh(1, 0), Coin.COIN, 0).tx());
        assertTrue(a.accepted(), a.toString());
        List<Transaction> stale = pool.winners();
        net.mineEmpty(1); // the miner did not call onTip
        AssembledBlock ab = assembler.assemble(template(), stale, net.chain.prevouts());
        assertEquals(List.of(Reason.WINNER_WRONG_ANCHOR), ab.stripped().stream().map(Stripped::reason).toList());
        connect(ab);
    }

    /** An M8 paying Mary's standard M9 script for {@code mh}, spending {@code in}, with extra outputs. */
    Transaction m8(MiniHeader mh, In in, long lockTime, long sequence, List<Out> extra) {
        List<Out> outs = new ArrayList<>(List.of(Out.tag(M8Tag.forBlock(mh, nextHeight())),
                Out.to(Coin.COIN, org.sidechains.bmm.bitcoinj.m9.M9Scripts.p2wsh(org.sidechains.bmm.bitcoinj.m9.M9Scripts
                        .standard(org.sidechains.bmm.cbv.CbvPayload.v1(mh), mary)))));
        outs.addAll(extra);
        return Txs.spend(org.sidechains.bmm.m8.M8Codec.TX_VERSION, List.of(in), outs, lockTime, sequence);
    }

    @Test
    void winnersThatCannotGoIntoThisBlockAreLeftOut() {
        TransactionOutPoint young = net.mineEmpty(1).get(0);
        int h = nextHeight();
        Transaction locked = m8(mh(1, 0), in(0), h, 0xFFFFFFFEL, List.of()); // final from block h + 1 only
        Transaction immature = m8(mh(2, 0), new In(young, RegtestDriver.SUBSIDY, net.minerKey), 0, 0xFFFFFFFFL, List.of());
        Transaction relative = m8(mh(3, 0), in(1), 0, 200, List.of()); // coin 1 was made at height 2
        Transaction fine = m8(mh(4, 0), in(2), h - 1, 0xFFFFFFFEL, List.of());
        AssembledBlock ab = assembler.assemble(template(), List.of(locked, immature, relative, fine), net.chain.prevouts());
        assertEquals(List.of(Reason.WINNER_NOT_FINAL, Reason.WINNER_IMMATURE_INPUT, Reason.WINNER_NOT_FINAL),
                ab.stripped().stream().map(Stripped::reason).toList());
        assertEquals(List.of(locked.getTxId(), immature.getTxId(), relative.getTxId()),
                ab.stripped().stream().map(Stripped::txid).toList());
        assertEquals(List.of(mh(4, 0)), ab.m7Entries());
        assertEquals(List.of(fine.getTxId()), ab.includedM8s());
        connect(ab);
    }

    @Test
    void winnersOverTheBlocksSigOpLimitAreLeftOutLastGivenFirst() {
        // each: 187 outputs "OP_CHECKMULTISIG" (20 legacy sigops each, times 4) and a P2WPKH input: 14,961
        List<Out> multisigs = new ArrayList<>();
        for (int i = 0; i < 187; i++) {
            multisigs.add(new Out(Coin.ZERO, new byte[] {(byte) 0xae}));
        }
        int[] order = {3, 1, 2, 6, 5, 4};
        List<Transaction> winners = new ArrayList<>();
        for (int c : order) {
            winners.add(m8(mh(c, 0), in(c), 0, 0xFFFFFFFFL, multisigs));
        }
        assertEquals(14_961, org.sidechains.bmm.bitcoinj.tx.SigOps.cost(winners.get(0),
                List.of(net.chain.prevouts().find(coins.get(3)).orElseThrow())));
        AssembledBlock ab = assembler.assemble(template(), winners, net.chain.prevouts());
        // six are 89,766: the one given last (chain 4) stays out, and five fit
        assertEquals(1, ab.stripped().size());
        assertEquals(Reason.WINNER_OVER_BLOCK_LIMITS, ab.stripped().get(0).reason());
        assertEquals(winners.get(5).getTxId(), ab.stripped().get(0).txid());
        assertTrue(ab.stripped().get(0).detail().contains("sigop cost of 89766"), ab.stripped().get(0).detail());
        assertEquals(List.of(1, 2, 3, 5, 6), ab.m7Entries().stream().map(MiniHeader::chain).toList());
        connect(ab);
    }

    @Test
    void winnersOverTheBlocksWeightLimitAreLeftOut() {
        // two winners of about 2.2 million weight units each (55 outputs of 10,000 bytes)
        List<Out> bulk = new ArrayList<>();
        for (int i = 0; i < 55; i++) {
            byte[] big = new byte[10_000];
            big[0] = 0x6a;
            bulk.add(new Out(Coin.ZERO, big));
        }
        Transaction first = m8(mh(1, 0), in(1), 0, 0xFFFFFFFFL, bulk);
        Transaction second = m8(mh(2, 0), in(2), 0, 0xFFFFFFFFL, bulk);
        // given second first: the one given last (chain 1) stays out
        AssembledBlock ab = assembler.assemble(template(), List.of(second, first), net.chain.prevouts());
        assertEquals(List.of(first.getTxId()), ab.stripped().stream().map(Stripped::txid).toList());
        assertEquals(Reason.WINNER_OVER_BLOCK_LIMITS, ab.stripped().get(0).reason());
        assertEquals(strippedSize(ab.block()) * 3L + ab.block().serialize().length, BlockAssembler.weight(ab.block()),
                "BIP 141: base size x 3 + total size");
        assertTrue(BlockAssembler.weight(ab.block()) <= BlockAssembler.MAX_BLOCK_WEIGHT);
        assertEquals(List.of(mh(2, 0)), ab.m7Entries());
        // an extra that cannot fit even without winners is the caller's mistake
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> assembler.assemble(template(),
                List.of(first), net.chain.prevouts(), BlockAssembler.Options.NONE.withExtraTransactions(List.of(
                        Txs.spend(2, List.of(in(3)), bulk), Txs.spend(2, List.of(in(4)), bulk)))));
        assertTrue(e.getMessage().contains("extra transactions or coinbase outputs are too large"), e.getMessage());
    }

    @Test
    void aCoinbaseScriptSigOverBitcoindsLimitIsRefused() {
        BlockAssembler.Options longNonce = BlockAssembler.Options.NONE.withExtraNonce(new byte[97]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> assembler.assemble(template(), List.of(), net.chain.prevouts(), longNonce));
        assertTrue(e.getMessage().contains("at most 100"), e.getMessage());
        // 96 bytes: height push (2) + push of 96 (1 + 96) = 99 bytes, taken
        connect(assembler.assemble(template(), List.of(), net.chain.prevouts(),
                BlockAssembler.Options.NONE.withExtraNonce(new byte[96])));
    }

    /** The block serialized without witnesses (its base size), computed apart from the assembler. */
    static int strippedSize(Block block) {
        int size = 80 + org.bitcoinj.base.VarInt.sizeOf(block.getTransactions().size());
        for (Transaction tx : block.getTransactions()) {
            Transaction bare = Transaction.read(ByteBuffer.wrap(tx.serialize()));
            for (int i = 0; i < bare.getInputs().size(); i++) {
                bare.replaceInput(i, bare.getInput(i).withWitness(org.bitcoinj.core.TransactionWitness.EMPTY));
            }
            size += bare.serialize().length;
        }
        return size;
    }

    @Test
    void templateAndCoinbaseSigOpsCountTowardsTheLimit() {
        // five winners of 14,961 each (74,805) and a template transaction of 5,193: 79,998
        List<Out> multisigs = new ArrayList<>();
        for (int i = 0; i < 187; i++) {
            multisigs.add(new Out(Coin.ZERO, new byte[] {(byte) 0xae}));
        }
        List<Transaction> winners = new ArrayList<>();
        for (int c = 1; c <= 5; c++) {
            winners.add(m8(mh(c, 0), in(c), 0, 0xFFFFFFFFL, multisigs));
        }
        List<Out> outs = new ArrayList<>(List.of(Out.to(Coin.valueOf(49, 0), simon)));
        for (int i = 0; i < 64; i++) {
            outs.add(new Out(Coin.ZERO, new byte[] {(byte) 0xae})); // 64 x 80
        }
        for (int i = 0; i < 18; i++) {
            outs.add(new Out(Coin.ZERO, new byte[] {(byte) 0xac})); // 18 x 4, and 1 for its P2WPKH input
        }
        Transaction busy = Txs.spend(2, List.of(in(7)), outs);
        BlockTemplate tpl = template(TemplateTx.of(busy, Coin.COIN));
        // a P2WPKH payout: the coinbase counts nothing, and all five fit (79,998)
        AssembledBlock fits = assembler.assemble(tpl, winners, net.chain.prevouts());
        assertEquals(List.of(), fits.stripped());
        // a P2PKH payout: its OP_CHECKSIG counts 4 more, 80,002: the winner given last stays out
        BlockAssembler p2pkh = new BlockAssembler(RegtestDriver.PARAMS, ScriptBuilder.createP2PKHOutputScript(mary));
        AssembledBlock over = p2pkh.assemble(tpl, winners, net.chain.prevouts());
        assertEquals(List.of(winners.get(4).getTxId()), over.stripped().stream().map(Stripped::txid).toList());
        assertTrue(over.stripped().get(0).detail().contains("sigop cost of 80002"), over.stripped().get(0).detail());
        connect(over);
    }
}
