package org.sidechains.bmm.bitcoinj.chain;

import java.util.ArrayList;
import java.util.HashMap;
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
import org.sidechains.bmm.bitcoinj.cbv.CbvCheck;
import org.sidechains.bmm.bitcoinj.cbv.CbvChecker;
import org.sidechains.bmm.bitcoinj.m8.M8View;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.prevout.PrevoutSource;
import org.sidechains.bmm.d3.D3View;
import org.sidechains.bmm.m7.CoinbaseM7;
import org.sidechains.bmm.m7.M7Codec;
import org.sidechains.bmm.m8.M8Codec;
import org.sidechains.bmm.m8.M8Tag;
import org.sidechains.bmm.rules.BlockRules;
import org.sidechains.bmm.rules.BlockVerdict;
import org.sidechains.bmm.rules.BmmParams;
import org.sidechains.bmm.rules.RejectReason;

/**
 * The soft fork's rules for a whole bitcoinj block, in protocol.md's order: bmm-core's
 * {@link BlockRules} (the M8 rules, M8s in block order), then every executed OP_CBV against D3 as
 * of the parent block. The one place a node of this project judges a block, so the enforcing chain
 * and the embedded regtest chain refuse the same blocks with the same reason.
 */
public final class BmmRules {
    private BmmRules() {
    }

    /** What the rules say of a block. */
    public sealed interface Verdict {
        /** The rules hold (or are not active at this height); {@code m7} is the block's M7, read on the way. */
        record Pass(Optional<CoinbaseM7> m7) implements Verdict {
            public Pass {
                Objects.requireNonNull(m7, "m7");
            }
        }

        /** A rule is broken: the protocol's reject reason, and what exactly. */
        record Broken(RejectReason reason, String detail) implements Verdict {
            public Broken {
                Objects.requireNonNull(reason, "reason");
                Objects.requireNonNull(detail, "detail");
            }
        }

        /** An input spends an output that {@code spent} does not know: OP_CBV cannot be judged. */
        record MissingPrevout(TransactionOutPoint outpoint, String detail) implements Verdict {
        }

        /**
         * An input spends a P2WSH output with an empty witness ({@code CbvCheck.WitnessMissing}): the
         * block came without its witnesses, or breaks Bitcoin's rules; OP_CBV cannot be judged.
         */
        record WitnessMissing(TransactionOutPoint outpoint, String detail) implements Verdict {
        }
    }

    /**
     * @param spent what the block's inputs spend. Outputs of the block's own earlier transactions
     *              are found here too. When the source is not {@link PrevoutSource#complete()
     *              complete}, an outpoint it does not know is taken to run no OP_CBV.
     * @param d3    D3 after the parent block
     */
    public static Verdict check(BmmParams params, int height, Block block, PrevoutSource spent, D3View d3) {
        Verdict m8s = checkM8s(params, height, block);
        if (!(m8s instanceof Verdict.Pass) || !params.activeAt(height)) {
            return m8s;
        }
        Verdict cbv = checkCbv(params, block, spent, d3);
        return cbv instanceof Verdict.Pass ? m8s : cbv;
    }

    /** The M8 rules (bmm-core's {@link BlockRules}), which come before OP_CBV; passes with the block's M7. */
    static Verdict checkM8s(BmmParams params, int height, Block block) {
        List<byte[]> coinbase = coinbaseScripts(block);
        if (!params.activeAt(height)) {
            return new Verdict.Pass(M7Codec.findInCoinbase(coinbase));
        }
        List<Transaction> txs = block.getTransactions();
        List<Transaction> m8Txs = List.of();
        List<M8Tag> tags = List.of();
        for (int i = 1; i < txs.size(); i++) {
            Transaction tx = txs.get(i);
            if (tx.getVersion() != M8Codec.TX_VERSION) {
                continue; // most transactions: no M8 without nVersion 3
            }
            Optional<M8Tag> tag = M8View.of(tx);
            if (tag.isPresent()) {
                if (tags.isEmpty()) {
                    m8Txs = new ArrayList<>();
                    tags = new ArrayList<>();
                }
                m8Txs.add(tx);
                tags.add(tag.get());
            }
        }
        BlockVerdict verdict = BlockRules.check(params, height, coinbase, tags);
        if (verdict instanceof BlockVerdict.Invalid inv) {
            return new Verdict.Broken(inv.reason(),
                    inv.detail() + " (M8 " + m8Txs.get(inv.m8Position()).getTxId() + ")");
        }
        return new Verdict.Pass(((BlockVerdict.Valid) verdict).m7());
    }

