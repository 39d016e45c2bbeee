package org.sidechains.bmm.bitcoinj.tx;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.crypto.SignatureDecodeException;
import org.bitcoinj.crypto.internal.CryptoUtils;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.bitcoinj.script.ScriptChunk;
import org.bitcoinj.script.ScriptError;
import org.bitcoinj.script.ScriptException;
import org.bitcoinj.script.ScriptOpCodes;
import org.bitcoinj.script.ScriptPattern;

/**
 * Checks a spend of a single-key output (P2WPKH, P2PKH, P2PK) the way Bitcoin Core's interpreter
 * runs it, with its script errors. bitcoinj's {@code Script.correctlySpends} takes shortcuts for
 * exactly these types: it hashes every signature as if it had no ANYONECANPAY bit, skips BIP 66's
 * strict DER for P2PK, and refuses a high S or an extra stack item, which only policy forbids. A
 * miner that trusted it would build blocks bitcoind refuses.
 *
 * <p>{@link Rules#CONSENSUS} is what a block must meet (BIP 66 DER, BIP 141/143); {@link Rules#POLICY}
 * adds bitcoind's standard script flags that apply to these types: LOW_S, STRICTENC (defined hash
 * type, key encoding), MINIMALDATA, CLEANSTACK, NULLFAIL and WITNESS_PUBKEYTYPE;
 * {@link Rules#P2SH_ONLY} is what bitcoind's mempool uses to tell a "mandatory" failure from a
 * policy one. Checked in the interpreter's order, so the error is the one Core reports. (All three
 * checked against bitcoind v25 by the regtest module's KeySpendsAgainstBitcoindTest.)
 */
public final class KeySpendVerifier {
    /** Core's MAX_SCRIPT_ELEMENT_SIZE. */
    private static final int MAX_ELEMENT_SIZE = 520;
    /** Core's MAX_SCRIPT_SIZE and MAX_STACK_SIZE. */
    private static final int MAX_SCRIPT_SIZE = 10_000;
    private static final int MAX_STACK_SIZE = 1_000;
    private static final int SIGHASH_ANYONECANPAY = 0x80;

    private KeySpendVerifier() {
    }

    /** Which script flags apply. */
    public enum Rules {
        /** The script flags of a block: P2SH, DERSIG (BIP 66), WITNESS (BIP 141/143) and the rest. */
        CONSENSUS,
        /** The consensus flags and bitcoind's standard ones (its mempool). */
        POLICY,
        /**
         * bitcoind's MANDATORY_SCRIPT_VERIFY_FLAGS, P2SH alone: no witness (a P2WPKH spend is not
         * run), no BIP 66 (a signature is parsed laxly). bitcoind's mempool reports a failure as
         * {@code mandatory-script-verify-flag-failed} only if the spend fails under these too.
         */
        P2SH_ONLY
    }

    /** The outcome of a check. */
    public sealed interface Result {
        /** The spend is valid under the rules asked for. */
        record Valid() implements Result {
        }

        /** Core's interpreter fails it with {@code error}. */
        record Failed(ScriptError error, String detail) implements Result {
            public Failed {
                Objects.requireNonNull(error, "error");
                Objects.requireNonNull(detail, "detail");
            }
        }

        /**
         * Not one of the spends checked here: another output type, or a legacy scriptSig with
         * operations other than pushes (valid in a block if they leave the right stack; not followed).
         */
        record NotVerifiable(String why) implements Result {
        }
    }

    private static final Result VALID = new Result.Valid();

    /** Whether {@code scriptPubKey} is of a type this class checks. */
    public static boolean verifiable(byte[] scriptPubKey) {
        return singleKey(parse(scriptPubKey));
    }

    private static boolean singleKey(Script spk) {
        return spk != null && (ScriptPattern.isP2WPKH(spk) || ScriptPattern.isP2PKH(spk) || ScriptPattern.isP2PK(spk));
    }

