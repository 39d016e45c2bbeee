package org.sidechains.bmm.regtest.embedded;

import java.util.Objects;

/** A transaction the mempool refused: bitcoind's RPC error code (-25, -26, -27) and message. */
record TxRefusal(int code, String message) {
    static final int VERIFY_ERROR = -25;
    static final int VERIFY_REJECTED = -26;
    static final int ALREADY_IN_CHAIN = -27;

    TxRefusal {
        Objects.requireNonNull(message, "message");
    }

    static TxRefusal rejected(String message) {
        return new TxRefusal(VERIFY_REJECTED, message);
    }
}
