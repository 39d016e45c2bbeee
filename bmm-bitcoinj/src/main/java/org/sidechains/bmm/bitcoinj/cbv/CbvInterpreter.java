package org.sidechains.bmm.bitcoinj.cbv;

import static org.bitcoinj.script.ScriptOpCodes.OP_1;
import static org.bitcoinj.script.ScriptOpCodes.OP_16;
import static org.bitcoinj.script.ScriptOpCodes.OP_1NEGATE;
import static org.sidechains.bmm.bitcoinj.cbv.RawScript.OP_CBV;
import static org.bitcoinj.script.ScriptOpCodes.OP_PUSHDATA4;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bitcoinj.base.Sha256Hash;
import org.sidechains.bmm.cbv.CbvPayload;
import org.sidechains.bmm.cbv.CbvRule;
import org.sidechains.bmm.d3.D3View;

/**
 * Runs one executed script symbolically to find which OP_CBVs run and what they read, beside
 * bitcoinj's interpreter (which has no opcode extension point and keeps treating OP_NOP6 as a NOP,
 * the old-rule result).
 *
 * <p>The stack holds known values or unknowns (results the checker does not compute: of signature
 * checks, and of anything computed from an unknown). Pushes, stack shuffles, hashes and script-number
 * arithmetic are exact, as in Core's interpreter; IF/NOTIF/ELSE/ENDIF follow Bitcoin's rules, a known
 * condition deciding the branch. An OP_CBV that runs reads the top item without
 * popping it and is evaluated with {@link CbvRule}; an empty stack or an unknown top fails it.
 * Only the part of the script up to its last OP_CBV is walked: what comes after cannot change
 * whether those ran.
 *
 * <p>Where it cannot follow (a branch decided by an unknown value, an opcode it does not model or
 * that fails the script, a stack underflow, a malformed script, Bitcoin's size limits) it fails
 * closed (protocol.md): every OP_CBV of the script counts as run, each reading the item pushed
 * right before it if that opcode is a literal push, and is unsatisfied otherwise. That is
 * deterministic and never weaker than the real script, whose failure would void the spend anyway.
 */
public final class CbvInterpreter {
    /** Bitcoin's limits (consensus): beyond them the script fails, so the checker fails closed. */
    static final int MAX_SCRIPT_SIZE = 10_000;
    static final int MAX_ELEMENT_SIZE = 520;
    static final int MAX_OPS = 201;
    static final int MAX_STACK = 1000;

    private CbvInterpreter() {
    }

    /**
     * Evaluates the OP_CBVs of {@code script}, run from {@code initialStack} (bottom first; entries
     * are known values).
     *
     * @param where names the script in details, e.g. "P2WSH witnessScript"
     */
    public static CbvCheck evaluate(byte[] script, List<byte[]> initialStack, D3View d3, int minBlocksAtop,
                                    String where) {
        int lastCbv = RawScript.lastCbvOpcode(script);
        if (lastCbv < 0) {
            return CbvCheck.NO_CBV; // the fast path: most scripts hold no OP_CBV opcode
        }
        try {
            return new Walk(script, initialStack, lastCbv, d3, minBlocksAtop, where).run();
        } catch (CannotFollow e) {
            return failClosed(script, e.getMessage(), d3, minBlocksAtop, where);
        }
    }