    /**
     * Checks input {@code index} of {@code tx}, which spends an output of {@code spentValue} locked by
     * {@code spentScript}.
     */
    public static Result verify(Transaction tx, int index, byte[] spentScript, Coin spentValue, Rules rules) {
        Objects.requireNonNull(tx, "tx");
        Objects.requireNonNull(spentScript, "spentScript");
        Objects.requireNonNull(spentValue, "spentValue");
        Objects.requireNonNull(rules, "rules");
        Script spk = parse(spentScript);
        if (!singleKey(spk)) {
            return new Result.NotVerifiable("not a P2WPKH, P2PKH or P2PK output");
        }
        boolean policy = rules == Rules.POLICY;
        boolean segwit = rules != Rules.P2SH_ONLY; // BIP 66 came before segwit: both, or neither here
        TransactionInput in = tx.getInput(index);
        TransactionWitness witness = in.getWitness();
        if (ScriptPattern.isP2WPKH(spk) && !segwit) {
            // without the witness flag the program is just a push, which leaves true on the stack
            Result pushes = pushes(in.getScriptBytes(), false, new ArrayList<>());
            return pushes == null ? VALID : pushes;
        }
        if (ScriptPattern.isP2WPKH(spk)) {
            // the scriptSig runs first (its own errors come first); it must be empty, which leaves the
            // program on the stack: true
            if (in.getScriptBytes().length != 0) {
                Result sigScript = pushes(in.getScriptBytes(), policy, new ArrayList<>());
                if (sigScript instanceof Result.Failed) {
                    return sigScript;
                }
                return fail(ScriptError.SCRIPT_ERR_WITNESS_MALLEATED, "a P2WPKH spend must have an empty scriptSig");
            }
            if (witness.getPushCount() != 2) {
                // VerifyWitnessProgram for a 20-byte v0 program: any stack but two items, empty included
                return fail(ScriptError.SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH, "a P2WPKH witness is <signature> <public key>, got "
                        + witness.getPushCount() + " items");
            }
            byte[] sig = witness.getPush(0);
            byte[] key = witness.getPush(1);
            if (sig.length > MAX_ELEMENT_SIZE || key.length > MAX_ELEMENT_SIZE) {
                return fail(ScriptError.SCRIPT_ERR_PUSH_SIZE, "a witness item is over 520 bytes");
            }
            if (!Arrays.equals(CryptoUtils.sha256hash160(key), ScriptPattern.extractHashFromP2WH(spk))) {
                return fail(ScriptError.SCRIPT_ERR_EQUALVERIFY, "the public key does not hash to the output's program");
            }
            // BIP 143: the scriptCode of P2WPKH is the P2PKH script of the key hash
            byte[] scriptCode = ScriptBuilder.createP2PKHOutputScript(ScriptPattern.extractHashFromP2WH(spk)).program();
            return checkSig(sig, key, policy, true, true,
                    hashType -> tx.hashForWitnessSignature(index, scriptCode, spentValue, hashType));
        }
        if (segwit && witness.getPushCount() != 0) {
            return fail(ScriptError.SCRIPT_ERR_WITNESS_UNEXPECTED, "a witness on an input that spends a non-segwit output");
        }
        List<byte[]> stack = new ArrayList<>();
        Result pushes = pushes(in.getScriptBytes(), policy, stack);
        if (pushes != null) {
            return pushes;
        }
        // the scriptPubKey runs on that stack: P2PKH's OP_DUP and hash push add two items, P2PK's key one
        if (stack.size() + (ScriptPattern.isP2PKH(spk) ? 2 : 1) > MAX_STACK_SIZE) {
            return fail(ScriptError.SCRIPT_ERR_STACK_SIZE, "the scriptSig's " + stack.size()
                    + " items and the script's own pass 1,000 stack items");
        }
        byte[] sig;
        byte[] key;
        if (ScriptPattern.isP2PKH(spk)) {
            if (stack.isEmpty()) {
                return fail(ScriptError.SCRIPT_ERR_INVALID_STACK_OPERATION, "the scriptSig leaves an empty stack");
            }
            key = stack.remove(stack.size() - 1);
            if (!Arrays.equals(CryptoUtils.sha256hash160(key), ScriptPattern.extractHashFromP2PKH(spk))) {
                return fail(ScriptError.SCRIPT_ERR_EQUALVERIFY, "the public key does not hash to the output's key hash");
            }
            if (stack.isEmpty()) {
                return fail(ScriptError.SCRIPT_ERR_INVALID_STACK_OPERATION, "no signature below the public key");
            }
        } else {
            if (stack.isEmpty()) {
                return fail(ScriptError.SCRIPT_ERR_INVALID_STACK_OPERATION, "the scriptSig leaves an empty stack");
            }
            key = ScriptPattern.extractKeyFromP2PK(spk);
        }
        sig = stack.remove(stack.size() - 1);
        byte[] scriptCode = spentScript;
        Result checked = checkSig(sig, key, policy, segwit, false, hashType -> tx.hashForSignature(index, scriptCode, hashType));
        if (!(checked instanceof Result.Valid)) {
            return checked;
        }
        // the items below what the script used stay on the stack: only policy asks for a clean one
        if (policy && !stack.isEmpty()) {
            return fail(ScriptError.SCRIPT_ERR_CLEANSTACK, (stack.size() + 1) + " stack items left, not one");
        }
        return VALID;
    }

