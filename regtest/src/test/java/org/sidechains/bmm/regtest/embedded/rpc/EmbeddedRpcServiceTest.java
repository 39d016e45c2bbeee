package org.sidechains.bmm.regtest.embedded.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.List;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.LegacyAddress;
import org.bitcoinj.base.SegwitAddress;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.crypto.ECKey;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.regtest.embedded.EmbeddedRegtestChain;
import org.sidechains.bmm.regtest.embedded.TestChain;
import org.sidechains.bmm.regtest.rpcserver.JsonRpcDispatcher;
import org.sidechains.bmm.regtest.rpcserver.RpcException;

/** The RPC methods beyond what the fixtures recorded: verbosity 3, templates with transactions, addresses. */
class EmbeddedRpcServiceTest {
    static final HexFormat HEX = HexFormat.of();

    final EmbeddedRegtestChain chain = EmbeddedRegtestChain.create();
    final JsonRpcDispatcher rpc = new JsonRpcDispatcher(new EmbeddedRpcService(chain).methods());

    JsonNode call(String method, Object... params) {
        return rpc.call(method, JsonRpcDispatcher.JSON.valueToTree(List.of(params)));
    }

    RpcException error(String method, Object... params) {
        return assertThrows(RpcException.class, () -> call(method, params));
    }

    @Test
    void generateToEveryKindOfRegtestAddress() {
        ECKey k = ECKey.fromPrivate(BigInteger.valueOf(77));
        List<String> addresses = List.of(
                LegacyAddress.fromPubKeyHash(BitcoinNetwork.REGTEST, k.getPubKeyHash()).toString(),
                LegacyAddress.fromScriptHash(BitcoinNetwork.REGTEST, new byte[20]).toString(),
                SegwitAddress.fromHash(BitcoinNetwork.REGTEST, k.getPubKeyHash()).toString(),
                SegwitAddress.fromHash(BitcoinNetwork.REGTEST, new byte[32]).toString(),
                SegwitAddress.fromProgram(BitcoinNetwork.REGTEST, 1, HEX.parseHex(k.getPublicKeyAsHex().substring(2)))
                        .toString());
        List<String> types = List.of("pubkeyhash", "scripthash", "witness_v0_keyhash", "witness_v0_scripthash",
                "witness_v1_taproot");
        for (int i = 0; i < addresses.size(); i++) {
            String hash = call("generatetoaddress", 1, addresses.get(i)).get(0).asText();
            JsonNode out = call("getblock", hash, 2).get("tx").get(0).get("vout").get(0).get("scriptPubKey");
            assertEquals(types.get(i), out.get("type").asText());
            assertEquals(addresses.get(i), out.get("address").asText());
        }
        RpcException e = error("generatetoaddress", 1, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq");
        assertEquals(-5, e.code());
        assertEquals("Error: Invalid address", e.rpcMessage());
    }

    @Test
    void verbosityThreeShowsPrevoutsAndFees() {
        TestChain t = new TestChain(chain);
        List<TransactionOutPoint> coins = t.mine(101);
        Transaction pay = TestChain.pay(coins.get(0), Coin.FIFTY_COINS, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER),
                Coin.valueOf(12_345));
        assertEquals(pay.getTxId().toString(), call("sendrawtransaction", HEX.formatHex(pay.serialize())).asText());
        assertEquals(List.of(pay.getTxId().toString()), List.of(call("getrawmempool").get(0).asText()));
        String hash = call("generatetoaddress", 1, "bcrt1q5arju937pj3c2hvujrrulsqryhptt2u0xj3ez0").get(0).asText();

        JsonNode v2 = call("getblock", hash, 2).get("tx").get(1);
        assertEquals("0.00012345", v2.get("fee").decimalValue().toPlainString());
        assertFalse(v2.get("vin").get(0).has("prevout"));
        JsonNode v3 = call("getblock", hash, 3).get("tx").get(1);
        JsonNode in = v3.get("vin").get(0);
        assertEquals(List.of("txid", "vout", "scriptSig", "txinwitness", "prevout", "sequence"), keys(in));
        JsonNode prevout = in.get("prevout");
        assertEquals(List.of("generated", "height", "value", "scriptPubKey"), keys(prevout));
        assertTrue(prevout.get("generated").asBoolean());
        assertEquals(1, prevout.get("height").asInt());
        assertEquals("50.00000000", prevout.get("value").decimalValue().toPlainString());
        assertEquals(List.of("asm", "desc", "hex", "address", "type"), keys(prevout.get("scriptPubKey")));
        assertEquals(List.of("txid", "hash", "version", "size", "vsize", "weight", "locktime", "vin", "vout", "fee", "hex"),
                keys(v3));
        // the coinbase has neither fee nor prevout
        assertFalse(call("getblock", hash, 3).get("tx").get(0).has("fee"));
        assertEquals(call("getblock", hash, 1), call("getblock", hash, true));
        assertTrue(call("getblock", hash, false).isTextual());
    }

