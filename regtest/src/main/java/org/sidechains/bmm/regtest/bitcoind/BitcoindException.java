package org.sidechains.bmm.regtest.bitcoind;

/** bitcoind could not be found, started, reached or stopped; the message says why, for a user to read. */
public class BitcoindException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BitcoindException(String message) {
        super(message);
    }

    public BitcoindException(String message, Throwable cause) {
        super(message, cause);
    }
}
