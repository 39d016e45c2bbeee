package org.sidechains.bmm.regtest.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bitcoinj.base.Address;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.ScriptType;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder.Bribe;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder.Funding;
import org.sidechains.bmm.bitcoinj.mainchain.Mainchain;
import org.sidechains.bmm.bitcoinj.tx.Fee;
import org.sidechains.bmm.m8.M8Tag;

/**
 * The demo's stand-in for sidechain nodes: for each of its slots it makes up the next side:block
 * hash (each on the previous one, prevBlockRef 0) and builds the M8 bribe for it, funded from
 * coinbases it mined to its own key and then from its own change. It only builds transactions;
 * the demo hands them to the miner over JSON-RPC, as a sidechain node would.
 */
public final class BribeSender {
    static final Fee FEE = Fee.satPerVbyte(2);

    /** One slot's state: its side:blocks so far and the output that funds its next bribe. */
    private static final class Slot {
        final int chain;
        final List<Hash32> sideBlocks = new ArrayList<>();
        Funding funding;
        Bribe pending;

        Slot(int chain) {
            this.chain = chain;
        }
    }

    private final Mainchain main;
    private final ECKey key = new ECKey();
    private final Script change = ScriptBuilder.createP2WPKHOutputScript(key);
    private final Map<Integer, Slot> slots = new LinkedHashMap<>();

    public BribeSender(Mainchain main, List<Integer> chains) {
        this.main = Objects.requireNonNull(main, "main");
        for (int c : chains) {
            if (c < 0 || c > 255) {
                throw new IllegalArgumentException("a ChainIndex is 0..255, got " + c);
            }
            slots.put(c, new Slot(c));
        }
    }

    public Address address() {
        return key.toAddress(ScriptType.P2WPKH, main.params().network());
    }

    /**
     * Mines one coinbase per slot to this sender's address, then 100 more so they mature
     * (regtest's coinbase maturity), with the node's own {@code generatetoaddress}.
     */
    public void fund() {
        List<Sha256Hash> hashes = main.generateToAddress(slots.size(), address().toString());
        int i = 0;
        for (Slot s : slots.values()) {
            Block b = main.block(hashes.get(i++));
            Transaction cb = b.getTransactions().get(0);
            int vout = -1;
            for (int o = 0; o < cb.getOutputs().size(); o++) {
                if (java.util.Arrays.equals(cb.getOutput(o).getScriptBytes(), change.program())) {
                    vout = o;
                }
            }
            if (vout < 0) {
                throw new IllegalStateException("block " + b.getHash() + " does not pay " + address());
            }
            s.funding = Funding.p2wpkh(new TransactionOutPoint(vout, cb.getTxId()), cb.getOutput(vout).getValue(), key);
        }
        main.generateToAddress(100, address().toString());
    }

    /**
     * The bribes for the block at {@code height}, one per slot, for each slot's next side:block.
     * A slot whose previous bribe did not make it into a block re-uses its funding (the node's
     * {@code gettxout} tells), and bribes again for the same side:block.
     */
    public List<Bribe> bribesFor(int height, ECKey minerKey, Coin amount) {
        List<Bribe> out = new ArrayList<>();
        for (Slot s : slots.values()) {
            if (s.pending != null) {
                boolean included = main.txOut(s.pending.payoutOutpoint(), false).isPresent();
                if (included) {
                    s.sideBlocks.add(s.pending.tag().miniHeader().hStar());
                    int ch = s.pending.changeIndex().orElseThrow();
                    s.funding = Funding.p2wpkh(new TransactionOutPoint(ch, s.pending.tx().getTxId()),
                            s.pending.tx().getOutput(ch).getValue(), key);
                }
                s.pending = null;
            }
            Hash32 hStar = nextSideBlock(s);
            MiniHeader mh = new MiniHeader(s.chain, hStar, 0);
            Bribe b = BribeBuilder.build(M8Tag.forBlock(mh, height), minerKey, amount, List.of(s.funding), change, FEE);
            s.pending = b;
            out.add(b);
        }
        return out;
    }

    /**
     * A second, lower bribe for the same side:block as the slot's pending one, from a different
     * funding output (the pending bribe's change is not confirmed yet, so it re-spends the slot's
     * funding: a real double spend the pool must never put in a block beside the first).
     */
    public Bribe lowerCompetitor(int chain, int height, ECKey minerKey, Coin amountOfBest) {
        Slot s = slots.get(chain);
        if (s.pending == null) {
            throw new IllegalStateException("chain " + chain + " has no pending bribe to compete with");
        }
        Coin lower = amountOfBest.divide(2);
        return BribeBuilder.build(M8Tag.forBlock(s.pending.tag().miniHeader(), height), minerKey,
                lower.isPositive() ? lower : Coin.SATOSHI, List.of(s.funding), change, FEE);
    }

    /** How many side:blocks of {@code chain} got BMMed so far (as far as this sender has seen). */
    public int sideBlocks(int chain) {
        return slots.get(chain).sideBlocks.size();
    }

    /** A made-up side:block hash that commits to its chain, its parent and its number. */
    private static Hash32 nextSideBlock(Slot s) {
        Hash32 parent = s.sideBlocks.isEmpty() ? null : s.sideBlocks.get(s.sideBlocks.size() - 1);
        byte[] pre = new byte[1 + 32 + 4];
        pre[0] = (byte) s.chain;
        if (parent != null) {
            System.arraycopy(parent.wireBytes(), 0, pre, 1, 32);
        }
        int n = s.sideBlocks.size();
        pre[33] = (byte) n;
        pre[34] = (byte) (n >> 8);
        pre[35] = (byte) (n >> 16);
        pre[36] = (byte) (n >> 24);
        return Hash32.wrap(Sha256Hash.hashTwice(pre));
    }
}
