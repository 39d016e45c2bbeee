package org.sidechains.bmm.regtest.rpcserver;

/**
 * A method's refusal, answered as a JSON-RPC error object {@code {"code":..,"message":..}}. The
 * factories name bitcoind's codes ({@link RpcErrorCode}); messages should be bitcoind's own where
 * bitcoind has one, since clients match on them.
 */
public final class RpcException extends RuntimeException {
    private final int code;

    public RpcException(int code, String message) {
        super(message);
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The message as sent to the client. */
    public String rpcMessage() {
        return getMessage();
    }

    public static RpcException misc(String message) {
        return new RpcException(RpcErrorCode.MISC_ERROR, message);
    }

    public static RpcException typeError(String message) {
        return new RpcException(RpcErrorCode.TYPE_ERROR, message);
    }

    public static RpcException invalidAddressOrKey(String message) {
        return new RpcException(RpcErrorCode.INVALID_ADDRESS_OR_KEY, message);
    }

    public static RpcException invalidParameter(String message) {
        return new RpcException(RpcErrorCode.INVALID_PARAMETER, message);
    }

    public static RpcException deserialization(String message) {
        return new RpcException(RpcErrorCode.DESERIALIZATION_ERROR, message);
    }

    public static RpcException methodNotFound() {
        return new RpcException(RpcErrorCode.METHOD_NOT_FOUND, "Method not found");
    }

    public static RpcException invalidRequest(String message) {
        return new RpcException(RpcErrorCode.INVALID_REQUEST, message);
    }

    @Override
    public String toString() {
        return "RpcException(" + code + ", " + getMessage() + ")";
    }
}
