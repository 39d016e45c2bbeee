package org.sidechains.bmm.regtest.embedded;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;

/**
 * The transactions waiting for a block, in arrival order (which puts parents before children).
 * Holds what passed {@link MempoolPolicy}; the chain rebuilds it after every tip change. Not
 * thread-safe: the chain's lock guards it.
 */
final class Mempool {
    private final Map<Sha256Hash, MempoolEntry> byTxid = new LinkedHashMap<>();
    private final Map<TransactionOutPoint, Sha256Hash> spentBy = new HashMap<>();

    void add(MempoolEntry e) {
        byTxid.put(e.txid(), e);
        for (TransactionInput in : e.tx().getInputs()) {
            spentBy.put(in.getOutpoint(), e.txid());
        }
    }

    boolean contains(Sha256Hash txid) {
        return byTxid.containsKey(txid);
    }

    Optional<MempoolEntry> get(Sha256Hash txid) {
        return Optional.ofNullable(byTxid.get(txid));
    }

    /** The mempool transaction spending the output, if any. */
    Optional<Sha256Hash> spender(TransactionOutPoint outpoint) {
        return Optional.ofNullable(spentBy.get(outpoint));
    }

    /** An output of a mempool transaction, at bitcoind's mempool height. */
    Optional<UnspentOutput> output(TransactionOutPoint outpoint) {
        MempoolEntry e = byTxid.get(outpoint.hash());
        if (e == null || outpoint.index() >= e.tx().getOutputs().size()) {
            return Optional.empty();
        }
        TransactionOutput out = e.tx().getOutput(outpoint.index());
        return Optional.of(new UnspentOutput(out.getValue(), out.getScriptBytes(), UnspentOutput.MEMPOOL_HEIGHT, false));
    }

    List<MempoolEntry> entries() {
        return new ArrayList<>(byTxid.values());
    }

    int size() {
        return byTxid.size();
    }

    void clear() {
        byTxid.clear();
        spentBy.clear();
    }
}
