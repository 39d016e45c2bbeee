package org.sidechains.bmm.bitcoinj.cbv;

import static org.bitcoinj.script.ScriptOpCodes.OP_CHECKSIG;
import static org.bitcoinj.script.ScriptOpCodes.OP_DROP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sidechains.bmm.bitcoinj.Fixtures.FUNDER;
import static org.sidechains.bmm.bitcoinj.Fixtures.MINER;
import static org.sidechains.bmm.bitcoinj.Fixtures.MIN_ATOP;
import static org.sidechains.bmm.bitcoinj.Fixtures.NODE;

import java.util.List;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.crypto.TransactionSignature;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.Fixtures;
import org.sidechains.bmm.bitcoinj.Fixtures.Prevouts;
import org.sidechains.bmm.bitcoinj.SegwitV0Verifier;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder.Bribe;
import org.sidechains.bmm.bitcoinj.m9.M9Scripts;
import org.sidechains.bmm.bitcoinj.m9.M9Spender;
import org.sidechains.bmm.bitcoinj.m9.M9Spender.Claim;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.prevout.PrevoutSource;
import org.sidechains.bmm.bitcoinj.tx.Fee;
import org.sidechains.bmm.cbv.CbvPayload;
import org.sidechains.bmm.d3.D3;
import org.sidechains.bmm.m8.M8Tag;

/** OP_CBV over real transactions: the bribe, the miner's sweep, and the script kinds that can carry it. */
class CbvCheckerTest {
    static final D3 D3_STATE = Fixtures.d3();
    static final D3 EMPTY = Fixtures.emptyD3();
    static final Script DEST = ScriptBuilder.createP2WPKHOutputScript(MINER);
    static final Coin VALUE = Coin.valueOf(40_000);

    static Script standard(MiniHeader mh) {
        return M9Scripts.standard(CbvPayload.v1(mh), MINER);
    }

    /** An M8 paying the standard M9 script for {@code mh}, from a P2WPKH funding output. */
    static Bribe bribe(MiniHeader mh, Prevouts prevouts) {
        TransactionOutPoint funding = Fixtures.outpoint("funding " + mh.hStar(), 0);
        prevouts.put(funding, Coin.valueOf(100_000), ScriptBuilder.createP2WPKHOutputScript(FUNDER).program());
        Bribe b = BribeBuilder.build(M8Tag.forBlock(mh, 200), MINER, VALUE,
                List.of(BribeBuilder.Funding.p2wpkh(funding, Coin.valueOf(100_000), FUNDER)),
                ScriptBuilder.createP2WPKHOutputScript(FUNDER), Fee.satPerVbyte(1));
        prevouts.outputsOf(b.tx());
        return b;
    }

    /** A version-2 transaction with one unsigned input spending {@code op} to DEST. */
    static Transaction spending(TransactionOutPoint op) {
        Transaction tx = new Transaction();
        tx.setVersion(2);
        tx.addInput(new TransactionInput(tx, new byte[0], op, VALUE));
        tx.addOutput(VALUE.subtract(Coin.valueOf(1_000)), DEST);
        return tx;
    }

    // ---- P2WSH: the bribe and the miner's sweep ----