    /**
     * The fail-closed reading: every OP_CBV of {@code script} counts as run and reads the item
     * pushed right before it if that opcode is a literal push (OP_0, a data push, OP_1NEGATE,
     * OP_1..OP_16); without one it is unsatisfied.
     */
    public static CbvCheck failClosed(byte[] script, String why, D3View d3, int minBlocksAtop, String where) {
        int[] start = new int[1];
        byte[] literal = null;
        int evaluated = 0;
        int pc = 0;
        while (pc < script.length) {
            int at = pc;
            int op = script[pc] & 0xFF;
            if (op <= OP_PUSHDATA4) {
                int end = RawScript.pushEnd(script, pc, op, start);
                if (end < 0) {
                    break; // Core stops (and fails) here: no OP_CBV beyond
                }
                literal = Arrays.copyOfRange(script, start[0], end);
                pc = end;
                continue;
            }
            pc++;
            if (op == OP_CBV) {
                String prefix = where + ": cannot follow the script (" + why + "), so every OP_CBV counts as run; "
                        + "the OP_CBV at byte " + at;
                if (literal == null) {
                    return new CbvCheck.Unsatisfied(prefix + " does not come right after a push");
                }
                if (!CbvRule.satisfied(literal, d3, minBlocksAtop)) {
                    return new CbvCheck.Unsatisfied(prefix + " is unsatisfied: " + describe(literal, minBlocksAtop));
                }
                evaluated++;
            }
            literal = smallLiteral(op);
        }
        return evaluated > 0 ? new CbvCheck.Satisfied(evaluated) : CbvCheck.NO_CBV;
    }

    /** The value OP_1NEGATE / OP_1..OP_16 push, else null. */
    private static byte[] smallLiteral(int op) {
        if (op == OP_1NEGATE) {
            return new byte[] {(byte) 0x81};
        }
        if (op >= OP_1 && op <= OP_16) {
            return new byte[] {(byte) (op - OP_1 + 1)};
        }
        return null;
    }

    /** Why a payload is not satisfied, in words. */
    static String describe(byte[] item, int minBlocksAtop) {
        CbvPayload p = CbvPayload.parse(item);
        if (p instanceof CbvPayload.V1 v1) {
            return "no D3 entry for chain " + v1.miniHeader().chain() + ", h* " + v1.miniHeader().hStar()
                    + ", prevBlockRef " + v1.miniHeader().prevBlockRef() + " with " + minBlocksAtop
                    + " or more blocksAtop";
        }
        if (p instanceof CbvPayload.V2 v2) {
            return "no D3 entry for chain " + v2.chain() + ", h* " + v2.hStar() + " with prevSideBlockHash "
                    + v2.prevSideBlockHash() + " and " + minBlocksAtop + " or more blocksAtop";
        }
        if (p instanceof CbvPayload.Malformed m) {
            return "malformed payload (" + m.why() + ")";
        }
        return String.valueOf(p);
    }

    /** Stops the walk: the checker fails closed. No stack trace: it is an expected outcome. */
    private static final class CannotFollow extends RuntimeException {
        CannotFollow(String why) {
            super(why, null, false, false);
        }
    }

    /** One symbolic run. Unknown stack items are {@code null}. */
    private static final class Walk {
        private static final byte[] TRUE = {1};
        private static final byte[] FALSE = {};

        private final byte[] s;
        private final int lastCbv;
        private final D3View d3;
        private final int minBlocksAtop;
        private final String where;
        private final ArrayList<byte[]> stack;
        private final ArrayList<byte[]> alt = new ArrayList<>();
        private boolean[] cond = new boolean[8];
        private int condDepth;
        private int falses;
        private int at;

        Walk(byte[] script, List<byte[]> initialStack, int lastCbv, D3View d3, int minBlocksAtop, String where) {
            this.s = script;
            this.lastCbv = lastCbv;
            this.d3 = d3;
            this.minBlocksAtop = minBlocksAtop;
            this.where = where;
            this.stack = new ArrayList<>(initialStack.size() + 8);
            this.stack.addAll(initialStack);
        }

