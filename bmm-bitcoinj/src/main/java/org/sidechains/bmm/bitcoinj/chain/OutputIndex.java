package org.sidechains.bmm.bitcoinj.chain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.script.ScriptOpCodes;
import org.sidechains.bmm.bitcoinj.cbv.CbvChecker;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.prevout.PrevoutSource;

/**
 * The node's own index of unspent outputs (value and script), kept with per-block undo, so that
 * OP_CBV can see what each input spends. In memory: sized for regtest and test networks.
 */
public final class OutputIndex implements PrevoutSource {
    /** Which outputs an index keeps. */
    public enum Scope {
        /** Every spendable output: a UTXO view for a bribe pool or a block assembler. */
        ALL,
        /**
         * Only outputs whose spend can run OP_CBV ({@link CbvChecker#mayRunCbv}): all that the
         * block rules need. An output it does not hold is one whose spend runs no OP_CBV (or does
         * not exist, which the mainchain node rules out). Costs nothing on a chain without such
         * outputs: no transaction id is computed for a transaction that creates none.
         */
        CBV,
        /** No index: every block is offered with the outputs it spends. */
        NONE
    }

    /** What applying one block changed: the outputs it created and those it spent. */
    public record Undo(List<TransactionOutPoint> created, Map<TransactionOutPoint, Prevout> spent) {
        /** A block that changed nothing here. */
        public static final Undo EMPTY = new Undo(List.of(), Map.of());

        public Undo {
            created = List.copyOf(created);
            spent = Map.copyOf(spent);
        }
    }

    private final Scope scope;
    private final Map<TransactionOutPoint, Prevout> unspent = new HashMap<>();
    private final Filter filter = new Filter();

    /**
     * Counts of the indexed outpoints by a hash of each, so that an input spending an output the
     * index does not hold (nearly every input, with the default scope) is passed over without a
     * map lookup. Kept at most a quarter full, so it rarely sends one to the map for nothing.
     */
    private static final class Filter {
        private int[] counts = new int[1024];

        private static int slot(TransactionOutPoint op, int length) {
            byte[] h = op.hash().getBytes(); // the last bytes of a txid are as random as any
            int x = (h[28] << 24 | (h[29] & 0xFF) << 16 | (h[30] & 0xFF) << 8 | (h[31] & 0xFF))
                    ^ (int) op.index() * 0x9E3779B9;
            return (x ^ (x >>> 15)) & (length - 1);
        }

        boolean mayHold(TransactionOutPoint op) {
            return counts[slot(op, counts.length)] != 0;
        }

        void add(TransactionOutPoint op, int size, Iterable<TransactionOutPoint> all) {
            if (size > counts.length / 4) {
                counts = new int[counts.length * 2];
                for (TransactionOutPoint o : all) {
                    counts[slot(o, counts.length)]++;
                }
            } else {
                counts[slot(op, counts.length)]++;
            }
        }

        void remove(TransactionOutPoint op) {
            counts[slot(op, counts.length)]--;
        }
    }

    private void put(TransactionOutPoint op, Prevout p) {
        if (unspent.put(op, p) == null) {
            filter.add(op, unspent.size(), unspent.keySet());
        }
    }

    /** The output {@code op} names, taken out of the index; null if the index does not hold it. */
    private Prevout take(TransactionOutPoint op) {
        if (!filter.mayHold(op)) {
            return null;
        }
        Prevout p = unspent.remove(op);
        if (p != null) {
            filter.remove(op);
        }
        return p;
    }

    /** An index of every spendable output. */
    public OutputIndex() {
        this(Scope.ALL);
    }

    public OutputIndex(Scope scope) {
        this.scope = Objects.requireNonNull(scope, "scope");
    }

    public Scope scope() {
        return scope;
    }

    @Override
    public Optional<Prevout> find(TransactionOutPoint outpoint) {
        return Optional.ofNullable(unspent.get(outpoint));
    }

    /** Only an index of every output knows every output; a {@link Scope#CBV} one knows those that matter. */
    @Override
    public boolean complete() {
        return scope == Scope.ALL;
    }

    public int size() {
        return unspent.size();
    }

    /** Adds outputs read back from a saved index (a chain's state database). */
    void load(Map<TransactionOutPoint, Prevout> saved) {
        saved.forEach(this::put);
    }

    /**
     * The version of {@link #keeps}'s rule, saved with a state database: an index saved under
     * another rule would lack outputs this one keeps (their spends would then go unchecked).
     * Raise it whenever {@link CbvChecker#mayRunCbv} or {@link #keeps} changes what is kept.
     */
    static final int KEEP_RULE = 1;

