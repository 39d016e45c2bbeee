package org.sidechains.bmm.regtest.embedded.rpc;

import org.bitcoinj.script.ScriptOpCodes;
import java.util.List;
import java.util.Optional;

/**
 * bitcoind's Solver: what kind of output a scriptPubKey is, with its "solutions" (the key, hash or
 * witness program), and the type name its JSON shows.
 */
enum OutputType {
    NONSTANDARD("nonstandard"),
    PUBKEY("pubkey"),
    PUBKEYHASH("pubkeyhash"),
    SCRIPTHASH("scripthash"),
    MULTISIG("multisig"),
    NULL_DATA("nulldata"),
    WITNESS_V0_KEYHASH("witness_v0_keyhash"),
    WITNESS_V0_SCRIPTHASH("witness_v0_scripthash"),
    WITNESS_V1_TAPROOT("witness_v1_taproot"),
    WITNESS_UNKNOWN("witness_unknown");

    private static final int MAX_PUBKEYS_PER_MULTISIG = 20;

    /** A classified script: its type, the witness version (for witness types) and its data pushes. */
    record Solved(OutputType type, int witnessVersion, List<byte[]> solutions) {
        Solved {
            solutions = List.copyOf(solutions);
        }
    }

    private final String jsonName;

    OutputType(String jsonName) {
        this.jsonName = jsonName;
    }

    String jsonName() {
        return jsonName;
    }

    static Solved solve(byte[] s) {
        if (s.length == 23 && (s[0] & 0xff) == 0xa9 && s[1] == 0x14 && (s[22] & 0xff) == 0x87) {
            return new Solved(SCRIPTHASH, -1, List.of(slice(s, 2, 22)));
        }
        if (s.length >= 4 && s.length <= 42 && (s[0] == 0 || ((s[0] & 0xff) >= 0x51 && (s[0] & 0xff) <= 0x60))
                && (s[1] & 0xff) + 2 == s.length) {
            int version = s[0] == 0 ? 0 : (s[0] & 0xff) - 0x50;
            byte[] program = slice(s, 2, s.length);
            if (version == 0 && program.length == 20) {
                return new Solved(WITNESS_V0_KEYHASH, 0, List.of(program));
            }
            if (version == 0 && program.length == 32) {
                return new Solved(WITNESS_V0_SCRIPTHASH, 0, List.of(program));
            }
            if (version == 1 && program.length == 32) {
                return new Solved(WITNESS_V1_TAPROOT, 1, List.of(program));
            }
            if (version != 0) {
                return new Solved(WITNESS_UNKNOWN, version, List.of(program));
            }
            return new Solved(NONSTANDARD, -1, List.of());
        }
        ScriptOps ops = ScriptOps.parse(s);
        if (s.length >= 1 && (s[0] & 0xff) == ScriptOpCodes.OP_RETURN && ops.pushOnlyFrom(1)) {
            return new Solved(NULL_DATA, -1, List.of());
        }
        if ((s.length == 67 && s[0] == 65 || s.length == 35 && s[0] == 33) && (s[s.length - 1] & 0xff) == ScriptOpCodes.OP_CHECKSIG) {
            byte[] key = slice(s, 1, s.length - 1);
            if (validPubKeySize(key)) {
                return new Solved(PUBKEY, -1, List.of(key));
            }
        }
        if (s.length == 25 && (s[0] & 0xff) == 0x76 && (s[1] & 0xff) == 0xa9 && s[2] == 0x14 && (s[23] & 0xff) == 0x88
                && (s[24] & 0xff) == ScriptOpCodes.OP_CHECKSIG) {
            return new Solved(PUBKEYHASH, -1, List.of(slice(s, 3, 23)));
        }
        Optional<Solved> multi = multisig(s, ops);
        return multi.orElseGet(() -> new Solved(NONSTANDARD, -1, List.of()));
    }

    /** bitcoind's MatchMultisig: OP_k, the keys, OP_n, OP_CHECKMULTISIG; solutions [k, keys..., n]. */
    private static Optional<Solved> multisig(byte[] s, ScriptOps parsed) {
        List<ScriptOps.Op> ops = parsed.ops();
        if (parsed.truncated() || ops.size() < 3 || (s[s.length - 1] & 0xff) != ScriptOpCodes.OP_CHECKMULTISIG
                || ops.get(ops.size() - 1).opcode() != ScriptOpCodes.OP_CHECKMULTISIG) {
            return Optional.empty();
        }
        Optional<Integer> required = smallNumber(ops.get(0), 1, MAX_PUBKEYS_PER_MULTISIG);
        if (required.isEmpty()) {
            return Optional.empty();
        }
        List<byte[]> keys = new java.util.ArrayList<>();
        int i = 1;
        while (i < ops.size() - 2 && ops.get(i).data().isPresent() && validPubKeySize(ops.get(i).data().get())) {
            keys.add(ops.get(i).data().get());
            i++;
        }
        if (i != ops.size() - 2) {
            return Optional.empty();
        }
        Optional<Integer> n = smallNumber(ops.get(i), required.get(), MAX_PUBKEYS_PER_MULTISIG);
        if (n.isEmpty() || n.get() != keys.size()) {
            return Optional.empty();
        }
        List<byte[]> sol = new java.util.ArrayList<>();
        sol.add(new byte[] {(byte) (int) required.get()});
        sol.addAll(keys);
        sol.add(new byte[] {(byte) (int) n.get()});
        return Optional.of(new Solved(MULTISIG, -1, sol));
    }

    /** OP_1..OP_16, or a minimal push of a number, within [min, max]. */
    private static Optional<Integer> smallNumber(ScriptOps.Op op, int min, int max) {
        long v;
        if (op.opcode() >= ScriptOpCodes.OP_1 && op.opcode() <= ScriptOpCodes.OP_16) {
            v = op.opcode() - ScriptOpCodes.OP_1 + 1;
        } else if (op.isPush() && op.data().isPresent() && op.data().get().length <= 4 && minimalPush(op)) {
            v = ScriptAsm.scriptNum(op.data().get());
        } else {
            return Optional.empty();
        }
        return v >= min && v <= max ? Optional.of((int) v) : Optional.empty();
    }

    private static boolean minimalPush(ScriptOps.Op op) {
        byte[] d = op.data().orElseThrow();
        if (d.length == 0) {
            return op.opcode() == ScriptOpCodes.OP_0;
        }
        if (d.length == 1 && (d[0] >= 1 && d[0] <= 16 || (d[0] & 0xff) == 0x81)) {
            return false;
        }
        if (d.length <= 75) {
            return op.opcode() == d.length;
        }
        return d.length <= 255 ? op.opcode() == ScriptOpCodes.OP_PUSHDATA1 : op.opcode() == ScriptOpCodes.OP_PUSHDATA2;
    }

    /** CPubKey::ValidSize: 33 bytes for headers 02/03, 65 for 04/06/07. */
    static boolean validPubKeySize(byte[] key) {
        if (key.length == 0) {
            return false;
        }
        int header = key[0] & 0xff;
        int expected = header == 2 || header == 3 ? 33 : header == 4 || header == 6 || header == 7 ? 65 : 0;
        return expected == key.length;
    }

    private static byte[] slice(byte[] s, int from, int to) {
        byte[] out = new byte[to - from];
        System.arraycopy(s, from, out, 0, out.length);
        return out;
    }
}
