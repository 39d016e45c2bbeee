package org.sidechains.bmm.bitcoinj.follow;

import org.sidechains.bmm.bitcoinj.pool.Tip;

/** Told, on the follower's thread, when the enforcing chain's head moved or a block was refused. */
public interface FollowerListener {
    /** The head moved: new blocks, or a reorg (the bribe pool must start over). */
    default void onTip(Tip tip) {
    }

    default void onRefused(Refusal refusal) {
    }
}