    @Test
    void p2wshSweepSatisfiedAt100BlocksAtop() {
        Prevouts prevouts = new Prevouts();
        Bribe b = bribe(Fixtures.deep(), prevouts);
        assertEquals(new TxCbvCheck.Passed(0), CbvChecker.checkTransaction(b.tx(), prevouts, D3_STATE, MIN_ATOP));

        Transaction sweep = M9Spender.sweep(List.of(Claim.miner(b.payoutOutpoint(), VALUE, b.witnessScript(), MINER)),
                DEST, Fee.satPerVbyte(1));
        assertEquals(new TxCbvCheck.Passed(1), CbvChecker.checkTransaction(sweep, prevouts, D3_STATE, MIN_ATOP));
        assertEquals(new CbvCheck.Satisfied(1), CbvChecker.checkInput(sweep, 0,
                prevouts.find(b.payoutOutpoint()).orElseThrow(), D3_STATE, MIN_ATOP));
        // and a real node accepts it apart from OP_CBV (bitcoinj's interpreter treats OP_NOP6 as a NOP)
        SegwitV0Verifier.verifyP2wsh(sweep, 0, b.payoutScript(), VALUE, SegwitV0Verifier.CONSENSUS_FLAGS);
        // with D3 one block earlier (99 atop) it is not satisfied yet
        assertInstanceOf(TxCbvCheck.Unsatisfied.class,
                CbvChecker.checkTransaction(sweep, prevouts, Fixtures.d3WithTip(100), MIN_ATOP));
    }

    @Test
    void p2wshSweepUnsatisfiedAt99BlocksAtop() {
        Prevouts prevouts = new Prevouts();
        Bribe b = bribe(Fixtures.shallow(), prevouts);
        Transaction sweep = M9Spender.sweep(List.of(Claim.miner(b.payoutOutpoint(), VALUE, b.witnessScript(), MINER)),
                DEST, Fee.satPerVbyte(1));
        TxCbvCheck.Unsatisfied u = assertInstanceOf(TxCbvCheck.Unsatisfied.class,
                CbvChecker.checkTransaction(sweep, prevouts, D3_STATE, MIN_ATOP));
        assertEquals(0, u.inputIndex());
        assertEquals(b.payoutOutpoint(), u.outpoint());
        assertTrue(u.detail().contains("P2WSH witnessScript") && u.detail().contains("no D3 entry"), u.detail());
        // the same D3 with a 99-deep requirement is satisfied: the boundary is exactly 100
        assertEquals(new TxCbvCheck.Passed(1), CbvChecker.checkTransaction(sweep, prevouts, D3_STATE, 99));
    }

    // ---- the same script as a P2SH redeemScript and as a bare scriptPubKey ----

    @Test
    void p2shRedeemScript() {
        for (MiniHeader mh : List.of(Fixtures.deep(), Fixtures.shallow())) {
            Script redeem = standard(mh);
            Script p2sh = ScriptBuilder.createP2SHOutputScript(redeem);
            TransactionOutPoint op = Fixtures.outpoint("p2sh " + mh.hStar(), 0);
            Transaction tx = spending(op);
            TransactionSignature sig = tx.calculateSignature(0, MINER, redeem, Transaction.SigHash.ALL, false);
            tx.replaceInput(0, tx.getInput(0).withScriptSig(
                    new ScriptBuilder().data(sig.encodeToBitcoin()).data(redeem.program()).build()));
            // bitcoinj runs legacy P2SH fully: the signature and OP_NOP6 as a NOP
            tx.getInput(0).getScriptSig().correctlySpends(tx, 0, null, VALUE, p2sh, SegwitV0Verifier.CONSENSUS_FLAGS);

            Prevouts prevouts = new Prevouts().put(op, VALUE, p2sh.program());
            TxCbvCheck check = CbvChecker.checkTransaction(tx, prevouts, D3_STATE, MIN_ATOP);
            if (mh.equals(Fixtures.deep())) {
                assertEquals(new TxCbvCheck.Passed(1), check);
            } else {
                TxCbvCheck.Unsatisfied u = assertInstanceOf(TxCbvCheck.Unsatisfied.class, check);
                assertTrue(u.detail().startsWith("P2SH redeemScript"), u.detail());
            }
        }
    }

