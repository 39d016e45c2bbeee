package org.sidechains.bmm.regtest.embedded.rpc;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bitcoinj.script.ScriptOpCodes;

/**
 * A script cut into operations as bitcoind's {@code CScript::GetOp} does, tolerating what bitcoinj's
 * parser refuses: a truncated push ends the list and is reported as such (bitcoind prints
 * "[error]" there).
 */
record ScriptOps(List<Op> ops, boolean truncated) {

    /** One operation; {@code data} is empty (not absent) for ScriptOpCodes.OP_0, absent for non-push opcodes. */
    record Op(int opcode, Optional<byte[]> data) {
        boolean isPush() {
            return opcode <= ScriptOpCodes.OP_PUSHDATA4;
        }
    }

    ScriptOps {
        ops = List.copyOf(ops);
    }

    static ScriptOps parse(byte[] script) {
        List<Op> ops = new ArrayList<>();
        int pc = 0;
        while (pc < script.length) {
            int opcode = script[pc++] & 0xff;
            if (opcode > ScriptOpCodes.OP_PUSHDATA4) {
                ops.add(new Op(opcode, Optional.empty()));
                continue;
            }
            long size;
            if (opcode < ScriptOpCodes.OP_PUSHDATA1) {
                size = opcode;
            } else {
                int n = opcode == ScriptOpCodes.OP_PUSHDATA1 ? 1 : opcode == ScriptOpCodes.OP_PUSHDATA2 ? 2 : 4;
                if (script.length - pc < n) {
                    return new ScriptOps(ops, true);
                }
                size = 0;
                for (int i = 0; i < n; i++) {
                    size |= (long) (script[pc + i] & 0xff) << (8 * i);
                }
                pc += n;
            }
            if (script.length - pc < size) {
                return new ScriptOps(ops, true);
            }
            byte[] data = new byte[(int) size];
            System.arraycopy(script, pc, data, 0, (int) size);
            pc += (int) size;
            ops.add(new Op(opcode, Optional.of(data)));
        }
        return new ScriptOps(ops, false);
    }

    /** bitcoind's IsPushOnly from operation {@code from} on: every operation is a push or ScriptOpCodes.OP_1NEGATE..OP_16. */
    boolean pushOnlyFrom(int from) {
        if (truncated) {
            return false;
        }
        for (int i = from; i < ops.size(); i++) {
            if (ops.get(i).opcode() > ScriptOpCodes.OP_16) {
                return false;
            }
        }
        return true;
    }
}
