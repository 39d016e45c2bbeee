package org.sidechains.bmm.bitcoinj.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.tx.BlockReadiness.Kind;

/** The boundaries of each rule, as bitcoind's IsFinalTx, SequenceLocks and CheckTxInputs draw them. */
class BlockReadinessTest {
    static final byte[] SPK = {0x51};

    static Transaction tx(int version, long lockTime, long sequence) {
        Transaction tx = new Transaction();
        tx.setVersion(version);
        tx.setLockTime(lockTime);
        tx.addInput(new TransactionInput(tx, new byte[0], new TransactionOutPoint(0, Sha256Hash.of(new byte[] {1})), Coin.COIN)
                .withSequence(sequence));
        return tx;
    }

    static Optional<Kind> at(Transaction tx, Prevout p, int height) {
        return BlockReadiness.at(tx, List.of(p), height).map(BlockReadiness.NotReady::kind);
    }

    @Test
    void coinbaseMaturityIsOneHundredBlocks() {
        Prevout cb = Prevout.madeAt(Coin.COIN, SPK, 10, true);
        Transaction t = tx(2, 0, 0xFFFFFFFFL);
        assertEquals(Optional.of(Kind.IMMATURE_COINBASE), at(t, cb, 109));
        assertEquals(Optional.empty(), at(t, cb, 110));
        assertEquals(Optional.empty(), at(t, Prevout.madeAt(Coin.COIN, SPK, 109, false), 110), "not a coinbase");
    }

    @Test
    void aHeightLockTimeIsMetInTheBlockAfterIt() {
        Prevout p = new Prevout(Coin.COIN, SPK);
        assertEquals(Optional.of(Kind.NOT_FINAL), at(tx(2, 200, 0xFFFFFFFEL), p, 200));
        assertEquals(Optional.empty(), at(tx(2, 200, 0xFFFFFFFEL), p, 201));
        assertEquals(Optional.empty(), at(tx(2, 200, 0xFFFFFFFFL), p, 5), "all inputs final: no lock");
        assertEquals(Optional.of(Kind.NOT_FINAL), at(tx(2, org.bitcoinj.core.LockTime.THRESHOLD, 0xFFFFFFFEL), p, 5),
                "a time: not checkable here");
    }

    @Test
    void bip68CountsFromTheCoinsHeightForVersionTwoAndUp() {
        Prevout p = Prevout.madeAt(Coin.COIN, SPK, 50, false);
        assertEquals(Optional.of(Kind.NOT_FINAL), at(tx(2, 0, 10), p, 59));
        assertEquals(Optional.empty(), at(tx(2, 0, 10), p, 60));
        assertEquals(Optional.empty(), at(tx(1, 0, 10), p, 51), "version 1: nSequence is no lock");
        assertEquals(Optional.empty(), at(tx(3, 0, (1L << 31) | 10), p, 51), "the disable flag");
        assertEquals(Optional.empty(), at(tx(3, 0, 0), p, 51), "a lock of 0 is always met");
        assertEquals(Optional.of(Kind.NOT_FINAL), at(tx(3, 0, (1L << 22) | 1), p, 5000), "a time lock: not checkable");
        Optional<BlockReadiness.NotReady> unknown = BlockReadiness.at(tx(3, 0, 1), List.of(new Prevout(Coin.COIN, SPK)), 5000);
        assertTrue(unknown.orElseThrow().detail().contains("not known"), unknown.toString());
    }
}
