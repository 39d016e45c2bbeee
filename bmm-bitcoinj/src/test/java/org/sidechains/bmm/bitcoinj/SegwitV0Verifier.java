package org.sidechains.bmm.bitcoinj;

import java.util.EnumSet;
import java.util.LinkedList;
import java.util.Set;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptException;
import org.bitcoinj.script.ScriptPattern;

/**
 * Runs a P2WSH spend through bitcoinj's own script interpreter. bitcoinj 0.17.1 has no P2WSH
 * validation ({@code Script.correctlySpends} accepts any P2WSH spend: it only runs
 * {@code OP_0 <32 bytes>}, which leaves a true item) and its OP_CHECKSIG hashes with the legacy
 * sighash. So this harness checks the witness program, then runs
 * {@link Script#executeScript} over the witness script with the witness stack, on a copy of the
 * transaction whose legacy sighash is replaced by BIP143's: every other rule (branches, CSV, NOPs,
 * DER/low-S signatures) is bitcoinj's. Segwit's clean-stack rule is checked at the end.
 */
public final class SegwitV0Verifier {
    /** Consensus flags; DISCOURAGE_UPGRADABLE_NOPS is policy and refuses OP_NOP6 (= OP_CBV). */
    public static final Set<Script.VerifyFlag> CONSENSUS_FLAGS = consensusFlags();

    private SegwitV0Verifier() {
    }

    private static Set<Script.VerifyFlag> consensusFlags() {
        EnumSet<Script.VerifyFlag> f = EnumSet.copyOf(Script.ALL_VERIFY_FLAGS);
        f.remove(Script.VerifyFlag.DISCOURAGE_UPGRADABLE_NOPS);
        return f;
    }

    /** Throws ScriptException unless input {@code index} of {@code tx} validly spends the P2WSH output. */
    public static void verifyP2wsh(Transaction tx, int index, Script scriptPubKey, Coin value,
                                   Set<Script.VerifyFlag> flags) {
        if (!ScriptPattern.isP2WSH(scriptPubKey)) {
            throw new IllegalArgumentException("not P2WSH: " + scriptPubKey);
        }
        TransactionInput in = tx.getInput(index);
        if (in.getScriptBytes().length != 0) {
            throw new ScriptException(org.bitcoinj.script.ScriptError.SCRIPT_ERR_WITNESS_MALLEATED, "scriptSig not empty");
        }
        TransactionWitness w = in.getWitness();
        if (w.getPushCount() == 0) {
            throw new ScriptException(org.bitcoinj.script.ScriptError.SCRIPT_ERR_WITNESS_PROGRAM_WITNESS_EMPTY, "empty");
        }
        byte[] ws = w.getPush(w.getPushCount() - 1);
        if (!Sha256Hash.of(ws).equals(Sha256Hash.wrap(ScriptPattern.extractHashFromP2WH(scriptPubKey)))) {
            throw new ScriptException(org.bitcoinj.script.ScriptError.SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH, "mismatch");
        }
        LinkedList<byte[]> stack = new LinkedList<>();
        for (int i = 0; i < w.getPushCount() - 1; i++) {
            stack.add(w.getPush(i));
        }
        Script.executeScript(new Bip143Tx(tx, value), index, Script.parse(ws), stack, flags);
        if (stack.size() != 1) {
            throw new ScriptException(org.bitcoinj.script.ScriptError.SCRIPT_ERR_CLEANSTACK,
                    "segwit needs exactly one item left, got " + stack.size());
        }
        byte[] top = stack.getLast();
        boolean truthy = false;
        for (int i = 0; i < top.length; i++) {
            if (top[i] != 0 && !(i == top.length - 1 && top[i] == (byte) 0x80)) {
                truthy = true;
            }
        }
        if (!truthy) {
            throw new ScriptException(org.bitcoinj.script.ScriptError.SCRIPT_ERR_EVAL_FALSE, "false on the stack");
        }
    }

    /** A copy of a transaction whose legacy sighash is BIP143's (the spent value is fixed per copy). */
    private static final class Bip143Tx extends Transaction {
        private final Coin value;

        Bip143Tx(Transaction src, Coin value) {
            this.value = value;
            setVersion((int) src.getVersion());
            for (TransactionInput in : src.getInputs()) {
                addInput(new TransactionInput(this, in.getScriptBytes(), in.getOutpoint(), in.getSequenceNumber(),
                        in.getValue(), in.getWitness()));
            }
            for (TransactionOutput out : src.getOutputs()) {
                addOutput(new TransactionOutput(this, out.getValue(), out.getScriptBytes()));
            }
            if (src.lockTime().rawValue() != 0) {
                setLockTime(src.lockTime().rawValue());
            }
        }

        @Override
        public Sha256Hash hashForSignature(int inputIndex, byte[] connectedScript, byte sigHashType) {
            return hashForWitnessSignature(inputIndex, connectedScript, value, sigHashType);
        }
    }
}
