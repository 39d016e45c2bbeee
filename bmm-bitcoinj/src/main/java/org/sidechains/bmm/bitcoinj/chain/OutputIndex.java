package org.sidechains.bmm.bitcoinj.chain;

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
import org.bitcoinj.script.ScriptOpCodes;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.prevout.PrevoutSource;

/**
 * The node's own index of unspent outputs (value and script), kept with per-block undo, so that
 * OP_CBV can see what each input spends. In memory: sized for regtest and test networks.
 */
public final class OutputIndex implements PrevoutSource {
    /** What applying one block changed: the outputs it created and those it spent. */
    public record Undo(List<TransactionOutPoint> created, Map<TransactionOutPoint, Prevout> spent) {
        /** What a chain without an output index records. */
        public static final Undo EMPTY = new Undo(List.of(), Map.of());

        public Undo {
            created = List.copyOf(created);
            spent = Map.copyOf(spent);
        }
    }

    private final Map<TransactionOutPoint, Prevout> unspent = new HashMap<>();

    @Override
    public Optional<Prevout> find(TransactionOutPoint outpoint) {
        return Optional.ofNullable(unspent.get(outpoint));
    }

    public int size() {
        return unspent.size();
    }

    /** Spends the block's inputs and adds its outputs (provably unspendable OP_RETURN outputs are skipped). */
    public Undo apply(Block block) {
        // insertion-ordered, and an output created and spent in this block is neither created nor spent
        java.util.LinkedHashSet<TransactionOutPoint> created = new java.util.LinkedHashSet<>();
        Map<TransactionOutPoint, Prevout> spent = new HashMap<>();
        for (Transaction tx : block.getTransactions()) {
            if (!tx.isCoinBase()) {
                for (TransactionInput in : tx.getInputs()) {
                    Prevout p = unspent.remove(in.getOutpoint());
                    if (p != null && !created.remove(in.getOutpoint())) {
                        spent.put(in.getOutpoint(), p);
                    }
                }
            }
            List<TransactionOutput> outs = tx.getOutputs();
            for (int i = 0; i < outs.size(); i++) {
                byte[] script = outs.get(i).getScriptBytes();
                if (script.length > 0 && (script[0] & 0xFF) == ScriptOpCodes.OP_RETURN) {
                    continue;
                }
                TransactionOutPoint op = new TransactionOutPoint(i, tx.getTxId());
                unspent.put(op, new Prevout(outs.get(i).getValue(), script));
                created.add(op);
            }
        }
        return new Undo(new ArrayList<>(created), spent);
    }

    public void revert(Undo undo) {
        undo.created().forEach(unspent::remove);
        unspent.putAll(undo.spent());
    }
}
