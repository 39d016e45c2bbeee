package org.sidechains.bmm.bitcoinj.assemble;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.script.ScriptBuilder;
import org.sidechains.bmm.bitcoinj.chain.WitnessCommitment;

/**
 * Builds a complete block the way bitcoind's miner does: a version-2 coinbase whose scriptSig
 * starts with the BIP34 height, the given coinbase outputs, a BIP141 witness commitment when any
 * transaction has witness data, the merkle root, and a solved header (cheap on regtest).
 */
public final class BlockBuilder {
    /** Version bits with no deployment signalled, as bitcoind v25 mines on regtest. */
    public static final long VERSION = 0x20000000L;

    /** One coinbase output. */
    public record Output(Coin value, byte[] scriptPubKey) {
        public Output {
            Objects.requireNonNull(value);
            scriptPubKey = scriptPubKey.clone();
        }
    }

    private BlockBuilder() {
    }

    /**
     * @param prevHash     the parent block
     * @param height       this block's height (goes into the coinbase, BIP34)
     * @param time         header time (callers keep it above the median of the last 11 blocks)
     * @param bits         compact difficulty target
     * @param extraNonce   bytes pushed after the height, to make coinbases unique (may be empty)
     * @param coinbaseOuts the coinbase's outputs, in order (payout, M7, ...)
     * @param txs          the block's other transactions, in order
     */
    /** bitcoind's bound on a coinbase's scriptSig (bad-cb-length above it). */
    static final int MAX_COINBASE_SCRIPT_SIG = 100;

    public static Block build(Sha256Hash prevHash, int height, Instant time, long bits, byte[] extraNonce,
                              List<Output> coinbaseOuts, List<Transaction> txs) {
        if (extraNonce.length == 1) {
            // bitcoinj cannot write a one-byte push (a script would use OP_1..OP_16 or OP_PUSHBYTES_1)
            throw new IllegalArgumentException("extraNonce must be empty or at least 2 bytes long");
        }
        Transaction coinbase = new Transaction();
        coinbase.setVersion(2);
        ScriptBuilder sig = new ScriptBuilder().number(height);
        if (extraNonce.length > 0) {
            sig.data(extraNonce);
        } else {
            sig.smallNum(0); // bitcoind's "<height> OP_0": a coinbase scriptSig needs at least 2 bytes
        }
        byte[] scriptSig = sig.build().program();
        if (scriptSig.length > MAX_COINBASE_SCRIPT_SIG) {
            throw new IllegalArgumentException("the coinbase scriptSig would be " + scriptSig.length + " bytes, bitcoind takes"
                    + " at most " + MAX_COINBASE_SCRIPT_SIG + ": the extraNonce (" + extraNonce.length + " bytes) is too long");
        }
        coinbase.addInput(TransactionInput.coinbaseInput(coinbase, scriptSig));
        for (Output o : coinbaseOuts) {
            coinbase.addOutput(new TransactionOutput(coinbase, o.value(), o.scriptPubKey()));
        }
        List<Transaction> all = new ArrayList<>(txs.size() + 1);
        all.add(coinbase);
        all.addAll(txs);
        if (txs.stream().anyMatch(Transaction::hasWitnesses)) {
            // the coinbase's wtxid counts as zero, so the witness root does not depend on the commitment
            Block draft = new Block(VERSION, prevHash, null, time, bits, 0, all);
            byte[] digest = WitnessCommitment.digest(draft.getWitnessRoot().serialize(), WitnessCommitment.zeroReserved());
            coinbase.addOutput(new TransactionOutput(coinbase, Coin.ZERO, WitnessCommitment.script(digest)));
            coinbase.replaceInput(0, coinbase.getInput(0).withWitness(WitnessCommitment.reservedWitness()));
        }
        Block block = new Block(VERSION, prevHash, null, time, bits, 0, all);
        block.solve();
        return block;
    }
}