    @Test
    void bareScriptPubKey() {
        for (MiniHeader mh : List.of(Fixtures.deep(), Fixtures.shallow())) {
            Script spk = standard(mh);
            TransactionOutPoint op = Fixtures.outpoint("bare " + mh.hStar(), 0);
            Transaction tx = spending(op);
            TransactionSignature sig = tx.calculateSignature(0, MINER, spk, Transaction.SigHash.ALL, false);
            tx.replaceInput(0, tx.getInput(0).withScriptSig(new ScriptBuilder().data(sig.encodeToBitcoin()).build()));
            tx.getInput(0).getScriptSig().correctlySpends(tx, 0, null, VALUE, spk, SegwitV0Verifier.CONSENSUS_FLAGS);

            CbvCheck check = CbvChecker.checkInput(tx.getInput(0), spk.program(), D3_STATE, MIN_ATOP);
            if (mh.equals(Fixtures.deep())) {
                assertEquals(new CbvCheck.Satisfied(1), check);
            } else {
                CbvCheck.Unsatisfied u = assertInstanceOf(CbvCheck.Unsatisfied.class, check);
                assertTrue(u.detail().startsWith("bare scriptPubKey"), u.detail());
            }
        }
    }

    @Test
    void bareScriptPubKeyWithAScriptSigThatIsNotPushOnlyFailsClosed() {
        TransactionOutPoint op = Fixtures.outpoint("bare", 0);
        Transaction tx = spending(op);
        tx.replaceInput(0, tx.getInput(0).withScriptSig(new ScriptBuilder().smallNum(1).op(0x76).build())); // OP_1 OP_DUP
        CbvCheck.Unsatisfied u = assertInstanceOf(CbvCheck.Unsatisfied.class,
                CbvChecker.checkInput(tx.getInput(0), standard(Fixtures.shallow()).program(), D3_STATE, MIN_ATOP));
        assertTrue(u.detail().contains("cannot follow") && u.detail().contains("not push-only"), u.detail());
        // failing closed, the OP_CBV reads the literal right before it: a deep payload is satisfied
        assertEquals(new CbvCheck.Satisfied(1),
                CbvChecker.checkInput(tx.getInput(0), standard(Fixtures.deep()).program(), D3_STATE, MIN_ATOP));
        // and a script without OP_CBV is not concerned
        assertEquals(CbvCheck.NO_CBV, CbvChecker.checkInput(tx.getInput(0),
                ScriptBuilder.createP2PKOutputScript(MINER).program(), EMPTY, MIN_ATOP));
    }

    @Test
    void nestedP2shP2wsh() {
        for (MiniHeader mh : List.of(Fixtures.deep(), Fixtures.shallow())) {
            Script ws = standard(mh);
            Script redeem = M9Scripts.p2wsh(ws);
            Script spk = ScriptBuilder.createP2SHOutputScript(redeem);
            TransactionOutPoint op = Fixtures.outpoint("nested " + mh.hStar(), 0);
            Transaction tx = spending(op);
            TransactionSignature sig = tx.calculateWitnessSignature(0, MINER, ws, VALUE, Transaction.SigHash.ALL, false);
            tx.replaceInput(0, tx.getInput(0).withScriptSig(new ScriptBuilder().data(redeem.program()).build())
                    .withWitness(TransactionWitness.of(sig.encodeToBitcoin(), ws.program())));
            CbvCheck check = CbvChecker.checkInput(tx.getInput(0), spk.program(), D3_STATE, MIN_ATOP);
            if (mh.equals(Fixtures.deep())) {
                assertEquals(new CbvCheck.Satisfied(1), check);
            } else {
                CbvCheck.Unsatisfied u = assertInstanceOf(CbvCheck.Unsatisfied.class, check);
                assertTrue(u.detail().startsWith("P2SH-P2WSH witnessScript"), u.detail());
            }
        }
    }

    // ---- the refund variant ----

