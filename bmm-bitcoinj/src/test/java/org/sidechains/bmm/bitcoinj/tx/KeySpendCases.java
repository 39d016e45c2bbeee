package org.sidechains.bmm.bitcoinj.tx;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.bitcoinj.script.ScriptChunk;
import org.bitcoinj.script.ScriptError;
import org.bitcoinj.script.ScriptOpCodes;

/**
 * Spends of single-key outputs, valid and invalid in the ways bitcoinj's shortcuts get wrong, each
 * with what Bitcoin Core says under the consensus and the standard flags. Shared by the unit test and
 * the test against a real bitcoind, which checks these expectations.
 */
public final class KeySpendCases {
    public static final ECKey KEY = ECKey.fromPrivate(BigInteger.valueOf(0xB1BE5L), true);
    public static final ECKey UNCOMPRESSED = ECKey.fromPrivate(BigInteger.valueOf(0xB1BE6L), false);
    public static final Coin FEE = Coin.valueOf(2_000);

    private KeySpendCases() {
    }

    /** The output types spent. */
    public enum Kind {
        P2WPKH(ScriptBuilder.createP2WPKHOutputScript(KEY)),
        P2WPKH_UNCOMPRESSED(ScriptBuilder.createP2WPKHOutputScript(UNCOMPRESSED.getPubKeyHash())),
        P2PKH(ScriptBuilder.createP2PKHOutputScript(KEY)),
        P2PK(ScriptBuilder.createP2PKOutputScript(KEY));

        public final Script script;

        Kind(Script script) {
            this.script = script;
        }
    }

    /** An output to spend: made up in the unit test, a real one on bitcoind. */
    public record Spendable(TransactionOutPoint outpoint, Coin value) {
    }

    /** Where each case gets a coin of a kind (a new one per call: a valid case spends it). */
    public interface Coins {
        Spendable next(Kind kind);
    }

    /**
     * A spend and Core's verdicts under the consensus, standard and P2SH-only ("mandatory") flags:
     * empty = valid, else the script error.
     */
    public record Case(String name, Kind kind, Spendable coin, Transaction tx, Optional<ScriptError> consensus,
                       Optional<ScriptError> policy, Optional<ScriptError> p2shOnly) {
        @Override
        public String toString() {
            return name;
        }
    }

