package org.sidechains.bmm.bitcoinj.mainchain;

import java.util.Objects;

/**
 * Why a {@link Mainchain} call failed. Sealed so callers can tell a node's answer (a JSON-RPC error
 * with bitcoind's code), a refused login and an unreachable node apart, and retry only the last.
 */
public abstract sealed class MainchainException extends RuntimeException {

    MainchainException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The node answered with a JSON-RPC error: bitcoind's code and message, unchanged. */
    public static final class Rpc extends MainchainException {
        private final int code;
        private final String rpcMessage;
        private final String method;

        public Rpc(String method, int code, String rpcMessage) {
            super(method + ": bitcoind error " + code + ": " + rpcMessage, null);
            this.method = Objects.requireNonNull(method, "method");
            this.code = code;
            this.rpcMessage = Objects.requireNonNull(rpcMessage, "rpcMessage");
        }

        public int code() {
            return code;
        }

        /** bitcoind's own message, e.g. "Block not found". */
        public String rpcMessage() {
            return rpcMessage;
        }

        public String method() {
            return method;
        }
    }

    /** HTTP 401 (bitcoind answers a wrong password with an empty body). */
    public static final class Unauthorized extends MainchainException {
        public Unauthorized(String message) {
            super(message, null);
        }
    }

    /** No answer: connection refused, timeout, a body that is not JSON-RPC, or still warming up after retries. */
    public static final class Unreachable extends MainchainException {
        public Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
