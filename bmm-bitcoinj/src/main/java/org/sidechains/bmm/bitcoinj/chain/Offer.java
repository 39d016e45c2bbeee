package org.sidechains.bmm.bitcoinj.chain;

import java.util.Optional;
import org.bitcoinj.base.Sha256Hash;
import org.sidechains.bmm.rules.RejectReason;

/** What {@link BmmBlockChain#offer} did with a block. */
public sealed interface Offer {
    /** The block is the new head (it extended the chain or won a reorg). */
    record Connected(int height, Sha256Hash hash) implements Offer {
    }

    /** The block is stored on a branch with less work than the head; it is checked if that branch wins. */
    record SideBranch(Sha256Hash hash) implements Offer {
    }

    /**
     * The block's parent is unknown. {@link BmmBlockChain#offer} does not keep it (bitcoinj's orphan
     * pool would connect it later without the prevouts it was offered with): offer it again once
     * its parent is in. ({@code add(Block)} keeps bitcoinj's own behaviour.)
     */
    record Orphan(Sha256Hash missingParent) implements Offer {
    }

    /**
     * The block was refused and changed nothing. {@code reason} is the BMM reject reason when a BMM
     * rule refused it; empty for anything else bitcoinj checks (header, merkle root, ...).
     */
    record Refused(Optional<RejectReason> reason, String message) implements Offer {
    }
}
