package org.sidechains.bmm.bitcoinj.rpc;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sidechains.bmm.bitcoinj.rpc.BitcoindFixtures.HEX;
import static org.sidechains.bmm.bitcoinj.rpc.BitcoindFixtures.JSON;
import static org.sidechains.bmm.bitcoinj.rpc.BitcoindFixtures.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.crypto.TransactionSignature;
import org.bitcoinj.crypto.internal.CryptoUtils;
import org.bitcoinj.script.ScriptBuilder;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.bitcoinj.assemble.BlockTemplate;
import org.sidechains.bmm.bitcoinj.mainchain.BlockWithPrevouts;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.sidechains.bmm.bitcoinj.mainchain.TxOutInfo;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.rpc.BitcoindFixtures.Exchange;

/**
 * Answers the fixtures do not record (getblock verbosity 3, a template with transactions,
 * gettxout), derived from recorded data in the shapes Bitcoin Core's RPC help documents
 * (getblock: "vin[].prevout {generated, height, value (BTC), scriptPubKey {asm, desc, hex, address,
 * type}}", only where undo data exists; getblocktemplate: "transactions[] {data, txid, hash,
 * depends (1-based), fee (satoshis), sigops, weight}"; gettxout: "{bestblock, confirmations, value,
 * scriptPubKey, coinbase}" or null).
 */
class RpcDerivedAnswersTest extends StubbedBitcoindTest {
    /** The recorded bribe block (08, height 104) and the output its bribe spends. */
    private static final Exchange BLOCK_104 = load("08-getblocktemplate-submitblock-m7-m8.json").get(2);
    private static final Exchange BLOCK_103 = load("03-block-queries.json").get(2);
    /** block 103's coinbase output 0 (03, getblock verbosity 2): 50 BTC to the fixture miner's P2WPKH. */
    private static final String MINER_SPK = "0014a7472e163e0ca3855d9c90c7cfc00325c2b5ab8f";
    private static final String MINER_ADDRESS = "bcrt1q5arju937pj3c2hvujrrulsqryhptt2u0xj3ez0";

    private static Block block(Exchange getblock0) {
        return BitcoindFixtures.block(getblock0.result().asText());
    }

    /** bitcoind prints amounts with 8 decimals; RawValue keeps that text exactly. */
    private static ObjectNode scriptPubKey(String hex) {
        ObjectNode s = JSON.createObjectNode();
        s.put("asm", "0 " + hex.substring(4)).put("desc", "addr(" + MINER_ADDRESS + ")").put("hex", hex)
                .put("address", MINER_ADDRESS).put("type", "witness_v0_keyhash");
        return s;
    }

    /**
     * getblock verbosity 3 for {@code b}: every non-coinbase input gets {@code prevout} with
     * {@code value} (raw text) and {@code spk}, or none when {@code value} is null.
     */
    private static ObjectNode verbosity3(Block b, int height, String value, String spk) {
        ObjectNode r = JSON.createObjectNode();
        r.put("hash", b.getHashAsString()).put("confirmations", 1).put("height", height)
                .put("previousblockhash", b.getPrevBlockHash().toString()).put("nTx", b.getTransactions().size());
        ArrayNode txs = r.putArray("tx");
        for (Transaction tx : b.getTransactions()) {
            ObjectNode t = txs.addObject();
            t.put("txid", tx.getTxId().toString()).put("hash", tx.getWTxId().toString()).put("version", tx.getVersion());
            ArrayNode vin = t.putArray("vin");
            for (var in : tx.getInputs()) {
                ObjectNode i = vin.addObject();
                if (tx.isCoinBase()) {
                    i.put("coinbase", HEX.formatHex(in.getScriptBytes()));
                } else {
                    i.put("txid", in.getOutpoint().hash().toString()).put("vout", in.getOutpoint().index());
                    i.putObject("scriptSig").put("asm", "").put("hex", HEX.formatHex(in.getScriptBytes()));
                    if (value != null) {
                        ObjectNode p = i.putObject("prevout");
                        p.put("generated", true).put("height", 3);
                        p.putRawValue("value", new RawValue(value));
                        p.set("scriptPubKey", scriptPubKey(spk));
                    }
                }
                i.put("sequence", in.getSequenceNumber());
            }
            t.put("hex", HEX.formatHex(tx.serialize()));
        }
        return r;
    }

