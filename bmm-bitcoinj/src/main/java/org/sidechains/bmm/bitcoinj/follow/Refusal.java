package org.sidechains.bmm.bitcoinj.follow;

import java.util.Objects;
import org.bitcoinj.base.Sha256Hash;
import org.sidechains.bmm.bitcoinj.chain.Offer;
import org.sidechains.bmm.rules.RejectReason;

/**
 * A mainchain block the enforcing chain would not connect.
 *
 * @param reason  the protocol's reject reason ({@code bmm-m8-anchor}, ...) when a BMM rule refused
 *                it, else {@code "invalid"} (bitcoinj's own checks, or a prevout nobody reported)
 * @param message what exactly was wrong, for people
 */
public record Refusal(int height, Sha256Hash hash, String reason, String message) {
    public Refusal {
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }

    /** Whether a BMM rule refused the block (only those are worth {@code invalidateblock}). */
    public boolean bmmRule() {
        return !reason.equals("invalid");
    }

    /** The refusal the enforcing chain's answer describes. */
    public static Refusal of(int height, Sha256Hash hash, Offer.Refused refused) {
        return new Refusal(height, hash, refused.reason().map(RejectReason::code).orElse("invalid"), refused.message());
    }
}
