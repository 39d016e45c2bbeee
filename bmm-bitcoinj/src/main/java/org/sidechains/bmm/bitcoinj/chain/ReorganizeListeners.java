package org.sidechains.bmm.bitcoinj.chain;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bitcoinj.core.AbstractBlockChain;
import org.bitcoinj.core.listeners.ReorganizeListener;
import org.bitcoinj.utils.ListenerRegistration;

/**
 * The reorganize listeners registered on a bitcoinj chain. bitcoinj keeps them private and calls
 * them only from its own reorg, and its registration methods are final, so the chain cannot track
 * them itself; a disconnect must still reach them (a wallet's confirmations depend on it).
 */
final class ReorganizeListeners {
    private static final VarHandle FIELD;
    private static final RuntimeException MISSING;

    static {
        VarHandle field = null;
        RuntimeException missing = null;
        try {
            field = MethodHandles.privateLookupIn(AbstractBlockChain.class, MethodHandles.lookup())
                    .findVarHandle(AbstractBlockChain.class, "reorganizeListeners", CopyOnWriteArrayList.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            missing = new IllegalStateException("this bitcoinj has no AbstractBlockChain.reorganizeListeners: BmmBlockChain"
                    + " is built for bitcoinj 0.17 and cannot tell a wallet about disconnected blocks with another", e);
        }
        FIELD = field;
        MISSING = missing;
    }

    private ReorganizeListeners() {
    }

    /** Fails when the chain is built (not at its first disconnect) on a bitcoinj without the field. */
    static void check() {
        if (MISSING != null) {
            throw MISSING;
        }
    }

    /** bitcoinj's own list: copy-on-write, so iterating it while listeners come and go is safe. */
    @SuppressWarnings("unchecked")
    static List<ListenerRegistration<ReorganizeListener>> of(AbstractBlockChain chain) {
        check();
        return (List<ListenerRegistration<ReorganizeListener>>) FIELD.get(chain);
    }
}