    private static ObjectNode answer(Object id, JsonNode result) {
        ObjectNode a = JSON.createObjectNode();
        a.set("result", result);
        a.putNull("error");
        a.set("id", JSON.valueToTree(id));
        return a;
    }

    /** The batch blockWithPrevouts sends for {@code hashes}, answered in reverse order. */
    private void stubPrevoutBatch(List<Sha256Hash> hashes, List<JsonNode> hex,
                                  List<ObjectNode> verbose) {
        ArrayNode request = JSON.createArrayNode();
        ArrayNode body = JSON.createArrayNode();
        for (int i = 0; i < hashes.size(); i++) {
            for (int v : new int[] {0, 3}) {
                int id = 2 * i + (v == 0 ? 1 : 2);
                request.addObject().put("jsonrpc", "1.0").put("id", id).put("method", "getblock")
                        .set("params", JSON.createArrayNode().add(hashes.get(i).toString()).add(v));
                body.insert(0, answer(id, v == 0 ? hex.get(i) : verbose.get(i)));
            }
        }
        bitcoind.server.stubFor(post(urlEqualTo("/")).withRequestBody(equalToJson(request.toString(), false, false))
                .willReturn(aResponse().withStatus(200).withBody(body.toString())));
    }

    @Test
    void blockWithPrevoutsPairsInputsWithVerbosity3Prevouts() throws Exception {
        Block b = block(BLOCK_104);
        Transaction bribe = b.getTransactions().get(1);
        stubPrevoutBatch(List.of(b.getHash()), List.of(BLOCK_104.result()), List.of(verbosity3(b, 104, "50.00000000", MINER_SPK)));

        BlockWithPrevouts bp = main.blockWithPrevouts(b.getHash());
        assertArrayEquals(b.serialize(), bp.block().serialize());
        assertEquals(104, bp.height());
        TransactionOutPoint spent = bribe.getInput(0).getOutpoint();
        Prevout want = Prevout.madeAt(Coin.FIFTY_COINS, HEX.parseHex(MINER_SPK), 3, true); // "height" and "generated" kept
        assertEquals(Map.of(spent, want), bp.prevouts());
        assertEquals(Optional.of(want), bp.find(spent));
        assertEquals(1, bitcoind.requests().size(), "getblock 0 and 3 in one batch");

        // the derived prevout is the real one: the bribe's BIP143 signature commits to its value and script
        byte[] sig = bribe.getInput(0).getWitness().getPush(0);
        byte[] pub = bribe.getInput(0).getWitness().getPush(1);
        assertArrayEquals(HEX.parseHex(MINER_SPK.substring(4)), CryptoUtils.sha256hash160(pub));
        TransactionSignature ts = TransactionSignature.decodeFromBitcoin(sig, true, true);
        Sha256Hash sighash = bribe.hashForWitnessSignature(0, ScriptBuilder.createP2PKHOutputScript(CryptoUtils.sha256hash160(pub)),
                bp.find(spent).orElseThrow().value(), ts.sigHashMode(), ts.anyoneCanPay());
        assertTrue(ECKey.fromPublicOnly(pub).verify(sighash, ts));
    }

    @Test
    void blocksWithPrevoutsTravelInOneBatch() {
        Block b104 = block(BLOCK_104);
        Block b103 = block(BLOCK_103);
        stubPrevoutBatch(List.of(b104.getHash(), b103.getHash()), List.of(BLOCK_104.result(), BLOCK_103.result()),
                List.of(verbosity3(b104, 104, "50.00000000", MINER_SPK), verbosity3(b103, 103, null, null)));
        List<BlockWithPrevouts> got = main.blocksWithPrevouts(List.of(b104.getHash(), b103.getHash()));
        assertEquals(List.of(b104.getHash(), b103.getHash()), got.stream().map(x -> x.block().getHash()).toList());
        assertEquals(List.of(104, 103), got.stream().map(BlockWithPrevouts::height).toList());
        assertEquals(1, got.get(0).prevouts().size());
        assertEquals(Map.of(), got.get(1).prevouts(), "a coinbase spends nothing");
        assertEquals(1, bitcoind.requests().size());
    }

