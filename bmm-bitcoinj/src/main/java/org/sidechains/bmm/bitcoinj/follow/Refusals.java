package org.sidechains.bmm.bitcoinj.follow;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bitcoinj.base.Sha256Hash;
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

    void add(Refusal r) {
        refused.add(r.hash());
        refusals.add(r);
        log.warn("refused mainchain block {} at height {}: {} ({})", r.hash(), r.height(), r.reason(), r.message());
        for (FollowerListener l : listeners) {
            l.onRefused(r);
        }
    }

    void tipMoved(Tip before, Tip after) {
        if (!after.equals(before)) {
            for (FollowerListener l : listeners) {
                l.onTip(after);
            }
        }
    }
}
