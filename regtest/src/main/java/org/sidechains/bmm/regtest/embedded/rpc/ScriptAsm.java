package org.sidechains.bmm.regtest.embedded.rpc;

import java.util.HexFormat;
import java.util.Map;
import org.bitcoinj.script.ScriptOpCodes;
import org.sidechains.bmm.bitcoinj.tx.KeySpendVerifier;

/**
 * bitcoind's ScriptToAsmStr: pushes of up to 4 bytes as script numbers, longer ones as hex (in a
 * scriptSig, a push that is a strictly encoded signature with a known sighash type ends in
 * "[ALL]" etc.), opcodes by name, "[error]" where a push is cut short.
 */
final class ScriptAsm {
    private static final HexFormat HEX = HexFormat.of();
    private static final Map<Integer, String> SIGHASH = Map.of(0x01, "ALL", 0x81, "ALL|ANYONECANPAY", 0x02, "NONE",
            0x82, "NONE|ANYONECANPAY", 0x03, "SINGLE", 0x83, "SINGLE|ANYONECANPAY");

    private ScriptAsm() {
    }

    static String of(byte[] script) {
        return of(script, false);
    }

    static String of(byte[] script, boolean attemptSighashDecode) {
        ScriptOps parsed = ScriptOps.parse(script);
        boolean unspendable = (script.length > 0 && (script[0] & 0xff) == ScriptOpCodes.OP_RETURN) || script.length > 10_000;
        StringBuilder s = new StringBuilder();
        for (ScriptOps.Op op : parsed.ops()) {
            if (s.length() > 0) {
                s.append(' ');
            }
            if (!op.isPush()) {
                s.append(OpNames.name(op.opcode()));
                continue;
            }
            byte[] data = op.data().orElseThrow();
            if (data.length <= 4) {
                s.append(scriptNum(data));
            } else if (attemptSighashDecode && !unspendable && KeySpendVerifier.validDer(data)
                    && SIGHASH.containsKey(data[data.length - 1] & 0xff)) {
                s.append(HEX.formatHex(data, 0, data.length - 1)).append('[')
                        .append(SIGHASH.get(data[data.length - 1] & 0xff)).append(']');
            } else {
                s.append(HEX.formatHex(data));
            }
        }
        if (parsed.truncated()) {
            if (s.length() > 0) {
                s.append(' ');
            }
            s.append("[error]");
        }
        return s.toString();
    }

    /** CScriptNum(data, false).getint(): little-endian sign-magnitude. */
    static long scriptNum(byte[] data) {
        if (data.length == 0) {
            return 0;
        }
        long v = 0;
        for (int i = 0; i < data.length; i++) {
            v |= (long) (data[i] & 0xff) << (8 * i);
        }
        int last = data.length - 1;
        if ((data[last] & 0x80) != 0) {
            return -(v & ~(0x80L << (8 * last)));
        }
        return v;
    }
}
