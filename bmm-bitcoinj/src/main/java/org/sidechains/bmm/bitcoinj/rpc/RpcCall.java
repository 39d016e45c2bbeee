package org.sidechains.bmm.bitcoinj.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.Objects;

/**
 * One JSON-RPC request: a method and its positional parameters.
 *
 * @param params a JSON array; copied in and out, so a call cannot change after it is made
 */
public record RpcCall(String method, ArrayNode params) {
    public RpcCall {
        Objects.requireNonNull(method, "method");
        if (method.isBlank()) {
            throw new IllegalArgumentException("method is blank");
        }
        params = params.deepCopy();
    }

    /**
     * Parameters are converted by Jackson: strings, numbers, booleans, {@code null}, lists, maps and
     * {@link JsonNode}s, e.g. {@code of("getblocktemplate", Map.of("rules", List.of("segwit")))}.
     */
    public static RpcCall of(String method, Object... params) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        for (Object p : params) {
            JsonNode node = Json.MAPPER.valueToTree(p);
            array.add(node == null ? array.nullNode() : node);
        }
        return new RpcCall(method, array);
    }

    @Override
    public ArrayNode params() {
        return params.deepCopy();
    }

    @Override
    public String toString() {
        return method + params;
    }
}
