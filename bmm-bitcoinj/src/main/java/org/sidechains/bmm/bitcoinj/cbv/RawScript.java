package org.sidechains.bmm.bitcoinj.cbv;

import static org.bitcoinj.script.ScriptOpCodes.OP_0;
import static org.bitcoinj.script.ScriptOpCodes.OP_1;
import static org.bitcoinj.script.ScriptOpCodes.OP_16;
import static org.bitcoinj.script.ScriptOpCodes.OP_1NEGATE;
import static org.bitcoinj.script.ScriptOpCodes.OP_PUSHDATA1;
import static org.bitcoinj.script.ScriptOpCodes.OP_PUSHDATA2;
import static org.bitcoinj.script.ScriptOpCodes.OP_PUSHDATA4;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.script.ScriptOpCodes;
import org.bouncycastle.crypto.digests.RIPEMD160Digest;

/**
 * Reading raw script bytes without bitcoinj's {@code Script} (no chunk objects: this runs for every
 * input of every block). Opcodes are read the way Bitcoin Core's GetScriptOp reads them: a push
 * that runs past the end stops the walk (Core fails the script at that point).
 */
public final class RawScript {
    /** OP_CheckBribeVerify redefines OP_NOP6 (protocol.md). */
    static final int OP_CBV = ScriptOpCodes.OP_NOP6;

    private RawScript() {
    }

    /**
     * Index just past the push data of the push opcode at {@code pc} (whose opcode is {@code op},
     * 0x00..0x4e), or -1 if the push runs past the end. {@code dataStart[0]} receives where its data starts.
     */
    public static int pushEnd(byte[] s, int pc, int op, int[] dataStart) {
        int p = pc + 1;
        long n;
        if (op < OP_PUSHDATA1) {
            n = op;
        } else if (op == OP_PUSHDATA1) {
            if (p + 1 > s.length) {
                return -1;
            }
            n = s[p] & 0xFF;
            p += 1;
        } else if (op == OP_PUSHDATA2) {
            if (p + 2 > s.length) {
                return -1;
            }
            n = (s[p] & 0xFF) | (s[p + 1] & 0xFF) << 8;
            p += 2;
        } else {
            if (p + 4 > s.length) {
                return -1;
            }
            n = (s[p] & 0xFFL) | (s[p + 1] & 0xFFL) << 8 | (s[p + 2] & 0xFFL) << 16 | (s[p + 3] & 0xFFL) << 24;
            p += 4;
        }
        if (p + n > s.length) {
            return -1;
        }
        dataStart[0] = p;
        return (int) (p + n);
    }

    /** Index of the last OP_CBV (0xb5) that is an opcode (not push data) of {@code s}, or -1. */
    static int lastCbvOpcode(byte[] s) {
        int last = -1;
        int[] tmp = new int[1];
        int pc = 0;
        while (pc < s.length) {
            int op = s[pc] & 0xFF;
            if (op <= OP_PUSHDATA4) {
                pc = pushEnd(s, pc, op, tmp);
                if (pc < 0) {
                    break;
                }
            } else {
                if (op == OP_CBV) {
                    last = pc;
                }
                pc++;
            }
        }
        return last;
    }

    /**
     * The items a push-only script leaves on the stack, or null if it is not push-only (anything
     * but OP_0, direct pushes, OP_PUSHDATA1/2/4, OP_1NEGATE, OP_1..OP_16) or malformed.
     */
    static List<byte[]> pushesOrNull(byte[] s) {
        List<byte[]> items = new ArrayList<>(4);
        int[] start = new int[1];
        int pc = 0;
        while (pc < s.length) {
            int op = s[pc] & 0xFF;
            if (op <= OP_PUSHDATA4) {
                int end = pushEnd(s, pc, op, start);
                if (end < 0) {
                    return null;
                }
                items.add(Arrays.copyOfRange(s, start[0], end));
                pc = end;
            } else if (op == OP_1NEGATE) {
                items.add(new byte[] {(byte) 0x81});
                pc++;
            } else if (op >= OP_1 && op <= OP_16) {
                items.add(new byte[] {(byte) (op - OP_1 + 1)});
                pc++;
            } else {
                return null;
            }
        }
        return items;
    }

    /** BIP141: the witness version (0..16) if {@code spk} is a witness program, else -1. */
    static int witnessVersion(byte[] spk) {
        if (spk.length < 4 || spk.length > 42) {
            return -1;
        }
        int v = spk[0] & 0xFF;
        if (v != OP_0 && (v < OP_1 || v > OP_16)) {
            return -1;
        }
        if ((spk[1] & 0xFF) + 2 != spk.length) {
            return -1;
        }
        return v == OP_0 ? 0 : v - OP_1 + 1;
    }

    /** The program of a witness program (bytes 2..). */
    static byte[] witnessProgram(byte[] spk) {
        return Arrays.copyOfRange(spk, 2, spk.length);
    }

    /** BIP16: {@code OP_HASH160 <20 bytes> OP_EQUAL}. */
    static boolean isP2SH(byte[] spk) {
        return spk.length == 23 && (spk[0] & 0xFF) == 0xa9 && spk[1] == 0x14 && (spk[22] & 0xFF) == 0x87;
    }

    static byte[] ripemd160(byte[] data) {
        RIPEMD160Digest d = new RIPEMD160Digest();
        d.update(data, 0, data.length);
        byte[] out = new byte[20];
        d.doFinal(out, 0);
        return out;
    }

    /** RIPEMD160(SHA256(data)): OP_HASH160, and what a P2SH output commits to. */
    static byte[] hash160(byte[] data) {
        return ripemd160(Sha256Hash.hash(data));
    }
}
