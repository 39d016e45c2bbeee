package org.sidechains.bmm.regtest.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.crypto.TransactionSignature;
import org.bitcoinj.script.ScriptBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.bitcoinj.assemble.BlockTemplate;
import org.sidechains.bmm.bitcoinj.chain.WitnessCommitment;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.sidechains.bmm.bitcoinj.mainchain.TxOutInfo;
import org.sidechains.bmm.regtest.Shared;
import org.sidechains.bmm.regtest.rpcserver.JsonRpcDispatcher;

/** sendrawtransaction, the template built from the mempool, and mining it with generatetoaddress. */
class MempoolTest {
    static final Coin FIFTY = Coin.FIFTY_COINS;
    static final Coin FEE = Coin.valueOf(10_000);

    TestChain t;
    List<TransactionOutPoint> coins;

    @BeforeEach
    void setUp() {
        t = new TestChain();
        coins = t.mine(101);
    }

    MainchainException.Rpc refused(Transaction tx) {
        return assertThrows(MainchainException.Rpc.class, () -> t.chain.sendRawTransaction(tx));
    }

    void assertRefused(int code, String message, Transaction tx) {
        MainchainException.Rpc e = refused(tx);
        assertEquals(code, e.code(), e.getMessage());
        assertEquals(message, e.rpcMessage());
    }

    @Test
    void parentAndChildMinedWithTheirFees() {
        Transaction parent = TestChain.pay(coins.get(0), FIFTY, Coin.valueOf(10, 0), TestChain.p2wpkh(TestChain.KEY), FEE);
        Transaction child = TestChain.spendP2wpkh(2, List.of(new TransactionOutPoint(0, parent.getTxId())),
                Coin.valueOf(10, 0), TestChain.KEY, List.of(new TransactionOutput(null,
                        Coin.valueOf(10, 0).subtract(Coin.valueOf(20_000)), TestChain.p2wpkh(TestChain.OTHER))));
        assertEquals(parent.getTxId(), t.chain.sendRawTransaction(parent));
        assertEquals(child.getTxId(), t.chain.sendRawTransaction(child));
        assertEquals(parent.getTxId(), t.chain.sendRawTransaction(parent)); // already there: its txid again

        // a mempool output is visible with includeMempool, and a mempool spend hides the output
        TxOutInfo pending = t.chain.txOut(new TransactionOutPoint(1, parent.getTxId()), true).orElseThrow();
        assertEquals(0, pending.confirmations());
        assertTrue(t.chain.txOut(new TransactionOutPoint(0, parent.getTxId()), true).isEmpty());
        assertTrue(t.chain.txOut(new TransactionOutPoint(0, parent.getTxId()), false).isEmpty());
        assertTrue(t.chain.txOut(coins.get(0), true).isEmpty());
        assertTrue(t.chain.txOut(coins.get(0), false).isPresent());

        BlockTemplate template = t.chain.blockTemplate();
        assertEquals(t.tip(), template.prevBlockHash());
        assertEquals(102, template.height());
        assertEquals(2, template.transactions().size());
        assertEquals(FEE, template.transactions().get(0).fee());
        assertEquals(Coin.valueOf(20_000), template.transactions().get(1).fee());
        assertEquals(List.of(), template.transactions().get(0).depends());
        assertEquals(List.of(0), template.transactions().get(1).depends()); // 0-based here
        assertEquals(FIFTY.add(Coin.valueOf(30_000)), t.chain.templateInfo().coinbaseValue());

        Sha256Hash mined = t.chain.generateToAddress(1, "bcrt1q5arju937pj3c2hvujrrulsqryhptt2u0xj3ez0").get(0);
        Block b = t.chain.block(mined);
        assertEquals(List.of(parent.getTxId(), child.getTxId()),
                b.getTransactions().subList(1, 3).stream().map(Transaction::getTxId).toList());
        assertEquals(FIFTY.add(Coin.valueOf(30_000)), b.getTransactions().get(0).getOutputSum());
        assertTrue(t.chain.mempoolTransactions().isEmpty());
        assertTrue(t.chain.txOut(new TransactionOutPoint(0, child.getTxId()), false).isPresent());
        assertRefused(-27, "Transaction already in block chain", child);
    }