    @Test
    void refundVariantMinerBranchNeedsCbvRefundBranchDoesNot() {
        for (MiniHeader mh : List.of(Fixtures.deep(), Fixtures.shallow())) {
            Script ws = M9Scripts.refund(CbvPayload.v1(mh), MINER, 144, NODE);
            TransactionOutPoint op = Fixtures.outpoint("refund " + mh.hStar(), 1);
            Prevouts prevouts = new Prevouts().put(op, VALUE, M9Scripts.p2wsh(ws).program());

            Transaction miner = M9Spender.sweep(List.of(Claim.miner(op, VALUE, ws, MINER)), DEST, Fee.satPerVbyte(1));
            TxCbvCheck m = CbvChecker.checkTransaction(miner, prevouts, D3_STATE, MIN_ATOP);
            if (mh.equals(Fixtures.deep())) {
                assertEquals(new TxCbvCheck.Passed(1), m);
            } else {
                assertInstanceOf(TxCbvCheck.Unsatisfied.class, m);
            }
            assertInstanceOf(TxCbvCheck.Unsatisfied.class, CbvChecker.checkTransaction(miner, prevouts, EMPTY, MIN_ATOP));

            // the OP_ELSE branch runs no OP_CBV: spendable even when D3 knows nothing
            Transaction refund = M9Spender.sweep(List.of(Claim.refund(op, VALUE, ws, NODE)), DEST, Fee.satPerVbyte(1));
            assertEquals(new TxCbvCheck.Passed(0), CbvChecker.checkTransaction(refund, prevouts, EMPTY, MIN_ATOP));
            assertEquals(CbvCheck.NO_CBV, CbvChecker.checkInput(refund, 0, prevouts.find(op).orElseThrow(),
                    EMPTY, MIN_ATOP));
            SegwitV0Verifier.verifyP2wsh(refund, 0, M9Scripts.p2wsh(ws), VALUE, SegwitV0Verifier.CONSENSUS_FLAGS);
        }
    }

    // ---- payload versions ----

    @Test
    void v2Payload() {
        Script ok = M9Scripts.standard(CbvPayload.v2(1, Fixtures.hStar(1), Fixtures.hStar(0)), MINER);
        Script tooShallow = M9Scripts.standard(CbvPayload.v2(1, Fixtures.hStar(2), Fixtures.hStar(1)), MINER);
        Script wrongParent = M9Scripts.standard(CbvPayload.v2(1, Fixtures.hStar(1), Fixtures.hStar(5)), MINER);
        assertEquals(new CbvCheck.Satisfied(1), sweepCheck(ok, D3_STATE));
        assertInstanceOf(CbvCheck.Unsatisfied.class, sweepCheck(tooShallow, D3_STATE));
        assertInstanceOf(CbvCheck.Unsatisfied.class, sweepCheck(wrongParent, D3_STATE));
    }

    @Test
    void unknownVersionSucceedsAndWrongLengthFails() {
        byte[] v7 = new byte[40];
        v7[0] = 7;
        Script unknown = new ScriptBuilder().data(v7).op(M9Scripts.OP_CBV).op(OP_DROP)
                .data(MINER.getPubKey()).op(OP_CHECKSIG).build();
        assertEquals(new CbvCheck.Satisfied(1), sweepCheck(unknown, EMPTY));

        byte[] v1Short = new byte[35];
        v1Short[0] = 1;
        Script wrongLength = new ScriptBuilder().data(v1Short).op(M9Scripts.OP_CBV).op(OP_DROP)
                .data(MINER.getPubKey()).op(OP_CHECKSIG).build();
        CbvCheck.Unsatisfied u = assertInstanceOf(CbvCheck.Unsatisfied.class, sweepCheck(wrongLength, D3_STATE));
        assertTrue(u.detail().contains("36 bytes"), u.detail());
    }