        CbvCheck run() {
            if (s.length > MAX_SCRIPT_SIZE) {
                throw new CannotFollow("script larger than " + MAX_SCRIPT_SIZE + " bytes");
            }
            if (stack.size() > MAX_STACK) {
                throw new CannotFollow("more than " + MAX_STACK + " stack items");
            }
            int[] start = new int[1];
            int ops = 0;
            int evaluated = 0;
            int pc = 0;
            while (pc <= lastCbv) {
                at = pc;
                int op = s[pc] & 0xFF;
                boolean exec = falses == 0;
                if (op <= OP_PUSHDATA4) {
                    int end = RawScript.pushEnd(s, pc, op, start);
                    if (end < 0) {
                        throw new CannotFollow("a push runs past the end of the script");
                    }
                    if (end - start[0] > MAX_ELEMENT_SIZE) {
                        throw new CannotFollow("a push larger than " + MAX_ELEMENT_SIZE + " bytes");
                    }
                    if (exec) {
                        push(Arrays.copyOfRange(s, start[0], end));
                    }
                    pc = end;
                    continue;
                }
                pc++;
                if (op > OP_16 && ++ops > MAX_OPS) {
                    throw new CannotFollow("more than " + MAX_OPS + " opcodes");
                }
                if (isDisabled(op)) {
                    throw new CannotFollow("disabled opcode 0x" + Integer.toHexString(op));
                }
                if (op == 0x65 || op == 0x66) {
                    throw new CannotFollow("OP_VERIF/OP_VERNOTIF fail even in a branch not taken");
                }
                if (!exec && (op < 0x63 || op > 0x68)) {
                    continue; // not taken: only the conditionals matter
                }
                if (op == OP_CBV) {
                    String cbv = where + ": the OP_CBV at byte " + at;
                    if (stack.isEmpty()) {
                        return new CbvCheck.Unsatisfied(cbv + " runs on an empty stack");
                    }
                    byte[] top = stack.get(stack.size() - 1);
                    if (top == null) {
                        return new CbvCheck.Unsatisfied(cbv + " reads an item the checker does not compute "
                                + "(fail closed)");
                    }
                    if (!CbvRule.satisfied(top, d3, minBlocksAtop)) {
                        return new CbvCheck.Unsatisfied(cbv + " is unsatisfied: " + describe(top, minBlocksAtop));
                    }
                    evaluated++;
                    continue;
                }
                step(op);
                if (stack.size() + alt.size() > MAX_STACK) {
                    throw new CannotFollow("more than " + MAX_STACK + " stack items");
                }
            }
            return evaluated > 0 ? new CbvCheck.Satisfied(evaluated) : CbvCheck.NO_CBV;
        }

        private static boolean isDisabled(int op) {
            // OP_CAT..OP_RIGHT, OP_INVERT..OP_XOR, OP_2MUL, OP_2DIV, OP_MUL..OP_RSHIFT: fail wherever they are
            return (op >= 0x7e && op <= 0x81) || (op >= 0x83 && op <= 0x86) || op == 0x8d || op == 0x8e
                    || (op >= 0x95 && op <= 0x99);
        }

