package org.sidechains.bmm.bitcoinj.cbv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sidechains.bmm.bitcoinj.Fixtures.MIN_ATOP;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bitcoinj.script.ScriptBuilder;
import org.bitcoinj.script.ScriptOpCodes;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.bitcoinj.Fixtures;
import org.sidechains.bmm.cbv.CbvPayload;
import org.sidechains.bmm.d3.D3;

/** The symbolic walk: exact where it models the opcode, failing closed where it does not. */
class CbvInterpreterTest {
    static final D3 D3_STATE = Fixtures.d3();
    static final byte[] DEEP = CbvPayload.v1(Fixtures.deep()).serialize();
    static final byte[] SHALLOW = CbvPayload.v1(Fixtures.shallow()).serialize();
    static final Object CBV = ScriptOpCodes.OP_NOP6;

    /** A script from byte[] (minimal push) and Integer (opcode) parts. */
    static byte[] script(Object... parts) {
        ScriptBuilder b = new ScriptBuilder();
        for (Object p : parts) {
            if (p instanceof byte[] d) {
                b.data(d);
            } else {
                int op = (Integer) p;
                if (op >= ScriptOpCodes.OP_1 && op <= ScriptOpCodes.OP_16 || op == ScriptOpCodes.OP_0) {
                    b.smallNum(op == 0 ? 0 : op - ScriptOpCodes.OP_1 + 1);
                } else {
                    b.op(op);
                }
            }
        }
        return b.build().program();
    }

    static CbvCheck run(byte[] script, byte[]... stack) {
        return CbvInterpreter.evaluate(script, new ArrayList<>(Arrays.asList(stack)), D3_STATE, MIN_ATOP, "test");
    }

    static void satisfied(int n, CbvCheck c) {
        assertEquals(new CbvCheck.Satisfied(n), c);
    }

    static String unsatisfied(CbvCheck c) {
        return assertInstanceOf(CbvCheck.Unsatisfied.class, c).detail();
    }

    @Test
    void readsTheTopWithoutPopping() {
        satisfied(1, run(script(DEEP, CBV)));
        satisfied(2, run(script(DEEP, CBV, CBV, ScriptOpCodes.OP_DROP)));
        unsatisfied(run(script(SHALLOW, CBV)));
        assertTrue(unsatisfied(run(script(CBV))).contains("empty stack"));
        unsatisfied(run(script(new byte[0], CBV))); // an empty item has no version
    }

    @Test
    void stackOperationsAreExact() {
        satisfied(1, run(script(SHALLOW, DEEP, CBV)));
        unsatisfied(run(script(DEEP, SHALLOW, CBV)));
        satisfied(1, run(script(DEEP, SHALLOW, ScriptOpCodes.OP_SWAP, CBV)));
        satisfied(1, run(script(DEEP, ScriptOpCodes.OP_TOALTSTACK, SHALLOW, ScriptOpCodes.OP_FROMALTSTACK, CBV)));
        satisfied(1, run(script(DEEP, SHALLOW, ScriptOpCodes.OP_OVER, CBV)));
        satisfied(1, run(script(DEEP, SHALLOW, ScriptOpCodes.OP_DROP, CBV)));
        satisfied(1, run(script(SHALLOW, DEEP, ScriptOpCodes.OP_NIP, CBV)));
        satisfied(1, run(script(DEEP, SHALLOW, SHALLOW, ScriptOpCodes.OP_ROT, CBV)));
        satisfied(1, run(script(DEEP, SHALLOW, SHALLOW, ScriptOpCodes.OP_2, ScriptOpCodes.OP_PICK, CBV)));
        satisfied(1, run(script(DEEP, SHALLOW, SHALLOW, ScriptOpCodes.OP_2, ScriptOpCodes.OP_ROLL, CBV)));
        satisfied(1, run(script(SHALLOW, DEEP, ScriptOpCodes.OP_TUCK, ScriptOpCodes.OP_2DROP, CBV)));
        satisfied(1, run(script(DEEP, SHALLOW, SHALLOW, SHALLOW, ScriptOpCodes.OP_2SWAP, ScriptOpCodes.OP_DROP, CBV)));
        satisfied(1, run(script(DEEP, SHALLOW, SHALLOW, SHALLOW, SHALLOW, SHALLOW, ScriptOpCodes.OP_2ROT,
                ScriptOpCodes.OP_DROP, CBV)));
        satisfied(1, run(script(DEEP, ScriptOpCodes.OP_DUP, CBV)));
        satisfied(1, run(script(SHALLOW, DEEP, ScriptOpCodes.OP_2DUP, CBV)));
        satisfied(1, run(script(DEEP, SHALLOW, SHALLOW, ScriptOpCodes.OP_3DUP, ScriptOpCodes.OP_2DROP, CBV)));
        // the initial stack (witness items) is known too
        satisfied(1, run(script(CBV), DEEP));
        satisfied(1, run(script(ScriptOpCodes.OP_DEPTH, ScriptOpCodes.OP_2, ScriptOpCodes.OP_EQUALVERIFY, ScriptOpCodes.OP_1,
                ScriptOpCodes.OP_PICK, CBV), DEEP, SHALLOW));
        // results the checker does not compute (signature checks) are unknown: reading one fails closed
        assertTrue(unsatisfied(run(script(ScriptOpCodes.OP_CHECKSIG, CBV), new byte[] {1}, new byte[] {2}))
                .contains("does not compute"));
        satisfied(1, run(script(ScriptOpCodes.OP_CHECKSIGVERIFY, CBV), DEEP, new byte[] {1}, new byte[] {2}));
        unsatisfied(run(script(ScriptOpCodes.OP_CHECKSIG, CBV), DEEP, new byte[] {1}, new byte[] {2}));
    }

