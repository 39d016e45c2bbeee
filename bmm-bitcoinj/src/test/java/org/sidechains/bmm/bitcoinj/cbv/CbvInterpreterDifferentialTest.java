package org.sidechains.bmm.bitcoinj.cbv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sidechains.bmm.bitcoinj.Fixtures.MIN_ATOP;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sidechains.bmm.bitcoinj.Fixtures;
import org.sidechains.bmm.cbv.CbvPayload;
import org.sidechains.bmm.cbv.CbvRule;
import org.sidechains.bmm.d3.D3;

/**
 * CbvInterpreter against bitcoinj's interpreter on random scripts of pushes, conditionals, stack
 * operations, hashes and arithmetic (everything but signature checks). bitcoinj keeps OP_NOP6 a NOP;
 * to learn whether Core runs a given OP_CBV, and what it reads, that OP_CBV is replaced by
 * OP_RESERVED, which fails exactly when it runs, leaving the stack as it was there. Only scripts
 * that bitcoinj runs to a true top are scored. With every value computable, the checker must never
 * fail closed on them: its verdict and its count of satisfied OP_CBVs must be exact.
 */
class CbvInterpreterDifferentialTest {
    static final D3 D3S = Fixtures.d3();
    static final byte[] DEEP = CbvPayload.v1(Fixtures.deep()).serialize();
    static final byte[] SHALLOW = CbvPayload.v1(Fixtures.shallow()).serialize();
    static final byte[][] VALUES = {DEEP, SHALLOW, {9, 9, 9}, {}, {1}, {2}, {0x00}, {(byte) 0x80}, {0, (byte) 0x80},
        {(byte) 0x81}, {3}, {0, 0}, {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f}, {(byte) 0xff, (byte) 0xff, (byte) 0xff,
        (byte) 0xff}, {0, 0, 0, (byte) 0x80}, {(byte) 0x80, 0}};
    static final Set<Script.VerifyFlag> FLAGS = EnumSet.of(Script.VerifyFlag.P2SH);
    /** Conditionals (twice, to nest), stack operations, OP_SIZE/EQUAL/VERIFY, hashes, arithmetic, and opcodes that fail the script. */
    static final int[] OPS = {0x63, 0x64, 0x67, 0x68, 0x63, 0x67, 0x68, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72,
        0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x82, 0x87, 0x88, 0x69, 0x61, 0xab, 0x4f,
        0x51, 0x52, 0x00, 0x6a, 0x50, 0x62,
        0x8b, 0x8c, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x94, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4,
        0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa};

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void agreesWithAFullInterpreter(long seed) {
        Random r = new Random(seed);
        int valid = 0;
        int withCbvRun = 0;
        List<String> wrong = new ArrayList<>();
        for (int it = 0; it < 60_000; it++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            List<Integer> cbvAt = new ArrayList<>();
            int n = 1 + r.nextInt(16);
            for (int k = 0; k < n; k++) {
                int pick = r.nextInt(10);
                if (pick < 3) {
                    push(out, VALUES[r.nextInt(VALUES.length)], r.nextInt(6) == 0);
                } else if (pick < 5) {
                    cbvAt.add(out.size());
                    out.write(RawScript.OP_CBV);
                } else {
                    out.write(OPS[r.nextInt(OPS.length)]);
                }
            }
            if (cbvAt.isEmpty()) {
                continue;
            }
            byte[] script = out.toByteArray();
            List<byte[]> init = new ArrayList<>();
            for (int k = r.nextInt(5); k > 0; k--) {
                init.add(VALUES[r.nextInt(VALUES.length)]);
            }
            LinkedList<byte[]> end = run(script, init);
            if (end == null || end.isEmpty() || !castToBool(end.getLast())) {
                continue; // Core fails this script: no valid spend to judge
            }
            valid++;
            int ran = 0;
            boolean unsatisfied = false;
            for (int pos : cbvAt) {
                byte[] marked = script.clone();
                marked[pos] = 0x50; // OP_RESERVED
                LinkedList<byte[]> there = new LinkedList<>(init);
                try {
                    Script.executeScript(null, 0, Script.parse(marked), there, FLAGS);
                } catch (ScriptException e) {
                    ran++;
                    unsatisfied |= !CbvRule.satisfied(there.isEmpty() ? null : there.getLast(), D3S, MIN_ATOP);
                }
            }
            CbvCheck expected = unsatisfied ? null : ran == 0 ? CbvCheck.NO_CBV : new CbvCheck.Satisfied(ran);
            CbvCheck got = CbvInterpreter.evaluate(script, new ArrayList<>(init), D3S, MIN_ATOP, "fuzz");
            if (ran > 0) {
                withCbvRun++;
            }
            boolean agrees = unsatisfied ? got instanceof CbvCheck.Unsatisfied : got.equals(expected);
            if (!agrees && wrong.size() < 10) {
                wrong.add(HexFormat.of().formatHex(script) + " from " + hex(init) + ": expected "
                        + (unsatisfied ? "Unsatisfied" : expected) + ", got " + got);
            }
        }
        assertEquals(List.of(), wrong);
        // the run must have judged a fair number of scripts that run an OP_CBV
        assertTrue(valid > 3_000 && withCbvRun > 1_000, "valid " + valid + ", with an OP_CBV run " + withCbvRun);
    }

    /** bitcoinj's run of the script (OP_NOP6 a NOP), or null if it fails. */
    static LinkedList<byte[]> run(byte[] script, List<byte[]> init) {
        LinkedList<byte[]> stack = new LinkedList<>(init);
        try {
            Script.executeScript(null, 0, Script.parse(script), stack, FLAGS);
            return stack;
        } catch (ScriptException | IllegalStateException | IllegalArgumentException e) {
            return null;
        }
    }

    static void push(ByteArrayOutputStream out, byte[] v, boolean pushData1) {
        if (pushData1) {
            out.write(0x4c);
            out.write(v.length);
        } else if (v.length == 0) {
            out.write(0);
            return;
        } else {
            out.write(v.length);
        }
        out.write(v, 0, v.length);
    }

    static boolean castToBool(byte[] v) {
        for (int i = 0; i < v.length; i++) {
            if (v[i] != 0) {
                return !(i == v.length - 1 && v[i] == (byte) 0x80);
            }
        }
        return false;
    }

    static String hex(List<byte[]> items) {
        return items.stream().map(HexFormat.of()::formatHex).toList().toString();
    }
}