        /** One executed opcode (or a conditional in any branch) other than pushes and OP_CBV. */
        private void step(int op) {
            switch (op) {
                case OP_1NEGATE -> push(new byte[] {(byte) 0x81});
                case 0x63, 0x64 -> { // OP_IF, OP_NOTIF
                    boolean value = false;
                    if (falses == 0) {
                        need(1);
                        byte[] c = pop();
                        if (c == null) {
                            throw new CannotFollow("a branch depends on a value the checker does not compute");
                        }
                        value = castToBool(c) == (op == 0x63);
                    }
                    pushCond(value);
                }
                case 0x67 -> { // OP_ELSE
                    if (condDepth == 0) {
                        throw new CannotFollow("OP_ELSE without OP_IF");
                    }
                    boolean was = cond[condDepth - 1];
                    cond[condDepth - 1] = !was;
                    falses += was ? 1 : -1;
                }
                case 0x68 -> { // OP_ENDIF
                    if (condDepth == 0) {
                        throw new CannotFollow("OP_ENDIF without OP_IF");
                    }
                    if (!cond[--condDepth]) {
                        falses--;
                    }
                }
                case 0x61, 0xab, 0xb0, 0xb3, 0xb4, 0xb6, 0xb7, 0xb8, 0xb9 -> {
                    // OP_NOP, OP_CODESEPARATOR, OP_NOP1, OP_NOP4, OP_NOP5, OP_NOP7..OP_NOP10
                }
                case 0xb1, 0xb2 -> need(1); // CHECKLOCKTIMEVERIFY, CHECKSEQUENCEVERIFY: read, do not pop
                case 0x69 -> { // OP_VERIFY
                    need(1);
                    byte[] v = pop();
                    if (v != null && !castToBool(v)) {
                        throw new CannotFollow("OP_VERIFY fails");
                    }
                }
                case 0x6b -> { // OP_TOALTSTACK
                    need(1);
                    alt.add(pop());
                }
                case 0x6c -> { // OP_FROMALTSTACK
                    if (alt.isEmpty()) {
                        throw new CannotFollow("OP_FROMALTSTACK on an empty altstack");
                    }
                    push(alt.remove(alt.size() - 1));
                }
                case 0x6d -> { // OP_2DROP
                    need(2);
                    pop();
                    pop();
                }
                case 0x6e -> { // OP_2DUP
                    need(2);
                    push(top(2));
                    push(top(2));
                }
                case 0x6f -> { // OP_3DUP
                    need(3);
                    push(top(3));
                    push(top(3));
                    push(top(3));
                }
                case 0x70 -> { // OP_2OVER
                    need(4);
                    push(top(4));
                    push(top(4));
                }
                case 0x71 -> { // OP_2ROT: x1 x2 x3 x4 x5 x6 -> x3 x4 x5 x6 x1 x2
                    need(6);
                    byte[] x1 = stack.remove(stack.size() - 6);
                    byte[] x2 = stack.remove(stack.size() - 5);
                    push(x1);
                    push(x2);
                }
                case 0x72 -> { // OP_2SWAP: x1 x2 x3 x4 -> x3 x4 x1 x2
                    need(4);
                    swap(4, 2);
                    swap(3, 1);
                }
                case 0x73 -> { // OP_IFDUP
                    need(1);
                    byte[] v = top(1);
                    if (v == null) {
                        throw new CannotFollow("OP_IFDUP of a value the checker does not compute");
                    }
                    if (castToBool(v)) {
                        push(v);
                    }
                }
                case 0x74 -> push(num(stack.size())); // OP_DEPTH
                case 0x75 -> { // OP_DROP
                    need(1);
                    pop();
                }
                case 0x76 -> { // OP_DUP
                    need(1);
                    push(top(1));
                }
                case 0x77 -> { // OP_NIP
                    need(2);
                    stack.remove(stack.size() - 2);
                }
                case 0x78 -> { // OP_OVER
                    need(2);
                    push(top(2));
                }
                case 0x79, 0x7a -> { // OP_PICK, OP_ROLL
                    need(2);
                    long n = knownNumber(pop(), "OP_PICK/OP_ROLL");
                    if (n < 0 || n >= stack.size()) {
                        throw new CannotFollow("OP_PICK/OP_ROLL out of range");
                    }
                    int i = stack.size() - 1 - (int) n;
                    push(op == 0x79 ? stack.get(i) : stack.remove(i));
                }
                case 0x7b -> { // OP_ROT: x1 x2 x3 -> x2 x3 x1
                    need(3);
                    swap(3, 2);
                    swap(2, 1);
                }
                case 0x7c -> { // OP_SWAP
                    need(2);
                    swap(2, 1);
                }
                case 0x7d -> { // OP_TUCK: x1 x2 -> x2 x1 x2
                    need(2);
                    stack.add(stack.size() - 2, top(1));
                }
                case 0x82 -> { // OP_SIZE: pushes the size, pops nothing
                    need(1);
                    byte[] v = top(1);
                    push(v == null ? null : num(v.length));
                }
                case 0x87 -> { // OP_EQUAL
                    need(2);
                    byte[] a = pop();
                    byte[] b = pop();
                    push(a == null || b == null ? null : Arrays.equals(a, b) ? TRUE : FALSE);
                }
                case 0x88 -> { // OP_EQUALVERIFY
                    need(2);
                    byte[] a = pop();
                    byte[] b = pop();
                    if (a != null && b != null && !Arrays.equals(a, b)) {
                        throw new CannotFollow("OP_EQUALVERIFY fails");
                    }
                }
                // OP_1ADD, OP_1SUB, OP_NEGATE, OP_ABS, OP_NOT, OP_0NOTEQUAL
                case 0x8b, 0x8c, 0x8f, 0x90, 0x91, 0x92 -> {
                    need(1);
                    Long n = number(pop());
                    push(n == null ? null : num(switch (op) {
                        case 0x8b -> n + 1;
                        case 0x8c -> n - 1;
                        case 0x8f -> -n;
                        case 0x90 -> Math.abs(n);
                        case 0x91 -> n == 0 ? 1 : 0;
                        default -> n != 0 ? 1 : 0;
                    }));
                }
                case 0xa6, 0xa7, 0xa8, 0xa9, 0xaa -> { // OP_RIPEMD160, OP_SHA1, OP_SHA256, OP_HASH160, OP_HASH256
                    need(1);
                    byte[] v = pop();
                    push(v == null ? null : hash(op, v));
                }
                // OP_ADD, OP_SUB, OP_BOOLAND, OP_BOOLOR, OP_NUMEQUAL, OP_NUMEQUALVERIFY, OP_NUMNOTEQUAL,
                // OP_LESSTHAN, OP_GREATERTHAN, OP_LESSTHANOREQUAL, OP_GREATERTHANOREQUAL, OP_MIN, OP_MAX
                case 0x93, 0x94, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4 -> {
                    need(2);
                    Long b = number(pop()); // the top is the second operand
                    Long a = number(pop());
                    Long r = a == null || b == null ? null : switch (op) {
                        case 0x93 -> a + b;
                        case 0x94 -> a - b;
                        case 0x9a -> a != 0 && b != 0 ? 1L : 0L;
                        case 0x9b -> a != 0 || b != 0 ? 1L : 0L;
                        case 0x9c, 0x9d -> a.equals(b) ? 1L : 0L;
                        case 0x9e -> !a.equals(b) ? 1L : 0L;
                        case 0x9f -> a < b ? 1L : 0L;
                        case 0xa0 -> a > b ? 1L : 0L;
                        case 0xa1 -> a <= b ? 1L : 0L;
                        case 0xa2 -> a >= b ? 1L : 0L;
                        case 0xa3 -> Math.min(a, b);
                        default -> Math.max(a, b);
                    };
                    if (op != 0x9d) {
                        push(r == null ? null : num(r));
                    } else if (r != null && r == 0) {
                        throw new CannotFollow("OP_NUMEQUALVERIFY fails");
                    }
                }
                case 0xa5 -> { // OP_WITHIN: x min max -> min <= x < max
                    need(3);
                    Long max = number(pop());
                    Long min = number(pop());
                    Long x = number(pop());
                    push(x == null || min == null || max == null ? null : num(min <= x && x < max ? 1 : 0));
                }
                case 0xac -> { // OP_CHECKSIG
                    need(2);
                    pop();
                    pop();
                    push(null);
                }
                case 0xad -> { // OP_CHECKSIGVERIFY
                    need(2);
                    pop();
                    pop();
                }
                case 0xae, 0xaf -> checkMultisig(op == 0xae);
                default -> {
                    if (op >= OP_1 && op <= OP_16) {
                        push(new byte[] {(byte) (op - OP_1 + 1)});
                    } else {
                        // OP_RESERVED, OP_VER, OP_RETURN, OP_RESERVED1/2, 0xba..0xff
                        throw new CannotFollow("opcode 0x" + Integer.toHexString(op) + " fails the script when it runs");
                    }
                }
            }
        }