    @Test
    void templateWithTransactionsAndOneBasedDepends() {
        TestChain t = new TestChain(chain);
        List<TransactionOutPoint> coins = t.mine(101);
        Transaction parent = TestChain.pay(coins.get(0), Coin.FIFTY_COINS, Coin.valueOf(2, 0),
                TestChain.p2wpkh(TestChain.KEY), Coin.valueOf(10_000));
        Transaction child = TestChain.spendP2wpkh(2, List.of(new TransactionOutPoint(0, parent.getTxId())),
                Coin.valueOf(2, 0), TestChain.KEY, List.of(new TransactionOutput(null,
                        Coin.valueOf(2, 0).subtract(Coin.valueOf(30_000)), TestChain.p2wpkh(TestChain.OTHER))));
        chain.sendRawTransaction(parent);
        chain.sendRawTransaction(child);
        JsonNode tpl = call("getblocktemplate", JsonRpcDispatcher.JSON.createObjectNode().set("rules",
                JsonRpcDispatcher.JSON.createArrayNode().add("segwit")));
        JsonNode txs = tpl.get("transactions");
        assertEquals(2, txs.size());
        assertEquals(List.of("data", "txid", "hash", "depends", "fee", "sigops", "weight"), keys(txs.get(0)));
        assertEquals(0, txs.get(0).get("depends").size());
        assertEquals(1, txs.get(1).get("depends").get(0).asInt());
        assertEquals(10_000, txs.get(0).get("fee").asLong());
        assertEquals(30_000, txs.get(1).get("fee").asLong());
        assertEquals(1, txs.get(0).get("sigops").asInt()); // one P2WPKH input: 1 witness sigop; P2WPKH outputs: none
        assertEquals(5_000_000_000L + 40_000, tpl.get("coinbasevalue").asLong());
        assertEquals(102, tpl.get("height").asInt());
        String commitment = tpl.get("default_witness_commitment").asText();
        assertTrue(commitment.startsWith("6a24aa21a9ed"));
        // a miner building from this template makes a block the chain accepts
        String hash = call("generatetoaddress", 1, "bcrt1q5arju937pj3c2hvujrrulsqryhptt2u0xj3ez0").get(0).asText();
        Block b = chain.block(org.bitcoinj.base.Sha256Hash.wrap(hash));
        assertEquals(commitment, HEX.formatHex(b.getTransactions().get(0).getOutput(1).getScriptBytes()));

        RpcException e = error("getblocktemplate");
        assertEquals(-8, e.code());
        assertEquals("getblocktemplate must be called with the segwit rule set (call with {\"rules\": [\"segwit\"]})",
                e.rpcMessage());
    }

    @Test
    void txOutAndParameterErrors() {
        TestChain t = new TestChain(chain);
        TransactionOutPoint coin = t.mine(1).get(0);
        JsonNode out = call("gettxout", coin.hash().toString(), 0);
        assertEquals(List.of("bestblock", "confirmations", "value", "scriptPubKey", "coinbase"), keys(out));
        assertTrue(out.get("coinbase").asBoolean());
        assertTrue(call("gettxout", coin.hash().toString(), 1).isNull());
        assertEquals("hash must be of length 64 (not 2, for 'ab')", error("getblockheader", "ab").rpcMessage());
        assertEquals("txid must be hexadecimal string (not '" + "zz".repeat(32) + "')",
                error("gettxout", "zz".repeat(32), 0).rpcMessage());
        assertEquals("Block not found", error("invalidateblock", "00".repeat(32)).rpcMessage());
        RpcException e = error("submitblock", "zz");
        assertEquals(-22, e.code());
        assertEquals("Block decode failed", e.rpcMessage());
        Block genesis = chain.block(chain.blockHash(0));
        byte[] header = java.util.Arrays.copyOf(genesis.serialize(), 81);
        header[80] = 0; // a header and no transactions
        e = error("submitblock", HEX.formatHex(header));
        assertEquals("Block does not start with a coinbase", e.rpcMessage());
        assertEquals(-1, error("getblockhash").code());
        // named parameters, as bitcoind takes them
        assertEquals(chain.blockHash(1).toString(), rpc.call("getblockhash",
                JsonRpcDispatcher.JSON.createObjectNode().put("height", 1)).asText());
        assertEquals(EmbeddedRpcService.VERSION, call("getnetworkinfo").get("version").asInt());
        assertEquals("regtest", call("getblockchaininfo").get("chain").asText());
        assertFalse(call("getblockchaininfo").get("initialblockdownload").asBoolean());
    }