    @Test
    void branchesFollowBitcoinsRules() {
        // OP_IF on a known false skips its OP_CBV; OP_ELSE runs
        CbvCheck c = run(script(ScriptOpCodes.OP_IF, SHALLOW, CBV, ScriptOpCodes.OP_ELSE, DEEP, CBV,
                ScriptOpCodes.OP_ENDIF), new byte[0]);
        satisfied(1, c);
        unsatisfied(run(script(ScriptOpCodes.OP_IF, SHALLOW, CBV, ScriptOpCodes.OP_ELSE, DEEP, CBV,
                ScriptOpCodes.OP_ENDIF), new byte[] {1}));
        satisfied(1, run(script(ScriptOpCodes.OP_NOTIF, DEEP, CBV, ScriptOpCodes.OP_ENDIF), new byte[0]));
        assertEquals(CbvCheck.NO_CBV, run(script(ScriptOpCodes.OP_NOTIF, SHALLOW, CBV, ScriptOpCodes.OP_ENDIF),
                new byte[] {0, 1}));
        // negative zero is false (CastToBool)
        assertEquals(CbvCheck.NO_CBV, run(script(ScriptOpCodes.OP_IF, SHALLOW, CBV, ScriptOpCodes.OP_ENDIF),
                new byte[] {0, (byte) 0x80}));
        // nested: an inner branch under a false outer one never runs, whatever its condition
        assertEquals(CbvCheck.NO_CBV, run(script(ScriptOpCodes.OP_0, ScriptOpCodes.OP_IF, ScriptOpCodes.OP_1,
                ScriptOpCodes.OP_IF, SHALLOW, CBV, ScriptOpCodes.OP_ENDIF, ScriptOpCodes.OP_ENDIF)));
        satisfied(1, run(script(ScriptOpCodes.OP_0, ScriptOpCodes.OP_IF, ScriptOpCodes.OP_1, ScriptOpCodes.OP_IF,
                SHALLOW, CBV, ScriptOpCodes.OP_ENDIF, ScriptOpCodes.OP_ELSE, DEEP, CBV, ScriptOpCodes.OP_ENDIF)));
        // a known OP_EQUAL decides a branch
        satisfied(1, run(script(ScriptOpCodes.OP_2, ScriptOpCodes.OP_EQUAL, ScriptOpCodes.OP_IF, DEEP, CBV,
                ScriptOpCodes.OP_ELSE, SHALLOW, CBV, ScriptOpCodes.OP_ENDIF), new byte[] {2}));
        // unmodelled opcodes in a branch not taken are fine (they never run)
        satisfied(1, run(script(ScriptOpCodes.OP_0, ScriptOpCodes.OP_IF, ScriptOpCodes.OP_RETURN, 0xba,
                ScriptOpCodes.OP_ENDIF, DEEP, CBV)));
        // only the part up to the last OP_CBV matters
        satisfied(1, run(script(DEEP, CBV, ScriptOpCodes.OP_RETURN)));
    }

