package org.sidechains.bmm.bitcoinj.tx;

import org.bitcoinj.base.Coin;
import org.bitcoinj.base.VarInt;

/**
 * Bitcoin Core's dust rule (policy.cpp, GetDustThreshold) at its default -dustrelayfee of 3,000 sat
 * per 1,000 vbytes: an output is dust when spending it would cost more than a third of its value.
 * bitcoinj's {@code TransactionOutput.isDust} knows only some script types (it calls any taproot or
 * unknown script never dust); this follows Core for every script: 546 sat for P2PKH, 294 for P2WPKH,
 * 330 for P2WSH and P2TR, 0 for an unspendable one.
 */
public final class Dust {
    /** Core's DUST_RELAY_TX_FEE, sat per 1,000 vbytes. */
    public static final long DUST_RELAY_FEE_PER_KVB = 3_000;
    private static final int MAX_SCRIPT_SIZE = 10_000;
    private static final int OP_RETURN = 0x6a;

    private Dust() {
    }

    /** The smallest value an output with this script may have without being dust. */
    public static Coin threshold(byte[] scriptPubKey) {
        if (unspendable(scriptPubKey)) {
            return Coin.ZERO;
        }
        long size = 8 + VarInt.sizeOf(scriptPubKey.length) + scriptPubKey.length;
        // the input that spends it: outpoint 36, scriptSig length 1, sequence 4, and its signature data
        size += witnessProgram(scriptPubKey) ? 32 + 4 + 1 + 107 / 4 + 4 : 32 + 4 + 1 + 107 + 4;
        return Coin.valueOf(DUST_RELAY_FEE_PER_KVB * size / 1000);
    }

    public static boolean isDust(Coin value, byte[] scriptPubKey) {
        return value.isLessThan(threshold(scriptPubKey));
    }

    /** Core's CScript::IsUnspendable: starts with OP_RETURN, or is too long to run. */
    public static boolean unspendable(byte[] scriptPubKey) {
        return scriptPubKey.length > 0 && (scriptPubKey[0] & 0xff) == OP_RETURN || scriptPubKey.length > MAX_SCRIPT_SIZE;
    }

    /** Core's CScript::IsWitnessProgram: a version opcode and one direct push of 2..40 bytes. */
    static boolean witnessProgram(byte[] s) {
        if (s.length < 4 || s.length > 42) {
            return false;
        }
        int v = s[0] & 0xff;
        if (v != 0 && (v < 0x51 || v > 0x60)) {
            return false;
        }
        return (s[1] & 0xff) + 2 == s.length;
    }
}
