package org.sidechains.bmm.regtest.embedded;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;

/**
 * The unspent outputs of the active chain. Blocks are applied only after they validated, so
 * {@link #apply} trusts its block; {@link #revert} takes the undo {@link #apply} returned and
 * restores the set exactly. Not thread-safe: the chain's lock guards it.
 */
final class UtxoSet {
    private final Map<TransactionOutPoint, UnspentOutput> coins = new HashMap<>();

    Optional<UnspentOutput> get(TransactionOutPoint outpoint) {
        return Optional.ofNullable(coins.get(outpoint));
    }

    int size() {
        return coins.size();
    }

    /** Whether any output of the transaction is unspent (bitcoind's "already in the chain" test). */
    boolean hasAnyOutputOf(Transaction tx) {
        for (int i = 0; i < tx.getOutputs().size(); i++) {
            if (coins.containsKey(new TransactionOutPoint(i, tx.getTxId()))) {
                return true;
            }
        }
        return false;
    }

    BlockUndo apply(Block block, int height) {
        List<List<UnspentOutput>> spent = new ArrayList<>();
        for (Transaction tx : block.getTransactions()) {
            if (!tx.isCoinBase()) {
                List<UnspentOutput> txSpent = new ArrayList<>(tx.getInputs().size());
                for (TransactionInput in : tx.getInputs()) {
                    UnspentOutput coin = coins.remove(in.getOutpoint());
                    if (coin == null) {
                        throw new IllegalStateException("applying a block that spends a missing output " + in.getOutpoint());
                    }
                    txSpent.add(coin);
                }
                spent.add(txSpent);
            }
            addOutputs(tx, height);
        }
        return new BlockUndo(spent);
    }

    void revert(Block block, BlockUndo undo) {
        List<Transaction> txs = block.getTransactions();
        int undoIndex = undo.spent().size() - 1;
        for (int t = txs.size() - 1; t >= 0; t--) {
            Transaction tx = txs.get(t);
            for (int i = 0; i < tx.getOutputs().size(); i++) {
                coins.remove(new TransactionOutPoint(i, tx.getTxId()));
            }
            if (!tx.isCoinBase()) {
                List<UnspentOutput> txSpent = undo.spent().get(undoIndex--);
                List<TransactionInput> ins = tx.getInputs();
                for (int i = 0; i < ins.size(); i++) {
                    coins.put(ins.get(i).getOutpoint(), txSpent.get(i));
                }
            }
        }
    }

    private void addOutputs(Transaction tx, int height) {
        List<TransactionOutput> outs = tx.getOutputs();
        for (int i = 0; i < outs.size(); i++) {
            byte[] script = outs.get(i).getScriptBytes();
            if (!UnspentOutput.unspendable(script)) {
                coins.put(new TransactionOutPoint(i, tx.getTxId()),
                        new UnspentOutput(outs.get(i).getValue(), script, height, tx.isCoinBase()));
            }
        }
    }
}
