package org.sidechains.bmm.bitcoinj.chain;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.NetworkParameters;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.core.VerificationException;

/**
 * What {@link BmmChainConfig#withBlockContentChecks()} checks of a block from a peer it does not
 * trust: that its transactions are the ones its header commits to. bitcoinj's full-block checks
 * (merkle root, transaction sanity, sigops, legacy size), and BIP141's witness commitment, which
 * bitcoinj checks nowhere outside its tests. Witnesses matter here: the P2WSH witness stack is
 * what OP_CBV reads, and a witness can be changed without changing a txid.
 */
public final class BlockContents {
    /** bitcoind's commitment output: OP_RETURN, a 36-byte push, 0xaa21a9ed, then the 32-byte hash. */
    private static final byte[] COMMITMENT_HEADER = {0x6a, 0x24, (byte) 0xaa, 0x21, (byte) 0xa9, (byte) 0xed};
    private static final int COMMITMENT_SIZE = COMMITMENT_HEADER.length + 32;

    private BlockContents() {
    }

    public static void verify(NetworkParameters params, Block block, int height) throws VerificationException {
        Block.verifyTransactions(params, block, height, EnumSet.noneOf(Block.VerifyFlag.class));
        verifyWitnessCommitment(block);
    }

    /**
     * bitcoind's rule: the last coinbase output that looks like a commitment must hold
     * SHA256d(witness root || the coinbase's single 32-byte witness item); without one, no
     * transaction may carry witness data.
     */
    public static void verifyWitnessCommitment(Block block) throws VerificationException {
        List<Transaction> txs = block.getTransactions();
        Transaction coinbase = txs.get(0);
        List<TransactionOutput> outs = coinbase.getOutputs();
        byte[] commitment = null;
        for (int i = outs.size() - 1; i >= 0 && commitment == null; i--) {
            byte[] script = outs.get(i).getScriptBytes();
            if (script.length >= COMMITMENT_SIZE
                    && Arrays.equals(script, 0, COMMITMENT_HEADER.length, COMMITMENT_HEADER, 0, COMMITMENT_HEADER.length)) {
                commitment = script;
            }
        }
        if (commitment == null) {
            for (Transaction tx : txs) {
                if (tx.hasWitnesses()) {
                    throw new VerificationException("block " + block.getHash()
                            + ": witness data without a witness commitment (unexpected-witness)");
                }
            }
            return;
        }
        TransactionWitness reserved = coinbase.getInput(0).getWitness();
        if (reserved.getPushCount() != 1 || reserved.getPush(0).length != 32) {
            throw new VerificationException("block " + block.getHash()
                    + ": the coinbase witness is not one 32-byte reserved value (bad-witness-nonce-size)");
        }
        // the raw SHA256d output, as bitcoind writes it (and as the block assembler does)
        byte[] expected = Sha256Hash.twiceOf(block.getWitnessRoot().serialize(), reserved.getPush(0)).getBytes();
        if (!Arrays.equals(expected, 0, 32, commitment, COMMITMENT_HEADER.length, COMMITMENT_SIZE)) {
            throw new VerificationException("block " + block.getHash()
                    + ": the witnesses are not the ones the coinbase commits to (bad-witness-merkle-match)");
        }
    }
}