    @Test
    void hashesAndArithmeticAreComputed() {
        // an HTLC-like payout: the preimage takes the OP_CBV branch, anything else the other one
        byte[] preimage = new byte[32];
        Arrays.fill(preimage, (byte) 7);
        byte[] htlc = script(ScriptOpCodes.OP_SHA256, org.bitcoinj.base.Sha256Hash.hash(preimage), ScriptOpCodes.OP_EQUAL,
                ScriptOpCodes.OP_IF, SHALLOW, CBV, ScriptOpCodes.OP_DROP, ScriptOpCodes.OP_ELSE, ScriptOpCodes.OP_1,
                ScriptOpCodes.OP_ENDIF);
        assertEquals(CbvCheck.NO_CBV, run(htlc, new byte[] {1}));
        assertTrue(unsatisfied(run(htlc, preimage)).contains("is unsatisfied"));
        // OP_HASH160 (the P2SH hash), and the other hashes, on known values
        satisfied(1, run(script(ScriptOpCodes.OP_HASH160, RawScript.hash160(DEEP), ScriptOpCodes.OP_EQUALVERIFY, DEEP,
                CBV), DEEP));
        // script numbers: 2 + 3 == 5 (OP_NUMEQUAL pushes 1), -1 < 0, 1 within [0, 2), and OP_NOT of 0 is 1
        satisfied(1, run(script(ScriptOpCodes.OP_2, ScriptOpCodes.OP_3, ScriptOpCodes.OP_ADD, ScriptOpCodes.OP_5,
                ScriptOpCodes.OP_NUMEQUAL, ScriptOpCodes.OP_IF, DEEP, CBV, ScriptOpCodes.OP_ELSE, SHALLOW, CBV,
                ScriptOpCodes.OP_ENDIF)));
        satisfied(1, run(script(ScriptOpCodes.OP_1NEGATE, ScriptOpCodes.OP_0, ScriptOpCodes.OP_LESSTHAN,
                ScriptOpCodes.OP_1, ScriptOpCodes.OP_0, ScriptOpCodes.OP_2, ScriptOpCodes.OP_WITHIN, ScriptOpCodes.OP_BOOLAND,
                ScriptOpCodes.OP_0, ScriptOpCodes.OP_NOT, ScriptOpCodes.OP_NUMEQUALVERIFY, DEEP, CBV)));
        // negative results are encoded with the sign bit: 0 - 1 == OP_1NEGATE's 0x81
        satisfied(1, run(script(ScriptOpCodes.OP_0, ScriptOpCodes.OP_1, ScriptOpCodes.OP_SUB, new byte[] {(byte) 0x81},
                ScriptOpCodes.OP_EQUALVERIFY, DEEP, CBV)));
    }

    @Test
    void unknownBranchConditionFailsClosed() {
        // a real run with a bad signature would skip the OP_CBV; the checker cannot know, so it counts
        byte[] s = script(ScriptOpCodes.OP_CHECKSIG, ScriptOpCodes.OP_IF, SHALLOW, CBV, ScriptOpCodes.OP_DROP,
                ScriptOpCodes.OP_ENDIF, ScriptOpCodes.OP_1);
        String d = unsatisfied(run(s, new byte[] {1}, new byte[] {2}));
        assertTrue(d.contains("cannot follow") && d.contains("branch depends"), d);
        // failing closed, a literal payload right before the OP_CBV is still evaluated
        satisfied(1, run(script(ScriptOpCodes.OP_CHECKSIG, ScriptOpCodes.OP_IF, DEEP, CBV, ScriptOpCodes.OP_DROP,
                ScriptOpCodes.OP_ENDIF, ScriptOpCodes.OP_1), new byte[] {1}, new byte[] {2}));
        // ... even an OP_CBV in the other branch
        unsatisfied(run(script(ScriptOpCodes.OP_CHECKSIG, ScriptOpCodes.OP_IF, DEEP, CBV, ScriptOpCodes.OP_ELSE,
                SHALLOW, CBV, ScriptOpCodes.OP_ENDIF), new byte[] {1}, new byte[] {2}));
    }

