package org.sidechains.bmm.bitcoinj.cbv;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionWitness;

/**
 * Finds the script an input really runs with OP_CBV semantics (protocol.md, "M9"), and the stack
 * it starts with, from the spent output's scriptPubKey:
 * <ul>
 *   <li>P2SH: the redeemScript (last push of the scriptSig), stack = the other pushes; when the
 *       redeemScript is itself a P2WSH program (nested segwit), the witnessScript as below;</li>
 *   <li>P2WSH: the witnessScript (last witness item), stack = the other witness items;</li>
 *   <li>P2WPKH, P2TR and other witness versions: no script with OP_CBV semantics. Tapscript is
 *       outside the protocol, which names only the bare scriptPubKey, the P2SH redeemScript and
 *       the P2WSH witnessScript: OP_NOP6 in a tapscript stays a NOP;</li>
 *   <li>anything else: the bare scriptPubKey, stack = the scriptSig's pushes.</li>
 * </ul>
 * The scriptSig itself is not a spent script and OP_NOP6 in it is not evaluated (a spender can only
 * restrict itself there). A redeemScript or witnessScript is only taken when it hashes to what the
 * output commits to: otherwise the script that would run is unknown and the caller fails closed.
 */
public final class ScriptFollower {
    private ScriptFollower() {
    }

    /** Where the executed script comes from. */
    public enum Kind {
        BARE("bare scriptPubKey"),
        P2SH("P2SH redeemScript"),
        P2WSH("P2WSH witnessScript"),
        P2SH_P2WSH("P2SH-P2WSH witnessScript");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The outcome of following one input. */
    public sealed interface Execution {
        /** {@code script} runs with OP_CBV semantics, starting from {@code stack} (bottom first, all known). */
        record Runs(Kind kind, byte[] script, List<byte[]> stack) implements Execution {
        }

        /**
         * {@code script} runs but the stack it starts with cannot be known (a bare scriptPubKey
         * spent by a scriptSig that is not push-only): its OP_CBVs are checked failing closed.
         */
        record StackUnknown(Kind kind, byte[] script, String why) implements Execution {
        }

        /** No script with OP_CBV semantics runs for this input. */
        record NoScript(String why) implements Execution {
        }

        /**
         * The output commits to a script that this input does not reveal correctly (missing or
         * mismatching redeemScript / witnessScript). Such a spend is invalid under Bitcoin's rules;
         * as the committed script may hold OP_CBV, the checker fails closed.
         */
        record Unidentified(String why) implements Execution {
        }

        /**
         * A P2WSH output (native or nested in P2SH) spent with an empty witness: invalid under
         * Bitcoin's rules, and what every such spend looks like in a block that came without its
         * witnesses (bitcoinj's P2P download strips them unless the witness variant is asked for).
         * Which script would run is unknown; the block's source, not BMM, is at fault.
         */
        record WitnessMissing(Kind kind) implements Execution {
        }
    }

    /** Follows {@code input}, which spends an output whose scriptPubKey is {@code spentScriptPubKey}. */
    public static Execution follow(TransactionInput input, byte[] spentScriptPubKey) {
        byte[] spk = spentScriptPubKey;
        if (RawScript.isP2SH(spk)) {
            return followP2sh(input, spk);
        }
        int version = RawScript.witnessVersion(spk);
        if (version >= 0) {
            // a native witness program needs an empty scriptSig (else the spend is invalid): the witness is what runs
            return followWitness(version, RawScript.witnessProgram(spk), input.getWitness(), false);
        }
        List<byte[]> pushes = RawScript.pushesOrNull(input.getScriptBytes());
        if (pushes == null) {
            return new Execution.StackUnknown(Kind.BARE, spk, "the scriptSig is not push-only");
        }
        return new Execution.Runs(Kind.BARE, spk, pushes);
    }

    private static Execution followP2sh(TransactionInput input, byte[] spk) {
        List<byte[]> pushes = RawScript.pushesOrNull(input.getScriptBytes());
        if (pushes == null) {
            return new Execution.Unidentified("the scriptSig spending a P2SH output is not push-only");
        }
        if (pushes.isEmpty()) {
            return new Execution.Unidentified("the scriptSig spending a P2SH output has no redeemScript");
        }
        byte[] redeem = pushes.get(pushes.size() - 1);
        if (!Arrays.equals(RawScript.hash160(redeem), 0, 20, spk, 2, 22)) {
            return new Execution.Unidentified("the redeemScript does not hash to the P2SH output");
        }
        int version = RawScript.witnessVersion(redeem);
        if (version >= 0) {
            return followWitness(version, RawScript.witnessProgram(redeem), input.getWitness(), true);
        }
        return new Execution.Runs(Kind.P2SH, redeem, pushes.subList(0, pushes.size() - 1));
    }

    private static Execution followWitness(int version, byte[] program, TransactionWitness witness, boolean nested) {
        if (version == 0 && program.length == 32) {
            int n = witness.getPushCount();
            if (n == 0) {
                return new Execution.WitnessMissing(nested ? Kind.P2SH_P2WSH : Kind.P2WSH);
            }
            byte[] witnessScript = witness.getPush(n - 1);
            if (!MessageDigest.isEqual(Sha256Hash.hash(witnessScript), program)) {
                return new Execution.Unidentified("the witnessScript does not hash to the P2WSH program");
            }
            List<byte[]> stack = new ArrayList<>(n - 1);
            for (int i = 0; i < n - 1; i++) {
                stack.add(witness.getPush(i));
            }
            return new Execution.Runs(nested ? Kind.P2SH_P2WSH : Kind.P2WSH, witnessScript, stack);
        }
        if (version == 0 && program.length == 20) {
            return new Execution.NoScript("P2WPKH runs no script with OP_CBV semantics");
        }
        if (version == 0) {
            return new Execution.NoScript("a version-0 witness program of " + program.length + " bytes cannot be spent");
        }
        if (version == 1 && program.length == 32 && !nested) {
            return new Execution.NoScript("P2TR: tapscript is outside the protocol (OP_NOP6 stays a NOP there)");
        }
        return new Execution.NoScript("witness version " + version + " has no script semantics yet");
    }
}
