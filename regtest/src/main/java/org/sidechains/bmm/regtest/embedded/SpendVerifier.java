package org.sidechains.bmm.regtest.embedded;

import java.util.Optional;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.script.ScriptError;
import org.sidechains.bmm.bitcoinj.tx.KeySpendVerifier;
import org.sidechains.bmm.bitcoinj.tx.KeySpendVerifier.Result;
import org.sidechains.bmm.bitcoinj.tx.KeySpendVerifier.Rules;

/**
 * Signature checks of single-key spends (P2WPKH, P2PKH, P2PK) as bitcoind's interpreter runs them
 * ({@link KeySpendVerifier}), and, for every output type, the refusal of a spend of an unspendable
 * output (OP_RETURN, or a script over 10,000 bytes), with bitcoind's reject reasons. Spends of every
 * other output type are NOT verified (bitcoinj 0.17.1 accepts any P2WSH spend and cannot run
 * P2SH-wrapped segwit or taproot): see docs/embedded-chain.md. A single-key spend whose scriptSig
 * runs anything but pushes is refused (bitcoind would run it; this chain does not follow it).
 */
final class SpendVerifier {
    /** Where the spend is checked: a block (consensus flags) or the mempool (policy flags too). */
    enum Mode { BLOCK, MEMPOOL }

    private SpendVerifier() {
    }

    /** Whether the output is of a type this class verifies. */
    static boolean verifiable(byte[] scriptPubKey) {
        return KeySpendVerifier.verifiable(scriptPubKey);
    }

    /**
     * Checks input {@code index} of {@code tx}, which spends {@code spent}; empty when valid or not
     * verifiable, else the reject reason. In the mempool, as bitcoind's CheckInputScripts: the
     * standard flags first; a failure is {@code non-mandatory-script-verify-flag (...)} if the spend
     * passes bitcoind's "mandatory" flags (P2SH alone, so any P2WPKH spend and a legacy signature
     * that only breaks BIP 66 do), else {@code mandatory-script-verify-flag-failed (...)}, both with
     * the standard run's error.
     */
    static Optional<String> verify(Transaction tx, int index, UnspentOutput spent, Mode mode) {
        Optional<ScriptError> unspendable = unspendableError(spent.scriptPubKey());
        if (unspendable.isPresent()) {
            return mandatory(unspendable.get());
        }
        if (!verifiable(spent.scriptPubKey())) {
            return Optional.empty();
        }
        Result first = KeySpendVerifier.verify(tx, index, spent.scriptPubKey(), spent.value(),
                mode == Mode.MEMPOOL ? Rules.POLICY : Rules.CONSENSUS);
        if (first instanceof Result.Valid) {
            return Optional.empty();
        }
        if (first instanceof Result.NotVerifiable) {
            return mandatory(ScriptError.SCRIPT_ERR_SIG_PUSHONLY);
        }
        ScriptError error = ((Result.Failed) first).error();
        if (mode == Mode.MEMPOOL && KeySpendVerifier.verify(tx, index, spent.scriptPubKey(), spent.value(),
                Rules.P2SH_ONLY) instanceof Result.Valid) {
            return Optional.of("non-mandatory-script-verify-flag (" + ScriptErrors.text(error) + ")");
        }
        return mandatory(error);
    }

    /**
     * An output nobody can spend, as bitcoind's interpreter finds it when it runs the scriptPubKey:
     * over 10,000 bytes fails first (EvalScript's MAX_SCRIPT_SIZE check), then a leading OP_RETURN.
     * Blocks never get here (such outputs never enter the UTXO set, so spending one is
     * bad-txns-inputs-missingorspent); the mempool does, for outputs of mempool transactions, which
     * bitcoind's mempool view offers whatever their script.
     */
    static Optional<ScriptError> unspendableError(byte[] scriptPubKey) {
        if (scriptPubKey.length > UnspentOutput.MAX_SCRIPT_SIZE) {
            return Optional.of(ScriptError.SCRIPT_ERR_SCRIPT_SIZE);
        }
        if (scriptPubKey.length > 0 && (scriptPubKey[0] & 0xff) == 0x6a) {
            return Optional.of(ScriptError.SCRIPT_ERR_OP_RETURN);
        }
        return Optional.empty();
    }

    private static Optional<String> mandatory(ScriptError e) {
        return Optional.of("mandatory-script-verify-flag-failed (" + ScriptErrors.text(e) + ")");
    }
}