    private interface SigHasher {
        Sha256Hash hash(byte hashType);
    }

    /** OP_CHECKSIG as the spend's last operation: its result must be true. */
    private static Result checkSig(byte[] sig, byte[] key, boolean policy, boolean der, boolean witnessV0,
                                   SigHasher hasher) {
        // CheckSignatureEncoding: an empty signature is allowed (and makes CHECKSIG false)
        if (sig.length > 0) {
            if (der && !validDer(sig)) {
                return fail(ScriptError.SCRIPT_ERR_SIG_DER, "the signature is not strict DER (BIP 66)");
            }
            if (policy && !lowS(sig)) {
                return fail(ScriptError.SCRIPT_ERR_SIG_HIGH_S, "the signature's S is above half the curve order");
            }
            if (policy && !definedHashType(sig)) {
                return fail(ScriptError.SCRIPT_ERR_SIG_HASHTYPE, "undefined hash type 0x"
                        + Integer.toHexString(sig[sig.length - 1] & 0xff));
            }
        }
        if (policy && !compressed(key) && !uncompressed(key)) {
            return fail(ScriptError.SCRIPT_ERR_PUBKEYTYPE, "the public key is neither compressed nor uncompressed");
        }
        if (policy && witnessV0 && !compressed(key)) {
            return fail(ScriptError.SCRIPT_ERR_WITNESS_PUBKEYTYPE, "segwit needs a compressed public key");
        }
        if (ecdsaVerify(sig, key, hasher)) {
            return VALID;
        }
        if (policy && sig.length > 0) {
            return fail(ScriptError.SCRIPT_ERR_SIG_NULLFAIL, "the signature does not verify");
        }
        return fail(ScriptError.SCRIPT_ERR_EVAL_FALSE, "the signature does not verify");
    }

