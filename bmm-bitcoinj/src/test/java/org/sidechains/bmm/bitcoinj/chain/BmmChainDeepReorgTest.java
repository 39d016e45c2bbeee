package org.sidechains.bmm.bitcoinj.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Context;
import org.bitcoinj.core.NetworkParameters;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.params.RegTestParams;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.bitcoinj.store.MemoryBlockStore;
import org.bitcoinj.store.SPVBlockStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidechains.bmm.bitcoinj.assemble.BlockBuilder;
import org.sidechains.bmm.rules.BmmParams;

/**
 * Reorgs at the edge of the kept undo data, with a state database (found by a randomized
 * differential test against D3 and outputs rebuilt from scratch, seeds 5032, 6940, 40128 and 1018).
 */
class BmmChainDeepReorgTest {
    static final NetworkParameters P = RegTestParams.get();
    /** A witness script whose OP_CBV no D3 satisfies: {@code <v1 payload> OP_CBV OP_DROP OP_1}. */
    static final byte[] WS = witnessScript();

    final Map<Sha256Hash, Integer> heights = new HashMap<>();
    final Map<Sha256Hash, Instant> times = new HashMap<>();
    int nonce = 1;

    @TempDir
    Path dir;

    @BeforeEach
    void context() {
        Context.propagate(new Context());
    }

    static byte[] witnessScript() {
        byte[] ws = new byte[40];
        ws[0] = 36; // push of the 36-byte payload: version 1, chain 0, an h* no block commits to, ref 0
        ws[1] = 1;
        ws[3] = 0x33;
        ws[37] = (byte) 0xb5;
        ws[38] = 0x75;
        ws[39] = 0x51;
        return ws;
    }

    Block build(Block prev, List<Transaction> txs) {
        Sha256Hash ph = prev.getHash();
        int h = heights.getOrDefault(ph, 0) + 1;
        Instant t = times.getOrDefault(ph, P.getGenesisBlock().time()).plusSeconds(600);
        byte[] extra = {(byte) nonce, (byte) (nonce >> 8)};
        nonce++;
        Block b = BlockBuilder.build(ph, h, t, P.getGenesisBlock().getDifficultyTarget(), extra,
                List.of(new BlockBuilder.Output(Coin.FIFTY_COINS, new byte[] {0x51})), txs);
        heights.put(b.getHash(), h);
        times.put(b.getHash(), t);
        return b;
    }

    Block build(Block prev) {
        return build(prev, List.of());
    }

    /** {@code n} empty blocks, each on the one before, the first on {@code from}. */
    List<Block> branch(Block from, int n) {
        List<Block> out = new ArrayList<>();
        for (Block prev = from; out.size() < n; prev = out.get(out.size() - 1)) {
            out.add(build(prev));
        }
        return out;
    }

    static Transaction spend(TransactionOutPoint op, int salt) {
        Transaction tx = new Transaction();
        tx.addInput(op.hash(), op.index(), Script.parse(new byte[0]));
        tx.replaceInput(0, tx.getInput(0).withWitness(TransactionWitness.of(List.of(WS))));
        tx.addOutput(Coin.valueOf(1000 + salt), Script.parse(new byte[] {0x51}));
        return tx;
    }

    /**
     * A side block that arrived late kept its undo data in memory, so a reorg past maxReorgDepth went
     * through, while the state database had already dropped the outputs it spent: opened again, the
     * chain had lost an output and accepted a spend of it that runs an unsatisfied OP_CBV.
     */
    @Test
    void aReorgDeeperThanTheKeptUndoDataIsRefusedWhateverIsStillInMemory() throws Exception {
        // OP_CBV from height 3: the spend at height 2 is not checked
        BmmChainConfig cfg = new BmmChainConfig(BmmParams.regtest().withActivationHeight(3), 2);
        BmmBlockChain memory = new BmmBlockChain(P, new MemoryBlockStore(P.getGenesisBlock()), cfg);
        SPVBlockStore store = new SPVBlockStore(P, dir.resolve("h.spv").toFile());
        BmmBlockChain saved = new BmmBlockChain(P, store, cfg.withStateDatabase(dir.resolve("s.bmm")));

        Transaction create = new Transaction();
        create.addInput(Sha256Hash.of(new byte[] {9}), 0, Script.parse(new byte[0]));
        create.addOutput(Coin.COIN, ScriptBuilder.createP2WSHOutputScript(Script.parse(WS)));
        TransactionOutPoint o = new TransactionOutPoint(0, create.getTxId());
        Block m1 = build(P.getGenesisBlock(), List.of(create));
        List<Block> m = branch(m1, 2); // m2, m3
        Block s2 = build(m1, List.of(spend(o, 0))); // arrives after m3, spends o below the activation height
        List<Block> s = branch(s2, 3); // s3..s5
        Block s5 = s.get(2);
        List<Block> n = branch(m1, 5); // n2..n6
        Block n6 = n.get(4); // would take s5..s2 off: 4 blocks, 2 are kept
        List<Block> offered = new ArrayList<>(List.of(m1));
        offered.addAll(m);
        offered.add(s2);
        offered.addAll(s);
        offered.addAll(n.subList(0, 4));
        for (Block b : offered) {
            assertEquals(memory.offer(b).getClass(), saved.offer(b).getClass());
        }
        assertEquals(s5.getHash(), saved.getChainHead().getHeader().getHash());
        for (BmmBlockChain c : List.of(memory, saved)) {
            Offer.Refused r = assertInstanceOf(Offer.Refused.class, c.offer(n6));
            assertTrue(r.message().contains("reorg deeper than the kept undo data"), r.message());
            assertEquals(s5.getHash(), c.getChainHead().getHeader().getHash());
        }
        assertEquals(memory.indexedOutputs(), saved.indexedOutputs());
        saved.close();
        store.close();
        store = new SPVBlockStore(P, dir.resolve("h.spv").toFile());
        saved = new BmmBlockChain(P, store, cfg.withStateDatabase(dir.resolve("s.bmm")));
        assertEquals(memory.indexedOutputs(), saved.indexedOutputs(), "the same outputs after a restart");
        assertEquals(s5.getHash(), saved.getChainHead().getHeader().getHash());
        saved.close();
        store.close();
    }

