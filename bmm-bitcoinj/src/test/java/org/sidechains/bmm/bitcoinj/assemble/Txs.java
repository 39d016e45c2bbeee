package org.sidechains.bmm.bitcoinj.assemble;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.StoredBlock;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.crypto.TransactionSignature;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.bitcoinj.chain.BmmBlockChain;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.prevout.PrevoutSource;
import org.sidechains.bmm.m8.M8Codec;
import org.sidechains.bmm.m8.M8Tag;

/** Test transactions signed for real (P2WPKH inputs), and templates on a chain's head. */
public final class Txs {
    private Txs() {
    }

    /** A P2WPKH output to spend, with its owner's key. */
    public record In(TransactionOutPoint outpoint, Coin value, ECKey key) {
    }

    /** An output to create. */
    public record Out(Coin value, byte[] script) {
        public static Out to(Coin value, ECKey key) {
            return new Out(value, ScriptBuilder.createP2WPKHOutputScript(key).program());
        }

        public static Out to(Coin value, Script script) {
            return new Out(value, script.program());
        }

        public static Out tag(M8Tag tag) {
            return new Out(Coin.ZERO, M8Codec.script(tag));
        }
    }

    /** A transaction of {@code version} spending P2WPKH {@code ins} (signed SIGHASH_ALL) to {@code outs}. */
    public static Transaction spend(int version, List<In> ins, List<Out> outs) {
        return spend(version, ins, outs, 0, TransactionInput.NO_SEQUENCE);
    }

    /** As {@link #spend(int, List, List)}, with this lock-time and every input's nSequence set before signing. */
    public static Transaction spend(int version, List<In> ins, List<Out> outs, long lockTime, long sequence) {
        Transaction tx = new Transaction();
        tx.setVersion(version);
        tx.setLockTime(lockTime);
        for (In in : ins) {
            tx.addInput(new TransactionInput(tx, new byte[0], in.outpoint(), in.value()).withSequence(sequence));
        }
        for (Out o : outs) {
            tx.addOutput(new TransactionOutput(tx, o.value(), o.script()));
        }
        for (int i = 0; i < ins.size(); i++) {
            ECKey key = ins.get(i).key();
            TransactionSignature sig = tx.calculateWitnessSignature(i, key, ScriptBuilder.createP2PKHOutputScript(key),
                    ins.get(i).value(), Transaction.SigHash.ALL, false);
            tx.replaceInput(i, tx.getInput(i).withWitness(TransactionWitness.redeemP2WPKH(sig, key)));
        }
        return tx;
    }

    /** A plain version-2 payment. */
    public static Transaction pay(In in, Out... outs) {
        return spend(2, List.of(in), List.of(outs));
    }

    /** The mini-header of side:block {@code n} of {@code chain}, extending its newest entry. */
    public static org.sidechains.bmm.base.MiniHeader miniHeader(int chain, int n) {
        return new org.sidechains.bmm.base.MiniHeader(chain, hStar(chain, n), 0);
    }

    public static Hash32 hStar(int chain, int n) {
        return Hash32.wrap(Sha256Hash.hash(("side:chain " + chain + " block " + n).getBytes(StandardCharsets.UTF_8)));
    }

    /** A template on the chain's head: next height, regtest bits, head time + 10 minutes. */
    public static BlockTemplate template(BmmBlockChain chain, List<BlockTemplate.TemplateTx> txs) {
        StoredBlock head = chain.getChainHead();
        Block h = head.getHeader();
        Instant time = h.time().plusSeconds(600);
        return new BlockTemplate(h.getHash(), head.getHeight() + 1, h.getDifficultyTarget(), time, txs);
    }

    /**
     * The fees of the block's transactions recomputed from scratch: each input's value from the
     * chain (before the block) or an earlier transaction of the block, minus the outputs.
     */
    public static Coin feesOf(Block block, PrevoutSource chainBefore) {
        Map<TransactionOutPoint, Prevout> inBlock = new HashMap<>();
        long fees = 0;
        List<Transaction> txs = block.getTransactions();
        for (int t = 0; t < txs.size(); t++) {
            Transaction tx = txs.get(t);
            if (t > 0) {
                long in = 0;
                for (TransactionInput i : tx.getInputs()) {
                    Prevout p = Optional.ofNullable(inBlock.get(i.getOutpoint()))
                            .or(() -> chainBefore.find(i.getOutpoint()))
                            .orElseThrow(() -> new AssertionError("unknown input " + i.getOutpoint()));
                    in += p.value().value;
                }
                fees += in - tx.getOutputSum().value;
            }
            List<TransactionOutput> outs = tx.getOutputs();
            for (int o = 0; o < outs.size(); o++) {
                inBlock.put(new TransactionOutPoint(o, tx.getTxId()),
                        new Prevout(outs.get(o).getValue(), outs.get(o).getScriptBytes()));
            }
        }
        return Coin.valueOf(fees);
    }

    /** Copies of the outputs the chain holds for the given outpoints (to compute fees after the block spent them). */
    public static PrevoutSource snapshot(PrevoutSource source, List<Transaction> txs) {
        Map<TransactionOutPoint, Prevout> map = new HashMap<>();
        for (Transaction tx : txs) {
            for (TransactionInput i : tx.getInputs()) {
                source.find(i.getOutpoint()).ifPresent(p -> map.put(i.getOutpoint(), p));
            }
        }
        return op -> Optional.ofNullable(map.get(op));
    }

    public static List<Transaction> nonCoinbase(Block b) {
        return new ArrayList<>(b.getTransactions().subList(1, b.getTransactions().size()));
    }
}
