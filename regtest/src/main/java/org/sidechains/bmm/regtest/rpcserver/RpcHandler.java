package org.sidechains.bmm.regtest.rpcserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

/** One method's implementation. */
@FunctionalInterface
public interface RpcHandler {
    /**
     * @param params the positional parameters (named ones already put in place by the server; a
     *               parameter not given is absent or JSON null)
     * @return the result (JSON null for none)
     * @throws RpcException to answer with a JSON-RPC error
     */
    JsonNode handle(ArrayNode params);
}