    public static List<Case> all(Coins coins) {
        List<Case> cases = new ArrayList<>();
        Optional<ScriptError> ok = Optional.empty();
        // P2WPKH
        cases.add(segwit("p2wpkh ALL", coins, KEY, 0x01, Sig.PLAIN, ok, ok));
        cases.add(segwit("p2wpkh ALL|ANYONECANPAY", coins, KEY, 0x81, Sig.PLAIN, ok, ok));
        cases.add(segwit("p2wpkh ALL digest labelled ALL|ANYONECANPAY", coins, KEY, 0x81, Sig.HASHED_AS_ALL,
                Optional.of(ScriptError.SCRIPT_ERR_EVAL_FALSE), Optional.of(ScriptError.SCRIPT_ERR_SIG_NULLFAIL)));
        cases.add(segwit("p2wpkh high S", coins, KEY, 0x01, Sig.HIGH_S, ok, Optional.of(ScriptError.SCRIPT_ERR_SIG_HIGH_S)));
        cases.add(segwit("p2wpkh undefined hash type 0x04", coins, KEY, 0x04, Sig.PLAIN, ok,
                Optional.of(ScriptError.SCRIPT_ERR_SIG_HASHTYPE)));
        cases.add(segwit("p2wpkh uncompressed key", coins, UNCOMPRESSED, 0x01, Sig.PLAIN, ok,
                Optional.of(ScriptError.SCRIPT_ERR_WITNESS_PUBKEYTYPE)));
        cases.add(segwit("p2wpkh signature of another transaction", coins, KEY, 0x01, Sig.WRONG,
                Optional.of(ScriptError.SCRIPT_ERR_EVAL_FALSE), Optional.of(ScriptError.SCRIPT_ERR_SIG_NULLFAIL)));
        cases.add(segwit("p2wpkh R padded", coins, KEY, 0x01, Sig.PADDED_R,
                Optional.of(ScriptError.SCRIPT_ERR_SIG_DER), Optional.of(ScriptError.SCRIPT_ERR_SIG_DER)));
        cases.add(segwit("p2wpkh empty signature", coins, KEY, 0x01, Sig.EMPTY,
                Optional.of(ScriptError.SCRIPT_ERR_EVAL_FALSE), Optional.of(ScriptError.SCRIPT_ERR_EVAL_FALSE)));
        Case three = segwit("p2wpkh three witness items", coins, KEY, 0x01, Sig.PLAIN,
                Optional.of(ScriptError.SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH),
                Optional.of(ScriptError.SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH));
        TransactionWitness w = three.tx().getInput(0).getWitness();
        three.tx().replaceInput(0, three.tx().getInput(0).withWitness(
                TransactionWitness.of(new byte[] {1}, w.getPush(0), w.getPush(1))));
        cases.add(three);
        // P2PKH
        cases.add(legacy("p2pkh ALL", coins, Kind.P2PKH, 0x01, Sig.PLAIN, Extra.NONE, ok, ok));
        cases.add(legacy("p2pkh ALL|ANYONECANPAY", coins, Kind.P2PKH, 0x81, Sig.PLAIN, Extra.NONE, ok, ok));
        cases.add(legacy("p2pkh high S", coins, Kind.P2PKH, 0x01, Sig.HIGH_S, Extra.NONE, ok,
                Optional.of(ScriptError.SCRIPT_ERR_SIG_HIGH_S)));
        cases.add(legacy("p2pkh an extra item below", coins, Kind.P2PKH, 0x01, Sig.PLAIN, Extra.ITEM_BELOW, ok,
                Optional.of(ScriptError.SCRIPT_ERR_CLEANSTACK)));
        cases.add(legacy("p2pkh signature pushed with PUSHDATA1", coins, Kind.P2PKH, 0x01, Sig.PLAIN, Extra.PUSHDATA1, ok,
                Optional.of(ScriptError.SCRIPT_ERR_MINIMALDATA)));
        cases.add(legacy("p2pkh ALL digest labelled ALL|ANYONECANPAY", coins, Kind.P2PKH, 0x81, Sig.HASHED_AS_ALL,
                Extra.NONE, Optional.of(ScriptError.SCRIPT_ERR_EVAL_FALSE), Optional.of(ScriptError.SCRIPT_ERR_SIG_NULLFAIL)));
        // P2PK
        cases.add(legacy("p2pk ALL", coins, Kind.P2PK, 0x01, Sig.PLAIN, Extra.NONE, ok, ok));
        cases.add(legacy("p2pk R padded", coins, Kind.P2PK, 0x01, Sig.PADDED_R, Extra.NONE,
                Optional.of(ScriptError.SCRIPT_ERR_SIG_DER), Optional.of(ScriptError.SCRIPT_ERR_SIG_DER)));
        cases.add(legacy("p2pk ALL digest labelled ALL|ANYONECANPAY", coins, Kind.P2PK, 0x81, Sig.HASHED_AS_ALL,
                Extra.NONE, Optional.of(ScriptError.SCRIPT_ERR_EVAL_FALSE), Optional.of(ScriptError.SCRIPT_ERR_SIG_NULLFAIL)));
        cases.add(legacy("p2pk undefined hash type 0x00", coins, Kind.P2PK, 0x00, Sig.PLAIN, Extra.NONE, ok,
                Optional.of(ScriptError.SCRIPT_ERR_SIG_HASHTYPE)));
        // the stack limit counts the scriptPubKey's own items: P2PKH adds two, P2PK one
        Optional<ScriptError> stack = Optional.of(ScriptError.SCRIPT_ERR_STACK_SIZE);
        Optional<ScriptError> clean = Optional.of(ScriptError.SCRIPT_ERR_CLEANSTACK);
        cases.add(legacy("p2pkh 999 stack items", coins, Kind.P2PKH, fill(997), false, stack, stack, stack));
        cases.add(legacy("p2pkh 998 stack items", coins, Kind.P2PKH, fill(996), false, ok, clean, ok));
        cases.add(legacy("p2pk 1000 stack items", coins, Kind.P2PK, fill(999), false, stack, stack, stack));
        cases.add(legacy("p2pk 999 stack items", coins, Kind.P2PK, fill(998), false, ok, clean, ok));
        Optional<ScriptError> pushSize = Optional.of(ScriptError.SCRIPT_ERR_PUSH_SIZE);
        Case big = legacy("p2pkh a 521-byte item pushed with PUSHDATA4", coins, Kind.P2PKH, b -> { }, false,
                pushSize, pushSize, pushSize);
        byte[] rest = big.tx().getInput(0).getScriptBytes();
        byte[] withBig = new byte[5 + 521 + rest.length]; // bitcoinj will not write a push over 520 bytes itself
        withBig[0] = (byte) ScriptOpCodes.OP_PUSHDATA4;
        withBig[1] = (byte) (521 & 0xff);
        withBig[2] = (byte) (521 >> 8);
        System.arraycopy(rest, 0, withBig, 5 + 521, rest.length);
        big.tx().replaceInput(0, big.tx().getInput(0).withScriptBytes(withBig));
        cases.add(big);
        // the scriptSig runs before the witness's rule that it be empty
        Case malleated = segwit("p2wpkh scriptSig with a non-minimal push", coins, KEY, 0x01, Sig.PLAIN,
                Optional.of(ScriptError.SCRIPT_ERR_WITNESS_MALLEATED), Optional.of(ScriptError.SCRIPT_ERR_MINIMALDATA));
        malleated.tx().replaceInput(0, malleated.tx().getInput(0).withScriptBytes(new byte[] {0x4c, 0x01, 0x07}));
        cases.add(malleated);
        // Core's lax parser makes an S of n or more a zero signature: not "high", it just fails
        cases.add(segwit("p2wpkh S above the curve order", coins, KEY, 0x01, Sig.S_TOO_BIG,
                Optional.of(ScriptError.SCRIPT_ERR_EVAL_FALSE), Optional.of(ScriptError.SCRIPT_ERR_SIG_NULLFAIL)));
        return cases;
    }

