package org.sidechains.bmm.regtest.embedded;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutput;
import org.sidechains.bmm.bitcoinj.assemble.BlockBuilder;
import org.sidechains.bmm.bitcoinj.chain.WitnessCommitment;

/**
 * Builds and solves blocks exactly as bitcoind v25's {@code generatetoaddress} does: a version-2
 * coinbase with scriptSig {@code <height> OP_0}, the given outputs, then always the BIP141 witness
 * commitment (with the 32-byte zero reserved value as the coinbase's witness), block version
 * 0x20000000, the nonce counted up from 0. Needs no bitcoinj {@code Context}.
 */
public final class BlockMaker {
    /** Version bits with nothing signalled, as bitcoind mines on regtest. */
    public static final long VERSION = 0x20000000L;

    private BlockMaker() {
    }

    /**
     * @param coinbaseOutputs the coinbase's outputs before the commitment (payout, M7, ...)
     * @param txs             the block's other transactions, in order
     */
    public static Block build(Sha256Hash prev, int height, Instant time, long bits,
                              List<BlockBuilder.Output> coinbaseOutputs, List<Transaction> txs) {
        Transaction coinbase = new Transaction();
        coinbase.setVersion(2);
        ByteArrayOutputStream sig = new ByteArrayOutputStream();
        sig.writeBytes(ScriptNum.push(height));
        sig.write(0x00); // OP_0, as bitcoind's miner: also keeps heights 1..16 at the 2-byte minimum
        coinbase.addInput(TransactionInput.coinbaseInput(coinbase, sig.toByteArray()));
        for (BlockBuilder.Output o : coinbaseOutputs) {
            coinbase.addOutput(new TransactionOutput(coinbase, o.value(), o.scriptPubKey()));
        }
        List<Transaction> all = new ArrayList<>(txs.size() + 1);
        all.add(coinbase);
        all.addAll(txs);
        // the coinbase counts as zero in the witness root, so the commitment can be computed first
        coinbase.addOutput(new TransactionOutput(coinbase, Coin.ZERO, Merkle.witnessCommitmentScript(all)));
        coinbase.replaceInput(0, coinbase.getInput(0).withWitness(WitnessCommitment.reservedWitness()));
        return solve(VERSION, prev, time, bits, all);
    }

    /** The header with the lowest nonce whose hash meets {@code bits} (a couple of tries on regtest). */
    static Block solve(long version, Sha256Hash prev, Instant time, long bits, List<Transaction> txs) {
        Sha256Hash root = Merkle.ofTxids(txs).hash();
        for (long nonce = 0; nonce <= 0xffffffffL; nonce++) {
            Block b = new Block(version, prev, root, time, bits, nonce, txs);
            if (Pow.check(b.getHash(), bits)) {
                return b;
            }
        }
        throw new IllegalStateException("no nonce solves the block; change its time or coinbase");
    }
}