        private void checkMultisig(boolean pushResult) {
            need(1);
            long keys = knownNumber(pop(), "OP_CHECKMULTISIG key count");
            if (keys < 0 || keys > 20) {
                throw new CannotFollow("OP_CHECKMULTISIG key count out of range");
            }
            need((int) keys + 1);
            for (int i = 0; i < keys; i++) {
                pop();
            }
            long sigs = knownNumber(pop(), "OP_CHECKMULTISIG signature count");
            if (sigs < 0 || sigs > keys) {
                throw new CannotFollow("OP_CHECKMULTISIG signature count out of range");
            }
            need((int) sigs + 1); // the signatures and the extra item CHECKMULTISIG pops
            for (int i = 0; i <= sigs; i++) {
                pop();
            }
            if (pushResult) {
                push(null);
            }
        }

        private void need(int n) {
            if (stack.size() < n) {
                throw new CannotFollow("stack underflow at byte " + at);
            }
        }

        private void push(byte[] v) {
            stack.add(v);
        }

        private byte[] pop() {
            return stack.remove(stack.size() - 1);
        }

        /** The i-th item from the top (1 = top). */
        private byte[] top(int i) {
            return stack.get(stack.size() - i);
        }

        /** Swaps the i-th and j-th items from the top (1 = top). */
        private void swap(int i, int j) {
            int a = stack.size() - i;
            int b = stack.size() - j;
            byte[] t = stack.get(a);
            stack.set(a, stack.get(b));
            stack.set(b, t);
        }