    /** Spends a P2WSH output locked by {@code ws} (the standard shape) with the miner's sweep and checks it. */
    static CbvCheck sweepCheck(Script ws, D3 d3) {
        TransactionOutPoint op = Fixtures.outpoint("sweep " + ws, 0);
        Transaction tx = spending(op);
        TransactionSignature sig = tx.calculateWitnessSignature(0, MINER, ws, VALUE, Transaction.SigHash.ALL, false);
        tx.replaceInput(0, tx.getInput(0).withWitness(TransactionWitness.of(sig.encodeToBitcoin(), ws.program())));
        SegwitV0Verifier.verifyP2wsh(tx, 0, M9Scripts.p2wsh(ws), VALUE, SegwitV0Verifier.CONSENSUS_FLAGS);
        return CbvChecker.checkInput(tx.getInput(0), M9Scripts.p2wsh(ws).program(), d3, MIN_ATOP);
    }

    // ---- what the follower does not evaluate, and what it cannot identify ----

    @Test
    void missingPrevoutIsReportedDistinctly() {
        Prevouts prevouts = new Prevouts();
        Bribe b = bribe(Fixtures.deep(), prevouts);
        TransactionOutPoint unknown = Fixtures.outpoint("nowhere", 4);
        TransactionOutPoint change = new TransactionOutPoint(b.changeIndex().orElseThrow(), b.tx().getTxId());
        Transaction tx = spending(change); // P2WPKH: no OP_CBV, whatever its witness
        tx.addInput(new TransactionInput(tx, new byte[0], unknown, VALUE));
        assertEquals(new TxCbvCheck.MissingPrevout(1, unknown),
                CbvChecker.checkTransaction(tx, prevouts, D3_STATE, MIN_ATOP));
        assertEquals(new TxCbvCheck.MissingPrevout(0, change),
                CbvChecker.checkTransaction(tx, new Prevouts(), D3_STATE, MIN_ATOP));
    }

    @Test
    void partialSourcePassesWhatItDoesNotKnowAndChecksTheRest() {
        // what a CBV-scoped index answers: it holds the bribe's M9 output, not the P2WPKH coin before it
        Prevouts known = new Prevouts();
        Bribe b = bribe(Fixtures.shallow(), known);
        PrevoutSource partial = new PrevoutSource() {
            @Override
            public java.util.Optional<org.sidechains.bmm.bitcoinj.prevout.Prevout> find(TransactionOutPoint op) {
                return op.equals(b.payoutOutpoint()) ? known.find(op) : java.util.Optional.empty();
            }

            @Override
            public boolean complete() {
                return false;
            }
        };
        TransactionOutPoint p2wpkh = Fixtures.outpoint("p2wpkh before the bribe", 0);
        Transaction tx = spending(p2wpkh);
        tx.addInput(new TransactionInput(tx, new byte[0], b.payoutOutpoint(), VALUE));
        tx.replaceInput(1, tx.getInput(1).withWitness(TransactionWitness.of(new byte[64], b.witnessScript().program())));
        TxCbvCheck.Unsatisfied u = assertInstanceOf(TxCbvCheck.Unsatisfied.class,
                CbvChecker.checkTransaction(tx, partial, D3_STATE, MIN_ATOP));
        assertEquals(1, u.inputIndex());
        // with a D3 deep enough the same transaction passes: the unknown input is taken to run no OP_CBV
        assertEquals(new TxCbvCheck.Passed(1), CbvChecker.checkTransaction(tx, partial, D3_STATE, 0));
        // a complete source that does not know the first input still reports it
        assertEquals(new TxCbvCheck.MissingPrevout(0, p2wpkh),
                CbvChecker.checkTransaction(tx, known, D3_STATE, MIN_ATOP));
    }

    @Test
    void coinbaseSpendsNothing() {
        Transaction cb = Transaction.coinbase(new byte[] {1, 2});
        cb.addOutput(Coin.COIN, DEST);
        assertEquals(new TxCbvCheck.Passed(0), CbvChecker.checkTransaction(cb, new Prevouts(), EMPTY, MIN_ATOP));
    }