    @Test
    void submitblockIgnoresBytesAfterTheBlockAsDecodeHexBlkDoes() {
        TestChain t = new TestChain(chain);
        t.mine(1);
        Block b = t.blockOnTip(Coin.FIFTY_COINS, List.of());
        assertTrue(call("submitblock", HEX.formatHex(b.serialize()) + "00ff").isNull());
        assertEquals(b.getHash(), chain.bestBlockHash());
        // a transaction, though, must use up its input (DecodeHexTx)
        Transaction tx = TestChain.pay(new TransactionOutPoint(0, b.getTransactions().get(0).getTxId()),
                Coin.FIFTY_COINS, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER), Coin.valueOf(10_000));
        RpcException e = error("sendrawtransaction", HEX.formatHex(tx.serialize()) + "00");
        assertEquals(-22, e.code());
        // a cut-off block still does not decode
        String hex = HEX.formatHex(b.serialize());
        assertEquals("Block decode failed", error("submitblock", hex.substring(0, hex.length() - 2)).rpcMessage());
    }

    @Test
    void getblocktemplateProposalModeAsAdvertised() {
        TestChain t = new TestChain(chain);
        t.mine(1);
        JsonNode rules = JsonRpcDispatcher.JSON.createArrayNode().add("segwit");
        JsonNode tpl = call("getblocktemplate", JsonRpcDispatcher.JSON.createObjectNode().set("rules", rules));
        assertEquals("[\"proposal\"]", tpl.get("capabilities").toString());

        Block good = t.blockOnTip(Coin.FIFTY_COINS, List.of());
        assertTrue(propose(good).isNull()); // valid on the tip (no segwit rule needed in this mode)
        assertEquals(1, chain.blockCount()); // and nothing stored
        Block tooMuch = t.blockOnTip(Coin.FIFTY_COINS.add(Coin.SATOSHI), List.of());
        assertEquals("bad-cb-amount", propose(tooMuch).asText());
        // TestBlockValidity does not check the proof of work
        Block unsolved = good;
        for (long nonce = good.getNonce() + 1; org.sidechains.bmm.regtest.embedded.Pow.check(unsolved.getHash(),
                unsolved.getDifficultyTarget()); nonce++) {
            unsolved = new Block(good.getVersion(), good.getPrevBlockHash(), good.getMerkleRoot(), good.time(),
                    good.getDifficultyTarget(), nonce, good.getTransactions());
        }
        assertTrue(propose(unsolved).isNull());
        assertEquals("high-hash", call("submitblock", HEX.formatHex(unsolved.serialize())).asText());
        assertTrue(call("submitblock", HEX.formatHex(good.serialize())).isNull());
        assertEquals("duplicate", propose(good).asText());
        assertEquals("inconclusive-not-best-prevblk", propose(tooMuch).asText());
        RpcException e = error("getblocktemplate", JsonRpcDispatcher.JSON.createObjectNode().put("mode", "proposal"));
        assertEquals(-3, e.code());
        assertEquals("Missing data String key for proposal", e.rpcMessage());
        e = error("getblocktemplate", JsonRpcDispatcher.JSON.createObjectNode().put("mode", "proposal").put("data", "zz"));
        assertEquals(-22, e.code());
        assertEquals("Invalid mode", error("getblocktemplate", JsonRpcDispatcher.JSON.createObjectNode()
                .put("mode", "other")).rpcMessage());
    }

    JsonNode propose(Block b) {
        return call("getblocktemplate", JsonRpcDispatcher.JSON.createObjectNode().put("mode", "proposal")
                .put("data", HEX.formatHex(b.serialize())));
    }

    static List<String> keys(JsonNode n) {
        List<String> out = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
