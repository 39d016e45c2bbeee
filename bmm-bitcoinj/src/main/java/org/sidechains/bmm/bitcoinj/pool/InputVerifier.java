package org.sidechains.bmm.bitcoinj.pool;

import java.util.Optional;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptException;
import org.bitcoinj.script.ScriptPattern;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;

/**
 * Verifies a bribe's input with bitcoinj, for the output types bitcoinj really checks: P2WPKH
 * (BIP143 signature), P2PKH and P2PK. bitcoinj 0.17.1 accepts any P2WSH spend and does not run
 * P2SH-wrapped segwit or taproot, so inputs of those types are refused rather than trusted.
 */
final class InputVerifier {
    private InputVerifier() {
    }

    static Optional<Admission.Refused> verify(Transaction tx, int index, Prevout spent) {
        TransactionInput in = tx.getInput(index);
        Script spk;
        try {
            spk = Script.parse(spent.scriptPubKey());
        } catch (ScriptException e) {
            return unverifiable(index, "an unparseable script");
        }
        try {
            if (ScriptPattern.isP2WPKH(spk)) {
                if (in.getScriptBytes().length != 0) {
                    return bad(index, "a P2WPKH spend must have an empty scriptSig");
                }
                if (in.getWitness().getPushCount() != 2) {
                    return bad(index, "a P2WPKH witness is <signature> <public key>, got "
                            + in.getWitness().getPushCount() + " items");
                }
                in.getScriptSig().correctlySpends(tx, index, in.getWitness(), spent.value(), spk,
                        Script.ALL_VERIFY_FLAGS);
            } else if (ScriptPattern.isP2PKH(spk) || ScriptPattern.isP2PK(spk)) {
                if (in.hasWitness()) {
                    return bad(index, "a witness on an input that spends a non-segwit output");
                }
                in.getScriptSig().correctlySpends(tx, index, null, spent.value(), spk, Script.ALL_VERIFY_FLAGS);
            } else {
                return unverifiable(index, "a " + (spk.getScriptType() == null ? "non-standard"
                        : spk.getScriptType().name()) + " output");
            }
        } catch (ScriptException | IllegalArgumentException | NullPointerException | IllegalStateException e) {
            // bitcoinj throws these for malformed signatures, keys and scripts as well
            return bad(index, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        return Optional.empty();
    }

    private static Optional<Admission.Refused> bad(int index, String why) {
        return Optional.of(BribePool.refuse(RefusalReason.BAD_SIGNATURE, "input " + index + ": " + why));
    }

    private static Optional<Admission.Refused> unverifiable(int index, String what) {
        return Optional.of(BribePool.refuse(RefusalReason.INPUT_UNVERIFIABLE, "input " + index + " spends " + what
                + "; the pool verifies only P2WPKH, P2PKH and P2PK inputs"));
    }
}