    private enum Sig { PLAIN, HASHED_AS_ALL, HIGH_S, WRONG, PADDED_R, EMPTY, S_TOO_BIG }

    /** {@code n} empty pushes (OP_0) below the signature. */
    private static Consumer<ScriptBuilder> fill(int n) {
        return b -> {
            for (int i = 0; i < n; i++) {
                b.smallNum(0);
            }
        };
    }

    private enum Extra { NONE, ITEM_BELOW, PUSHDATA1 }

    private static Transaction unsigned(Spendable coin) {
        Transaction tx = new Transaction();
        tx.setVersion(2);
        tx.addInput(new TransactionInput(tx, new byte[0], coin.outpoint(), coin.value()));
        tx.addOutput(coin.value().subtract(FEE), ScriptBuilder.createP2WPKHOutputScript(KEY));
        return tx;
    }

    private static Case segwit(String name, Coins coins, ECKey key, int hashType, Sig how,
                               Optional<ScriptError> consensus, Optional<ScriptError> policy) {
        Kind kind = key == UNCOMPRESSED ? Kind.P2WPKH_UNCOMPRESSED : Kind.P2WPKH;
        Spendable coin = coins.next(kind);
        Transaction tx = unsigned(coin);
        byte[] code = ScriptBuilder.createP2PKHOutputScript(key.getPubKeyHash()).program();
        byte[] sig = sign(key, how, hashType, (t, type) -> t.hashForWitnessSignature(0, code, coin.value(), type), tx);
        tx.replaceInput(0, tx.getInput(0).withWitness(TransactionWitness.of(sig, key.getPubKey())));
        // without the witness flag a P2WPKH spend is not run
        return new Case(name, kind, coin, tx, consensus, policy, Optional.empty());
    }

