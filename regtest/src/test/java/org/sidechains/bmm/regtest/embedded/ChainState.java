package org.sidechains.bmm.regtest.embedded;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.sidechains.bmm.d3.D3Row;

/**
 * What a chain says, through its public API, of every output (created or spent) of a set of
 * blocks, plus its tip and D3: two chains in the same state give equal snapshots.
 */
record ChainState(List<Sha256Hash> blocks, Sha256Hash tip, Map<TransactionOutPoint, Optional<String>> outputs,
                  List<D3Row> d3) {
    static ChainState of(EmbeddedRegtestChain chain, List<Sha256Hash> blocks) {
        Map<TransactionOutPoint, Optional<String>> outs = new LinkedHashMap<>();
        for (Sha256Hash h : blocks) {
            Block b = chain.block(h);
            for (Transaction tx : b.getTransactions()) {
                for (int i = 0; i < tx.getOutputs().size(); i++) {
                    TransactionOutPoint op = new TransactionOutPoint(i, tx.getTxId());
                    outs.put(op, describe(chain, op));
                }
                if (!tx.isCoinBase()) {
                    for (TransactionInput in : tx.getInputs()) {
                        outs.put(in.getOutpoint(), describe(chain, in.getOutpoint()));
                    }
                }
            }
        }
        return new ChainState(List.copyOf(blocks), chain.bestBlockHash(), outs, chain.d3().rows());
    }

    /** The same outputs read again from {@code chain} (now). */
    ChainState again(EmbeddedRegtestChain chain) {
        return of(chain, blocks);
    }

    @Override
    public String toString() {
        return "ChainState[tip=" + tip + ", " + outputs.size() + " outputs, " + d3.size() + " D3 rows]";
    }

    private static Optional<String> describe(EmbeddedRegtestChain chain, TransactionOutPoint op) {
        return chain.txOut(op, false).map(t -> t.value() + "/" + t.confirmations() + "/" + t.coinbase());
    }
}
