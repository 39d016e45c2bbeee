package org.sidechains.bmm.bitcoinj.chain;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.core.TransactionWitness;

/**
 * BIP141's witness commitment as bitcoind writes and checks it: the coinbase output
 * {@code 6a24aa21a9ed || SHA256d(witness root || reserved value)}, the hash as SHA256d outputs it
 * (checked against a block bitcoind accepted), the reserved value being the coinbase input's single
 * 32-byte witness item. One definition for the block assembler, the content checks and the
 * embedded regtest chain.
 */
public final class WitnessCommitment {
    private static final byte[] HEADER = {0x6a, 0x24, (byte) 0xaa, 0x21, (byte) 0xa9, (byte) 0xed};
    /** bitcoind's MINIMUM_WITNESS_COMMITMENT: the header and 32 bytes; more may follow. */
    public static final int MINIMUM_SIZE = HEADER.length + 32;

    private WitnessCommitment() {
    }

    /** bitcoind's GetWitnessCommitmentIndex: the last coinbase output that looks like a commitment. */
    public static OptionalInt index(Transaction coinbase) {
        List<TransactionOutput> outs = coinbase.getOutputs();
        for (int i = outs.size() - 1; i >= 0; i--) {
            if (isCommitment(outs.get(i).getScriptBytes())) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    public static boolean isCommitment(byte[] script) {
        return script.length >= MINIMUM_SIZE && Arrays.equals(script, 0, HEADER.length, HEADER, 0, HEADER.length);
    }

    /** The 32 committed bytes of a commitment script. */
    public static byte[] committed(byte[] script) {
        return Arrays.copyOfRange(script, HEADER.length, MINIMUM_SIZE);
    }

    /**
     * SHA256d(witness root || reserved value), as it goes into the script.
     *
     * @param witnessRoot the root of the wtxids (the coinbase's counted as zero), in wire byte
     *                    order (bitcoinj: {@code block.getWitnessRoot().serialize()})
     */
    public static byte[] digest(byte[] witnessRoot, byte[] reserved) {
        return Sha256Hash.hashTwice(witnessRoot, reserved);
    }

    /** The commitment output script for a digest. */
    public static byte[] script(byte[] digest) {
        byte[] script = Arrays.copyOf(HEADER, MINIMUM_SIZE);
        System.arraycopy(digest, 0, script, HEADER.length, 32);
        return script;
    }

    /** The reserved value bitcoind's miner uses: 32 zero bytes. */
    public static byte[] zeroReserved() {
        return new byte[32];
    }

    /** The coinbase witness a committed block needs, with the zero reserved value. */
    public static TransactionWitness reservedWitness() {
        return TransactionWitness.of(zeroReserved());
    }
}