    @Test
    void witnessScriptThatDoesNotMatchTheProgramFailsClosed() {
        Script committed = standard(Fixtures.shallow());
        Script revealed = new ScriptBuilder().smallNum(1).build(); // no OP_CBV, but not what the output commits to
        TransactionOutPoint op = Fixtures.outpoint("mismatch", 0);
        Transaction tx = spending(op);
        tx.replaceInput(0, tx.getInput(0).withWitness(TransactionWitness.of(revealed.program())));
        CbvCheck.Unsatisfied u = assertInstanceOf(CbvCheck.Unsatisfied.class, CbvChecker.checkInput(
                tx.getInput(0), M9Scripts.p2wsh(committed).program(), D3_STATE, MIN_ATOP));
        assertTrue(u.detail().contains("does not hash"), u.detail());
        // an empty witness is no verdict on OP_CBV (the witnesses are missing) and does not pass either
        Transaction empty = spending(op);
        CbvCheck missing = CbvChecker.checkInput(empty.getInput(0), M9Scripts.p2wsh(committed).program(), D3_STATE, MIN_ATOP);
        assertInstanceOf(CbvCheck.WitnessMissing.class, missing);
        assertFalse(missing.passes());
        assertEquals(new TxCbvCheck.WitnessMissing(0, op, ((CbvCheck.WitnessMissing) missing).detail()),
                CbvChecker.checkTransaction(empty, o -> Optional.of(new Prevout(Coin.COIN, M9Scripts.p2wsh(committed).program())),
                        D3_STATE, MIN_ATOP));
        // a P2SH redeemScript that does not match fails closed like the witnessScript
        Transaction p2sh = spending(op);
        p2sh.replaceInput(0, p2sh.getInput(0).withScriptSig(new ScriptBuilder().data(revealed.program()).build()));
        assertInstanceOf(CbvCheck.Unsatisfied.class, CbvChecker.checkInput(p2sh.getInput(0),
                ScriptBuilder.createP2SHOutputScript(committed).program(), D3_STATE, MIN_ATOP));
    }

    @Test
    void p2wpkhAndTaprootRunNoCbv() {
        TransactionOutPoint op = Fixtures.outpoint("other", 0);
        Transaction tx = spending(op);
        Script tapscript = new ScriptBuilder().data(CbvPayload.v1(Fixtures.shallow()).serialize())
                .op(M9Scripts.OP_CBV).build();
        tx.replaceInput(0, tx.getInput(0).withWitness(TransactionWitness.of(new byte[64], tapscript.program(),
                new byte[33])));
        byte[] p2tr = new byte[34];
        p2tr[0] = 0x51;
        p2tr[1] = 32;
        assertEquals(CbvCheck.NO_CBV, CbvChecker.checkInput(tx.getInput(0), p2tr, EMPTY, MIN_ATOP));
        assertEquals(CbvCheck.NO_CBV, CbvChecker.checkInput(tx.getInput(0),
                ScriptBuilder.createP2WPKHOutputScript(MINER).program(), EMPTY, MIN_ATOP));
    }

    @Test
    void nop6ByteInsidePushDataIsNotAnOpcode() {
        byte[] data = new byte[181]; // PUSHDATA1 0xb5: the length byte is 0xb5
        java.util.Arrays.fill(data, (byte) 0xb5);
        Script spk = new ScriptBuilder().data(data).op(OP_DROP).data(new byte[] {(byte) 0xb5}).op(OP_DROP)
                .smallNum(1).build();
        assertEquals(0x4c, spk.program()[0] & 0xFF);
        assertEquals(0xb5, spk.program()[1] & 0xFF);
        Transaction tx = spending(Fixtures.outpoint("pushdata", 0));
        assertEquals(CbvCheck.NO_CBV, CbvChecker.checkInput(tx.getInput(0), spk.program(), EMPTY, MIN_ATOP));
        // a P2WSH program can contain 0xb5 too: no opcode either
        assertEquals(CbvCheck.NO_CBV, CbvInterpreter.evaluate(M9Scripts.p2wsh(spk).program(), List.of(), EMPTY,
                MIN_ATOP, "test"));
    }
}