    private static Case legacy(String name, Coins coins, Kind kind, int hashType, Sig how, Extra extra,
                               Optional<ScriptError> consensus, Optional<ScriptError> policy) {
        Consumer<ScriptBuilder> below = extra == Extra.ITEM_BELOW ? b -> b.op(ScriptOpCodes.OP_1) : b -> { };
        // P2SH alone: BIP 66 off, so a padded R is parsed and verifies; a wrong signature still fails
        Optional<ScriptError> p2shOnly = how == Sig.HASHED_AS_ALL || how == Sig.WRONG || how == Sig.EMPTY
                ? Optional.of(ScriptError.SCRIPT_ERR_EVAL_FALSE) : Optional.empty();
        return legacy(name, coins, kind, hashType, how, below, extra == Extra.PUSHDATA1, consensus, policy, p2shOnly);
    }

    private static Case legacy(String name, Coins coins, Kind kind, Consumer<ScriptBuilder> below, boolean pushdata1,
                               Optional<ScriptError> consensus, Optional<ScriptError> policy,
                               Optional<ScriptError> p2shOnly) {
        return legacy(name, coins, kind, 0x01, Sig.PLAIN, below, pushdata1, consensus, policy, p2shOnly);
    }

    private static Case legacy(String name, Coins coins, Kind kind, int hashType, Sig how, Consumer<ScriptBuilder> below,
                               boolean pushdata1, Optional<ScriptError> consensus, Optional<ScriptError> policy,
                               Optional<ScriptError> p2shOnly) {
        Spendable coin = coins.next(kind);
        Transaction tx = unsigned(coin);
        byte[] spk = kind.script.program();
        byte[] sig = sign(KEY, how, hashType, (t, type) -> t.hashForSignature(0, spk, type), tx);
        ScriptBuilder b = new ScriptBuilder();
        below.accept(b);
        if (pushdata1) {
            b.addChunk(new ScriptChunk(ScriptOpCodes.OP_PUSHDATA1, sig));
        } else {
            b.data(sig);
        }
        if (kind == Kind.P2PKH) {
            b.data(KEY.getPubKey());
        }
        tx.replaceInput(0, tx.getInput(0).withScriptSig(b.build()));
        return new Case(name, kind, coin, tx, consensus, policy, p2shOnly);
    }

    private interface Hasher {
        Sha256Hash hash(Transaction tx, byte hashType);
    }

    private static byte[] sign(ECKey key, Sig how, int hashType, Hasher hasher, Transaction tx) {
        if (how == Sig.EMPTY) {
            return new byte[0];
        }
        byte signedType = (byte) (how == Sig.HASHED_AS_ALL ? 0x01 : hashType);
        Transaction hashed = tx;
        if (how == Sig.WRONG) {
            hashed = Transaction.read(ByteBuffer.wrap(tx.serialize()));
            hashed.setLockTime(1);
        }
        Sha256Hash digest = hasher.hash(hashed, signedType);
        ECKey.ECDSASignature s = key.sign(digest); // low S
        if (how == Sig.HIGH_S) {
            s = new ECKey.ECDSASignature(s.r, ECKey.ecDomainParameters().getN().subtract(s.s));
        }
        byte[] der = s.encodeToDER();
        if (how == Sig.PADDED_R) {
            der = padR(der);
        }
        if (how == Sig.S_TOO_BIG) {
            der = withMaxS(der);
        }
        byte[] out = Arrays.copyOf(der, der.length + 1);
        out[der.length] = (byte) hashType;
        return out;
    }

    /** The same R with S = 2^256 - 1 (strict DER: 0x00 then 32 bytes of 0xff), above the curve order. */
    private static byte[] withMaxS(byte[] der) {
        int lenR = der[3] & 0xff;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(0x30);
        o.write(2 + lenR + 2 + 33);
        o.write(der, 2, 2 + lenR);
        o.write(0x02);
        o.write(33);
        o.write(0x00);
        for (int i = 0; i < 32; i++) {
            o.write(0xff);
        }
        return o.toByteArray();
    }

    /** The same DER with one more leading zero byte in R (not minimal: BIP 66 refuses it). */
    private static byte[] padR(byte[] der) {
        int lenR = der[3] & 0xff;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(0x30);
        o.write((der[1] & 0xff) + 1);
        o.write(0x02);
        o.write(lenR + 1);
        o.write(0x00);
        o.write(der, 4, der.length - 4);
        return o.toByteArray();
    }
}