    /**
     * Opened over a new block store, the chain put back a kept side block's header without its
     * parent (deeper than the kept bodies); the next block of that branch made bitcoinj's findSplit
     * throw a NullPointerException out of offer().
     */
    @Test
    void aSideBlockWhoseParentIsNotKeptIsNotPutBack() throws Exception {
        BmmChainConfig cfg = new BmmChainConfig(BmmParams.regtest(), 2).withStateDatabase(dir.resolve("s.bmm"));
        BmmBlockChain c = new BmmBlockChain(P, new MemoryBlockStore(P.getGenesisBlock()), cfg);
        List<Block> a = branch(P.getGenesisBlock(), 5); // a1..a5
        List<Block> side = branch(a.get(0), 3); // s2..s4 on a1
        Block s2 = side.get(0);
        Block s3 = side.get(1);
        Block s4 = side.get(2);
        Block a5 = a.get(4);
        for (Block b : List.of(a.get(0), a.get(1), s2, a.get(2), s3, a.get(3), a5)) {
            c.offer(b);
        }
        c.close();
        c = new BmmBlockChain(P, new MemoryBlockStore(P.getGenesisBlock()), cfg);
        assertTrue(c.storedBlock(s2.getHash()).isEmpty());
        assertTrue(c.storedBlock(s3.getHash()).isEmpty(), "not put back without its parent");
        assertEquals(new Offer.Orphan(s3.getHash()), c.offer(s4));
        assertEquals(a5.getHash(), c.getChainHead().getHeader().getHash());
        c.close();
    }

    /**
     * After disconnectTo lowers the head, a reorg may still go only as deep as the undo data kept for
     * the highest head: the state database pruned below that. It was refused by the database with an
     * IllegalStateException out of offer(), and went through without a database.
     */
    @Test
    void afterADisconnectReorgsStopWhereTheHighestHeadsUndoDataStops() throws Exception {
        BmmChainConfig cfg = new BmmChainConfig(BmmParams.regtest(), 2);
        BmmBlockChain memory = new BmmBlockChain(P, new MemoryBlockStore(P.getGenesisBlock()), cfg);
        BmmBlockChain saved = new BmmBlockChain(P, new MemoryBlockStore(P.getGenesisBlock()),
                cfg.withStateDatabase(dir.resolve("s.bmm")));
        List<Block> m = branch(P.getGenesisBlock(), 3); // m1..m3
        List<Block> s = branch(m.get(0), 4); // s2..s5 on m1
        Block s3 = s.get(1);
        List<Block> n = branch(m.get(0), 3); // n2..n4 on m1; n4 would take s3 and s2 off: below 5 - 2
        for (BmmBlockChain c : List.of(memory, saved)) {
            m.forEach(c::offer);
            s.forEach(c::offer);
            c.disconnectTo(3);
            assertEquals(s3.getHash(), c.getChainHead().getHeader().getHash());
            c.offer(n.get(0));
            c.offer(n.get(1));
            Offer.Refused r = assertInstanceOf(Offer.Refused.class, c.offer(n.get(2)));
            assertTrue(r.message().contains("reorg deeper than the kept undo data"), r.message());
            assertEquals(s3.getHash(), c.getChainHead().getHeader().getHash());
        }
        assertEquals(memory.d3().rows(), saved.d3().rows());
        saved.close();
    }
}
