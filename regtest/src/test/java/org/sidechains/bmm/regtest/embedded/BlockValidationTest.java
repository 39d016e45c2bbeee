package org.sidechains.bmm.regtest.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.crypto.TransactionSignature;
import org.bitcoinj.script.ScriptBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.bitcoinj.assemble.BlockBuilder;
import org.sidechains.bmm.bitcoinj.chain.WitnessCommitment;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.sidechains.bmm.regtest.Shared;

/** Every refusal of a block, with bitcoind's reason, on real regtest blocks. */
class BlockValidationTest {
    static final Coin FIFTY = Coin.FIFTY_COINS;
    static final Coin FEE = Coin.valueOf(10_000);
    static final String EVAL_FALSE =
            "mandatory-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)";

    TestChain t;
    List<TransactionOutPoint> coins;

    @BeforeEach
    void setUp() {
        t = new TestChain();
        coins = t.mine(101); // coinbases of heights 1 and 2 are mature for the block at 102
    }

    Transaction pay(int coin, Coin amount, byte[] to) {
        return TestChain.pay(coins.get(coin), FIFTY, amount, to, FEE);
    }

    @Test
    void aValidBlockConnects() {
        Block b = t.blockOnTip(FIFTY.add(FEE), List.of(pay(0, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER))));
        assertEquals(Optional.empty(), t.submit(b));
        assertEquals(b.getHash(), t.tip());
        assertEquals(102, t.height());
        assertEquals(Optional.of("duplicate"), t.submit(b));
    }

    @Test
    void highHash() {
        Block good = t.blockOnTip(FIFTY, List.of());
        Block bad = null;
        for (long nonce = 0; bad == null; nonce++) {
            Block b = new Block(good.getVersion(), good.getPrevBlockHash(), good.getMerkleRoot(), good.time(),
                    good.getDifficultyTarget(), nonce, good.getTransactions());
            if (!Pow.check(b.getHash(), b.getDifficultyTarget())) {
                bad = b;
            }
        }
        assertEquals(Optional.of("high-hash"), t.submit(bad));
    }

    @Test
    void badMerkleRoot() {
        Block good = t.blockOnTip(FIFTY, List.of());
        Block bad = null;
        for (long nonce = 0; bad == null; nonce++) {
            Block b = new Block(good.getVersion(), good.getPrevBlockHash(), Sha256Hash.of(new byte[] {1}), good.time(),
                    good.getDifficultyTarget(), nonce, good.getTransactions());
            if (Pow.check(b.getHash(), b.getDifficultyTarget())) {
                bad = b;
            }
        }
        assertEquals(Optional.of("bad-txnmrklroot"), t.submit(bad));
        assertEquals(Optional.empty(), t.submit(good));
    }

    @Test
    void duplicatedLastTransactionIsAMutationNotRemembered() {
        Transaction a = pay(0, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER));
        Transaction b = pay(1, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER));
        Block good = t.blockOnTip(FIFTY.add(FEE).add(FEE), List.of(a, b));
        List<Transaction> txs = new ArrayList<>(good.getTransactions());
        txs.add(b); // [cb, a, b, b] has the merkle root of [cb, a, b] (CVE-2012-2459)
        Block mutated = new Block(good.getVersion(), good.getPrevBlockHash(), good.getMerkleRoot(), good.time(),
                good.getDifficultyTarget(), good.getNonce(), txs);
        assertEquals(good.getHash(), mutated.getHash());
        assertEquals(Optional.of("bad-txns-duplicate"), t.submit(mutated));
        assertEquals(Optional.empty(), t.submit(good)); // the same header with the right body
    }

    @Test
    void coinbaseValueAtMostSubsidyPlusFees() {
        Transaction a = pay(0, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER));
        assertEquals(Optional.of("bad-cb-amount"), t.submit(t.blockOnTip(FIFTY.add(FEE).add(Coin.SATOSHI), List.of(a))));
        assertEquals(Optional.of("bad-cb-amount"), t.submit(t.blockOnTip(FIFTY.add(Coin.SATOSHI), List.of())));
        Block ok = t.blockOnTip(FIFTY.add(FEE), List.of(a));
        assertEquals(Optional.empty(), t.submit(ok));
    }

    @Test
    void badCbAmountIsRememberedAsInvalid() {
        Block bad = t.blockOnTip(FIFTY.add(Coin.SATOSHI), List.of());
        assertEquals(Optional.of("bad-cb-amount"), t.submit(bad));
        assertEquals(Optional.of("duplicate-invalid"), t.submit(bad));
        Block child = BlockMaker.build(bad.getHash(), 103, bad.time().plusSeconds(1), Pow.REGTEST_BITS,
                List.of(new BlockBuilder.Output(FIFTY, TestChain.p2wpkh(TestChain.KEY))), List.of());
        assertEquals(Optional.of("bad-prevblk"), t.submit(child));
        assertEquals(101, t.height());
    }

    @Test
    void bip34Height() {
        Sha256Hash tip = t.tip();
        Block wrong = BlockMaker.build(tip, 113, t.nextTime(tip), Pow.REGTEST_BITS,
                List.of(new BlockBuilder.Output(FIFTY, TestChain.p2wpkh(TestChain.KEY))), List.of());
        assertEquals(Optional.of("bad-cb-height"), t.submit(wrong));
        assertEquals(Optional.of("duplicate-invalid"), t.submit(wrong));
    }

    @Test
    void unknownOrInvalidParent() {
        Block orphan = BlockMaker.build(Sha256Hash.of(new byte[] {0x11}), 102, t.nextTime(t.tip()), Pow.REGTEST_BITS,
                List.of(new BlockBuilder.Output(FIFTY, TestChain.p2wpkh(TestChain.KEY))), List.of());
        assertEquals(Optional.of("prev-blk-not-found"), t.submit(orphan));
        Sha256Hash tip = t.tip();
        Block wrong = BlockMaker.build(tip, 7, t.nextTime(tip), Pow.REGTEST_BITS,
                List.of(new BlockBuilder.Output(FIFTY, TestChain.p2wpkh(TestChain.KEY))), List.of());
        assertEquals(Optional.of("bad-cb-height"), t.submit(wrong));
        Block onWrong = BlockMaker.build(wrong.getHash(), 103, wrong.time().plusSeconds(1), Pow.REGTEST_BITS,
                List.of(new BlockBuilder.Output(FIFTY, TestChain.p2wpkh(TestChain.KEY))), List.of());
        assertEquals(Optional.of("bad-prevblk"), t.submit(onWrong));
    }

    @Test
    void headerRules() {
        Sha256Hash tip = t.tip();
        List<BlockBuilder.Output> outs = List.of(new BlockBuilder.Output(FIFTY, TestChain.p2wpkh(TestChain.KEY)));
        Block good = t.blockOnTip(FIFTY, List.of());
        Block easier = BlockMaker.solve(good.getVersion(), tip, good.time(), 0x207ffffeL, good.getTransactions());
        assertEquals(Optional.of("bad-diffbits"), t.submit(easier));
        long mtp = t.chain.blockRecord(tip).orElseThrow().medianTimePast();
        Block old = BlockMaker.build(tip, 102, java.time.Instant.ofEpochSecond(mtp), Pow.REGTEST_BITS, outs, List.of());
        assertEquals(Optional.of("time-too-old"), t.submit(old));
        Block v3 = BlockMaker.solve(3, tip, good.time(), Pow.REGTEST_BITS, good.getTransactions());
        assertEquals(Optional.of("bad-version(0x00000003)"), t.submit(v3));
        assertEquals(Optional.empty(), t.submit(good));
    }

    @Test
    void inputsMustExistAndBeUnspent() {
        Transaction ghost = TestChain.spendP2wpkh(2, List.of(new TransactionOutPoint(0, Sha256Hash.of(new byte[] {7}))),
                FIFTY, TestChain.KEY, List.of(new TransactionOutput(null, Coin.COIN, TestChain.p2wpkh(TestChain.KEY))));
        assertEquals(Optional.of("bad-txns-inputs-missingorspent"), t.submit(t.blockOnTip(FIFTY, List.of(ghost))));

        Transaction a = pay(0, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER));
        Transaction a2 = pay(0, Coin.valueOf(2, 0), TestChain.p2wpkh(TestChain.OTHER)); // the same coin again
        assertEquals(Optional.of("bad-txns-inputs-missingorspent"),
                t.submit(t.blockOnTip(FIFTY.add(FEE).add(FEE), List.of(a, a2))));

        assertEquals(Optional.empty(), t.submit(t.blockOnTip(FIFTY.add(FEE), List.of(a))));
        assertEquals(Optional.of("bad-txns-inputs-missingorspent"), t.submit(t.blockOnTip(FIFTY.add(FEE), List.of(a2))));
    }

    @Test
    void spendsOfEarlierOutputsOfTheSameBlockInOrder() {
        Transaction a = pay(0, Coin.COIN, TestChain.p2wpkh(TestChain.KEY));
        Transaction b = TestChain.spendP2wpkh(2, List.of(new TransactionOutPoint(0, a.getTxId())), Coin.COIN,
                TestChain.KEY, List.of(new TransactionOutput(null, Coin.COIN.subtract(FEE), TestChain.p2wpkh(TestChain.OTHER))));
        assertEquals(Optional.of("bad-txns-inputs-missingorspent"),
                t.submit(t.blockOnTip(FIFTY.add(FEE).add(FEE), List.of(b, a))));
        assertEquals(Optional.empty(), t.submit(t.blockOnTip(FIFTY.add(FEE).add(FEE), List.of(a, b))));
        assertTrue(t.chain.txOut(new TransactionOutPoint(0, a.getTxId()), false).isEmpty());
        assertTrue(t.chain.txOut(new TransactionOutPoint(0, b.getTxId()), false).isPresent());
    }

    @Test
    void coinbaseMaturity() {
        // the coinbase of height 3 is at depth 99 for the block at 102
        Transaction early = TestChain.pay(coins.get(2), FIFTY, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER), FEE);
        assertEquals(Optional.of("bad-txns-premature-spend-of-coinbase"), t.submit(t.blockOnTip(FIFTY.add(FEE),
                List.of(early))));
        t.mine(1);
        assertEquals(Optional.empty(), t.submit(t.blockOnTip(FIFTY.add(FEE), List.of(early))));
    }

    @Test
    void p2wpkhSignatures() {
        Transaction a = pay(0, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER));
        // a signature by another key, with the right public key
        Transaction forged = EmbeddedRegtestChain.copy(a);
        TransactionSignature sig = forged.calculateWitnessSignature(0, TestChain.OTHER,
                ScriptBuilder.createP2PKHOutputScript(TestChain.KEY), FIFTY, Transaction.SigHash.ALL, false);
        forged.replaceInput(0, forged.getInput(0).withWitness(TransactionWitness.of(sig.encodeToBitcoin(),
                TestChain.KEY.getPubKey())));
        assertEquals(Optional.of(EVAL_FALSE), t.submit(t.blockOnTip(FIFTY.add(FEE), List.of(forged))));
        // the other key's own signature and public key: not the key the output pays
        Transaction wrongKey = EmbeddedRegtestChain.copy(a);
        TransactionSignature sig2 = wrongKey.calculateWitnessSignature(0, TestChain.OTHER,
                ScriptBuilder.createP2PKHOutputScript(TestChain.OTHER), FIFTY, Transaction.SigHash.ALL, false);
        wrongKey.replaceInput(0, wrongKey.getInput(0).withWitness(TransactionWitness.redeemP2WPKH(sig2, TestChain.OTHER)));
        assertEquals(Optional.of("mandatory-script-verify-flag-failed (Script failed an OP_EQUALVERIFY operation)"),
                t.submit(t.blockOnTip(FIFTY.add(FEE), List.of(wrongKey))));
        // the signature commits to the value (BIP143): signed for another amount
        Transaction wrongValue = TestChain.spendP2wpkh(2, List.of(coins.get(0)), FIFTY.subtract(Coin.SATOSHI),
                TestChain.KEY, List.of(new TransactionOutput(null, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER))));
        assertEquals(Optional.of(EVAL_FALSE), t.submit(t.blockOnTip(FIFTY, List.of(wrongValue))));
        assertEquals(Optional.empty(), t.submit(t.blockOnTip(FIFTY.add(FEE), List.of(a))));
    }

    @Test
    void p2pkhAndP2pkSignatures() {
        byte[] pkh = TestChain.p2pkh(TestChain.KEY);
        byte[] pk = TestChain.p2pk(TestChain.KEY);
        Transaction fund = TestChain.spendP2wpkh(2, List.of(coins.get(0)), FIFTY, TestChain.KEY,
                List.of(new TransactionOutput(null, Coin.COIN, pkh), new TransactionOutput(null, Coin.COIN, pk)));
        assertEquals(Optional.empty(), t.submit(t.blockOnTip(FIFTY.add(FIFTY.subtract(Coin.valueOf(2, 0))), List.of(fund))));
        TransactionOutPoint pkhOut = new TransactionOutPoint(0, fund.getTxId());
        TransactionOutPoint pkOut = new TransactionOutPoint(1, fund.getTxId());
        byte[] dest = TestChain.p2wpkh(TestChain.OTHER);
        Coin out = Coin.COIN.subtract(FEE);

        Transaction badPkh = TestChain.spendLegacy(pkhOut, pkh, TestChain.OTHER, out, dest);
        assertEquals(Optional.of("mandatory-script-verify-flag-failed (Script failed an OP_EQUALVERIFY operation)"),
                t.submit(t.blockOnTip(FIFTY.add(FEE), List.of(badPkh))));
        Transaction badPk = TestChain.spendLegacy(pkOut, pk, TestChain.OTHER, out, dest);
        assertEquals(Optional.of(EVAL_FALSE), t.submit(t.blockOnTip(FIFTY.add(FEE), List.of(badPk))));
        Transaction witnessOnLegacy = TestChain.spendLegacy(pkOut, pk, TestChain.KEY, out, dest);
        witnessOnLegacy.replaceInput(0, witnessOnLegacy.getInput(0).withWitness(TransactionWitness.of(new byte[] {1})));
        assertEquals(Optional.of("mandatory-script-verify-flag-failed (Witness provided for non-witness script)"),
                t.submit(t.blockOnTip(FIFTY.add(FEE), List.of(witnessOnLegacy))));

        Transaction goodPkh = TestChain.spendLegacy(pkhOut, pkh, TestChain.KEY, out, dest);
        Transaction goodPk = TestChain.spendLegacy(pkOut, pk, TestChain.KEY, out, dest);
        assertEquals(Optional.empty(), t.submit(t.blockOnTip(FIFTY.add(FEE).add(FEE), List.of(goodPkh, goodPk))));
    }

    @Test
    void otherScriptTypesAreNotVerified() {
        // a P2SH output whose redeem script wants a signature, spent with a garbage one: bitcoind
        // would refuse it; the embedded chain does not check P2SH spends (docs/embedded-chain.md)
        byte[] redeem = TestChain.p2pk(TestChain.KEY);
        byte[] p2sh = ScriptBuilder.createP2SHOutputScript(org.bitcoinj.script.Script.parse(redeem)).program();
        Transaction fund = pay(0, Coin.COIN, p2sh);
        assertEquals(Optional.empty(), t.submit(t.blockOnTip(FIFTY.add(FEE), List.of(fund))));
        Transaction spend = new Transaction();
        byte[] scriptSig = new ScriptBuilder().data(new byte[71]).data(redeem).build().program();
        spend.addInput(new TransactionInput(spend, scriptSig, new TransactionOutPoint(0, fund.getTxId())));
        spend.addOutput(Coin.COIN.subtract(FEE), ScriptBuilder.createP2WPKHOutputScript(TestChain.KEY));
        assertEquals(Optional.empty(), t.submit(t.blockOnTip(FIFTY.add(FEE), List.of(spend))));
    }

    @Test
    void witnessCommitment() {
        Transaction a = pay(0, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER));
        Block good = t.blockOnTip(FIFTY.add(FEE), List.of(a));
        // the commitment hash written byte-reversed: refused
        List<Transaction> txs = new ArrayList<>(good.getTransactions());
        Transaction cb = EmbeddedRegtestChain.copy(txs.get(0));
        int pos = WitnessCommitment.index(cb).orElseThrow();
        byte[] script = cb.getOutput(pos).getScriptBytes();
        for (int i = 0; i < 16; i++) {
            byte x = script[6 + i];
            script[6 + i] = script[37 - i];
            script[37 - i] = x;
        }
        cb.replaceOutput(pos, new TransactionOutput(cb, Coin.ZERO, script));
        txs.set(0, cb);
        assertEquals(Optional.of("bad-witness-merkle-match"), t.submit(TestChain.resolve(good, txs)));
        // no commitment at all, but witness data
        Transaction bare = EmbeddedRegtestChain.copy(good.getTransactions().get(0));
        bare.clearOutputs();
        bare.addOutput(FIFTY.add(FEE), ScriptBuilder.createP2WPKHOutputScript(TestChain.KEY));
        bare.replaceInput(0, bare.getInput(0).withoutWitness());
        assertEquals(Optional.of("unexpected-witness"), t.submit(TestChain.resolve(good, List.of(bare, a))));
        // a wrong reserved value size
        Transaction badNonce = EmbeddedRegtestChain.copy(good.getTransactions().get(0));
        badNonce.replaceInput(0, badNonce.getInput(0).withWitness(TransactionWitness.of(new byte[31])));
        assertEquals(Optional.of("bad-witness-nonce-size"), t.submit(TestChain.resolve(good, List.of(badNonce, a))));
        assertEquals(Optional.empty(), t.submit(good));
    }

    @Test
    void aMissingReservedValueIsAddedAsBitcoindsSubmitblockDoes() {
        Block good = t.blockOnTip(FIFTY, List.of());
        Transaction cb = EmbeddedRegtestChain.copy(good.getTransactions().get(0));
        cb.replaceInput(0, cb.getInput(0).withoutWitness());
        Block noWitness = new Block(good.getVersion(), good.getPrevBlockHash(), good.getMerkleRoot(), good.time(),
                good.getDifficultyTarget(), good.getNonce(), List.of(cb));
        assertEquals(Optional.empty(), t.submit(noWitness));
        assertEquals(1, t.chain.block(good.getHash()).getTransactions().get(0).getInput(0).getWitness().getPushCount());
    }

    @Test
    void blockBuilderBlocksWithoutWitnessDataAreAccepted() {
        Block b = t.builderBlockOnTip(List.of(new BlockBuilder.Output(FIFTY, TestChain.p2wpkh(TestChain.KEY))), List.of(),
                new byte[] {1, 2, 3});
        assertEquals(Optional.empty(), t.submit(b));
    }

    @Test
    void blockBuilderBlocksWithWitnessDataAreAccepted() {
        Transaction a = pay(0, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER));
        Block b = t.builderBlockOnTip(List.of(new BlockBuilder.Output(FIFTY.add(FEE), TestChain.p2wpkh(TestChain.KEY))),
                List.of(a), new byte[] {1, 2});
        assertEquals(Optional.empty(), t.submit(b));
    }

    @Test
    void lockTimeFinality() {
        Transaction a = pay(0, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER));
        Transaction locked = new Transaction();
        locked.setVersion(2);
        locked.addInput(new TransactionInput(locked, new byte[0], coins.get(0), 0xfffffffeL, FIFTY, null));
        a.getOutputs().forEach(o -> locked.addOutput(new TransactionOutput(locked, o.getValue(), o.getScriptBytes())));
        locked.setLockTime(200);
        TransactionSignature sig = locked.calculateWitnessSignature(0, TestChain.KEY,
                ScriptBuilder.createP2PKHOutputScript(TestChain.KEY), FIFTY, Transaction.SigHash.ALL, false);
        locked.replaceInput(0, locked.getInput(0).withWitness(TransactionWitness.redeemP2WPKH(sig, TestChain.KEY)));
        assertEquals(Optional.of("bad-txns-nonfinal"), t.submit(t.blockOnTip(FIFTY.add(FEE), List.of(locked))));
    }

    @Test
    void structure() {
        Block good = t.blockOnTip(FIFTY, List.of());
        Transaction notCoinbase = pay(0, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER));
        assertThrows(MainchainException.Rpc.class, () -> t.submit(TestChain.resolve(good, List.of(notCoinbase))));
        Transaction cb2 = EmbeddedRegtestChain.copy(good.getTransactions().get(0));
        assertEquals(Optional.of("bad-cb-multiple"), t.submit(TestChain.resolve(good, List.of(good.getTransactions().get(0),
                notCoinbase, cb2))));
    }

    @Test
    void aSideBranchIsStoredButNotCheckedYet() {
        Sha256Hash parent = t.chain.blockHash(100);
        Block side = t.blockOn(parent, List.of(new BlockBuilder.Output(FIFTY, TestChain.p2wpkh(TestChain.OTHER))), List.of());
        assertEquals(Optional.of("inconclusive"), t.submit(side));
        assertEquals(-1, t.chain.header(side.getHash()).confirmations());
        assertEquals(101, t.height());
    }

    @Test
    void fixtureBlocksPassTheContextFreeChecks() throws Exception {
        Path dir = Shared.root().resolve("fixtures/bitcoind-25-regtest");
        for (String name : List.of("block-m7-2-entries-with-m8.hex", "block-m7-after-decoy-output.hex",
                "block-m7-pushdata1-duplicate-trailing.hex", "block-m7-pushdata2-256-entries.hex")) {
            byte[] raw = HexFormat.of().parseHex(Files.readString(dir.resolve(name)).trim());
            Block b = Block.read(ByteBuffer.wrap(raw));
            assertEquals(Optional.empty(), BlockChecks.checkBlock(b), name);
            int height = ScriptNumTest.bip34Height(b);
            // the witness commitment bitcoind accepted is the one this chain computes
            assertEquals(Optional.empty(), BlockChecks.checkContextual(b, height, 0), name);
            assertEquals(Optional.of("prev-blk-not-found"), t.submit(b), name);
        }
    }

    @Test
    void refusedBlocksChangeNothing() {
        Sha256Hash tip = t.tip();
        Transaction a = pay(0, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER));
        assertEquals(Optional.of("bad-cb-amount"), t.submit(t.blockOnTip(FIFTY.add(FEE).add(FEE), List.of(a))));
        assertEquals(tip, t.tip());
        assertTrue(t.chain.txOut(coins.get(0), false).isPresent());
        assertTrue(t.chain.txOut(new TransactionOutPoint(0, a.getTxId()), false).isEmpty());
    }

    @Test
    void versionsAreSignedInt32AsBitcoindReadsThem() {
        Block good = t.blockOnTip(FIFTY, List.of());
        // bitcoinj reads nVersion unsigned; to bitcoind 0x80000000 and up are negative, so below 4
        for (long v : List.of(0x80000000L, 0xe0000000L, 0xffffffffL)) {
            Block b = BlockMaker.solve(v, t.tip(), good.time(), Pow.REGTEST_BITS, good.getTransactions());
            assertEquals(Optional.of(String.format("bad-version(0x%08x)", v)), t.submit(b));
        }
        Block max = BlockMaker.solve(0x7fffffffL, t.tip(), good.time(), Pow.REGTEST_BITS, good.getTransactions());
        assertEquals(Optional.empty(), t.submit(max));
    }

    @Test
    void p2wpkhWithoutTwoWitnessItemsIsAHashMismatchWhateverTheCount() {
        String mismatch = "mandatory-script-verify-flag-failed (Witness program hash mismatch)";
        Transaction a = pay(0, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER));
        TransactionWitness w = a.getInput(0).getWitness();
        for (TransactionWitness bad : List.of(TransactionWitness.EMPTY, TransactionWitness.of(w.getPush(0)),
                TransactionWitness.of(w.getPush(0), w.getPush(1), new byte[0]))) {
            Transaction tx = EmbeddedRegtestChain.copy(a);
            tx.replaceInput(0, tx.getInput(0).withWitness(bad));
            assertEquals(Optional.of(mismatch), t.submit(t.blockOnTip(FIFTY.add(FEE), List.of(tx))));
            MainchainException.Rpc e = assertThrows(MainchainException.Rpc.class, () -> t.chain.sendRawTransaction(tx));
            // the mempool's wording is bitcoind v25's for a failed P2WPKH spend (see KeySpendsAgainstBitcoindTest)
            assertEquals("non-mandatory-script-verify-flag (Witness program hash mismatch)", e.rpcMessage());
        }
        assertEquals(Optional.empty(), t.submit(t.blockOnTip(FIFTY.add(FEE), List.of(a))));
    }
}
