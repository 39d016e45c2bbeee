package org.sidechains.bmm.regtest.embedded;

import java.util.List;
import java.util.function.Function;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptChunk;
import org.bitcoinj.script.ScriptException;
import org.bitcoinj.script.ScriptOpCodes;
import org.bitcoinj.script.ScriptPattern;

/**
 * BIP141 sigop cost as bitcoind's GetTransactionSigOpCost counts it, for {@code getblocktemplate}'s
 * {@code sigops}: legacy and P2SH sigops x4, plus witness v0 sigops. Reported only; the embedded
 * chain does not enforce the block sigop limit.
 */
final class SigOps {
    private static final int WITNESS_SCALE_FACTOR = 4;
    private static final int MAX_PUBKEYS_PER_MULTISIG = 20;

    private SigOps() {
    }

    static int cost(Transaction tx, Function<TransactionOutPoint, UnspentOutput> spent) {
        int legacy = 0;
        for (TransactionInput in : tx.getInputs()) {
            legacy += count(in.getScriptBytes(), false);
        }
        for (TransactionOutput out : tx.getOutputs()) {
            legacy += count(out.getScriptBytes(), false);
        }
        int cost = legacy * WITNESS_SCALE_FACTOR;
        if (tx.isCoinBase()) {
            return cost;
        }
        List<TransactionInput> ins = tx.getInputs();
        for (TransactionInput in : ins) {
            UnspentOutput coin = spent.apply(in.getOutpoint());
            if (coin == null) {
                continue;
            }
            byte[] spk = coin.scriptPubKey();
            byte[] program = spk;
            if (isP2sh(spk)) {
                byte[] redeem = lastPush(in.getScriptBytes());
                if (redeem != null) {
                    cost += count(redeem, true) * WITNESS_SCALE_FACTOR;
                    program = redeem;
                }
            }
            cost += witnessSigOps(program, in.getWitness());
        }
        return cost;
    }

    private static int witnessSigOps(byte[] program, TransactionWitness witness) {
        try {
            Script s = Script.parse(program);
            if (ScriptPattern.isP2WPKH(s)) {
                return 1;
            }
            if (ScriptPattern.isP2WSH(s) && witness.getPushCount() > 0) {
                return count(witness.getPush(witness.getPushCount() - 1), true);
            }
        } catch (ScriptException e) {
            return 0;
        }
        return 0;
    }

    private static boolean isP2sh(byte[] spk) {
        return spk.length == 23 && (spk[0] & 0xff) == ScriptOpCodes.OP_HASH160 && spk[1] == 0x14
                && (spk[22] & 0xff) == ScriptOpCodes.OP_EQUAL;
    }

    private static byte[] lastPush(byte[] scriptSig) {
        try {
            List<ScriptChunk> chunks = Script.parse(scriptSig).chunks();
            return chunks.isEmpty() ? null : chunks.get(chunks.size() - 1).data;
        } catch (ScriptException e) {
            return null;
        }
    }

    /** bitcoind's GetSigOpCount: CHECKMULTISIG counts 20, or (accurate) the preceding OP_n. */
    static int count(byte[] script, boolean accurate) {
        List<ScriptChunk> chunks;
        try {
            chunks = Script.parse(script).chunks();
        } catch (ScriptException e) {
            return 0;
        }
        int n = 0;
        int lastOpcode = ScriptOpCodes.OP_INVALIDOPCODE;
        for (ScriptChunk c : chunks) {
            int op = c.opcode;
            if (op == ScriptOpCodes.OP_CHECKSIG || op == ScriptOpCodes.OP_CHECKSIGVERIFY) {
                n++;
            } else if (op == ScriptOpCodes.OP_CHECKMULTISIG || op == ScriptOpCodes.OP_CHECKMULTISIGVERIFY) {
                n += accurate && lastOpcode >= ScriptOpCodes.OP_1 && lastOpcode <= ScriptOpCodes.OP_16
                        ? lastOpcode - ScriptOpCodes.OP_1 + 1 : MAX_PUBKEYS_PER_MULTISIG;
            }
            lastOpcode = op;
        }
        return n;
    }
}
