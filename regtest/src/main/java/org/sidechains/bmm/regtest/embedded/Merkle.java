package org.sidechains.bmm.regtest.embedded;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.sidechains.bmm.bitcoinj.chain.WitnessCommitment;

/**
 * bitcoind's ComputeMerkleRoot, with its mutation flag: a level whose two adjacent hashes are equal
 * means the duplicated-last-transaction trick (CVE-2012-2459), which bitcoinj does not detect.
 * Hashes are in wire order.
 */
final class Merkle {
    record Root(byte[] root, boolean mutated) {
        Sha256Hash hash() {
            return Sha256Hash.wrapReversed(root);
        }
    }

    private Merkle() {
    }

    static Root compute(List<byte[]> leaves) {
        if (leaves.isEmpty()) {
            return new Root(new byte[32], false);
        }
        List<byte[]> level = new ArrayList<>(leaves);
        boolean mutated = false;
        while (level.size() > 1) {
            for (int i = 0; i + 1 < level.size(); i += 2) {
                if (Arrays.equals(level.get(i), level.get(i + 1))) {
                    mutated = true;
                }
            }
            if ((level.size() & 1) == 1) {
                level.add(level.get(level.size() - 1));
            }
            List<byte[]> next = new ArrayList<>(level.size() / 2);
            for (int i = 0; i < level.size(); i += 2) {
                next.add(Sha256Hash.hashTwice(level.get(i), level.get(i + 1)));
            }
            level = next;
        }
        return new Root(level.get(0), mutated);
    }

    /** The block's merkle root over txids. */
    static Root ofTxids(List<Transaction> txs) {
        List<byte[]> leaves = new ArrayList<>(txs.size());
        txs.forEach(tx -> leaves.add(tx.getTxId().serialize()));
        return compute(leaves);
    }

    /** BIP141's witness root: wtxids, the coinbase's counted as zero. */
    static byte[] witnessRoot(List<Transaction> txs) {
        List<byte[]> leaves = new ArrayList<>(txs.size());
        for (int i = 0; i < txs.size(); i++) {
            leaves.add(i == 0 ? new byte[32] : txs.get(i).getWTxId().serialize());
        }
        return compute(leaves).root();
    }

    /** SHA256d(witness root || reserved value) of a block of {@code txs} (coinbase first). */
    static byte[] witnessCommitment(List<Transaction> txs, byte[] reserved) {
        return WitnessCommitment.digest(witnessRoot(txs), reserved);
    }

    /** The whole commitment output script for a block of {@code txs} and the zero reserved value. */
    static byte[] witnessCommitmentScript(List<Transaction> txs) {
        return WitnessCommitment.script(witnessCommitment(txs, WitnessCommitment.zeroReserved()));
    }

    static Root of(Block block) {
        return ofTxids(block.getTransactions());
    }
}
