package org.sidechains.bmm.regtest.embedded;

import java.util.Optional;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptError;
import org.bitcoinj.script.ScriptException;
import org.bitcoinj.script.ScriptPattern;

/**
 * Signature checks of the spends bitcoinj verifies for real: P2PKH and P2PK (legacy sighash) and
 * P2WPKH (BIP143, with the spent value), through {@code Script.correctlySpends}, plus the witness
 * shape rules bitcoind applies around them; and, for every output type, the refusal of a spend of
 * an unspendable output (OP_RETURN, or a script over 10,000 bytes) with bitcoind's script errors.
 * Spends of every other output type are NOT verified
 * (bitcoinj 0.17.1 accepts any P2WSH spend and cannot run P2SH-wrapped segwit or taproot): see
 * docs/embedded-chain.md. Failures are reported with bitcoind's reject reasons.
 */
final class SpendVerifier {
    /** Where the spend is checked: a block (consensus flags) or the mempool (policy flags too). */
    enum Mode { BLOCK, MEMPOOL }

    private SpendVerifier() {
    }

    /** Whether the output is of a type this class verifies. */
    static boolean verifiable(byte[] scriptPubKey) {
        Optional<Script> spk = parse(scriptPubKey);
        return spk.isPresent() && (ScriptPattern.isP2WPKH(spk.get()) || ScriptPattern.isP2PKH(spk.get())
                || ScriptPattern.isP2PK(spk.get()));
    }

    /**
     * Checks input {@code index} of {@code tx}, which spends {@code spent}; empty when valid or not
     * verifiable, else the reject reason ({@code mandatory-script-verify-flag-failed (...)} or, in
     * the mempool, {@code non-mandatory-script-verify-flag (...)} for policy-only failures).
     */
    static Optional<String> verify(Transaction tx, int index, UnspentOutput spent, Mode mode) {
        Optional<ScriptError> unspendable = unspendableError(spent.scriptPubKey());
        if (unspendable.isPresent()) {
            return mandatory(unspendable.get());
        }
        Optional<Script> parsed = parse(spent.scriptPubKey());
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        Script spk = parsed.get();
        TransactionInput in = tx.getInput(index);
        TransactionWitness witness = in.getWitness();
        try {
            if (ScriptPattern.isP2WPKH(spk)) {
                if (in.getScriptBytes().length != 0) {
                    return mandatory(ScriptError.SCRIPT_ERR_WITNESS_MALLEATED);
                }
                if (witness.getPushCount() != 2) {
                    // bitcoind's VerifyWitnessProgram for a 20-byte v0 program: any stack but two items,
                    // empty included (WITNESS_EMPTY is for P2WSH only)
                    return mandatory(ScriptError.SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH);
                }
                if (mode == Mode.MEMPOOL && !compressed(witness.getPush(1))) {
                    return nonMandatory(ScriptError.SCRIPT_ERR_WITNESS_PUBKEYTYPE);
                }
                in.getScriptSig().correctlySpends(tx, index, witness, spent.value(), spk, Script.ALL_VERIFY_FLAGS);
            } else if (ScriptPattern.isP2PKH(spk) || ScriptPattern.isP2PK(spk)) {
                if (witness.getPushCount() != 0) {
                    return mandatory(ScriptError.SCRIPT_ERR_WITNESS_UNEXPECTED);
                }
                in.getScriptSig().correctlySpends(tx, index, null, spent.value(), spk, Script.ALL_VERIFY_FLAGS);
            }
            return Optional.empty();
        } catch (ScriptException e) {
            return failed(e.getError(), signatureOf(in, spk), mode);
        } catch (RuntimeException e) {
            // bitcoinj throws these for undecodable keys and signatures: to bitcoind, a failed CHECKSIG
            return failed(ScriptError.SCRIPT_ERR_CHECKSIGVERIFY, signatureOf(in, spk), mode);
        }
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

    /**
     * bitcoinj reports a wrong signature as CHECKSIGVERIFY; bitcoind's interpreter runs OP_CHECKSIG,
     * which leaves false (EVAL_FALSE), or, with the mempool's NULLFAIL policy and a non-empty
     * signature, fails with NULLFAIL; both are mandatory failures (the signature is just wrong).
     */
    private static Optional<String> failed(ScriptError error, byte[] signature, Mode mode) {
        if (error == ScriptError.SCRIPT_ERR_CHECKSIGVERIFY) {
            boolean nullFail = mode == Mode.MEMPOOL && signature != null && signature.length > 0;
            return mandatory(nullFail ? ScriptError.SCRIPT_ERR_SIG_NULLFAIL : ScriptError.SCRIPT_ERR_EVAL_FALSE);
        }
        return mandatory(error);
    }

    private static byte[] signatureOf(TransactionInput in, Script spk) {
        try {
            if (ScriptPattern.isP2WPKH(spk)) {
                return in.getWitness().getPushCount() > 0 ? in.getWitness().getPush(0) : null;
            }
            Script sig = in.getScriptSig();
            return sig.chunks().isEmpty() ? null : sig.chunks().get(0).data;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static boolean compressed(byte[] pubKey) {
        return pubKey.length == 33 && (pubKey[0] == 0x02 || pubKey[0] == 0x03);
    }

    private static Optional<String> mandatory(ScriptError e) {
        return Optional.of("mandatory-script-verify-flag-failed (" + ScriptErrors.text(e) + ")");
    }

    private static Optional<String> nonMandatory(ScriptError e) {
        return Optional.of("non-mandatory-script-verify-flag (" + ScriptErrors.text(e) + ")");
    }

    private static Optional<Script> parse(byte[] script) {
        try {
            return Optional.of(Script.parse(script));
        } catch (ScriptException e) {
            return Optional.empty();
        }
    }
}