    @Test
    void generatedBlocksLookLikeBitcoinds() {
        Block b = t.chain.block(t.tip());
        Transaction cb = b.getTransactions().get(0);
        assertEquals(0x20000000L, b.getVersion());
        assertEquals(2, cb.getVersion());
        assertEquals("016500", HexFormat.of().formatHex(cb.getInput(0).getScriptBytes())); // 101 OP_0
        assertEquals(1, cb.getInput(0).getWitness().getPushCount());
        assertEquals(2, cb.getOutputs().size());
        assertTrue(WitnessCommitment.isCommitment(cb.getOutput(1).getScriptBytes()));
    }

    @Test
    void versionThreeIsRefusedAsBitcoindV25Does() throws Exception {
        JsonNode ex = JsonRpcDispatcher.JSON.readTree(Files.readString(
                Shared.root().resolve("fixtures/bitcoind-25-regtest/07-m8-v3-sendrawtransaction.json")));
        String hex = ex.get("exchanges").get(0).get("request").get("params").get(0).asText();
        Transaction m8 = Transaction.read(ByteBuffer.wrap(HexFormat.of().parseHex(hex)));
        assertRefused(-26, "version", m8);
        // also one of ours, with real inputs
        Transaction v3 = TestChain.spendP2wpkh(3, List.of(coins.get(0)), FIFTY, TestChain.KEY,
                List.of(new TransactionOutput(null, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER))));
        assertRefused(-26, "version", v3);
    }

    @Test
    void inputsAndConflicts() {
        Transaction ghost = TestChain.spendP2wpkh(2, List.of(new TransactionOutPoint(3, Sha256Hash.of(new byte[] {9}))),
                FIFTY, TestChain.KEY, List.of(new TransactionOutput(null, Coin.COIN, TestChain.p2wpkh(TestChain.KEY))));
        assertRefused(-25, "bad-txns-inputs-missingorspent", ghost);
        Transaction a = TestChain.pay(coins.get(0), FIFTY, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER), FEE);
        Transaction a2 = TestChain.pay(coins.get(0), FIFTY, Coin.valueOf(2, 0), TestChain.p2wpkh(TestChain.OTHER), FEE);
        t.chain.sendRawTransaction(a);
        assertRefused(-26, "txn-mempool-conflict", a2);
        t.mine(1);
        assertRefused(-25, "bad-txns-inputs-missingorspent", a2);
    }

    @Test
    void coinbaseMaturityAndAmounts() {
        Transaction young = TestChain.pay(coins.get(99), FIFTY, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER), FEE);
        assertRefused(-26, "bad-txns-premature-spend-of-coinbase, tried to spend coinbase at depth 2", young);
        Transaction tooMuch = TestChain.spendP2wpkh(2, List.of(coins.get(0)), FIFTY, TestChain.KEY,
                List.of(new TransactionOutput(null, Coin.valueOf(51, 0), TestChain.p2wpkh(TestChain.OTHER))));
        assertRefused(-26, "bad-txns-in-belowout, value in (50.00) < value out (51.00)", tooMuch);
        Transaction noFee = TestChain.pay(coins.get(0), FIFTY, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER), Coin.ZERO);
        MainchainException.Rpc e = refused(noFee);
        assertEquals(-26, e.code());
        assertEquals("min relay fee not met, 0 < " + noFee.getVsize(), e.rpcMessage());
    }

    @Test
    void maxFeeRateAndBurn() {
        Transaction generous = TestChain.pay(coins.get(0), FIFTY, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER), Coin.COIN);
        assertRefused(-25, "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)", generous);
        assertEquals(generous.getTxId(), t.chain.sendRawTransaction(generous, Coin.ZERO, Coin.ZERO));
        Transaction burn = TestChain.pay(coins.get(1), FIFTY, Coin.COIN, new byte[] {0x6a, 0x01, 0x01}, FEE);
        assertRefused(-25, "Unspendable output exceeds maximum configured by user (maxburnamount)", burn);
        assertEquals(burn.getTxId(), t.chain.sendRawTransaction(burn, EmbeddedRegtestChain.DEFAULT_MAX_FEE_RATE,
                Coin.COIN));
    }

    @Test
    void signatures() {
        Transaction a = TestChain.pay(coins.get(0), FIFTY, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER), FEE);
        Transaction forged = EmbeddedRegtestChain.copy(a);
        TransactionSignature sig = forged.calculateWitnessSignature(0, TestChain.OTHER,
                ScriptBuilder.createP2PKHOutputScript(TestChain.KEY), FIFTY, Transaction.SigHash.ALL, false);
        forged.replaceInput(0, forged.getInput(0).withWitness(TransactionWitness.of(sig.encodeToBitcoin(),
                TestChain.KEY.getPubKey())));
        // bitcoind v25 says "non-mandatory" for any failed P2WPKH spend: its second run, with only the
        // P2SH flag, does not run witnesses (seen in KeySpendsAgainstBitcoindTest)
        assertRefused(-26, "non-mandatory-script-verify-flag (Signature must be zero for failed CHECK(MULTI)SIG operation)",
                forged);
        assertEquals(a.getTxId(), t.chain.sendRawTransaction(a));
    }

    @Test
    void reorgsPutTransactionsBackAndDropWhatNoLongerFits() {
        Transaction a = TestChain.pay(coins.get(0), FIFTY, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER), FEE);
        t.chain.sendRawTransaction(a);
        Sha256Hash mined = t.mine(1).get(0).hash();
        Sha256Hash tip = t.tip();
        assertTrue(t.chain.mempoolTransactions().isEmpty());
        t.chain.invalidateBlock(tip);
        assertEquals(List.of(a.getTxId()), t.chain.mempoolTransactions().stream().map(Transaction::getTxId).toList());
        t.chain.reconsiderBlock(tip);
        assertTrue(t.chain.mempoolTransactions().isEmpty());
        assertTrue(t.chain.txOut(new TransactionOutPoint(0, mined), false).isPresent());
    }

    static final byte[] OP_RETURN = {0x6a, 0x01, 0x01};

    /** A child of {@code parent} spending its output {@code n} (worth {@code value}) back to KEY. */
    static Transaction spendOutput(Transaction parent, int n, Coin value) {
        Transaction child = new Transaction();
        child.setVersion(2);
        child.addInput(new org.bitcoinj.core.TransactionInput(child, new byte[0],
                new TransactionOutPoint(n, parent.getTxId()), value));
        child.addOutput(new TransactionOutput(child, value.subtract(FEE).isPositive() ? value.subtract(FEE) : Coin.ZERO,
                TestChain.p2wpkh(TestChain.KEY)));
        return child;
    }

    @Test
    void spendsOfUnspendableMempoolOutputsAreRefusedAsBitcoindRefusesThem() {
        // a parent with an OP_RETURN output carrying value (allowed with maxburnamount) and an oversized one
        Transaction shell = new Transaction();
        List<TransactionOutput> outs = List.of(new TransactionOutput(shell, Coin.COIN, OP_RETURN),
                new TransactionOutput(shell, Coin.COIN, new byte[10_001]),
                new TransactionOutput(shell, Coin.valueOf(47, 0), TestChain.p2wpkh(TestChain.KEY)));
        Transaction parent = TestChain.spendP2wpkh(2, List.of(coins.get(0)), FIFTY, TestChain.KEY, outs);
        t.chain.sendRawTransaction(parent, Coin.ZERO, Coin.valueOf(2, 0));
        // bitcoind's mempool view offers the outputs; its interpreter then fails on the scriptPubKey
        assertRefused(-26, "mandatory-script-verify-flag-failed (OP_RETURN was encountered)",
                spendOutput(parent, 0, Coin.COIN));
        assertRefused(-26, "mandatory-script-verify-flag-failed (Script is too big)", spendOutput(parent, 1, Coin.COIN));
        assertEquals(List.of(parent.getTxId()), t.chain.mempoolTransactions().stream().map(Transaction::getTxId).toList());
        // so blocks from the mempool still connect
        Block b = t.chain.block(t.chain.generateToScript(1, TestChain.p2wpkh(TestChain.KEY)).get(0));
        assertEquals(List.of(parent.getTxId()), b.getTransactions().subList(1, b.getTransactions().size()).stream()
                .map(Transaction::getTxId).toList());
        assertTrue(t.chain.mempoolTransactions().isEmpty());
        // in a block, such outputs were never in the UTXO set: missing, as in bitcoind
        assertRefused(-25, "bad-txns-inputs-missingorspent", spendOutput(parent, 0, Coin.COIN));
        assertEquals(Optional.of("bad-txns-inputs-missingorspent"),
                t.submit(t.blockOnTip(FIFTY.add(FEE), List.of(spendOutput(parent, 0, Coin.COIN)))));
    }

    @Test
    void aRefusedGeneratedBlockDropsItsTransactionsFromTheMempool() {
        Transaction parent = TestChain.pay(coins.get(0), FIFTY, Coin.COIN, OP_RETURN, FEE);
        t.chain.sendRawTransaction(parent, Coin.ZERO, Coin.COIN);
        Transaction bad = spendOutput(parent, 0, Coin.COIN); // what MempoolPolicy refuses, let in regardless
        t.chain.addToMempoolUnchecked(bad, FEE);
        Transaction grandchild = spendOutput(bad, 0, Coin.COIN.subtract(FEE));
        t.chain.addToMempoolUnchecked(grandchild, FEE);
        Sha256Hash tip = t.tip();
        MainchainException.Rpc e = assertThrows(MainchainException.Rpc.class,
                () -> t.chain.generateToScript(1, TestChain.p2wpkh(TestChain.KEY)));
        assertEquals(-32603, e.code());
        assertEquals("ProcessNewBlock, block not accepted: bad-txns-inputs-missingorspent; removed from the mempool: "
                + parent.getTxId() + ", " + bad.getTxId() + ", " + grandchild.getTxId(), e.rpcMessage());
        assertEquals(tip, t.tip());
        assertTrue(t.chain.mempoolTransactions().isEmpty());
        assertEquals(1, t.chain.generateToScript(1, TestChain.p2wpkh(TestChain.KEY)).size());
    }

    @Test
    void templatesStopBelowBitcoindsDefaultBlockMaxWeight() {
        t.mine(9); // the coinbases of heights 1..11 are mature for the block at 111
        // nine transactions of ~399,000 WU: 4,000 (the coinbase's reserve) + 9 x 399,000 = 3,595,000;
        // then one that ends at 3,998,000, between bitcoind's -blockmaxweight default (3,996,000) and
        // the consensus limit (4,000,000)
        List<Transaction> big = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            big.add(bigTx(coins.get(i), 399_000));
        }
        int sum = 4_000 + big.stream().mapToInt(Transaction::getWeight).sum();
        Transaction last = bigTx(coins.get(9), 3_998_000 - sum);
        assertTrue(sum + last.getWeight() >= EmbeddedRegtestChain.DEFAULT_BLOCK_MAX_WEIGHT);
        assertTrue(sum + last.getWeight() <= BlockChecks.MAX_BLOCK_WEIGHT);
        big.add(last);
        for (Transaction tx : big) {
            t.chain.sendRawTransaction(tx, Coin.ZERO, Coin.ZERO);
        }
        assertEquals(9, t.chain.blockTemplate().transactions().size());
        Block b = t.chain.block(t.chain.generateToScript(1, TestChain.p2wpkh(TestChain.KEY)).get(0));
        assertEquals(10, b.getTransactions().size());
        assertEquals(List.of(last.getTxId()), t.chain.mempoolTransactions().stream().map(Transaction::getTxId).toList());
    }

    /** A spend of a 50 BTC coinbase of KEY to one zero-value output of unspendable bytes, of about {@code weight} WU. */
    static Transaction bigTx(TransactionOutPoint coin, int weight) {
        int scriptSize = 10_001;
        Transaction tx = null;
        for (int round = 0; round < 5; round++) {
            Transaction shell = new Transaction();
            tx = TestChain.spendP2wpkh(2, List.of(coin), FIFTY, TestChain.KEY, List.of(
                    new TransactionOutput(shell, Coin.ZERO, new byte[scriptSize]),
                    new TransactionOutput(shell, FIFTY.subtract(Coin.valueOf(200_000)), TestChain.p2wpkh(TestChain.KEY))));
            scriptSize += (weight - tx.getWeight()) / 4;
        }
        return tx;
    }
}
