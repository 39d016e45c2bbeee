package org.sidechains.bmm.bitcoinj.chain;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalInt;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.NetworkParameters;
import org.bitcoinj.core.Transaction;
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
    private BlockContents() {
    }

    public static void verify(NetworkParameters params, Block block, int height) throws VerificationException {
        Block.verifyTransactions(params, block, height, EnumSet.noneOf(Block.VerifyFlag.class));
        verifyWitnessCommitment(block);
    }

    /**
     * bitcoind's rule: the last coinbase output that looks like a commitment must hold
     * SHA256d(witness root || the coinbase's single 32-byte witness item); without one, no
     * transaction may carry witness data. ({@link WitnessCommitment} holds the format.)
     */
    public static void verifyWitnessCommitment(Block block) throws VerificationException {
        List<Transaction> txs = block.getTransactions();
        Transaction coinbase = txs.get(0);
        OptionalInt at = WitnessCommitment.index(coinbase);
        if (at.isEmpty()) {
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
        byte[] expected = WitnessCommitment.digest(block.getWitnessRoot().serialize(), reserved.getPush(0));
        byte[] committed = WitnessCommitment.committed(coinbase.getOutput(at.getAsInt()).getScriptBytes());
        if (!Arrays.equals(expected, committed)) {
            throw new VerificationException("block " + block.getHash()
                    + ": the witnesses are not the ones the coinbase commits to (bad-witness-merkle-match)");
        }
    }
}
