package org.sidechains.bmm.bitcoinj.follow;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bitcoinj.base.Sha256Hash;
import org.sidechains.bmm.bitcoinj.mainchain.Mainchain;
import org.sidechains.bmm.bitcoinj.pool.Tip;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What both followers share: the refused blocks (never offered again) and the listeners. */
final class Refusals {
    private static final Logger log = LoggerFactory.getLogger(Refusals.class);

    private final List<FollowerListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Refusal> refusals = new CopyOnWriteArrayList<>();
    private final Set<Sha256Hash> refused = Collections.synchronizedSet(new HashSet<>());

    void addListener(FollowerListener l) {
        listeners.add(Objects.requireNonNull(l, "listener"));
    }

    List<Refusal> all() {
        return List.copyOf(refusals);
    }

    boolean contains(Sha256Hash hash) {
        return refused.contains(hash);
    }

    /**
     * Records a refusal and, when enforcing, has the node invalidate the block. Only a BMM rule's
     * refusal is enforced: a block refused for anything else (a prevout nobody reported, bitcoinj's
     * own limits) may be valid, and the node is the reference for Bitcoin's rules. If the node
     * cannot be told, the refusal is forgotten so the next poll tries again.
     */
    void refuse(Refusal r, Optional<Mainchain> enforceVia) {
        refused.add(r.hash());
        refusals.add(r);
        log.warn("refused mainchain block {} at height {}: {} ({})", r.hash(), r.height(), r.reason(), r.message());
        for (FollowerListener l : listeners) {
            l.onRefused(r);
        }
        if (enforceVia.isEmpty()) {
            return;
        }
        if (!r.bmmRule()) {
            log.warn("not invalidating {}: it was refused for a reason that is not a BMM rule", r.hash());
            return;
        }
        try {
            invalidate(r.hash(), enforceVia.get());
        } catch (RuntimeException e) {
            refused.remove(r.hash());
            refusals.remove(r);
            throw e;
        }
    }

    /**
     * When enforcing, invalidates again a refused block the node has on its best chain (it may have
     * reconsidered it, or an earlier {@code invalidateblock} may not have reached it).
     *
     * @return whether the node was told
     */
    boolean enforceAgain(Sha256Hash hash, Optional<Mainchain> enforceVia) {
        if (enforceVia.isPresent() && refusals.stream().anyMatch(r -> r.hash().equals(hash) && r.bmmRule())) {
            invalidate(hash, enforceVia.get());
            return true;
        }
        return false;
    }

    private static void invalidate(Sha256Hash hash, Mainchain main) {
        main.invalidateBlock(hash);
        log.info("invalidateblock {} sent to {}", hash, main.describe());
    }

    void tipMoved(Tip before, Tip after) {
        if (!after.equals(before)) {
            for (FollowerListener l : listeners) {
                l.onTip(after);
            }
        }
    }
}
