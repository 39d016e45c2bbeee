package org.sidechains.bmm.regtest.rpcserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON-RPC 1.0 protocol as bitcoind speaks it, without HTTP: a body in, a status and a body
 * out. A single request gets {@code {"result":..,"error":..,"id":..}} with HTTP 200, or the error
 * with 400 (invalid request), 404 (unknown method) or 500 (anything else); a batch (array in) gets
 * an array of such objects with HTTP 200. Parameters may be positional or named; their count and
 * JSON types are checked against the method's {@link RpcParam}s with bitcoind's errors (-1 with the
 * usage, -3 "Wrong type passed"). Thread-safe: methods must be too.
 */
public final class JsonRpcDispatcher {
    private static final Logger log = LoggerFactory.getLogger(JsonRpcDispatcher.class);

    /** The JSON the server reads and writes: decimals kept exactly (amounts), written as plain numbers. */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .disable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .build();

    /** What to send back: an HTTP status and a body (bitcoind ends JSON bodies with a newline). */
    public record Reply(int httpStatus, String body) {
        public Reply {
            Objects.requireNonNull(body, "body");
        }
    }

    private final Map<String, RpcMethod> methods;

    public JsonRpcDispatcher(Collection<RpcMethod> methods) {
        Map<String, RpcMethod> m = new LinkedHashMap<>();
        for (RpcMethod method : methods) {
            if (m.put(method.name(), method) != null) {
                throw new IllegalArgumentException("method " + method.name() + " registered twice");
            }
        }
        this.methods = Map.copyOf(m);
    }

    public Collection<String> methodNames() {
        return methods.keySet();
    }

    /** Handles one HTTP body. */
    public Reply dispatch(byte[] body) {
        JsonNode request;
        try {
            request = JSON.readTree(body);
        } catch (IOException e) {
            request = null;
        }
        if (request == null || request.isMissingNode()) {
            return errorReply(new RpcException(RpcErrorCode.PARSE_ERROR, "Parse error"), NullNode.getInstance());
        }
        if (request.isObject()) {
            JsonNode id = idOf(request);
            try {
                return new Reply(200, write(reply(execute(request), NullNode.getInstance(), id)));
            } catch (RpcException e) {
                return errorReply(e, id);
            }
        }
        if (request.isArray()) {
            ArrayNode replies = JsonNodeFactory.instance.arrayNode();
            for (JsonNode one : request) {
                replies.add(executeOne(one));
            }
            return new Reply(200, write(replies));
        }
        return errorReply(new RpcException(RpcErrorCode.PARSE_ERROR, "Top-level object parse error"),
                NullNode.getInstance());
    }

    /**
     * Calls a method in-process with the same parameter handling as over HTTP (for tests and for
     * daemons that also answer locally).
     */
    public JsonNode call(String method, JsonNode params) {
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.put("method", method);
        request.set("params", params);
        return execute(request);
    }

    private JsonNode executeOne(JsonNode request) {
        if (!request.isObject()) {
            return errorObject(RpcException.invalidRequest("Invalid Request object"), NullNode.getInstance());
        }
        JsonNode id = idOf(request);
        try {
            return reply(execute(request), NullNode.getInstance(), id);
        } catch (RpcException e) {
            return errorObject(e, id);
        }
    }

