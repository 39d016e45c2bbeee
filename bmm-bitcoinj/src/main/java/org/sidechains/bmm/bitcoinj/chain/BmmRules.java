package org.sidechains.bmm.bitcoinj.chain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;
import org.sidechains.bmm.bitcoinj.cbv.CbvChecker;
import org.sidechains.bmm.bitcoinj.cbv.TxCbvCheck;
import org.sidechains.bmm.bitcoinj.m8.M8View;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.prevout.PrevoutSource;
import org.sidechains.bmm.d3.D3View;
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
        /** The rules hold (or are not active at this height). */
        record Pass() implements Verdict {
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
    }

    /**
     * @param spent what the block's inputs spend; outputs of the block's own earlier transactions
     *              are added here
     * @param d3    D3 after the parent block
     */
    public static Verdict check(BmmParams params, int height, Block block, PrevoutSource spent, D3View d3) {
        if (!params.activeAt(height)) {
            return new Verdict.Pass();
        }
        List<Transaction> txs = block.getTransactions();
        List<Transaction> m8Txs = new ArrayList<>();
        List<M8Tag> tags = new ArrayList<>();
        for (int i = 1; i < txs.size(); i++) {
            Optional<M8Tag> tag = M8View.of(txs.get(i));
            if (tag.isPresent()) {
                m8Txs.add(txs.get(i));
                tags.add(tag.get());
            }
        }
        BlockVerdict verdict = BlockRules.check(params, height, coinbaseScripts(block), tags);
        if (verdict instanceof BlockVerdict.Invalid inv) {
            return new Verdict.Broken(inv.reason(),
                    inv.detail() + " (M8 " + m8Txs.get(inv.m8Position()).getTxId() + ")");
        }
        Map<TransactionOutPoint, Prevout> inBlock = new HashMap<>();
        PrevoutSource source = op -> {
            Prevout p = inBlock.get(op);
            return p != null ? Optional.of(p) : spent.find(op);
        };
        for (int i = 1; i < txs.size(); i++) {
            Transaction tx = txs.get(i);
            TxCbvCheck check = CbvChecker.checkTransaction(tx, source, d3, params.minBlocksAtop());
            if (check instanceof TxCbvCheck.Unsatisfied u) {
                return new Verdict.Broken(RejectReason.CBV_UNSATISFIED,
                        "tx " + tx.getTxId() + " input " + u.inputIndex() + ": " + u.detail());
            }
            if (check instanceof TxCbvCheck.MissingPrevout m) {
                return new Verdict.MissingPrevout(m.outpoint(),
                        "tx " + tx.getTxId() + " input " + m.inputIndex() + " spends unknown " + m.outpoint());
            }
            List<TransactionOutput> outs = tx.getOutputs();
            for (int o = 0; o < outs.size(); o++) {
                inBlock.put(new TransactionOutPoint(o, tx.getTxId()),
                        new Prevout(outs.get(o).getValue(), outs.get(o).getScriptBytes()));
            }
        }
        return new Verdict.Pass();
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
