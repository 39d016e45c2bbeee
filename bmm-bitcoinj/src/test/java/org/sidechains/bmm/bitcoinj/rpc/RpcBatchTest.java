package org.sidechains.bmm.bitcoinj.rpc;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sidechains.bmm.bitcoinj.rpc.BitcoindFixtures.JSON;
import static org.sidechains.bmm.bitcoinj.rpc.BitcoindFixtures.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.sidechains.bmm.bitcoinj.rpc.BitcoindFixtures.Exchange;

/** JSON-RPC batches: 06 as recorded, then derived batches built from recorded single answers. */
class RpcBatchTest extends StubbedBitcoindTest {
    private static final List<RpcCall> RECORDED_CALLS = List.of(RpcCall.of("getblockcount"), RpcCall.of("getbestblockhash"),
            RpcCall.of("getblockhash", 1));

    @Test
    void theRecordedBatch() {
        Exchange e = load("06-batch.json").get(0);
        List<StubMapping> stubs = BitcoindFixtures.stub(bitcoind.server, List.of(e));
        List<RpcResult> got = main.rpc().batch(RECORDED_CALLS);
        List<JsonNode> want = new ArrayList<>();
        e.body().forEach(a -> want.add(a.get("result")));
        assertEquals(3, got.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(want.get(i), assertInstanceOf(RpcResult.Ok.class, got.get(i)).result());
        }
        assertEquals(103, got.get(0).orThrow().asInt());
        assertEquals(1, bitcoind.requests().size(), "one round trip");
        bitcoind.assertAllServed(stubs);
    }

    @Test
    void answersOutOfOrderAreMatchedById() {
        Exchange e = load("06-batch.json").get(0);
        ArrayNode reversed = JSON.createArrayNode();
        List<JsonNode> answers = new ArrayList<>();
        e.body().forEach(answers::add);
        Collections.reverse(answers);
        reversed.addAll(answers);
        BitcoindFixtures.stub(bitcoind.server, List.of(e.answering(200, reversed.toString())));
        List<JsonNode> got = main.rpc().batchAll(RECORDED_CALLS);
        assertEquals(e.body().get(0).get("result"), got.get(0));
        assertEquals(e.body().get(1).get("result"), got.get(1));
        assertEquals(e.body().get(2).get("result"), got.get(2));
    }

    /** A batch request as this client sends it: ids 1..n. */
    private static ArrayNode batchRequest(List<RpcCall> calls, int... ids) {
        ArrayNode a = JSON.createArrayNode();
        for (int i = 0; i < calls.size(); i++) {
            a.addObject().put("jsonrpc", "1.0").put("id", ids.length == 0 ? i + 1 : ids[i])
                    .put("method", calls.get(i).method()).set("params", calls.get(i).params());
        }
        return a;
    }

    /** A recorded single answer as batch entry {@code id}. */
    private static ObjectNode entry(Exchange recorded, int id) {
        ObjectNode n = (ObjectNode) recorded.body();
        n.put("id", id);
        return n;
    }

    private void stubBatch(ArrayNode request, List<ObjectNode> answers) {
        ArrayNode body = JSON.createArrayNode();
        body.addAll(answers);
        bitcoind.server.stubFor(post(urlEqualTo("/")).withRequestBody(equalToJson(request.toString(), false, false))
                .willReturn(aResponse().withStatus(200).withBody(body.toString())));
    }

    @Test
    void blocksTravelInOneBatchInTheOrderAsked() {
        Exchange b103 = load("03-block-queries.json").get(2);
        Exchange b104 = load("08-getblocktemplate-submitblock-m7-m8.json").get(2);
        Sha256Hash h103 = Sha256Hash.wrap(b103.params().get(0).asText());
        Sha256Hash h104 = Sha256Hash.wrap(b104.params().get(0).asText());
        List<RpcCall> calls = List.of(RpcCall.of("getblock", h104.toString(), 0), RpcCall.of("getblock", h103.toString(), 0));
        // derived from the two recorded single answers, sent back in the other order
        stubBatch(batchRequest(calls), List.of(entry(b103, 2), entry(b104, 1)));

        List<Block> got = main.blocks(List.of(h104, h103));
        assertEquals(List.of(h104, h103), got.stream().map(Block::getHash).toList());
        assertArrayEquals(BitcoindFixtures.HEX.parseHex(b104.result().asText()), got.get(0).serialize());
        assertArrayEquals(BitcoindFixtures.HEX.parseHex(b103.result().asText()), got.get(1).serialize());
        assertEquals(1, bitcoind.requests().size());
        assertEquals(List.of(), main.blocks(List.of()));
        assertEquals(1, bitcoind.requests().size(), "an empty batch is not sent");
    }

