package org.sidechains.bmm.regtest.embedded;

import java.util.Objects;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Transaction;

/**
 * A transaction the mempool holds, with what {@code getblocktemplate} reports of it.
 *
 * @param sigOpCost BIP141 sigop cost (legacy and P2SH sigops x4, plus witness sigops)
 */
record MempoolEntry(Transaction tx, Sha256Hash txid, Coin fee, int weight, int vsize, int sigOpCost) {
    MempoolEntry {
        Objects.requireNonNull(tx, "tx");
        Objects.requireNonNull(txid, "txid");
        Objects.requireNonNull(fee, "fee");
    }
}