    private JsonNode execute(JsonNode request) {
        JsonNode methodNode = request.get("method");
        if (methodNode == null || methodNode.isNull()) {
            throw RpcException.invalidRequest("Missing method");
        }
        if (!methodNode.isTextual()) {
            throw RpcException.invalidRequest("Method must be a string");
        }
        JsonNode params = request.get("params");
        if (params != null && !params.isNull() && !params.isArray() && !params.isObject()) {
            throw RpcException.invalidRequest("Params must be an array or object");
        }
        RpcMethod method = methods.get(methodNode.asText());
        if (method == null) {
            throw RpcException.methodNotFound();
        }
        ArrayNode positional = positional(method, params);
        checkParams(method, positional);
        try {
            JsonNode result = method.handler().handle(positional);
            return result == null ? NullNode.getInstance() : result;
        } catch (RpcException e) {
            throw e;
        } catch (MainchainException e) {
            // the node behind the method is down or refused: expected while it is, so one line, not a stack trace
            log.warn("method {} failed: {}", method.name(), e.getMessage());
            throw RpcException.misc(e.getMessage());
        } catch (RuntimeException e) {
            // bitcoind turns any other failure of a method into -1 with its text
            log.warn("method {} failed", method.name(), e);
            throw RpcException.misc(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    /** Named parameters put in their positions, as bitcoind's transformNamedArguments does. */
    private static ArrayNode positional(RpcMethod method, JsonNode params) {
        if (params == null || params.isNull()) {
            return JsonNodeFactory.instance.arrayNode();
        }
        if (params.isArray()) {
            return (ArrayNode) params;
        }
        Map<String, JsonNode> named = new LinkedHashMap<>();
        params.fields().forEachRemaining(e -> named.put(e.getKey(), e.getValue()));
        List<JsonNode> out = new ArrayList<>();
        List<RpcParam> declared = method.params();
        for (int i = 0; i < declared.size(); i++) {
            for (String alias : declared.get(i).aliases()) {
                JsonNode v = named.remove(alias);
                if (v != null) {
                    while (out.size() <= i) {
                        out.add(NullNode.getInstance());
                    }
                    out.set(i, v);
                }
            }
        }
        if (!named.isEmpty()) {
            throw RpcException.invalidParameter("Unknown named parameter " + named.keySet().iterator().next());
        }
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        out.forEach(array::add);
        return array;
    }

    /** bitcoind's RPCHelpMan checks: the count (-1 with the usage), then every type (-3, all mismatches). */
    private static void checkParams(RpcMethod method, ArrayNode params) {
        int n = params.size();
        if (n < method.requiredCount() || n > method.params().size()) {
            throw RpcException.misc(method.usage());
        }
        Map<String, String> mismatches = new LinkedHashMap<>();
        List<RpcParam> declared = method.params();
        for (int i = 0; i < declared.size(); i++) {
            RpcParam p = declared.get(i);
            JsonNode v = params.get(i);
            boolean absent = v == null || v.isNull();
            if (p.type() == RpcType.ANY || (!p.required() && absent)) {
                continue;
            }
            if (!p.type().matches(v)) {
                mismatches.put("Position " + (i + 1) + " (" + p.name() + ")", "JSON value of type "
                        + RpcType.nameOf(v) + " is not of expected type " + p.type().uniValueName().orElseThrow());
            }
        }
        if (!mismatches.isEmpty()) {
            throw RpcException.typeError("Wrong type passed:\n" + prettyObject(mismatches));
        }
    }

    /** An object of strings as UniValue's write(4) prints it (4-space indent, "key": "value"). */
    private static String prettyObject(Map<String, String> entries) {
        return entries.entrySet().stream()
                .map(e -> "    " + quote(e.getKey()) + ": " + quote(e.getValue()))
                .collect(Collectors.joining(",\n", "{\n", "\n}"));
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode idOf(JsonNode request) {
        JsonNode id = request.get("id");
        return id == null ? NullNode.getInstance() : id;
    }

    private static ObjectNode reply(JsonNode result, JsonNode error, JsonNode id) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("result", result);
        o.set("error", error);
        o.set("id", id);
        return o;
    }

    private static ObjectNode errorObject(RpcException e, JsonNode id) {
        ObjectNode error = JsonNodeFactory.instance.objectNode();
        error.put("code", e.code());
        error.put("message", e.rpcMessage());
        return reply(NullNode.getInstance(), error, id);
    }

    private static Reply errorReply(RpcException e, JsonNode id) {
        return new Reply(RpcErrorCode.httpStatus(e.code()), write(errorObject(e, id)));
    }

    static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

}