    /**
     * OP_CBV for input {@code j} of {@code tx}, which spends {@code prevout} (null: not known to a
     * source that is {@code complete} or not). Null when the input passes.
     */
    static Verdict checkInput(BmmParams params, Transaction tx, int j, TransactionInput in, Prevout prevout,
                              boolean complete, D3View d3) {
        if (prevout == null) {
            return complete
                    ? new Verdict.MissingPrevout(in.getOutpoint(),
                            "tx " + tx.getTxId() + " input " + j + " spends unknown " + in.getOutpoint())
                    : null; // not held by an index of the outputs that can run OP_CBV
        }
        if (!CbvChecker.mayRunCbv(prevout.scriptPubKey())) {
            return null;
        }
        CbvCheck c = CbvChecker.checkInput(in, prevout.scriptPubKey(), d3, params.minBlocksAtop());
        if (c instanceof CbvCheck.Unsatisfied u) {
            return new Verdict.Broken(RejectReason.CBV_UNSATISFIED,
                    "tx " + tx.getTxId() + " input " + j + ": " + u.detail());
        }
        if (c instanceof CbvCheck.WitnessMissing w) {
            return new Verdict.WitnessMissing(in.getOutpoint(), "tx " + tx.getTxId() + " input " + j + ": " + w.detail());
        }
        return null;
    }

    /**
     * Every input whose spent output can run OP_CBV ({@link CbvChecker#mayRunCbv}) is checked; the
     * others cannot run it. Outputs of the block's earlier transactions come from the block.
     */
    static Verdict checkCbv(BmmParams params, Block block, PrevoutSource spent, D3View d3) {
        List<Transaction> txs = block.getTransactions();
        boolean complete = spent.complete();
        // outputs of this block's earlier transactions: those that can run OP_CBV, kept as we go
        // for a partial source; all of them, made on the first miss, for a complete one
        Map<TransactionOutPoint, Prevout> inBlock = null;
        for (int i = 1; i < txs.size(); i++) {
            Transaction tx = txs.get(i);
            List<TransactionInput> inputs = tx.getInputs();
            for (int j = 0; j < inputs.size(); j++) {
                TransactionInput in = inputs.get(j);
                TransactionOutPoint op = in.getOutpoint();
                Prevout p = inBlock == null ? null : inBlock.get(op);
                if (p == null) {
                    p = spent.find(op).orElse(null);
                    if (p == null && complete && inBlock == null) {
                        inBlock = outputsBefore(txs, i);
                        p = inBlock.get(op);
                    }
                }
                Verdict v = checkInput(params, tx, j, in, p, complete, d3);
                if (v != null) {
                    return v;
                }
            }
            if (complete) {
                if (inBlock != null) {
                    addOutputs(inBlock, tx, false);
                }
            } else {
                inBlock = addOutputs(inBlock, tx, true);
            }
        }
        return new Verdict.Pass(Optional.empty());
    }

    /** Every output of {@code txs[1..end)}. */
    private static Map<TransactionOutPoint, Prevout> outputsBefore(List<Transaction> txs, int end) {
        Map<TransactionOutPoint, Prevout> m = new HashMap<>();
        for (int i = 1; i < end; i++) {
            addOutputs(m, txs.get(i), false);
        }
        return m;
    }

    /** Adds {@code tx}'s outputs (only those that can run OP_CBV if {@code cbvOnly}); the map is made when needed. */
    private static Map<TransactionOutPoint, Prevout> addOutputs(Map<TransactionOutPoint, Prevout> m, Transaction tx,
                                                                boolean cbvOnly) {
        List<TransactionOutput> outs = tx.getOutputs();
        Sha256Hash txid = null;
        for (int o = 0; o < outs.size(); o++) {
            byte[] script = outs.get(o).getScriptBytes();
            if (cbvOnly && !CbvChecker.mayRunCbv(script)) {
                continue;
            }
            if (txid == null) {
                txid = tx.getTxId();
            }
            if (m == null) {
                m = new HashMap<>();
            }
            m.put(new TransactionOutPoint(o, txid), new Prevout(outs.get(o).getValue(), script));
        }
        return m;
    }

    /** The coinbase's output scripts, where M7 lives. */
    public static List<byte[]> coinbaseScripts(Block block) {
        List<TransactionOutput> outs = block.getTransactions().get(0).getOutputs();
        List<byte[]> scripts = new ArrayList<>(outs.size());
        for (TransactionOutput o : outs) {
            scripts.add(o.getScriptBytes());
        }
        return scripts;
    }
}