    @Test
    void blockHashesTravelInOneBatch() {
        JsonNode header = load("03-block-queries.json").get(0).result();
        Exchange h103 = load("03-block-queries.json").get(6);
        // block 102's hash is the recorded header's previousblockhash
        ObjectNode e102 = JSON.createObjectNode().put("result", header.get("previousblockhash").asText()).put("id", 1);
        e102.putNull("error");
        stubBatch(batchRequest(List.of(RpcCall.of("getblockhash", 102), RpcCall.of("getblockhash", 103))),
                List.of(entry(h103, 2), e102));
        assertEquals(List.of(Sha256Hash.wrap(header.get("previousblockhash").asText()), Sha256Hash.wrap(header.get("hash").asText())),
                main.blockHashes(102, 2));
        assertEquals(1, bitcoind.requests().size());
    }

    @Test
    void oneFailedCallFailsAloneAndTypedBatchesThrowTheFirstError() {
        Exchange count = load("03-block-queries.json").get(5);
        Exchange outOfRange = load("04-rpc-errors.json").get(1);
        List<RpcCall> calls = List.of(RpcCall.of("getblockcount"), RpcCall.of("getblockhash", 999999));
        stubBatch(batchRequest(calls), List.of(entry(outOfRange, 2), entry(count, 1)));

        List<RpcResult> got = main.rpc().batch(calls);
        assertEquals(103, got.get(0).orThrow().asInt());
        MainchainException.Rpc err = assertInstanceOf(RpcResult.Failed.class, got.get(1)).error();
        assertEquals(-8, err.code());
        assertEquals(outOfRange.error().get("message").asText(), err.rpcMessage());
        assertEquals("getblockhash", err.method());
        MainchainException.Rpc thrown = assertThrows(MainchainException.Rpc.class, () -> main.rpc().batchAll(calls));
        assertEquals(-8, thrown.code());
    }

    @Test
    void warmingUpCallsAreSentAgainAlone() {
        Exchange count = load("03-block-queries.json").get(5);
        Exchange best = load("11-invalidate-reconsider.json").get(0);
        List<RpcCall> calls = List.of(RpcCall.of("getblockcount"), RpcCall.of("getbestblockhash"));
        // derived: the second call's answer is a recorded error entry with bitcoind's warm-up code and text
        ObjectNode warming = entry(load("04-rpc-errors.json").get(1), 2);
        ((ObjectNode) warming.get("error")).put("code", -28).put("message", RpcErrorsTest.LOADING_BLOCK_INDEX);
        ArrayNode first = batchRequest(calls);
        ArrayNode again = batchRequest(List.of(calls.get(1)), 2);
        bitcoind.server.stubFor(post(urlEqualTo("/")).withRequestBody(equalToJson(first.toString(), false, false))
                .inScenario("batch warm-up").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("retry")
                .willReturn(aResponse().withStatus(200).withBody(JSON.createArrayNode().add(entry(count, 1)).add(warming).toString())));
        bitcoind.server.stubFor(post(urlEqualTo("/")).withRequestBody(equalToJson(again.toString(), false, false))
                .inScenario("batch warm-up").whenScenarioStateIs("retry")
                .willReturn(aResponse().withStatus(200).withBody(JSON.createArrayNode().add(entry(best, 2)).toString())));

        List<JsonNode> got = main.rpc().batchAll(calls);
        assertEquals(103, got.get(0).asInt());
        assertEquals(best.result(), got.get(1));
        assertEquals(2, bitcoind.requests().size());
    }

    @Test
    void aBatchAnswerThatDoesNotMatchTheRequestIsUnreachable() {
        Exchange e = load("06-batch.json").get(0);
        ArrayNode missing = JSON.createArrayNode().add(e.body().get(0)).add(e.body().get(1));
        ArrayNode duplicate = JSON.createArrayNode().add(e.body().get(0)).add(e.body().get(0)).add(e.body().get(2));
        for (Map.Entry<String, String> bad : Map.of("no answer to call 3", missing.toString(),
                "two answers with id 1", duplicate.toString(),
                "expected a JSON array", e.body().get(0).toString()).entrySet()) {
            bitcoind.server.resetAll();
            BitcoindFixtures.stub(bitcoind.server, List.of(e.answering(200, bad.getValue())));
            MainchainException.Unreachable u = assertThrows(MainchainException.Unreachable.class,
                    () -> main.rpc().batch(RECORDED_CALLS));
            assertTrue(u.getMessage().contains(bad.getKey()), u.getMessage());
        }
    }
}
