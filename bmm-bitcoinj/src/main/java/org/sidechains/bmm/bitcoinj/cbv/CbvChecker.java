package org.sidechains.bmm.bitcoinj.cbv;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.prevout.PrevoutSource;
import org.sidechains.bmm.d3.D3View;

/**
 * The block rule "every OP_CBV in a spent script is satisfied" (reject reason
 * {@code bmm-cbv-unsatisfied}) for inputs and transactions, checked beside bitcoinj's interpreter:
 * {@link ScriptFollower} finds the script each input runs, {@link CbvInterpreter} finds which
 * OP_CBVs run and checks them against D3.
 *
 * <p>D3 is the state after the previous block for a block's transactions, after the tip for a
 * miner's pool. Stateless and thread-safe as long as the D3 view is.
 */
public final class CbvChecker {
    private CbvChecker() {
    }

    /**
     * Whether spending an output with this scriptPubKey can run OP_CBV: a P2SH or P2WSH output
     * (the script is revealed by the spend), or a bare script with an OP_CBV opcode. Exact: for any
     * other output {@link #checkInput} answers {@link CbvCheck#NO_CBV} whatever the input holds.
     */
    public static boolean mayRunCbv(byte[] scriptPubKey) {
        if (RawScript.isP2SH(scriptPubKey)) {
            return true;
        }
        int version = RawScript.witnessVersion(scriptPubKey);
        if (version >= 0) {
            return version == 0 && scriptPubKey.length == 34;
        }
        return RawScript.lastCbvOpcode(scriptPubKey) >= 0;
    }

    /** Checks input {@code index} of {@code tx}, which spends {@code prevout}. */
    public static CbvCheck checkInput(Transaction tx, int index, Prevout prevout, D3View d3, int minBlocksAtop) {
        return checkInput(tx.getInput(index), prevout.scriptPubKey(), d3, minBlocksAtop);
    }

    /** Checks {@code input}, which spends an output whose scriptPubKey is {@code spentScriptPubKey}. */
    public static CbvCheck checkInput(TransactionInput input, byte[] spentScriptPubKey, D3View d3, int minBlocksAtop) {
        Objects.requireNonNull(d3, "d3");
        ScriptFollower.Execution e = ScriptFollower.follow(input, spentScriptPubKey);
        if (e instanceof ScriptFollower.Execution.Runs r) {
            return CbvInterpreter.evaluate(r.script(), r.stack(), d3, minBlocksAtop, r.kind().label());
        }
        if (e instanceof ScriptFollower.Execution.StackUnknown u) {
            if (RawScript.lastCbvOpcode(u.script()) < 0) {
                return CbvCheck.NO_CBV;
            }
            return CbvInterpreter.failClosed(u.script(), u.why(), d3, minBlocksAtop, u.kind().label());
        }
        if (e instanceof ScriptFollower.Execution.WitnessMissing w) {
            return new CbvCheck.WitnessMissing("its witness is empty, but must reveal the " + w.kind().label());
        }
        if (e instanceof ScriptFollower.Execution.Unidentified u) {
            return new CbvCheck.Unsatisfied("cannot tell which script runs (" + u.why()
                    + "); it may hold OP_CBV, so the input fails closed");
        }
        return CbvCheck.NO_CBV; // NoScript
    }

    /**
     * Checks every input of {@code tx} in order and reports the first that fails, or, when
     * {@code prevouts} is {@link PrevoutSource#complete() complete}, the first whose prevout it does
     * not know, or the first whose witness is missing ({@link TxCbvCheck.WitnessMissing}). A
     * partial source (one that keeps only the outputs whose spend can run OP_CBV) does not know an
     * input's prevout only when that spend runs no OP_CBV, so the input passes. A
     * coinbase spends nothing and passes.
     */
    public static TxCbvCheck checkTransaction(Transaction tx, PrevoutSource prevouts, D3View d3, int minBlocksAtop) {
        if (tx.isCoinBase()) {
            return new TxCbvCheck.Passed(0);
        }
        List<TransactionInput> inputs = tx.getInputs();
        boolean complete = prevouts.complete();
        int withCbv = 0;
        for (int i = 0; i < inputs.size(); i++) {
            TransactionInput in = inputs.get(i);
            Optional<Prevout> prevout = prevouts.find(in.getOutpoint());
            if (prevout.isEmpty()) {
                if (!complete) {
                    continue;
                }
                return new TxCbvCheck.MissingPrevout(i, in.getOutpoint());
            }
            CbvCheck c = checkInput(in, prevout.get().scriptPubKey(), d3, minBlocksAtop);
            if (c instanceof CbvCheck.Unsatisfied u) {
                return new TxCbvCheck.Unsatisfied(i, in.getOutpoint(), u.detail());
            }
            if (c instanceof CbvCheck.WitnessMissing w) {
                return new TxCbvCheck.WitnessMissing(i, in.getOutpoint(), w.detail());
            }
            if (c instanceof CbvCheck.Satisfied) {
                withCbv++;
            }
        }
        return new TxCbvCheck.Passed(withCbv);
    }
}
