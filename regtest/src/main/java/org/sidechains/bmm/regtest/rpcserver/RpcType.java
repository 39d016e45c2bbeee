package org.sidechains.bmm.regtest.rpcserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * The JSON type a parameter must have, checked before the handler runs, as bitcoind's
 * {@code RPCArg::MatchesType} does. Names are bitcoind's (UniValue's) type names, since they appear
 * in the -3 message.
 */
public enum RpcType {
    NUMBER("number"),
    STRING("string"),
    BOOL("bool"),
    OBJECT("object"),
    ARRAY("array"),
    /** Not checked by the server (bitcoind's AMOUNT and RANGE, or a handler that takes several types). */
    ANY(null);

    private final String uniValueName;

    RpcType(String uniValueName) {
        this.uniValueName = uniValueName;
    }

    /** bitcoind's name of the type, empty for {@link #ANY}. */
    public Optional<String> uniValueName() {
        return Optional.ofNullable(uniValueName);
    }

    public boolean matches(JsonNode value) {
        return this == ANY || uniValueName.equals(nameOf(value));
    }

    /** UniValue's name of a JSON value's type: null, bool, object, array, string or number. */
    public static String nameOf(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "null";
        }
        if (value.isBoolean()) {
            return "bool";
        }
        if (value.isObject()) {
            return "object";
        }
        if (value.isArray()) {
            return "array";
        }
        if (value.isTextual()) {
            return "string";
        }
        if (value.isNumber()) {
            return "number";
        }
        return "null";
    }
}
