package org.sidechains.bmm.bitcoinj.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;

/** Sigop costs as bitcoind's GetTransactionSigOpCost counts them, one kind of spend at a time. */
class SigOpsTest {
    static final List<ECKey> KEYS = List.of(new ECKey(), new ECKey(), new ECKey());
    static final Script MULTISIG = ScriptBuilder.createMultiSigOutputScript(2, KEYS); // OP_2 ... OP_3 OP_CHECKMULTISIG

    static Transaction spending(byte[] scriptSig, TransactionWitness witness, Script output) {
        Transaction tx = new Transaction();
        TransactionInput in = new TransactionInput(tx, scriptSig, new TransactionOutPoint(0, Sha256Hash.of(new byte[] {7})));
        tx.addInput(witness == null ? in : in.withWitness(witness));
        tx.addOutput(Coin.COIN, output);
        return tx;
    }

    static long cost(Transaction tx, Script spent) {
        return SigOps.cost(tx, List.of(new Prevout(Coin.COIN, spent.program())));
    }

    @Test
    void eachKindOfSpend() {
        Script p2wpkh = ScriptBuilder.createP2WPKHOutputScript(KEYS.get(0));
        // P2WPKH in, P2WPKH out: one witness sigop
        assertEquals(1, cost(spending(new byte[0], TransactionWitness.of(List.of(new byte[71], new byte[33])), p2wpkh), p2wpkh));
        // a bare multisig output counts 20 legacy sigops (inaccurate count), times 4
        assertEquals(80 + 1, cost(spending(new byte[0], TransactionWitness.of(List.of(new byte[71], new byte[33])), MULTISIG),
                p2wpkh));
        // P2WSH of a 2-of-3: the witness script counts accurately, once
        Script p2wsh = ScriptBuilder.createP2WSHOutputScript(MULTISIG);
        TransactionWitness w = TransactionWitness.of(List.of(new byte[0], new byte[71], new byte[71], MULTISIG.program()));
        assertEquals(3, cost(spending(new byte[0], w, p2wpkh), p2wsh));
        // P2SH of a 2-of-3: the redeem script counts accurately, times 4 (the scriptSig pushes count nothing)
        Script p2sh = ScriptBuilder.createP2SHOutputScript(MULTISIG);
        byte[] scriptSig = new ScriptBuilder().smallNum(0).data(new byte[71]).data(new byte[71]).data(MULTISIG.program())
                .build().program();
        assertEquals(12, cost(spending(scriptSig, null, p2wpkh), p2sh));
        // P2SH-P2WSH: the witness script once
        Script nested = ScriptBuilder.createP2WSHOutputScript(MULTISIG);
        byte[] pushNested = new ScriptBuilder().data(nested.program()).build().program();
        assertEquals(3, cost(spending(pushNested, w, p2wpkh), ScriptBuilder.createP2SHOutputScript(nested)));
        // a P2SH spend whose scriptSig is not push-only: bitcoind counts no P2SH sigops (only the legacy ones)
        byte[] notPushOnly = new ScriptBuilder().op(0x61).data(MULTISIG.program()).build().program(); // OP_NOP, push
        assertEquals(0, cost(spending(notPushOnly, null, p2wpkh), p2sh));
        // 22 bytes starting OP_0 but with a wrong length byte: no witness program, no witness sigops
        byte[] fake = p2wpkh.program().clone();
        fake[1] = 0x13;
        assertEquals(0, SigOps.cost(spending(new byte[0], TransactionWitness.of(List.of(new byte[71], new byte[33])), p2wpkh),
                List.of(new Prevout(Coin.COIN, fake))));
        // an unknown spent output adds nothing beyond the legacy count
        Transaction t = spending(new byte[0], w, p2wpkh);
        assertEquals(0, SigOps.cost(t, Arrays.asList((Prevout) null)));
    }

    @Test
    void aPushRunningPastTheEndStopsTheCount() {
        assertEquals(1, SigOps.accurate(new byte[] {(byte) 0xac, 0x4c, 0x05, (byte) 0xac}));
        assertEquals(2, SigOps.accurate(new byte[] {0x52, (byte) 0xae}));
        assertEquals(20, SigOps.accurate(new byte[] {0x01, 0x02, (byte) 0xae}));
    }
}
