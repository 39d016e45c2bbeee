package org.sidechains.bmm.bitcoinj.assemble;

import java.util.List;
import java.util.Objects;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.sidechains.bmm.base.MiniHeader;

/**
 * A block the {@link BlockAssembler} built, with what went into it and what did not.
 *
 * @param block         the solved block
 * @param height        its height
 * @param m7Entries     the M7's entries (the included winners' mini-headers, by ChainIndex); empty
 *                      when the coinbase has no M7 output
 * @param includedM8s   the txids of the M8s in the block, in block order
 * @param stripped      the template transactions left out and the winners dropped, with reasons
 * @param subsidy       the block subsidy at this height
 * @param fees          the fees of every transaction in the block
 * @param coinbaseValue the sum of the coinbase's outputs: subsidy + fees
 */
public record AssembledBlock(Block block, int height, List<MiniHeader> m7Entries, List<Sha256Hash> includedM8s,
                             List<Stripped> stripped, Coin subsidy, Coin fees, Coin coinbaseValue) {
    /** Why a transaction is not in the block. */
    public enum Reason {
        /** A template M8 whose mini-header is none of the winners' (the block's M7 would not match it). */
        M8_NOT_IN_M7("m8-not-in-m7"),
        /** A template M8 with a winner's mini-header that is not the winner itself (a second M8 for the chain). */
        M8_NOT_THE_WINNER("m8-not-the-winner"),
        /** A template transaction that spends from a stripped one (directly or through others). */
        DESCENDANT_OF_STRIPPED("descendant-of-stripped"),
        /** A winner whose mainAnchor is not this block's height mod 65536 (the pool's tip is stale). */
        WINNER_WRONG_ANCHOR("winner-wrong-anchor"),
        /** A winner bitcoind's CheckTransaction refuses (a negative or too large output, ...). */
        WINNER_INVALID("winner-invalid"),
        /** A winner that spends from a stripped template transaction. */
        WINNER_DEPENDS_ON_STRIPPED("winner-depends-on-stripped"),
        /** A winner that spends an output the template or an earlier winner already spends. */
        WINNER_CONFLICT("winner-conflict"),
        /** A winner that spends an output neither the chain nor the block holds. */
        WINNER_INPUT_UNKNOWN("winner-input-unknown"),
        /** A winner whose outputs exceed its inputs. */
        WINNER_NEGATIVE_FEE("winner-negative-fee"),
        /** A winner whose lock-time or relative lock-time is not met at this height ({@code BlockReadiness}). */
        WINNER_NOT_FINAL("winner-not-final"),
        /** A winner spending a coinbase output that is not 100 blocks deep at this height. */
        WINNER_IMMATURE_INPUT("winner-immature-input"),
        /**
         * A winner left out because the block would exceed bitcoind's weight (4,000,000) or sigop
         * cost (80,000) limit with it; the winners given last are left out first.
         */
        WINNER_OVER_BLOCK_LIMITS("winner-over-block-limits");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }

        @Override
        public String toString() {
            return code;
        }
    }

    /** A transaction left out, and why. */
    public record Stripped(Sha256Hash txid, Reason reason, String detail) {
        public Stripped {
            Objects.requireNonNull(txid, "txid");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }

    public AssembledBlock {
        Objects.requireNonNull(block, "block");
        m7Entries = List.copyOf(m7Entries);
        includedM8s = List.copyOf(includedM8s);
        stripped = List.copyOf(stripped);
        Objects.requireNonNull(subsidy, "subsidy");
        Objects.requireNonNull(fees, "fees");
        Objects.requireNonNull(coinbaseValue, "coinbaseValue");
    }
}
