package org.sidechains.bmm.bitcoinj.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sidechains.bmm.bitcoinj.rpc.BitcoindFixtures.HEX;
import static org.sidechains.bmm.bitcoinj.rpc.BitcoindFixtures.block;
import static org.sidechains.bmm.bitcoinj.rpc.BitcoindFixtures.blockFile;
import static org.sidechains.bmm.bitcoinj.rpc.BitcoindFixtures.first;
import static org.sidechains.bmm.bitcoinj.rpc.BitcoindFixtures.load;
import static org.sidechains.bmm.bitcoinj.rpc.BitcoindFixtures.tx;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.params.RegTestParams;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.bitcoinj.assemble.BlockTemplate;
import org.sidechains.bmm.bitcoinj.mainchain.HeaderInfo;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.sidechains.bmm.bitcoinj.rpc.BitcoindFixtures.Exchange;

/**
 * Every recorded success exchange of files 01-03 and 07-11 through RpcMainchain's typed methods,
 * each typed value checked against the recorded body. A stub matches only the exact request body,
 * so these also pin the requests the client sends.
 */
class RpcMainchainFixturesTest extends StubbedBitcoindTest {
    private static Sha256Hash hash(JsonNode n) {
        return Sha256Hash.wrap(n.asText());
    }

    @Test
    void startupAndInfo() {
        List<StubMapping> stubs = bitcoind.stub("01-startup-and-info.json");
        String f = "01-startup-and-info.json";

        JsonNode net = first(f, "getnetworkinfo").result();
        NetworkInfo ni = main.networkInfo();
        assertEquals(net.get("version").asInt(), ni.version());
        assertEquals(250000, ni.version());
        assertEquals(net.get("subversion").asText(), ni.subversion());
        assertEquals(net.get("protocolversion").asInt(), ni.protocolVersion());
        assertEquals(net.get("connections").asInt(), ni.connections());
        assertEquals(net.get("networkactive").asBoolean(), ni.networkActive());
        assertTrue(first(f, "getnetworkinfo").response().contains("\"relayfee\":0.00001000"));
        assertEquals(Coin.valueOf(1000), ni.relayFee());

        JsonNode chain = first(f, "getblockchaininfo").result();
        BlockchainInfo bi = main.blockchainInfo();
        assertEquals(chain.get("chain").asText(), bi.chain());
        assertEquals(Optional.of(BitcoinNetwork.REGTEST), bi.network());
        assertEquals(chain.get("blocks").asInt(), bi.blocks());
        assertEquals(chain.get("headers").asInt(), bi.headers());
        assertEquals(hash(chain.get("bestblockhash")), bi.bestBlockHash());
        assertEquals(chain.get("initialblockdownload").asBoolean(), bi.initialBlockDownload());
        assertEquals(chain.get("pruned").asBoolean(), bi.pruned());

        assertEquals(first(f, "getblockcount").result().asInt(), main.blockCount());
        Sha256Hash genesis = RegTestParams.get().getGenesisBlock().getHash();
        assertEquals(hash(first(f, "getbestblockhash").result()), main.bestBlockHash());
        assertEquals(genesis, main.bestBlockHash());
        assertEquals(first(f, "getblockhash").params().get(0).asInt(), 0);
        assertEquals(hash(first(f, "getblockhash").result()), main.blockHash(0));
        assertEquals(genesis, main.blockHash(0));
        bitcoind.assertAllServed(stubs);
    }

    @Test
    void generateToAddress() {
        List<StubMapping> stubs = bitcoind.stub("02-generatetoaddress.json");
        Exchange e = first("02-generatetoaddress.json", "generatetoaddress");
        List<Sha256Hash> want = new ArrayList<>();
        e.result().forEach(h -> want.add(hash(h)));
        List<Sha256Hash> got = main.generateToAddress(e.params().get(0).asInt(), e.params().get(1).asText());
        assertEquals(2, got.size());
        assertEquals(want, got);
        bitcoind.assertAllServed(stubs);
    }

