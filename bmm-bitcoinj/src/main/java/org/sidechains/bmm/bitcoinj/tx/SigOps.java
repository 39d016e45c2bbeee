package org.sidechains.bmm.bitcoinj.tx;

import static org.bitcoinj.script.ScriptOpCodes.OP_0;
import static org.bitcoinj.script.ScriptOpCodes.OP_1;
import static org.bitcoinj.script.ScriptOpCodes.OP_16;
import static org.bitcoinj.script.ScriptOpCodes.OP_CHECKMULTISIG;
import static org.bitcoinj.script.ScriptOpCodes.OP_CHECKMULTISIGVERIFY;
import static org.bitcoinj.script.ScriptOpCodes.OP_CHECKSIG;
import static org.bitcoinj.script.ScriptOpCodes.OP_CHECKSIGVERIFY;
import static org.bitcoinj.script.ScriptOpCodes.OP_EQUAL;
import static org.bitcoinj.script.ScriptOpCodes.OP_HASH160;
import static org.bitcoinj.script.ScriptOpCodes.OP_PUSHDATA4;

import java.util.List;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptChunk;
import org.bitcoinj.script.ScriptException;
import org.sidechains.bmm.bitcoinj.cbv.RawScript;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;

/**
 * A transaction's signature-operation cost as bitcoind counts it against the block limit
 * (GetTransactionSigOpCost): legacy sigops of every scriptSig and output script times 4, the
 * P2SH redeem scripts' times 4, and the witness scripts' once. Where a script does not parse,
 * the count stops there, as bitcoind's does. The pool and the assembler check limits with it; the
 * embedded regtest chain reports it in {@code getblocktemplate}.
 */
public final class SigOps {
    /** bitcoind's MAX_BLOCK_SIGOPS_COST. */
    public static final int MAX_BLOCK_COST = 80_000;
    /** bitcoind's MAX_STANDARD_TX_SIGOPS_COST: its mempool takes no transaction above it. */
    public static final int MAX_STANDARD_TX_COST = MAX_BLOCK_COST / 5;
    private static final int WITNESS_SCALE = 4;

    private SigOps() {
    }

    /**
     * @param spent what each input spends, in input order (ignored for a coinbase); an unknown
     *              one (null) adds no P2SH or witness sigops
     */
    public static long cost(Transaction tx, List<Prevout> spent) {
        long legacy = 0;
        for (TransactionInput in : tx.getInputs()) {
            legacy += Script.getSigOpCount(in.getScriptBytes());
        }
        for (TransactionOutput out : tx.getOutputs()) {
            legacy += Script.getSigOpCount(out.getScriptBytes());
        }
        long cost = legacy * WITNESS_SCALE;
        if (tx.isCoinBase()) {
            return cost;
        }
        List<TransactionInput> ins = tx.getInputs();
        for (int i = 0; i < ins.size(); i++) {
            Prevout p = spent.get(i);
            if (p == null) {
                continue;
            }
            byte[] spk = p.scriptPubKey();
            byte[] scriptSig = ins.get(i).getScriptBytes();
            byte[] program = spk;
            if (isP2SH(spk)) {
                byte[] redeem = lastPush(scriptSig);
                if (redeem == null) {
                    continue; // not push-only: bitcoind counts nothing here
                }
                cost += (long) accurate(redeem) * WITNESS_SCALE;
                program = redeem;
            }
            cost += witnessSigOps(program, ins.get(i).getWitness());
        }
        return cost;
    }

    private static boolean isP2SH(byte[] spk) {
        return spk.length == 23 && (spk[0] & 0xFF) == OP_HASH160 && spk[1] == 0x14 && (spk[22] & 0xFF) == OP_EQUAL;
    }

    /** Sigops of a segwit v0 spend of {@code program} (a scriptPubKey or P2SH redeem script); 0 for anything else. */
    private static long witnessSigOps(byte[] program, TransactionWitness witness) {
        if (program.length < 4 || program.length > 42 || program[0] != OP_0 || (program[1] & 0xFF) != program.length - 2) {
            return 0; // not a v0 witness program (v1+ count nothing, as in bitcoind)
        }
        if (program.length == 22) {
            return 1; // P2WPKH
        }
        if (program.length == 34 && witness != null && witness.getPushCount() > 0) {
            return accurate(witness.getPush(witness.getPushCount() - 1));
        }
        return 0;
    }

    /** The last push of a push-only script, or null if it is not push-only (or pushes nothing). */
    private static byte[] lastPush(byte[] script) {
        List<ScriptChunk> chunks;
        try {
            chunks = Script.parse(script).chunks();
        } catch (ScriptException e) {
            return null;
        }
        byte[] last = null;
        for (ScriptChunk c : chunks) {
            if (!c.isPushData() || c.opcode > OP_16) {
                return null;
            }
            last = c.data != null ? c.data : new byte[0];
        }
        return last;
    }

    /** Sigops with OP_n before a multisig counted as n (bitcoind's accurate count), up to a parse error. */
    static int accurate(byte[] script) {
        int n = 0;
        int lastOp = -1;
        int pc = 0;
        int[] dataStart = new int[1];
        while (pc < script.length) {
            int op = script[pc] & 0xFF;
            int next = op <= OP_PUSHDATA4 ? RawScript.pushEnd(script, pc, op, dataStart) : pc + 1;
            if (next < 0) {
                break; // bitcoind stops at a push that runs past the end
            }
            if (op == OP_CHECKSIG || op == OP_CHECKSIGVERIFY) {
                n++;
            } else if (op == OP_CHECKMULTISIG || op == OP_CHECKMULTISIGVERIFY) {
                n += lastOp >= OP_1 && lastOp <= OP_16 ? lastOp - OP_1 + 1 : 20;
            }
            lastOp = op;
            pc = next;
        }
        return n;
    }
}
