package org.sidechains.bmm.bitcoinj.m9;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sidechains.bmm.bitcoinj.Fixtures.MINER;
import static org.sidechains.bmm.bitcoinj.Fixtures.NODE;
import static org.sidechains.bmm.bitcoinj.Fixtures.OTHER;

import java.nio.ByteBuffer;
import java.util.List;
import org.bitcoinj.base.Coin;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.bitcoinj.script.ScriptException;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.bitcoinj.Fixtures;
import org.sidechains.bmm.bitcoinj.SegwitV0Verifier;
import org.sidechains.bmm.bitcoinj.m9.M9Spender.Claim;
import org.sidechains.bmm.bitcoinj.tx.Fee;
import org.sidechains.bmm.cbv.CbvPayload;

class M9SpenderTest {
    static final Script DEST = ScriptBuilder.createP2WPKHOutputScript(MINER);
    static final Script STANDARD = M9Scripts.standard(CbvPayload.v1(Fixtures.deep()), MINER);
    static final Script REFUND = M9Scripts.refund(CbvPayload.v1(Fixtures.deep()), MINER, 144, NODE);
    static final Coin VALUE = Coin.valueOf(40_000);

    @Test
    void standardSweepIsValidForBitcoinjsInterpreter() {
        TransactionOutPoint op = Fixtures.outpoint("bribe", 1);
        Transaction tx = M9Spender.sweep(List.of(Claim.miner(op, VALUE, STANDARD, MINER)), DEST,
                Fee.absolute(Coin.valueOf(500)));
        assertEquals(2, tx.getVersion());
        assertEquals(Coin.valueOf(39_500), tx.getOutput(0).getValue());
        TransactionWitness w = tx.getInput(0).getWitness();
        assertEquals(2, w.getPushCount());
        assertArrayEquals(STANDARD.program(), w.getPush(1));
        assertEquals(TransactionInput.NO_SEQUENCE, tx.getInput(0).getSequenceNumber());

        Script p2wsh = M9Scripts.p2wsh(STANDARD);
        // bitcoinj's own interpreter runs the witness script (OP_NOP6 as a NOP) and the BIP143 signature
        SegwitV0Verifier.verifyP2wsh(tx, 0, p2wsh, VALUE, SegwitV0Verifier.CONSENSUS_FLAGS);
        // the round trip through the wire keeps it valid
        Transaction read = Transaction.read(ByteBuffer.wrap(tx.serialize()));
        SegwitV0Verifier.verifyP2wsh(read, 0, p2wsh, VALUE, SegwitV0Verifier.CONSENSUS_FLAGS);
        // DISCOURAGE_UPGRADABLE_NOPS (policy; in ALL_VERIFY_FLAGS) refuses OP_NOP6: why bitcoind's mempool refuses it
        assertThrows(ScriptException.class,
                () -> SegwitV0Verifier.verifyP2wsh(tx, 0, p2wsh, VALUE, Script.ALL_VERIFY_FLAGS));
        // the harness is not vacuous: another spent value, or another key, fails
        assertThrows(ScriptException.class, () -> SegwitV0Verifier.verifyP2wsh(tx, 0, p2wsh, VALUE.add(Coin.SATOSHI),
                SegwitV0Verifier.CONSENSUS_FLAGS));
    }

    /** bitcoinj pitfall: correctlySpends / TransactionInput.verify accept any P2WSH spend. */
    @Test
    void bitcoinjCorrectlySpendsDoesNotCheckP2wsh() {
        TransactionOutPoint op = Fixtures.outpoint("bribe", 1);
        Transaction tx = M9Spender.sweep(List.of(Claim.miner(op, VALUE, STANDARD, MINER)), DEST,
                Fee.absolute(Coin.valueOf(500)));
        Script p2wsh = M9Scripts.p2wsh(STANDARD);
        TransactionInput in = tx.getInput(0);
        assertDoesNotThrow(() -> in.getScriptSig().correctlySpends(tx, 0, in.getWitness(), VALUE, p2wsh,
                Script.ALL_VERIFY_FLAGS));
        // ... and so does a witness with a garbage signature and no witness script at all
        tx.replaceInput(0, in.withWitness(TransactionWitness.of(new byte[] {1, 2, 3})));
        TransactionInput bad = tx.getInput(0);
        assertDoesNotThrow(() -> bad.getScriptSig().correctlySpends(tx, 0, bad.getWitness(), VALUE, p2wsh,
                Script.ALL_VERIFY_FLAGS));
        assertThrows(ScriptException.class,
                () -> SegwitV0Verifier.verifyP2wsh(tx, 0, p2wsh, VALUE, SegwitV0Verifier.CONSENSUS_FLAGS));
    }

