package org.sidechains.bmm.regtest.embedded.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.HexFormat;
import java.util.Optional;
import org.bitcoinj.base.Sha256Hash;
import org.sidechains.bmm.regtest.rpcserver.RpcException;

/** Reading parameters as bitcoind does, with its messages (ParseHashV, getInt, hex strings). */
final class Params {
    private Params() {
    }

    static Optional<JsonNode> opt(ArrayNode params, int i) {
        JsonNode v = params.get(i);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v);
    }

    /** bitcoind's ParseHashV: 64 hex characters, display order. */
    static Sha256Hash hash(ArrayNode params, int i, String name) {
        String hex = params.get(i).asText();
        if (hex.length() != 64) {
            throw RpcException.invalidParameter(name + " must be of length 64 (not " + hex.length() + ", for '"
                    + hex + "')");
        }
        if (!isHex(hex)) {
            throw RpcException.invalidParameter(name + " must be hexadecimal string (not '" + hex + "')");
        }
        return Sha256Hash.wrap(hex);
    }

    /** UniValue's getInt: an integral number in int range. */
    static int integer(JsonNode v) {
        if (!v.isNumber()) {
            throw RpcException.typeError("JSON value of type " + org.sidechains.bmm.regtest.rpcserver.RpcType.nameOf(v)
                    + " is not of expected type number");
        }
        if (!v.isIntegralNumber() && v.decimalValue().stripTrailingZeros().scale() > 0) {
            throw RpcException.misc("JSON integer out of range");
        }
        if (!v.canConvertToInt()) {
            throw RpcException.misc("JSON integer out of range");
        }
        return v.intValue();
    }

    /** bitcoind's IsHex: non-empty, even length, hex digits only. */
    static boolean isHex(String s) {
        if (s.isEmpty() || (s.length() & 1) == 1) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    static Optional<byte[]> hexBytes(String s) {
        return isHex(s) ? Optional.of(HexFormat.of().parseHex(s)) : Optional.empty();
    }
}
