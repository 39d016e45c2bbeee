package org.sidechains.bmm.regtest.rpcserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonRpcDispatcherTest {
    final JsonRpcDispatcher d = new JsonRpcDispatcher(List.of(
            RpcMethod.of("echo", p -> p, RpcParam.required("a", RpcType.NUMBER), RpcParam.optional("b|bee", RpcType.STRING)),
            RpcMethod.of("fail", p -> {
                throw RpcException.invalidParameter("Block height out of range");
            }),
            RpcMethod.of("boom", p -> {
                throw new IllegalStateException("kaput");
            }),
            RpcMethod.of("two", p -> JsonNodeFactory.instance.numberNode(2),
                    RpcParam.required("x", RpcType.NUMBER), RpcParam.required("y", RpcType.BOOL))));

    JsonRpcDispatcher.Reply send(String body) {
        return d.dispatch(body.getBytes(StandardCharsets.UTF_8));
    }

    static JsonNode json(String s) throws Exception {
        return JsonRpcDispatcher.JSON.readTree(s);
    }

    @Test
    void resultWithIdAndNullError() throws Exception {
        JsonRpcDispatcher.Reply r = send("{\"jsonrpc\":\"1.0\",\"id\":\"x\",\"method\":\"echo\",\"params\":[1,\"s\"]}");
        assertEquals(200, r.httpStatus());
        assertEquals("{\"result\":[1,\"s\"],\"error\":null,\"id\":\"x\"}\n", r.body());
    }

    @Test
    void methodNotFoundIs404AsBitcoind() {
        JsonRpcDispatcher.Reply r = send("{\"jsonrpc\":\"1.0\",\"id\":\"nosuchmethod\",\"method\":\"nosuchmethod\",\"params\":[]}");
        assertEquals(404, r.httpStatus());
        assertEquals("{\"result\":null,\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":\"nosuchmethod\"}\n",
                r.body());
    }

    @Test
    void otherErrorsAre500() {
        JsonRpcDispatcher.Reply r = send("{\"id\":7,\"method\":\"fail\"}");
        assertEquals(500, r.httpStatus());
        assertEquals("{\"result\":null,\"error\":{\"code\":-8,\"message\":\"Block height out of range\"},\"id\":7}\n", r.body());
    }

    @Test
    void wrongTypeIsMinus3WithBitcoindsMessage() throws Exception {
        JsonRpcDispatcher.Reply r = send("{\"id\":1,\"method\":\"echo\",\"params\":[\"notanumber\"]}");
        assertEquals(500, r.httpStatus());
        JsonNode e = json(r.body()).get("error");
        assertEquals(-3, e.get("code").asInt());
        assertEquals("Wrong type passed:\n{\n    \"Position 1 (a)\": \"JSON value of type string is not of expected type number\"\n}",
                e.get("message").asText());
    }

    @Test
    void everyMismatchIsListed() throws Exception {
        JsonNode e = json(send("{\"id\":1,\"method\":\"two\",\"params\":[\"1\",2]}").body()).get("error");
        assertEquals("Wrong type passed:\n{\n"
                + "    \"Position 1 (x)\": \"JSON value of type string is not of expected type number\",\n"
                + "    \"Position 2 (y)\": \"JSON value of type number is not of expected type bool\"\n}",
                e.get("message").asText());
    }

    @Test
    void wrongCountIsMinus1WithUsage() throws Exception {
        JsonNode e = json(send("{\"id\":1,\"method\":\"echo\",\"params\":[]}").body()).get("error");
        assertEquals(-1, e.get("code").asInt());
        assertEquals("echo a ( \"b\" )", e.get("message").asText());
        e = json(send("{\"id\":1,\"method\":\"echo\",\"params\":[1,\"a\",3]}").body()).get("error");
        assertEquals(-1, e.get("code").asInt());
    }

    @Test
    void namedParamsByNameOrAlias() throws Exception {
        assertEquals(json("[5,\"z\"]"), json(send("{\"id\":1,\"method\":\"echo\",\"params\":{\"bee\":\"z\",\"a\":5}}").body())
                .get("result"));
        JsonNode e = json(send("{\"id\":1,\"method\":\"echo\",\"params\":{\"a\":5,\"c\":1}}").body()).get("error");
        assertEquals(-8, e.get("code").asInt());
        assertEquals("Unknown named parameter c", e.get("message").asText());
    }

    @Test
    void parseErrorsAndInvalidRequests() throws Exception {
        JsonRpcDispatcher.Reply r = send("{not json");
        assertEquals(500, r.httpStatus());
        assertEquals("{\"result\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"},\"id\":null}\n", r.body());
        r = send("{\"id\":3}");
        assertEquals(400, r.httpStatus());
        assertEquals("Missing method", json(r.body()).get("error").get("message").asText());
        r = send("{\"id\":3,\"method\":1}");
        assertEquals("Method must be a string", json(r.body()).get("error").get("message").asText());
        r = send("{\"id\":3,\"method\":\"echo\",\"params\":5}");
        assertEquals(400, r.httpStatus());
        assertEquals("Params must be an array or object", json(r.body()).get("error").get("message").asText());
        r = send("42");
        assertEquals(500, r.httpStatus());
        assertEquals("Top-level object parse error", json(r.body()).get("error").get("message").asText());
    }

    @Test
    void batchAnswersEachInOrderWith200() throws Exception {
        JsonRpcDispatcher.Reply r = send("[{\"id\":1,\"method\":\"echo\",\"params\":[1]},"
                + "{\"id\":2,\"method\":\"nosuch\"},3,{\"id\":4,\"method\":\"fail\"}]");
        assertEquals(200, r.httpStatus());
        JsonNode a = json(r.body());
        assertEquals(4, a.size());
        assertEquals(json("[1]"), a.get(0).get("result"));
        assertEquals(-32601, a.get(1).get("error").get("code").asInt());
        assertEquals(-32600, a.get(2).get("error").get("code").asInt());
        assertTrue(a.get(2).get("id").isNull());
        assertEquals(-8, a.get(3).get("error").get("code").asInt());
        assertEquals("[]\n", send("[]").body());
    }

    @Test
    void unexpectedFailuresAreMinus1() throws Exception {
        JsonNode e = json(send("{\"id\":1,\"method\":\"boom\"}").body()).get("error");
        assertEquals(-1, e.get("code").asInt());
        assertEquals("kaput", e.get("message").asText());
    }

    @Test
    void amountsStayExact() {
        JsonRpcDispatcher dd = new JsonRpcDispatcher(List.of(RpcMethod.of("v", p -> JsonNodeFactory.instance
                .numberNode(new java.math.BigDecimal("0.00000000")))));
        // bitcoind writes 8 decimals; plain notation, never 0E-8
        assertEquals("{\"result\":0.00000000,\"error\":null,\"id\":null}\n",
                dd.dispatch("{\"method\":\"v\"}".getBytes(StandardCharsets.UTF_8)).body());
    }
}