    /**
     * CheckECDSASignature: the hash type is the signature's last byte, as it is (any value). The DER
     * is parsed by bitcoinj (lenient about padded integers), close to Core's lax parser where BIP 66
     * has not already refused the encoding.
     */
    private static boolean ecdsaVerify(byte[] sig, byte[] key, SigHasher hasher) {
        if (sig.length == 0) {
            return false;
        }
        ECKey.ECDSASignature rs;
        try {
            rs = ECKey.ECDSASignature.decodeFromDER(Arrays.copyOf(sig, sig.length - 1));
        } catch (RuntimeException | SignatureDecodeException e) {
            return false; // a key or signature libsecp256k1 cannot parse: the check is false, not an error
        }
        if (rs.r.signum() <= 0 || rs.s.signum() <= 0) {
            return false;
        }
        Sha256Hash hash = hasher.hash(sig[sig.length - 1]);
        try {
            // libsecp256k1 verifies the low-S form of the signature (Core normalizes first)
            return ECKey.verify(hash.getBytes(), rs.toCanonicalised(), key);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The legacy scriptSig's pushes, bottom first; null when they leave a stack, else the failure. */
    private static Result pushes(byte[] scriptSig, boolean policy, List<byte[]> stack) {
        if (scriptSig.length > MAX_SCRIPT_SIZE) {
            return fail(ScriptError.SCRIPT_ERR_SCRIPT_SIZE, "the scriptSig is over 10,000 bytes");
        }
        List<ScriptChunk> chunks;
        try {
            chunks = Script.parse(scriptSig).chunks();
        } catch (ScriptException e) {
            return fail(ScriptError.SCRIPT_ERR_BAD_OPCODE, "the scriptSig does not parse (a push runs past its end)");
        }
        for (ScriptChunk c : chunks) {
            if (!c.isPushData()) {
                return new Result.NotVerifiable("the scriptSig runs an operation other than a push");
            }
            if (c.opcode == ScriptOpCodes.OP_RESERVED) {
                return fail(ScriptError.SCRIPT_ERR_BAD_OPCODE, "OP_RESERVED in the scriptSig");
            }
            if (c.data != null && c.data.length > MAX_ELEMENT_SIZE) { // Core checks the size before minimality
                return fail(ScriptError.SCRIPT_ERR_PUSH_SIZE, "a push in the scriptSig is over 520 bytes");
            }
            if (policy && !c.isShortestPossiblePushData()) {
                return fail(ScriptError.SCRIPT_ERR_MINIMALDATA, "a push in the scriptSig is not minimal");
            }
            byte[] item;
            if (c.data != null) {
                item = c.data;
            } else if (c.opcode == ScriptOpCodes.OP_0) {
                item = new byte[0];
            } else if (c.opcode == ScriptOpCodes.OP_1NEGATE) {
                item = new byte[] {(byte) 0x81};
            } else {
                item = new byte[] {(byte) Script.decodeFromOpN(c.opcode)};
            }
            stack.add(item);
            if (stack.size() > MAX_STACK_SIZE) {
                return fail(ScriptError.SCRIPT_ERR_STACK_SIZE, "the scriptSig pushes over 1,000 items");
            }
        }
        return null;
    }

    /** BIP 66's IsValidSignatureEncoding (the hash type byte included, any value). */
    public static boolean validDer(byte[] sig) {
        int n = sig.length;
        if (n < 9 || n > 73 || (sig[0] & 0xff) != 0x30 || (sig[1] & 0xff) != n - 3) {
            return false;
        }
        int lenR = sig[3] & 0xff;
        if (5 + lenR >= n) {
            return false;
        }
        int lenS = sig[5 + lenR] & 0xff;
        if (lenR + lenS + 7 != n) {
            return false;
        }
        if (sig[2] != 0x02 || lenR == 0 || (sig[4] & 0x80) != 0) {
            return false;
        }
        if (lenR > 1 && sig[4] == 0 && (sig[5] & 0x80) == 0) {
            return false;
        }
        if (sig[lenR + 4] != 0x02 || lenS == 0 || (sig[lenR + 6] & 0x80) != 0) {
            return false;
        }
        return !(lenS > 1 && sig[lenR + 6] == 0 && (sig[lenR + 7] & 0x80) == 0);
    }

    private static boolean lowS(byte[] sig) {
        try {
            ECKey.ECDSASignature rs = ECKey.ECDSASignature.decodeFromDER(Arrays.copyOf(sig, sig.length - 1));
            BigInteger n = ECKey.ecDomainParameters().getN();
            if (rs.r.compareTo(n) >= 0 || rs.s.compareTo(n) >= 0) {
                return true; // Core's lax parser turns an r or s out of range into a zero signature, which is low
            }
            return rs.isCanonical();
        } catch (RuntimeException | SignatureDecodeException e) {
            return false;
        }
    }

    private static boolean definedHashType(byte[] sig) {
        int type = sig[sig.length - 1] & 0xff & ~SIGHASH_ANYONECANPAY;
        return type >= 1 && type <= 3;
    }

    private static boolean compressed(byte[] key) {
        return key.length == 33 && (key[0] == 0x02 || key[0] == 0x03);
    }

    private static boolean uncompressed(byte[] key) {
        return key.length == 65 && key[0] == 0x04;
    }

    private static Result fail(ScriptError error, String detail) {
        return new Result.Failed(error, detail);
    }

    private static Script parse(byte[] script) {
        try {
            return Script.parse(script);
        } catch (ScriptException e) {
            return null;
        }
    }
}