    /** Whether this index keeps an output with this script (provably unspendable OP_RETURN outputs never). */
    public boolean keeps(byte[] scriptPubKey) {
        if (scriptPubKey.length > 0 && (scriptPubKey[0] & 0xFF) == ScriptOpCodes.OP_RETURN) {
            return false;
        }
        return switch (scope) {
            case ALL -> true;
            case CBV -> CbvChecker.mayRunCbv(scriptPubKey);
            case NONE -> false;
        };
    }

    /** Checks one spend while a block is applied: null when it passes, else why the block is refused. */
    @FunctionalInterface
    interface SpendCheck {
        SpendCheck NONE = (tx, index, in, spent) -> null;

        /** @param spent the output {@code in} spends, null if neither the index nor the block's prevouts know it */
        BmmRules.Verdict check(Transaction tx, int index, TransactionInput in, Prevout spent);
    }

    /** Applying a block with checks: the undo, or the first refusal (and then nothing changed). */
    record Applied(Undo undo, BmmRules.Verdict refusal) {
    }

    /** Spends the block's inputs and adds the outputs this index keeps, as made at {@code height}. */
    public Undo apply(Block block, int height) {
        return apply(block, height, PrevoutSource.none(), SpendCheck.NONE).undo();
    }

    /**
     * Applies the block transaction by transaction, showing {@code check} every input with the
     * output it spends before that output leaves the index: checking and indexing are one pass, so
     * an ordinary block costs a field read per input while the index is empty, and no transaction
     * id unless an output is kept.
     *
     * @param given what the node said the block spends, asked when the index does not know an outpoint
     */
    Applied apply(Block block, int height, PrevoutSource given, SpendCheck check) {
        // insertion-ordered, and an output created and spent in this block is neither created nor spent;
        // both made only when needed: most blocks change nothing in a CBV-scoped index
        LinkedHashSet<TransactionOutPoint> created = null;
        Map<TransactionOutPoint, Prevout> spent = null;
        try {
            List<Transaction> txs = block.getTransactions();
            for (int t = 0; t < txs.size(); t++) {
                Transaction tx = txs.get(t);
                // an input needs a look unless nothing can be found for it: the index is empty, and what it
                // would not hold needs no check (a CBV-scoped index without prevouts from the node)
                boolean inputsMatter = !unspent.isEmpty()
                        || (check != SpendCheck.NONE && (scope == Scope.ALL || given != PrevoutSource.NONE));
                if (t > 0 && inputsMatter) {
                    List<TransactionInput> inputs = tx.getInputs();
                    for (int j = 0; j < inputs.size(); j++) {
                        TransactionInput in = inputs.get(j);
                        Prevout p = null;
                        if (!unspent.isEmpty()) {
                            TransactionOutPoint op = in.getOutpoint();
                            p = take(op);
                            if (p != null && (created == null || !created.remove(op))) {
                                if (spent == null) {
                                    spent = new HashMap<>();
                                }
                                spent.put(op, p);
                            }
                        }
                        if (check != SpendCheck.NONE) {
                            Prevout seen = p != null ? p : given.find(in.getOutpoint()).orElse(null);
                            BmmRules.Verdict refusal = check.check(tx, j, in, seen);
                            if (refusal != null) {
                                revert(undo(created, spent));
                                return new Applied(null, refusal);
                            }
                        }
                    }
                }
                Sha256Hash txid = null;
                List<TransactionOutput> outs = tx.getOutputs();
                for (int i = 0; i < outs.size(); i++) {
                    byte[] script = outs.get(i).getScriptBytes();
                    if (!keeps(script)) {
                        continue;
                    }
                    if (txid == null) {
                        txid = tx.getTxId();
                    }
                    TransactionOutPoint op = new TransactionOutPoint(i, txid);
                    put(op, Prevout.madeAt(outs.get(i).getValue(), script, height, t == 0));
                    if (created == null) {
                        created = new LinkedHashSet<>();
                    }
                    created.add(op);
                }
            }
        } catch (RuntimeException e) {
            revert(undo(created, spent)); // a failing check or prevout source leaves the index as it was
            throw e;
        }
        return new Applied(undo(created, spent), null);
    }

    private static Undo undo(LinkedHashSet<TransactionOutPoint> created, Map<TransactionOutPoint, Prevout> spent) {
        if (created == null && spent == null) {
            return Undo.EMPTY;
        }
        return new Undo(created == null ? List.of() : new ArrayList<>(created), spent == null ? Map.of() : spent);
    }

    public void revert(Undo undo) {
        undo.created().forEach(this::take);
        undo.spent().forEach(this::put);
    }
}
