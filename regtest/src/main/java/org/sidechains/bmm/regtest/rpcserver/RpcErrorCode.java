package org.sidechains.bmm.regtest.rpcserver;

/**
 * JSON-RPC error codes with bitcoind's numbers (its {@code rpc/protocol.h}), so that clients written
 * against bitcoind read this server's errors the same way.
 */
public final class RpcErrorCode {
    /** Standard JSON-RPC 2.0: the body is not JSON (HTTP 500). */
    public static final int PARSE_ERROR = -32700;
    /** Standard JSON-RPC 2.0: not a request object (HTTP 400). */
    public static final int INVALID_REQUEST = -32600;
    /** Standard JSON-RPC 2.0: unknown method (HTTP 404). */
    public static final int METHOD_NOT_FOUND = -32601;
    public static final int INVALID_PARAMS = -32602;
    public static final int INTERNAL_ERROR = -32603;

    /** bitcoind's catch-all, also for a wrong number of parameters (the message is the usage). */
    public static final int MISC_ERROR = -1;
    /** A parameter of the wrong JSON type. */
    public static final int TYPE_ERROR = -3;
    /** An unknown block, a bad address, ... */
    public static final int INVALID_ADDRESS_OR_KEY = -5;
    /** A parameter of the right type with a wrong value. */
    public static final int INVALID_PARAMETER = -8;
    public static final int DESERIALIZATION_ERROR = -22;
    /** A transaction refused before the mempool (missing inputs, fee too high, ...). */
    public static final int VERIFY_ERROR = -25;
    /** A transaction refused by the mempool's rules. */
    public static final int VERIFY_REJECTED = -26;
    public static final int VERIFY_ALREADY_IN_CHAIN = -27;
    public static final int IN_WARMUP = -28;

    private RpcErrorCode() {
    }

    /**
     * The HTTP status bitcoind answers a single request's error with: 400 for an invalid request,
     * 404 for an unknown method, 500 for everything else (the JSON body says what).
     */
    public static int httpStatus(int code) {
        return switch (code) {
            case INVALID_REQUEST -> 400;
            case METHOD_NOT_FOUND -> 404;
            default -> 500;
        };
    }
}