    @Test
    void refundVariantBothBranches() {
        Script p2wsh = M9Scripts.p2wsh(REFUND);
        TransactionOutPoint op = Fixtures.outpoint("lightning", 1);

        Transaction miner = M9Spender.sweep(List.of(Claim.miner(op, VALUE, REFUND, MINER)), DEST, Fee.satPerVbyte(1));
        TransactionWitness mw = miner.getInput(0).getWitness();
        assertEquals(3, mw.getPushCount());
        assertArrayEquals(new byte[] {1}, mw.getPush(1));
        SegwitV0Verifier.verifyP2wsh(miner, 0, p2wsh, VALUE, SegwitV0Verifier.CONSENSUS_FLAGS);

        Transaction refund = M9Spender.sweep(List.of(Claim.refund(op, VALUE, REFUND, NODE)), DEST, Fee.satPerVbyte(1));
        TransactionWitness rw = refund.getInput(0).getWitness();
        assertEquals(3, rw.getPushCount());
        assertEquals(0, rw.getPush(1).length);
        assertEquals(144, refund.getInput(0).getSequenceNumber());
        assertEquals(2, refund.getVersion());
        SegwitV0Verifier.verifyP2wsh(refund, 0, p2wsh, VALUE, SegwitV0Verifier.CONSENSUS_FLAGS);
        // the refund branch runs no OP_NOP6, so even the policy flags accept it
        SegwitV0Verifier.verifyP2wsh(refund, 0, p2wsh, VALUE, Script.ALL_VERIFY_FLAGS);

        // CSV is real: one block short fails in bitcoinj's interpreter
        Transaction early = Transaction.read(ByteBuffer.wrap(refund.serialize()));
        early.replaceInput(0, early.getInput(0).withSequence(143));
        assertThrows(ScriptException.class,
                () -> SegwitV0Verifier.verifyP2wsh(early, 0, p2wsh, VALUE, SegwitV0Verifier.CONSENSUS_FLAGS));
    }

    @Test
    void sweepsSeveralOutputsAtAFeeRate() {
        Script other = M9Scripts.standard(CbvPayload.v1(Fixtures.shallow()), MINER);
        List<Claim> claims = List.of(
                Claim.miner(Fixtures.outpoint("b1", 1), VALUE, STANDARD, MINER),
                Claim.miner(Fixtures.outpoint("b2", 1), Coin.valueOf(7_000), other, MINER),
                Claim.refund(Fixtures.outpoint("b3", 1), Coin.valueOf(3_000), REFUND, NODE));
        Transaction tx = M9Spender.sweep(claims, DEST, Fee.satPerVbyte(3));
        Coin fee = Coin.valueOf(50_000).subtract(tx.getOutputSum());
        assertTrue(fee.value >= 3L * tx.getVsize() && fee.value <= 3L * (tx.getVsize() + 3), fee + " " + tx.getVsize());
        SegwitV0Verifier.verifyP2wsh(tx, 0, M9Scripts.p2wsh(STANDARD), VALUE, SegwitV0Verifier.CONSENSUS_FLAGS);
        SegwitV0Verifier.verifyP2wsh(tx, 1, M9Scripts.p2wsh(other), Coin.valueOf(7_000),
                SegwitV0Verifier.CONSENSUS_FLAGS);
        SegwitV0Verifier.verifyP2wsh(tx, 2, M9Scripts.p2wsh(REFUND), Coin.valueOf(3_000),
                SegwitV0Verifier.CONSENSUS_FLAGS);
    }

    @Test
    void clearErrors() {
        TransactionOutPoint op = Fixtures.outpoint("x", 0);
        assertThrows(IllegalArgumentException.class, () -> Claim.miner(op, VALUE, STANDARD, OTHER));
        assertThrows(IllegalArgumentException.class, () -> Claim.refund(op, VALUE, STANDARD, NODE));
        assertThrows(IllegalArgumentException.class, () -> Claim.refund(op, VALUE, REFUND, MINER));
        assertThrows(IllegalArgumentException.class, () -> Claim.miner(op, VALUE, DEST, MINER));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> M9Spender.sweep(
                List.of(Claim.miner(op, Coin.valueOf(100), STANDARD, MINER)), DEST, Fee.absolute(Coin.valueOf(100))));
        assertTrue(e.getMessage().contains("takes all"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> M9Spender.sweep(List.of(
                Claim.miner(op, VALUE, STANDARD, MINER), Claim.miner(op, VALUE, STANDARD, MINER)), DEST,
                Fee.satPerVbyte(1)));
    }
}
