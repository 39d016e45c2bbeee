package org.sidechains.bmm.regtest.embedded;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.core.TransactionWitness;

/**
 * BIP141's witness commitment as bitcoind writes and checks it: the coinbase output
 * {@code 6a24aa21a9ed || SHA256d(witness root || reserved value)}, the hash in its natural (wire)
 * byte order, the reserved value being the coinbase input's single 32-byte witness item.
 */
public final class WitnessCommitment {
    static final byte[] HEADER = {0x6a, 0x24, (byte) 0xaa, 0x21, (byte) 0xa9, (byte) 0xed};
    /** bitcoind's MINIMUM_WITNESS_COMMITMENT: the header and 32 bytes; more may follow. */
    static final int MINIMUM_SIZE = 38;
    /** The reserved value bitcoind's miner uses: 32 zero bytes. */
    static final byte[] ZERO_RESERVED = new byte[32];

    private WitnessCommitment() {
    }

    /** bitcoind's GetWitnessCommitmentIndex: the last coinbase output that looks like a commitment. */
    static OptionalInt index(Transaction coinbase) {
        List<TransactionOutput> outs = coinbase.getOutputs();
        for (int i = outs.size() - 1; i >= 0; i--) {
            if (isCommitment(outs.get(i).getScriptBytes())) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    static boolean isCommitment(byte[] script) {
        return script.length >= MINIMUM_SIZE && Arrays.equals(script, 0, HEADER.length, HEADER, 0, HEADER.length);
    }

    /** SHA256d(witness root || reserved value), as it goes into the script. */
    static byte[] commitment(List<Transaction> txs, byte[] reserved) {
        return Sha256Hash.hashTwice(Merkle.witnessRoot(txs), reserved);
    }

    /** The whole commitment output script for a block of {@code txs} (coinbase first) and the zero reserved value. */
    public static byte[] script(List<Transaction> txs) {
        byte[] script = Arrays.copyOf(HEADER, MINIMUM_SIZE);
        System.arraycopy(commitment(txs, ZERO_RESERVED), 0, script, HEADER.length, 32);
        return script;
    }

    /** The coinbase witness a committed block needs. */
    static TransactionWitness reservedWitness() {
        return TransactionWitness.of(ZERO_RESERVED.clone());
    }
}