    @Test
    void inputsWithoutUndoDataAreLeftOut() {
        Block b = block(BLOCK_104);
        stubPrevoutBatch(List.of(b.getHash()), List.of(BLOCK_104.result()), List.of(verbosity3(b, 104, null, null)));
        assertEquals(Map.of(), main.blockWithPrevouts(b.getHash()).prevouts());
    }

    @Test
    void aPrevoutValueBelowASatoshiIsRefused() {
        Block b = block(BLOCK_104);
        stubPrevoutBatch(List.of(b.getHash()), List.of(BLOCK_104.result()), List.of(verbosity3(b, 104, "49.999999999", MINER_SPK)));
        MainchainException.Unreachable u = assertThrows(MainchainException.Unreachable.class, () -> main.blockWithPrevouts(b.getHash()));
        assertTrue(u.getMessage().contains("49.999999999"), u.getMessage());
    }

    @Test
    void verbosity3ForAnotherBlockIsRefused() {
        Block b = block(BLOCK_104);
        stubPrevoutBatch(List.of(b.getHash()), List.of(BLOCK_104.result()), List.of(verbosity3(block(BLOCK_103), 104, null, null)));
        assertThrows(MainchainException.Unreachable.class, () -> main.blockWithPrevouts(b.getHash()));
    }

    @Test
    void btcDecimalsConvertExactly() {
        assertEquals(Coin.valueOf(2_099_999_997_690_000L), RpcMainchain.btcToCoin(new BigDecimal("20999999.97690000")));
        assertEquals(Coin.SATOSHI, RpcMainchain.btcToCoin(new BigDecimal("0.00000001")));
        assertEquals(Coin.SATOSHI, RpcMainchain.btcToCoin(new BigDecimal("1E-8")));
        assertEquals(Coin.valueOf(30_000_000), RpcMainchain.btcToCoin(new BigDecimal("0.30000000")));
        assertEquals(Coin.FIFTY_COINS, RpcMainchain.btcToCoin(new BigDecimal("50")));
        assertThrows(ArithmeticException.class, () -> RpcMainchain.btcToCoin(new BigDecimal("0.000000001")));
    }

    /** 08's recorded template with {@code transactions} replaced. */
    private void stubTemplate(ArrayNode transactions) {
        Exchange t = load("08-getblocktemplate-submitblock-m7-m8.json").get(0);
        ObjectNode body = (ObjectNode) t.body();
        ((ObjectNode) body.get("result")).set("transactions", transactions);
        BitcoindFixtures.stub(bitcoind.server, List.of(t.answering(200, body.toString())));
    }

    private static ObjectNode templateTx(Transaction tx, long fee, int... depends) {
        ObjectNode n = JSON.createObjectNode();
        n.put("data", HEX.formatHex(tx.serialize())).put("txid", tx.getTxId().toString()).put("hash", tx.getWTxId().toString());
        ArrayNode d = n.putArray("depends");
        for (int i : depends) {
            d.add(i);
        }
        n.put("fee", fee).put("sigops", 1).put("weight", tx.getWeight());
        return n;
    }

