package org.sidechains.bmm.regtest.embedded;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Context;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.crypto.TransactionSignature;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.sidechains.bmm.bitcoinj.assemble.BlockBuilder;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.prevout.PrevoutSource;

/** An embedded chain with a key to mine to and spend from, and builders of real regtest blocks. */
public final class TestChain {
    static {
        // bitcoinj's Block.solve (used by bmm-bitcoinj's BlockBuilder) needs a Context
        Context.propagate(new Context());
    }

    public static final ECKey KEY = ECKey.fromPrivate(BigInteger.valueOf(0x5eed_0001L));
    public static final ECKey OTHER = ECKey.fromPrivate(BigInteger.valueOf(0x5eed_0002L));

    public final EmbeddedRegtestChain chain;
    private int salt;

    public TestChain() {
        this(EmbeddedRegtestChain.create());
    }

    public TestChain(EmbeddedRegtestChain chain) {
        this.chain = chain;
    }

    public static byte[] p2wpkh(ECKey key) {
        return ScriptBuilder.createP2WPKHOutputScript(key).program();
    }

    public static byte[] p2pkh(ECKey key) {
        return ScriptBuilder.createP2PKHOutputScript(key).program();
    }

    public static byte[] p2pk(ECKey key) {
        return ScriptBuilder.createP2PKOutputScript(key).program();
    }

    /** Mines {@code n} blocks paying {@link #KEY} (P2WPKH); returns their coinbase outputs. */
    public List<TransactionOutPoint> mine(int n) {
        List<TransactionOutPoint> out = new ArrayList<>();
        for (Sha256Hash h : chain.generateToScript(n, p2wpkh(KEY))) {
            out.add(new TransactionOutPoint(0, chain.block(h).getTransactions().get(0).getTxId()));
        }
        return out;
    }

    public Sha256Hash tip() {
        return chain.bestBlockHash();
    }

    public int height() {
        return chain.blockCount();
    }

    public Instant nextTime(Sha256Hash prev) {
        return chain.block(prev).time().plusSeconds(1); // bitcoinj refuses blocks 2 hours ahead of its clock
    }

    /** A block on {@code prev} as bitcoind's miner makes it (always with a witness commitment). */
    public Block blockOn(Sha256Hash prev, List<BlockBuilder.Output> coinbaseOutputs, List<Transaction> txs) {
        int height = chain.header(prev).height() + 1;
        return BlockMaker.build(prev, height, nextTime(prev).plusSeconds(salt++), Pow.REGTEST_BITS, coinbaseOutputs, txs);
    }

    /** A block on the tip paying {@code value} to {@link #KEY}. */
    public Block blockOnTip(Coin value, List<Transaction> txs) {
        return blockOn(tip(), List.of(new BlockBuilder.Output(value, p2wpkh(KEY))), txs);
    }

    /** A block on the tip built by bmm-bitcoinj's BlockBuilder (witness commitment only with witness data). */
    public Block builderBlockOnTip(List<BlockBuilder.Output> coinbaseOutputs, List<Transaction> txs, byte[] extraNonce) {
        Sha256Hash prev = tip();
        return BlockBuilder.build(prev, height() + 1, nextTime(prev), Pow.REGTEST_BITS, extraNonce, coinbaseOutputs, txs);
    }

    /** Solves a block again after its transactions changed (new merkle root). */
    public static Block resolve(Block block, List<Transaction> txs) {
        return BlockMaker.solve(block.getVersion(), block.getPrevBlockHash(), block.time(), block.getDifficultyTarget(),
                txs);
    }

    /** The chain's unspent outputs as a prevout source (for bmm-bitcoinj's assembler and pool). */
    public PrevoutSource prevouts() {
        return op -> chain.txOut(op, false).map(t -> new Prevout(t.value(), t.output().scriptPubKey()));
    }

    /** A signed spend of P2WPKH outputs of {@code key}. */
    public static Transaction spendP2wpkh(int version, List<TransactionOutPoint> ins, Coin eachValue, ECKey key,
                                          List<TransactionOutput> outs) {
        Transaction tx = new Transaction();
        tx.setVersion(version);
        for (TransactionOutPoint op : ins) {
            tx.addInput(new TransactionInput(tx, new byte[0], op, eachValue));
        }
        for (TransactionOutput o : outs) {
            tx.addOutput(new TransactionOutput(tx, o.getValue(), o.getScriptBytes()));
        }
        for (int i = 0; i < ins.size(); i++) {
            TransactionSignature sig = tx.calculateWitnessSignature(i, key, ScriptBuilder.createP2PKHOutputScript(key),
                    eachValue, Transaction.SigHash.ALL, false);
            tx.replaceInput(i, tx.getInput(i).withWitness(TransactionWitness.redeemP2WPKH(sig, key)));
        }
        return tx;
    }

    /** Pays {@code amount} of a 50 BTC P2WPKH coinbase of {@link #KEY} to {@code script}, the rest back, fee {@code fee}. */
    public static Transaction pay(TransactionOutPoint coin, Coin value, Coin amount, byte[] script, Coin fee) {
        Transaction shell = new Transaction();
        List<TransactionOutput> outs = new ArrayList<>();
        outs.add(new TransactionOutput(shell, amount, script));
        Coin change = value.subtract(amount).subtract(fee);
        if (change.isPositive()) {
            outs.add(new TransactionOutput(shell, change, p2wpkh(KEY)));
        }
        return spendP2wpkh(2, List.of(coin), value, KEY, outs);
    }

    /** A signed spend of a P2PKH or P2PK output of {@code key} (legacy sighash). */
    public static Transaction spendLegacy(TransactionOutPoint op, byte[] spentScript, ECKey key, Coin out, byte[] to) {
        Transaction tx = new Transaction();
        tx.setVersion(2);
        tx.addInput(new TransactionInput(tx, new byte[0], op));
        tx.addOutput(new TransactionOutput(tx, out, to));
        Script spk = Script.parse(spentScript);
        TransactionSignature sig = tx.calculateSignature(0, key, spk, Transaction.SigHash.ALL, false);
        Script scriptSig = org.bitcoinj.script.ScriptPattern.isP2PK(spk) ? ScriptBuilder.createInputScript(sig)
                : ScriptBuilder.createInputScript(sig, key);
        tx.replaceInput(0, tx.getInput(0).withScriptSig(scriptSig));
        return tx;
    }

    public Optional<String> submit(Block b) {
        return chain.submitBlock(b);
    }
}
