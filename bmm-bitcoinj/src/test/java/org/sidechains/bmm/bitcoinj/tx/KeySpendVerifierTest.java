package org.sidechains.bmm.bitcoinj.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.script.ScriptBuilder;
import org.bitcoinj.script.ScriptError;
import org.bitcoinj.script.ScriptOpCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sidechains.bmm.bitcoinj.tx.KeySpendCases.Case;
import org.sidechains.bmm.bitcoinj.tx.KeySpendVerifier.Result;
import org.sidechains.bmm.bitcoinj.tx.KeySpendVerifier.Rules;

/** Core's verdicts on single-key spends (checked against a real bitcoind by the regtest module's KeySpendsIT). */
class KeySpendVerifierTest {
    static Stream<Case> cases() {
        AtomicInteger n = new AtomicInteger();
        return KeySpendCases.all(kind -> new KeySpendCases.Spendable(
                new TransactionOutPoint(n.incrementAndGet(), Sha256Hash.of(new byte[] {(byte) kind.ordinal()})),
                Coin.COIN)).stream();
    }

    static Optional<ScriptError> verdict(Case c, Rules rules) {
        Result r = KeySpendVerifier.verify(c.tx(), 0, c.kind().script.program(), c.coin().value(), rules);
        if (r instanceof Result.Failed f) {
            return Optional.of(f.error());
        }
        assertInstanceOf(Result.Valid.class, r, c.name());
        return Optional.empty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void consensusAndPolicyAsBitcoinCore(Case c) {
        assertEquals(c.consensus(), verdict(c, Rules.CONSENSUS), "consensus: " + c.name());
        assertEquals(c.policy(), verdict(c, Rules.POLICY), "policy: " + c.name());
        assertEquals(c.p2shOnly(), verdict(c, Rules.P2SH_ONLY), "P2SH only: " + c.name());
    }

    @Test
    void otherOutputTypesAndNonPushScriptSigsAreNotVerifiable() {
        Case p2pkh = cases().filter(c -> c.name().equals("p2pkh ALL")).findFirst().orElseThrow();
        byte[] p2wsh = ScriptBuilder.createP2WSHOutputScript(p2pkh.kind().script).program();
        assertInstanceOf(Result.NotVerifiable.class, KeySpendVerifier.verify(p2pkh.tx(), 0, p2wsh, Coin.COIN, Rules.CONSENSUS));
        Transaction tx = p2pkh.tx();
        TransactionInput in = tx.getInput(0);
        byte[] withNop = new ScriptBuilder().op(ScriptOpCodes.OP_NOP).build().program();
        byte[] sig = in.getScriptBytes();
        byte[] script = new byte[withNop.length + sig.length];
        System.arraycopy(withNop, 0, script, 0, withNop.length);
        System.arraycopy(sig, 0, script, withNop.length, sig.length);
        tx.replaceInput(0, in.withScriptBytes(script));
        assertInstanceOf(Result.NotVerifiable.class,
                KeySpendVerifier.verify(tx, 0, p2pkh.kind().script.program(), Coin.COIN, Rules.CONSENSUS));
    }
}