    @Test
    void templateTransactionsKeepWitnessesFeesAndZeroBasedDepends() {
        Transaction parent = block(BLOCK_104).getTransactions().get(1);
        Transaction child = new Transaction();
        child.addInput(parent.getTxId(), 1, ScriptBuilder.createEmpty());
        child.addOutput(Coin.valueOf(99_999_000), ScriptBuilder.createP2WPKHOutputScript(HEX.parseHex(MINER_SPK.substring(4))));
        stubTemplate(JSON.createArrayNode().add(templateTx(parent, 100_000)).add(templateTx(child, 1_000, 1)));

        BlockTemplate t = main.blockTemplate();
        assertEquals(2, t.transactions().size());
        assertArrayEquals(parent.serialize(), t.transactions().get(0).tx().serialize(), "witness kept");
        assertTrue(t.transactions().get(0).tx().hasWitnesses());
        assertEquals(Coin.valueOf(100_000), t.transactions().get(0).fee());
        assertEquals(List.of(), t.transactions().get(0).depends());
        assertEquals(Coin.valueOf(1_000), t.transactions().get(1).fee());
        assertEquals(List.of(0), t.transactions().get(1).depends(), "bitcoind's 1 is the first template transaction");
        assertEquals(104, t.height());
    }

    @Test
    void aTemplateDependingOnItselfIsRefused() {
        Transaction parent = block(BLOCK_104).getTransactions().get(1);
        stubTemplate(JSON.createArrayNode().add(templateTx(parent, 100_000, 1)));
        assertThrows(MainchainException.Unreachable.class, main::blockTemplate);
    }

    @Test
    void sendRawTransactionAnswersTheTxid() {
        // no accepted sendrawtransaction is recorded (07's v3 bribe is refused): bitcoind's success
        // answer is the txid; a different txid would mean it took another transaction
        Transaction spend = new Transaction();
        spend.addInput(block(BLOCK_103).getTransactions().get(0).getTxId(), 0, ScriptBuilder.createEmpty());
        spend.addOutput(Coin.valueOf(4_999_990_000L), ScriptBuilder.createP2WPKHOutputScript(HEX.parseHex(MINER_SPK.substring(4))));
        Exchange recorded = load("07-m8-v3-sendrawtransaction.json").get(0);
        ObjectNode request = recorded.request().deepCopy();
        request.set("params", JSON.createArrayNode().add(HEX.formatHex(spend.serialize())));
        for (Sha256Hash answered : List.of(spend.getTxId(), Sha256Hash.ZERO_HASH)) {
            bitcoind.server.resetAll();
            BitcoindFixtures.stub(bitcoind.server, List.of(recorded.withRequest(request)
                    .answering(200, answer("sendrawtransaction", JSON.valueToTree(answered.toString())).toString())));
            if (answered.equals(spend.getTxId())) {
                assertEquals(spend.getTxId(), main.sendRawTransaction(spend));
            } else {
                assertThrows(MainchainException.Unreachable.class, () -> main.sendRawTransaction(spend));
            }
        }
    }

    @Test
    void txOutIsTypedAndNullIsEmpty() {
        // block 103's coinbase output 0, as 03 records it (verbosity 2), at tip 103
        Block b103 = block(BLOCK_103);
        TransactionOutPoint coinbase = new TransactionOutPoint(0, b103.getTransactions().get(0).getTxId());
        TransactionOutPoint spent = new TransactionOutPoint(1, b103.getTransactions().get(0).getTxId());
        ObjectNode result = JSON.createObjectNode();
        result.put("bestblock", b103.getHashAsString()).put("confirmations", 1);
        result.putRawValue("value", new RawValue("50.00000000"));
        result.set("scriptPubKey", scriptPubKey(MINER_SPK));
        result.put("coinbase", true);
        for (var e : Map.of(coinbase, answer("gettxout", result), spent, answer("gettxout", null)).entrySet()) {
            ObjectNode request = JSON.createObjectNode().put("jsonrpc", "1.0").put("id", "gettxout").put("method", "gettxout");
            request.putArray("params").add(e.getKey().hash().toString()).add(e.getKey().index()).add(true);
            bitcoind.server.stubFor(post(urlEqualTo("/")).withRequestBody(equalToJson(request.toString(), false, false))
                    .willReturn(aResponse().withStatus(200).withBody(e.getValue().toString())));
        }
        TxOutInfo info = main.txOut(coinbase, true).orElseThrow();
        assertEquals(new TxOutInfo(b103.getHash(), 1, new Prevout(Coin.FIFTY_COINS, HEX.parseHex(MINER_SPK)), true), info);
        assertEquals(Optional.empty(), main.txOut(spent, true));
    }
}
