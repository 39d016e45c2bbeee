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
     * The block's parent is unknown. It is not kept (bitcoinj's orphan pool would connect it later
     * without the prevouts it was offered with): offer it again once its parent is in. The same
     * holds for {@code add(Block)}, which returns false, and whose {@code getOrphanRoot} names the
     * block so that a bitcoinj {@code Peer} asks for the blocks before it.
     */
    record Orphan(Sha256Hash missingParent) implements Offer {
    }

    /**
     * The block was refused and changed nothing. {@code reason} is the BMM reject reason when a BMM
     * rule refused it; empty for anything else (bitcoinj's header checks, the content checks when
     * they are on, a reorg deeper than the kept undo data, an unknown prevout, ...).
     */
    record Refused(Optional<RejectReason> reason, String message) implements Offer {
    }
}
