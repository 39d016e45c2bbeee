package org.sidechains.bmm.bitcoinj.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.bitcoinj.RegtestDriver;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;

/**
 * The index against a plain map kept beside it, through random blocks applied and reverted: what
 * it holds, what it finds and what it passes over (its filter grows several times on the way).
 */
class OutputIndexTest {
    static final byte[] P2WSH = ScriptBuilder.createP2WSHOutputScript(Script.parse(new byte[] {0x51})).program();
    static final byte[] P2WPKH = new byte[22];

    record Step(OutputIndex.Undo undo, Map<TransactionOutPoint, Prevout> before) {
    }

    @Test
    void followsAPlainMapThroughRandomBlocksAndReverts() {
        for (OutputIndex.Scope scope : List.of(OutputIndex.Scope.ALL, OutputIndex.Scope.CBV)) {
            Random rnd = new Random(7 + scope.ordinal());
            OutputIndex index = new OutputIndex(scope);
            Map<TransactionOutPoint, Prevout> ref = new HashMap<>();
            List<TransactionOutPoint> everSeen = new ArrayList<>();
            Deque<Step> steps = new ArrayDeque<>();
            int most = 0;
            for (int n = 0; n < 1500; n++) {
                if (!steps.isEmpty() && rnd.nextInt(4) == 0) {
                    Step s = steps.pop();
                    index.revert(s.undo());
                    ref = s.before();
                } else {
                    Map<TransactionOutPoint, Prevout> before = new HashMap<>(ref);
                    Block b = randomBlock(rnd, new ArrayList<>(ref.keySet()), everSeen);
                    steps.push(new Step(index.apply(b, n), before));
                    model(b, n, ref, index);
                }
                most = Math.max(most, index.size());
                // every output ever made, now and then; a sample of them at every step
                assertSame(ref, index, n % 100 == 99 ? everSeen : sample(rnd, everSeen, 40));
            }
            assertTrue(most > 600, scope + ": the filter had to grow past its first sizes; most held " + most);
        }
    }

    /** What applying {@code b} does, in a plain map. */
    static void model(Block b, int height, Map<TransactionOutPoint, Prevout> ref, OutputIndex index) {
        List<Transaction> txs = b.getTransactions();
        for (int t = 0; t < txs.size(); t++) {
            Transaction tx = txs.get(t);
            if (t > 0) {
                tx.getInputs().forEach(in -> ref.remove(in.getOutpoint()));
            }
            for (int i = 0; i < tx.getOutputs().size(); i++) {
                byte[] script = tx.getOutput(i).getScriptBytes();
                if (index.keeps(script)) {
                    ref.put(new TransactionOutPoint(i, tx.getTxId()), Prevout.madeAt(tx.getOutput(i).getValue(), script, height, t == 0));
                }
            }
        }
    }

    static List<TransactionOutPoint> sample(Random rnd, List<TransactionOutPoint> all, int n) {
        List<TransactionOutPoint> out = new ArrayList<>();
        for (int i = 0; i < n && !all.isEmpty(); i++) {
            out.add(all.get(rnd.nextInt(all.size())));
        }
        return out;
    }

    static void assertSame(Map<TransactionOutPoint, Prevout> ref, OutputIndex index, List<TransactionOutPoint> everSeen) {
        assertEquals(ref.size(), index.size());
        for (TransactionOutPoint op : everSeen) {
            Optional<Prevout> have = index.find(op);
            Prevout want = ref.get(op);
            assertEquals(want != null, have.isPresent(), op.toString());
            if (want != null) {
                assertEquals(want.value(), have.get().value());
                assertArrayEquals(want.scriptPubKey(), have.get().scriptPubKey());
            }
        }
    }

    /** A coinbase and a few transactions, each spending some of {@code spendable} and making P2WSH and P2WPKH outputs. */
    static Block randomBlock(Random rnd, List<TransactionOutPoint> spendable, List<TransactionOutPoint> everSeen) {
        List<Transaction> txs = new ArrayList<>();
        Transaction coinbase = new Transaction();
        coinbase.addInput(new TransactionInput(coinbase, new byte[] {(byte) rnd.nextInt(), (byte) rnd.nextInt(), 1},
                TransactionOutPoint.UNCONNECTED, null));
        coinbase.addOutput(Coin.valueOf(rnd.nextInt(1000) + 1), Script.parse(P2WSH));
        txs.add(coinbase);
        int n = 1 + rnd.nextInt(6);
        for (int t = 0; t < n; t++) {
            Transaction tx = new Transaction();
            int ins = spendable.isEmpty() ? 0 : rnd.nextInt(Math.min(3, spendable.size()) + 1);
            for (int i = 0; i < ins; i++) {
                tx.addInput(new TransactionInput(tx, new byte[0], spendable.remove(rnd.nextInt(spendable.size())), null));
            }
            if (ins == 0) {
                // an input from outside the index (never held): passed over, or a filter false positive
                byte[] h = new byte[32];
                rnd.nextBytes(h);
                tx.addInput(new TransactionInput(tx, new byte[0], new TransactionOutPoint(rnd.nextInt(4), Sha256Hash.wrap(h)), null));
            }
            int outs = 1 + rnd.nextInt(4);
            for (int o = 0; o < outs; o++) {
                tx.addOutput(Coin.valueOf(rnd.nextInt(100_000) + 1), Script.parse(rnd.nextInt(3) == 0 ? P2WPKH : P2WSH));
            }
            txs.add(tx);
            for (int o = 0; o < outs; o++) {
                everSeen.add(new TransactionOutPoint(o, tx.getTxId()));
            }
        }
        everSeen.add(new TransactionOutPoint(0, coinbase.getTxId()));
        return new Block(Block.BLOCK_VERSION_BIP65, RegtestDriver.PARAMS.getGenesisBlock().getHash(), Sha256Hash.ZERO_HASH,
                RegtestDriver.PARAMS.getGenesisBlock().time(), RegtestDriver.PARAMS.getGenesisBlock().getDifficultyTarget(),
                0, txs);
    }
}