    @Test
    void blockQueries() {
        String f = "03-block-queries.json";
        List<StubMapping> stubs = bitcoind.stub(f);
        List<Exchange> xs = load(f);
        Sha256Hash tip = hash(xs.get(0).params().get(0));

        JsonNode h = xs.get(0).result();
        HeaderInfo info = main.header(tip);
        assertEquals(new HeaderInfo(hash(h.get("hash")), h.get("height").asInt(),
                Optional.of(hash(h.get("previousblockhash"))), h.get("confirmations").asInt()), info);
        assertEquals(103, info.height());
        assertTrue(info.active());

        Block header = main.blockHeader(tip);
        assertEquals(tip, header.getHash());
        assertEquals(info.prevHash().orElseThrow(), header.getPrevBlockHash());
        assertArrayEquals(HEX.parseHex(xs.get(1).result().asText()), header.serialize());

        Block b = main.block(tip);
        assertEquals(tip, b.getHash());
        assertArrayEquals(HEX.parseHex(xs.get(2).result().asText()), b.serialize(), "witnesses kept");
        assertTrue(b.getTransactions().get(0).hasWitnesses(), "the coinbase's witness reserved value was read");

        // verbosity 1 and 2 have no typed method: the parsed block must agree with them
        JsonNode v1 = main.rpc().call("getblock", tip.toString(), 1);
        assertEquals(xs.get(3).result(), v1);
        List<Sha256Hash> txids = b.getTransactions().stream().map(Transaction::getTxId).toList();
        List<Sha256Hash> v1txids = new ArrayList<>();
        v1.get("tx").forEach(t -> v1txids.add(hash(t)));
        assertEquals(v1txids, txids);
        JsonNode v2 = main.rpc().call("getblock", tip.toString(), 2);
        assertEquals(xs.get(4).result(), v2);
        JsonNode v2tx = v2.get("tx").get(0);
        Transaction cb = b.getTransactions().get(0);
        assertEquals(v2tx.get("hex").asText(), HEX.formatHex(cb.serialize()));
        assertEquals(hash(v2tx.get("hash")), cb.getWTxId());
        assertEquals(v2tx.get("vout").get(0).get("scriptPubKey").get("hex").asText(),
                HEX.formatHex(cb.getOutput(0).getScriptBytes()));

        assertEquals(xs.get(5).result().asInt(), main.blockCount());
        assertEquals(103, xs.get(6).params().get(0).asInt());
        assertEquals(tip, main.blockHash(103));
        bitcoind.assertAllServed(stubs);
    }

    @Test
    void versionThreeBribeIsRefusedByTheMempool() {
        String f = "07-m8-v3-sendrawtransaction.json";
        List<StubMapping> stubs = bitcoind.stub(f);
        Exchange e = first(f, "sendrawtransaction");
        Transaction bribe = tx(e.params().get(0).asText());
        assertEquals(3, bribe.getVersion());
        MainchainException.Rpc err = assertThrows(MainchainException.Rpc.class, () -> main.sendRawTransaction(bribe));
        assertEquals(e.error().get("code").asInt(), err.code());
        assertEquals(-26, err.code());
        assertEquals(e.error().get("message").asText(), err.rpcMessage());
        assertEquals("sendrawtransaction", err.method());
        bitcoind.assertAllServed(stubs);
    }

    private void assertTemplate(JsonNode want, BlockTemplate got) {
        assertEquals(hash(want.get("previousblockhash")), got.prevBlockHash());
        assertEquals(want.get("height").asInt(), got.height());
        assertEquals(Long.parseLong(want.get("bits").asText(), 16), got.bits());
        assertEquals(Instant.ofEpochSecond(want.get("curtime").asLong()), got.time());
        assertEquals(want.get("transactions").size(), got.transactions().size());
    }

