package org.sidechains.bmm.regtest.embedded;

import java.util.Objects;

/**
 * Why a block or transaction is invalid, as bitcoind's validation state says it: the reject reason
 * ({@code "bad-cb-amount"}, or protocol.md's {@code "bmm-m8-no-m7"}) and a debug message.
 *
 * @param mutated bitcoind's BLOCK_MUTATED: the header may still be valid with another body, so the
 *                block is not remembered as invalid
 */
record Refusal(String reason, String detail, boolean mutated) {
    Refusal {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }

    static Refusal of(String reason, String detail) {
        return new Refusal(reason, detail, false);
    }

    static Refusal mutated(String reason, String detail) {
        return new Refusal(reason, detail, true);
    }

    /** bitcoind's ValidationState::ToString: "reason, detail" (or the reason alone). */
    String text() {
        return detail.isEmpty() ? reason : reason + ", " + detail;
    }
}
