package org.sidechains.bmm.regtest.embedded.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
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
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.script.ScriptBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.assemble.BlockBuilder;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder;
import org.sidechains.bmm.bitcoinj.rpc.RpcAuth;
import org.sidechains.bmm.bitcoinj.tx.Fee;
import org.sidechains.bmm.m7.M7Codec;
import org.sidechains.bmm.m8.M8Tag;
import org.sidechains.bmm.regtest.embedded.BlockMaker;
import org.sidechains.bmm.regtest.embedded.EmbeddedRegtestChain;
import org.sidechains.bmm.regtest.embedded.Pow;
import org.sidechains.bmm.regtest.embedded.TestChain;
import org.sidechains.bmm.regtest.rpcserver.JsonRpcDispatcher;
import org.sidechains.bmm.regtest.rpcserver.RpcCredentials;

/**
 * For every recorded bitcoind v25 exchange (shared/fixtures/bitcoind-25-regtest, files 01 to 11),
 * the analogous request over HTTP to the embedded chain's server: the same HTTP status, the same
 * JSON shape (keys in order, recursively, and value types; values may differ), and for the error
 * exchanges (04, 05, 07, the refusals of 10) exactly the same code, message and reason. The chain
 * replays the fixtures' history: 2 blocks to the fixture's address, up to height 103, then the
 * M7/M8 block, the three M7 variants, the refusals, invalidate/reconsider.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FixtureShapeTest {
    static final HexFormat HEX = HexFormat.of();
    static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final ECKey KEY = TestChain.KEY;

    final EmbeddedRegtestNode node = EmbeddedRegtestNode.start(EmbeddedRegtestChain.create(),
            RpcAuth.userPassword("fixture", "secret"));
    final EmbeddedRegtestChain chain = node.chain();
    final HttpClient http = HttpClient.newHttpClient();
    final List<String> covered = new ArrayList<>();
    Block lastSubmitted;

    @AfterAll
    void stop() {
        node.close();
    }

    HttpResponse<String> post(JsonNode body, RpcCredentials credentials) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(node.url()).timeout(Duration.ofSeconds(30))
                .header("Authorization", credentials.basicHeader())
                .POST(HttpRequest.BodyPublishers.ofString(JsonRpcDispatcher.JSON.writeValueAsString(body))).build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(JsonNode body) throws Exception {
        return post(body, node.credentials());
    }

    /** The fixture's request with other parameters (same jsonrpc, id and method). */
    static ObjectNode withParams(Fixtures.Exchange ex, Object... params) {
        ObjectNode r = ((ObjectNode) ex.request()).deepCopy();
        ArrayNode p = r.putArray("params");
        for (Object o : params) {
            p.add(JsonRpcDispatcher.JSON.valueToTree(o));
        }
        return r;
    }

    /** Sends {@code request} for the exchange and checks status and shape; returns our answer. */
    JsonNode sameShape(Fixtures.Exchange ex, JsonNode request) throws Exception {
        HttpResponse<String> r = post(request);
        assertEquals(ex.httpStatus(), r.statusCode(), ex + ": " + r.body());
        JsonNode ours = JsonRpcDispatcher.JSON.readTree(r.body());
        assertEquals(Optional.empty(), JsonShapes.shapeDifference(ex.responseJson(), ours), ex + ": " + r.body());
        assertTrue(r.body().endsWith("\n"));
        covered.add(ex.toString());
        return ours;
    }

    /** As {@link #sameShape}, and the same values (errors, reasons). */
    void sameAnswer(Fixtures.Exchange ex, JsonNode request) throws Exception {
        HttpResponse<String> r = post(request);
        assertEquals(ex.httpStatus(), r.statusCode(), ex + ": " + r.body());
        assertEquals(Optional.empty(), JsonShapes.valueDifference(ex.responseJson(), JsonRpcDispatcher.JSON
                .readTree(r.body())), ex + ": " + r.body());
        covered.add(ex.toString());
    }

    String tip() {
        return chain.bestBlockHash().toString();
    }

    Block fixtureBlock(String file) throws Exception {
        return Block.read(ByteBuffer.wrap(HEX.parseHex(Files.readString(Fixtures.dir().resolve(file)).trim())));
    }

    /** A block on our tip with the given coinbase outputs (the commitment is added) and transactions. */
    Block onTip(List<BlockBuilder.Output> outs, List<Transaction> txs) {
        Sha256Hash prev = chain.bestBlockHash();
        int height = chain.blockCount() + 1;
        return BlockMaker.build(prev, height, chain.block(prev).time().plusSeconds(1), Pow.REGTEST_BITS, outs, txs);
    }

    /** The coinbase outputs of a fixture block, its commitment left out (ours is added). */
    static List<BlockBuilder.Output> coinbaseOutputsOf(Block b) {
        List<BlockBuilder.Output> outs = new ArrayList<>();
        for (TransactionOutput o : b.getTransactions().get(0).getOutputs()) {
            byte[] s = o.getScriptBytes();
            boolean commitment = s.length >= 38 && (s[0] & 0xff) == 0x6a && s[1] == 0x24 && (s[2] & 0xff) == 0xaa;
            if (!commitment) {
                outs.add(new BlockBuilder.Output(o.getValue(), s));
            }
        }
        return outs;
    }

    ObjectNode submit(Fixtures.Exchange ex, Block b) {
        lastSubmitted = b;
        return withParams(ex, HEX.formatHex(b.serialize()));
    }

    @Test
    @Order(1)
    void startupAndInfo() throws Exception {
        for (Fixtures.Exchange ex : Fixtures.exchanges("01-startup-and-info.json")) {
            sameShape(ex, ex.request()); // the same requests: a new chain at genesis, like the fixture's
        }
        assertEquals("0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206", tip());
    }

    @Test
    @Order(2)
    void generateToAddress() throws Exception {
        for (Fixtures.Exchange ex : Fixtures.exchanges("02-generatetoaddress.json")) {
            sameShape(ex, ex.request()); // the fixture's own address
        }
        // up to the fixture's height 103, paying our key so that later exchanges can spend
        chain.generateToScript(101, TestChain.p2wpkh(KEY));
        assertEquals(103, chain.blockCount());
    }

    @Test
    @Order(3)
    void blockQueries() throws Exception {
        for (Fixtures.Exchange ex : Fixtures.exchanges("03-block-queries.json")) {
            JsonNode p = ex.request().get("params");
            ObjectNode req = switch (ex.method()) {
                case "getblockheader" -> withParams(ex, tip(), p.get(1).asBoolean());
                case "getblock" -> withParams(ex, tip(), p.get(1).asInt());
                default -> (ObjectNode) ex.request();
            };
            sameShape(ex, req);
        }
    }

    @Test
    @Order(4)
    void rpcErrorsExactly() throws Exception {
        for (Fixtures.Exchange ex : Fixtures.exchanges("04-rpc-errors.json")) {
            sameAnswer(ex, ex.request());
        }
    }

    @Test
    @Order(5)
    void unauthorizedEmptyBody() throws Exception {
        for (Fixtures.Exchange ex : Fixtures.exchanges("05-unauthorized.json")) {
            HttpResponse<String> r = post(ex.request(), new RpcCredentials("fixture", "wrong"));
            assertEquals(ex.httpStatus(), r.statusCode());
            assertEquals(ex.response(), r.body());
            assertEquals("", r.body());
            covered.add(ex.toString());
        }
    }

    @Test
    @Order(6)
    void batch() throws Exception {
        for (Fixtures.Exchange ex : Fixtures.exchanges("06-batch.json")) {
            JsonNode ours = sameShape(ex, ex.request());
            assertEquals(tip(), ours.get(1).get("result").asText());
        }
    }

    @Test
    @Order(7)
    void versionThreeBribeRefusedExactly() throws Exception {
        for (Fixtures.Exchange ex : Fixtures.exchanges("07-m8-v3-sendrawtransaction.json")) {
            sameAnswer(ex, ex.request()); // the fixture's own bribe
        }
    }

    @Test
    @Order(8)
    void templateAndAnM7M8Block() throws Exception {
        Block fixture = fixtureBlock("block-m7-2-entries-with-m8.hex");
        MiniHeader paid = M7Codec.findInCoinbase(fixture.getTransactions().get(0).getOutputs().stream()
                .map(TransactionOutput::getScriptBytes).toList()).orElseThrow().entries().stream()
                .filter(e -> e.chain() == 7).findFirst().orElseThrow();
        for (Fixtures.Exchange ex : Fixtures.exchanges("08-getblocktemplate-submitblock-m7-m8.json")) {
            switch (ex.method()) {
                case "getblocktemplate" -> {
                    JsonNode t = sameShape(ex, ex.request()).get("result");
                    assertEquals(104, t.get("height").asInt());
                    assertEquals(ex.responseJson().get("result").get("default_witness_commitment"),
                            t.get("default_witness_commitment"));
                    assertEquals(5_000_000_000L, t.get("coinbasevalue").asLong());
                }
                case "submitblock" -> {
                    // the fixture's M7 (chains 3 and 7) and a bribe for chain 7, funded by our coinbase at height 3
                    Transaction cb3 = chain.block(chain.blockHash(3)).getTransactions().get(0);
                    BribeBuilder.Bribe bribe = BribeBuilder.build(M8Tag.forBlock(paid, 104),
                            ECKey.fromPublicOnly(TestChain.OTHER), Coin.COIN,
                            List.of(BribeBuilder.Funding.p2wpkh(new TransactionOutPoint(0, cb3.getTxId()),
                                    Coin.FIFTY_COINS, KEY)),
                            ScriptBuilder.createP2WPKHOutputScript(KEY), Fee.absolute(Coin.valueOf(10_000)));
                    List<BlockBuilder.Output> outs = new ArrayList<>(coinbaseOutputsOf(fixture));
                    outs.set(0, new BlockBuilder.Output(Coin.FIFTY_COINS.add(bribe.fee()), outs.get(0).scriptPubKey()));
                    sameShape(ex, submit(ex, onTip(outs, List.of(bribe.tx()))));
                    assertEquals(lastSubmitted.getHash().toString(), tip());
                }
                default -> sameShape(ex, withParams(ex, tip(), 0));
            }
        }
        assertEquals(1, chain.d3().lookup(7, paid.hStar()).size());
    }

    @Test
    @Order(9)
    void m7Variants() throws Exception {
        List<Block> fixtures = List.of(fixtureBlock("block-m7-pushdata1-duplicate-trailing.hex"),
                fixtureBlock("block-m7-pushdata2-256-entries.hex"), fixtureBlock("block-m7-after-decoy-output.hex"));
        int next = 0;
        for (Fixtures.Exchange ex : Fixtures.exchanges("09-m7-variants-accepted.json")) {
            if (ex.method().equals("getblocktemplate")) {
                sameShape(ex, ex.request());
            } else {
                sameShape(ex, submit(ex, onTip(coinbaseOutputsOf(fixtures.get(next++)), List.of())));
            }
        }
        assertEquals(107, chain.blockCount());
        assertEquals(256, chain.d3().row(106).orElseThrow().entries().size());
    }

    @Test
    @Order(10)
    void submitblockRefusalsExactly() throws Exception {
        List<BlockBuilder.Output> pay = List.of(new BlockBuilder.Output(Coin.FIFTY_COINS, new byte[] {0x51}));
        for (Fixtures.Exchange ex : Fixtures.exchanges("10-submitblock-rejections.json")) {
            if (ex.method().equals("getblocktemplate")) {
                sameShape(ex, ex.request());
                continue;
            }
            JsonNode expected = ex.responseJson().get("result");
            String reason = expected.isNull() ? "decode" : expected.asText();
            Block good = onTip(pay, List.of());
            Block b = switch (reason) {
                case "duplicate" -> lastSubmitted;
                case "high-hash" -> withNonce(good, false);
                case "bad-txnmrklroot" -> withNonce(new Block(good.getVersion(), good.getPrevBlockHash(),
                        Sha256Hash.of(new byte[] {1}), good.time(), good.getDifficultyTarget(), 0,
                        good.getTransactions()), true);
                case "bad-cb-amount" -> onTip(List.of(new BlockBuilder.Output(Coin.FIFTY_COINS.add(Coin.SATOSHI),
                        new byte[] {0x51})), List.of());
                case "bad-cb-height" -> BlockMaker.build(good.getPrevBlockHash(), 113, good.time(), Pow.REGTEST_BITS,
                        pay, List.of());
                case "prev-blk-not-found" -> BlockMaker.build(Sha256Hash.wrap("11".repeat(32)), 108, good.time(),
                        Pow.REGTEST_BITS, pay, List.of());
                default -> null;
            };
            sameAnswer(ex, b == null ? ex.request() : withParams(ex, HEX.formatHex(b.serialize())));
        }
        assertEquals(107, chain.blockCount());
    }

    /** The block with the first nonce whose hash meets (or, for {@code valid} false, misses) the target. */
    static Block withNonce(Block b, boolean valid) {
        for (long nonce = 0; ; nonce++) {
            Block x = new Block(b.getVersion(), b.getPrevBlockHash(), b.getMerkleRoot(), b.time(), b.getDifficultyTarget(),
                    nonce, b.getTransactions());
            if (Pow.check(x.getHash(), x.getDifficultyTarget()) == valid) {
                return x;
            }
        }
    }

    @Test
    @Order(11)
    void invalidateReconsider() throws Exception {
        String before = tip();
        String parent = chain.blockHash(chain.blockCount() - 1).toString();
        List<Fixtures.Exchange> exs = Fixtures.exchanges("11-invalidate-reconsider.json");
        List<String> best = new ArrayList<>();
        for (Fixtures.Exchange ex : exs) {
            JsonNode ours = switch (ex.method()) {
                case "invalidateblock", "reconsiderblock" -> sameShape(ex, withParams(ex, before));
                default -> sameShape(ex, ex.request());
            };
            if (ex.method().equals("getbestblockhash")) {
                best.add(ours.get("result").asText());
            }
        }
        assertEquals(List.of(before, parent, before), best);
    }

    @Test
    @Order(12)
    void everyExchangeWasCovered() {
        int total = 0;
        for (String f : List.of("01-startup-and-info.json", "02-generatetoaddress.json", "03-block-queries.json",
                "04-rpc-errors.json", "05-unauthorized.json", "06-batch.json", "07-m8-v3-sendrawtransaction.json",
                "08-getblocktemplate-submitblock-m7-m8.json", "09-m7-variants-accepted.json",
                "10-submitblock-rejections.json", "11-invalidate-reconsider.json")) {
            total += Fixtures.exchanges(f).size();
        }
        assertEquals(total, covered.size(), covered.toString());
        assertNotEquals(0, total);
    }
}