    @Test
    void templateSubmitAndReadBackTheBribeBlock() {
        String f = "08-getblocktemplate-submitblock-m7-m8.json";
        List<StubMapping> stubs = bitcoind.stub(f);
        List<Exchange> xs = load(f);

        BlockTemplate t = main.blockTemplate();
        assertTemplate(xs.get(0).result(), t);
        assertEquals(104, t.height());
        assertEquals(0x207fffffL, t.bits());

        Block mined = block(blockFile("block-m7-2-entries-with-m8.hex"));
        assertEquals(t.prevBlockHash(), mined.getPrevBlockHash());
        assertEquals(Optional.empty(), main.submitBlock(mined));

        Sha256Hash h = hash(xs.get(2).params().get(0));
        assertEquals(mined.getHash(), h);
        Block back = main.block(h);
        assertArrayEquals(mined.serialize(), back.serialize());
        assertTrue(back.getTransactions().stream().allMatch(Transaction::hasWitnesses));
        assertEquals(3, back.getTransactions().get(1).getVersion());
        bitcoind.assertAllServed(stubs);
    }

    @Test
    void m7VariantsAreAccepted() {
        String f = "09-m7-variants-accepted.json";
        List<StubMapping> stubs = bitcoind.stub(f);
        List<Exchange> templates = load(f).stream().filter(e -> e.method().equals("getblocktemplate")).toList();
        List<String> blocks = List.of("block-m7-pushdata1-duplicate-trailing.hex", "block-m7-pushdata2-256-entries.hex",
                "block-m7-after-decoy-output.hex");
        assertEquals(3, templates.size());
        for (int i = 0; i < 3; i++) {
            // the same request three times: the stubs answer in recorded order
            BlockTemplate t = main.blockTemplate();
            assertTemplate(templates.get(i).result(), t);
            assertEquals(105 + i, t.height());
            Block b = block(blockFile(blocks.get(i)));
            assertEquals(t.prevBlockHash(), b.getPrevBlockHash());
            assertEquals(Optional.empty(), main.submitBlock(b), blocks.get(i));
        }
        bitcoind.assertAllServed(stubs);
    }

    @Test
    void submitblockRejectionsAreReasonsAndUndecodableIsMinus22() {
        String f = "10-submitblock-rejections.json";
        List<StubMapping> stubs = bitcoind.stub(f);
        assertTemplate(first(f, "getblocktemplate").result(), main.blockTemplate());
        List<String> reasons = new ArrayList<>();
        for (Exchange e : load(f)) {
            if (!e.method().equals("submitblock") || e.httpStatus() != 200) {
                continue;
            }
            Block b = block(e.params().get(0).asText());
            Optional<String> got = main.submitBlock(b);
            assertEquals(Optional.of(e.result().asText()), got);
            reasons.add(got.orElseThrow());
        }
        assertEquals(List.of("duplicate", "high-hash", "bad-txnmrklroot", "bad-cb-amount", "bad-cb-height",
                "prev-blk-not-found"), reasons);

        // "00" is no block bitcoinj can build, so the undecodable submit goes through the low-level client
        Exchange undecodable = load(f).stream().filter(e -> e.httpStatus() == 500).findFirst().orElseThrow();
        MainchainException.Rpc err = assertThrows(MainchainException.Rpc.class,
                () -> main.rpc().call("submitblock", undecodable.params().get(0).asText()));
        assertEquals(-22, err.code());
        assertEquals(undecodable.error().get("code").asInt(), err.code());
        assertEquals(undecodable.error().get("message").asText(), err.rpcMessage());
        assertEquals("Block decode failed", err.rpcMessage());
        bitcoind.assertAllServed(stubs);
    }

    @Test
    void invalidateAndReconsiderMoveTheTip() {
        String f = "11-invalidate-reconsider.json";
        List<StubMapping> stubs = bitcoind.stub(f);
        List<Exchange> xs = load(f);
        Sha256Hash tip = hash(xs.get(0).result());
        Sha256Hash below = hash(xs.get(2).result());
        assertFalse(tip.equals(below));

        assertEquals(tip, main.bestBlockHash());
        main.invalidateBlock(hash(xs.get(1).params().get(0)));
        assertEquals(below, main.bestBlockHash());
        main.reconsiderBlock(hash(xs.get(3).params().get(0)));
        assertEquals(hash(xs.get(4).result()), main.bestBlockHash());
        assertEquals(tip, hash(xs.get(4).result()));
        bitcoind.assertAllServed(stubs);
    }
}