    @Test
    void unmodelledOrFailingOpcodesFailClosed() {
        // OP_IFDUP of an unknown: the stack shape is unknown
        byte[][] sigAndKey = {new byte[] {1}, new byte[] {2}};
        String d = unsatisfied(run(script(ScriptOpCodes.OP_CHECKSIG, ScriptOpCodes.OP_IFDUP, SHALLOW, CBV), sigAndKey));
        assertTrue(d.contains("cannot follow"), d);
        satisfied(1, run(script(ScriptOpCodes.OP_CHECKSIG, ScriptOpCodes.OP_IFDUP, DEEP, CBV), sigAndKey));
        // an opcode that fails when it runs (0xba, OP_CHECKSIGADD, is tapscript-only)
        assertTrue(unsatisfied(run(script(0xba, SHALLOW, CBV))).contains("0xba"));
        // a disabled opcode fails the script even in a branch not taken
        assertTrue(unsatisfied(run(script(ScriptOpCodes.OP_0, ScriptOpCodes.OP_IF, ScriptOpCodes.OP_CAT,
                ScriptOpCodes.OP_ENDIF, SHALLOW, CBV))).contains("disabled"));
        // stack underflow
        assertTrue(unsatisfied(run(script(ScriptOpCodes.OP_DROP, SHALLOW, CBV))).contains("underflow"));
        // OP_PICK with an unknown index
        unsatisfied(run(script(ScriptOpCodes.OP_CHECKSIG, ScriptOpCodes.OP_PICK, SHALLOW, CBV), DEEP, new byte[] {1},
                new byte[] {2}));
        // an arithmetic operand over 4 bytes fails the script, as in Core
        assertTrue(unsatisfied(run(script(ScriptOpCodes.OP_1ADD, SHALLOW, CBV), new byte[5])).contains("4-byte"));
    }

    @Test
    void failingClosedAnOpCbvNotRightAfterAPushIsUnsatisfied() {
        // exact mode follows the OP_DUP ...
        satisfied(1, run(script(DEEP, ScriptOpCodes.OP_DUP, CBV)));
        // ... failing closed does not: only a literal push right before counts
        String d = unsatisfied(run(script(ScriptOpCodes.OP_CHECKSIG, ScriptOpCodes.OP_IF, ScriptOpCodes.OP_ENDIF,
                DEEP, ScriptOpCodes.OP_DUP, CBV), new byte[] {1}, new byte[] {2}));
        assertTrue(d.contains("does not come right after a push"), d);
        // a small-number literal counts: OP_3 pushes version 3, an unknown version, which succeeds
        satisfied(1, CbvInterpreter.failClosed(script(ScriptOpCodes.OP_3, CBV), "test", D3_STATE, MIN_ATOP, "test"));
    }

    @Test
    void malformedScript() {
        // a push running past the end: OP_CBVs before it still count (failing closed); none after it exist
        byte[] s = concat(script(SHALLOW, CBV), new byte[] {0x4c, 0x10, 1, 2});
        assertTrue(unsatisfied(run(s)).contains("unsatisfied"));
        byte[] t = concat(script(DEEP, CBV), new byte[] {0x4c, 0x10, 1, 2});
        satisfied(1, run(t));
        // a truncated push hiding 0xb5 is no opcode
        assertEquals(CbvCheck.NO_CBV, run(new byte[] {0x4c, 0x10, (byte) 0xb5}));
    }

    @Test
    void unknownPayloadVersionSucceedsWithEmptyD3() {
        byte[] v9 = new byte[] {9, 9, 9};
        assertEquals(new CbvCheck.Satisfied(1), CbvInterpreter.evaluate(script(v9, CBV), List.of(),
                Fixtures.emptyD3(), MIN_ATOP, "test"));
        unsatisfied(CbvInterpreter.evaluate(script(DEEP, CBV), List.of(), Fixtures.emptyD3(), MIN_ATOP, "test"));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