        private void pushCond(boolean value) {
            if (condDepth == cond.length) {
                cond = Arrays.copyOf(cond, cond.length * 2);
            }
            cond[condDepth++] = value;
            if (!value) {
                falses++;
            }
        }

        /** An operand of arithmetic: null if unknown; over 4 bytes fails the script, as in Core. */
        private static Long number(byte[] v) {
            return v == null ? null : knownNumber(v, "an arithmetic operand");
        }

        private static byte[] hash(int op, byte[] v) {
            return switch (op) {
                case 0xa6 -> RawScript.ripemd160(v);
                case 0xa7 -> sha1(v);
                case 0xa8 -> Sha256Hash.hash(v);
                case 0xa9 -> RawScript.hash160(v);
                default -> Sha256Hash.hashTwice(v);
            };
        }

        private static byte[] sha1(byte[] v) {
            try {
                return MessageDigest.getInstance("SHA-1").digest(v);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-1", e);
            }
        }

        /** A 4-byte script number (CScriptNum; non-minimal encodings are valid outside policy). */
        private static long knownNumber(byte[] v, String what) {
            if (v == null) {
                throw new CannotFollow(what + " is a value the checker does not compute");
            }
            if (v.length > 4) {
                throw new CannotFollow(what + " is not a 4-byte script number");
            }
            if (v.length == 0) {
                return 0;
            }
            long r = 0;
            for (int i = 0; i < v.length; i++) {
                r |= (long) (v[i] & 0xFF) << (8 * i);
            }
            if ((v[v.length - 1] & 0x80) != 0) {
                return -(r & ~(0x80L << (8 * (v.length - 1))));
            }
            return r;
        }

        /** CScriptNum serialization: minimal little-endian magnitude, the sign in the top bit. */
        private static byte[] num(long n) {
            if (n == 0) {
                return FALSE;
            }
            boolean negative = n < 0;
            long abs = Math.abs(n); // |n| < 2^33 here: no overflow
            byte[] buf = new byte[9];
            int len = 0;
            while (abs > 0) {
                buf[len++] = (byte) (abs & 0xFF);
                abs >>>= 8;
            }
            if ((buf[len - 1] & 0x80) != 0) {
                buf[len++] = (byte) (negative ? 0x80 : 0);
            } else if (negative) {
                buf[len - 1] |= (byte) 0x80;
            }
            return Arrays.copyOf(buf, len);
        }

        /** Bitcoin's CastToBool: false for all zeros and for negative zero. */
        private static boolean castToBool(byte[] v) {
            for (int i = 0; i < v.length; i++) {
                if (v[i] != 0) {
                    return !(i == v.length - 1 && v[i] == (byte) 0x80);
                }
            }
            return false;
        }
    }
}
