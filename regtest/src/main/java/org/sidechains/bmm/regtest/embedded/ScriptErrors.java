package org.sidechains.bmm.regtest.embedded;

import java.util.EnumMap;
import java.util.Map;
import org.bitcoinj.script.ScriptError;

/** bitcoind's ScriptErrorString for bitcoinj's {@link ScriptError}s (the text inside reject reasons). */
final class ScriptErrors {
    private static final Map<ScriptError, String> TEXT = new EnumMap<>(ScriptError.class);

    static {
        TEXT.put(ScriptError.SCRIPT_ERR_OK, "No error");
        TEXT.put(ScriptError.SCRIPT_ERR_EVAL_FALSE,
                "Script evaluated without error but finished with a false/empty top stack element");
        TEXT.put(ScriptError.SCRIPT_ERR_VERIFY, "Script failed an OP_VERIFY operation");
        TEXT.put(ScriptError.SCRIPT_ERR_EQUALVERIFY, "Script failed an OP_EQUALVERIFY operation");
        TEXT.put(ScriptError.SCRIPT_ERR_CHECKMULTISIGVERIFY, "Script failed an OP_CHECKMULTISIGVERIFY operation");
        TEXT.put(ScriptError.SCRIPT_ERR_CHECKSIGVERIFY, "Script failed an OP_CHECKSIGVERIFY operation");
        TEXT.put(ScriptError.SCRIPT_ERR_NUMEQUALVERIFY, "Script failed an OP_NUMEQUALVERIFY operation");
        TEXT.put(ScriptError.SCRIPT_ERR_SCRIPT_SIZE, "Script is too big");
        TEXT.put(ScriptError.SCRIPT_ERR_PUSH_SIZE, "Push value size limit exceeded");
        TEXT.put(ScriptError.SCRIPT_ERR_OP_COUNT, "Operation limit exceeded");
        TEXT.put(ScriptError.SCRIPT_ERR_STACK_SIZE, "Stack size limit exceeded");
        TEXT.put(ScriptError.SCRIPT_ERR_SIG_COUNT, "Signature count negative or greater than pubkey count");
        TEXT.put(ScriptError.SCRIPT_ERR_PUBKEY_COUNT, "Pubkey count negative or limit exceeded");
        TEXT.put(ScriptError.SCRIPT_ERR_BAD_OPCODE, "Opcode missing or not understood");
        TEXT.put(ScriptError.SCRIPT_ERR_DISABLED_OPCODE, "Attempted to use a disabled opcode");
        TEXT.put(ScriptError.SCRIPT_ERR_INVALID_STACK_OPERATION, "Operation not valid with the current stack size");
        TEXT.put(ScriptError.SCRIPT_ERR_INVALID_ALTSTACK_OPERATION,
                "Operation not valid with the current altstack size");
        TEXT.put(ScriptError.SCRIPT_ERR_OP_RETURN, "OP_RETURN was encountered");
        TEXT.put(ScriptError.SCRIPT_ERR_UNBALANCED_CONDITIONAL, "Invalid OP_IF construction");
        TEXT.put(ScriptError.SCRIPT_ERR_NEGATIVE_LOCKTIME, "Negative locktime");
        TEXT.put(ScriptError.SCRIPT_ERR_UNSATISFIED_LOCKTIME, "Locktime requirement not satisfied");
        TEXT.put(ScriptError.SCRIPT_ERR_SIG_HASHTYPE, "Signature hash type missing or not understood");
        TEXT.put(ScriptError.SCRIPT_ERR_SIG_DER, "Non-canonical DER signature");
        TEXT.put(ScriptError.SCRIPT_ERR_MINIMALDATA, "Data push larger than necessary");
        TEXT.put(ScriptError.SCRIPT_ERR_SIG_PUSHONLY, "Only push operators allowed in signatures");
        TEXT.put(ScriptError.SCRIPT_ERR_SIG_HIGH_S, "Non-canonical signature: S value is unnecessarily high");
        TEXT.put(ScriptError.SCRIPT_ERR_SIG_NULLDUMMY, "Dummy CHECKMULTISIG argument must be zero");
        TEXT.put(ScriptError.SCRIPT_ERR_PUBKEYTYPE, "Public key is neither compressed or uncompressed");
        TEXT.put(ScriptError.SCRIPT_ERR_CLEANSTACK, "Stack size must be exactly one after execution");
        TEXT.put(ScriptError.SCRIPT_ERR_MINIMALIF, "OP_IF/NOTIF argument must be minimal");
        TEXT.put(ScriptError.SCRIPT_ERR_SIG_NULLFAIL, "Signature must be zero for failed CHECK(MULTI)SIG operation");
        TEXT.put(ScriptError.SCRIPT_ERR_DISCOURAGE_UPGRADABLE_NOPS, "NOPx reserved for soft-fork upgrades");
        TEXT.put(ScriptError.SCRIPT_ERR_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM,
                "Witness version reserved for soft-fork upgrades");
        TEXT.put(ScriptError.SCRIPT_ERR_WITNESS_PROGRAM_WRONG_LENGTH, "Witness program has incorrect length");
        TEXT.put(ScriptError.SCRIPT_ERR_WITNESS_PROGRAM_WITNESS_EMPTY, "Witness program was passed an empty witness");
        TEXT.put(ScriptError.SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH, "Witness program hash mismatch");
        TEXT.put(ScriptError.SCRIPT_ERR_WITNESS_MALLEATED, "Witness requires empty scriptSig");
        TEXT.put(ScriptError.SCRIPT_ERR_WITNESS_MALLEATED_P2SH, "Witness requires only-redeemscript scriptSig");
        TEXT.put(ScriptError.SCRIPT_ERR_WITNESS_UNEXPECTED, "Witness provided for non-witness script");
        TEXT.put(ScriptError.SCRIPT_ERR_WITNESS_PUBKEYTYPE, "Using non-compressed keys in segwit");
    }

    private ScriptErrors() {
    }

    static String text(ScriptError error) {
        return TEXT.getOrDefault(error, "unknown error");
    }
}
