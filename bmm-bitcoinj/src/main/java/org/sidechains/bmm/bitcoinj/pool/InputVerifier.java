package org.sidechains.bmm.bitcoinj.pool;

import java.util.Optional;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptException;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.tx.KeySpendVerifier;
import org.sidechains.bmm.bitcoinj.tx.KeySpendVerifier.Result;

/**
 * Verifies a bribe's input by the consensus rules a block must meet, for the output types
 * {@link KeySpendVerifier} checks: P2WPKH, P2PKH and P2PK. Inputs of other types are refused
 * rather than trusted (bitcoinj 0.17.1 accepts any P2WSH spend and does not run P2SH-wrapped
 * segwit or taproot).
 */
final class InputVerifier {
    private InputVerifier() {
    }

    static Optional<Admission.Refused> verify(Transaction tx, int index, Prevout spent) {
        Result r = KeySpendVerifier.verify(tx, index, spent.scriptPubKey(), spent.value(), KeySpendVerifier.Rules.CONSENSUS);
        if (r instanceof Result.Failed f) {
            return Optional.of(BribePool.refuse(RefusalReason.BAD_SIGNATURE, "input " + index + ": " + f.detail()
                    + " (" + f.error().getMnemonic() + ")"));
        }
        if (r instanceof Result.NotVerifiable n) {
            return Optional.of(BribePool.refuse(RefusalReason.INPUT_UNVERIFIABLE, "input " + index + " spends "
                    + describe(spent.scriptPubKey()) + " (" + n.why() + "); the pool verifies only P2WPKH, P2PKH and"
                    + " P2PK inputs, with push-only scriptSigs"));
        }
        return Optional.empty();
    }

    private static String describe(byte[] scriptPubKey) {
        try {
            Script spk = Script.parse(scriptPubKey);
            return "a " + (spk.getScriptType() == null ? "non-standard" : spk.getScriptType().name()) + " output";
        } catch (ScriptException e) {
            return "an unparseable script";
        }
    }
}
