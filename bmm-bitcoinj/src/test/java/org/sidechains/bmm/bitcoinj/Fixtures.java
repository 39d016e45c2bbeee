package org.sidechains.bmm.bitcoinj;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.crypto.ECKey;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.prevout.PrevoutSource;
import org.sidechains.bmm.d3.D3;
import org.sidechains.bmm.m7.CoinbaseM7;

/** Shared test material: fixed keys, a real D3 with entries 100 and 99 blocks deep, prevout maps. */
public final class Fixtures {
    public static final int CHAIN = 1;
    public static final int MIN_ATOP = 100;

    public static final ECKey MINER = ECKey.fromPrivate(BigInteger.valueOf(0x4d494e4552L));
    public static final ECKey NODE = ECKey.fromPrivate(BigInteger.valueOf(0x4e4f4445L));
    public static final ECKey FUNDER = ECKey.fromPrivate(BigInteger.valueOf(0x46554e44L));
    public static final ECKey OTHER = ECKey.fromPrivate(BigInteger.valueOf(0x4f54484552L));

    private Fixtures() {
    }

    /** h* of the sidechain block that an M7 at {@code height} carries. */
    public static Hash32 hStar(int height) {
        return Hash32.wrap(Sha256Hash.hash(("side:block " + height).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * A real D3: heights 0..101 each carry one entry of {@link #CHAIN} extending the previous one
     * (prevBlockRef 0). The entry at height 1 has 100 blocksAtop (and a parent), the one at height 2 has 99.
     */
    public static D3 d3() {
        return d3WithTip(101);
    }

    /** The same chain of entries, connected up to {@code tip} only (tip 100: the entry at height 1 has 99 atop). */
    public static D3 d3WithTip(int tip) {
        D3 d3 = D3.create(8000);
        for (int h = 0; h <= tip; h++) {
            d3.connect(h, Optional.of(CoinbaseM7.of(1, List.of(MiniHeader.of(CHAIN, hStar(h), 0)))));
        }
        return d3;
    }

    /** An empty D3: nothing is satisfied (but unknown payload versions). */
    public static D3 emptyD3() {
        return D3.create(8000);
    }

    /** The mini-header of the entry with exactly 100 blocksAtop. */
    public static MiniHeader deep() {
        return MiniHeader.of(CHAIN, hStar(1), 0);
    }

    /** The mini-header of the entry with exactly 99 blocksAtop. */
    public static MiniHeader shallow() {
        return MiniHeader.of(CHAIN, hStar(2), 0);
    }

    public static TransactionOutPoint outpoint(String label, int index) {
        return new TransactionOutPoint(index, Sha256Hash.of(label.getBytes(StandardCharsets.UTF_8)));
    }

    /** A prevout source over explicit entries plus every output of {@code txs}. */
    public static final class Prevouts implements PrevoutSource {
        private final Map<TransactionOutPoint, Prevout> map = new HashMap<>();

        public Prevouts put(TransactionOutPoint op, Coin value, byte[] scriptPubKey) {
            map.put(op, new Prevout(value, scriptPubKey));
            return this;
        }

        public Prevouts outputsOf(Transaction tx) {
            List<TransactionOutput> outs = tx.getOutputs();
            for (int i = 0; i < outs.size(); i++) {
                put(new TransactionOutPoint(i, tx.getTxId()), outs.get(i).getValue(), outs.get(i).getScriptBytes());
            }
            return this;
        }

        @Override
        public Optional<Prevout> find(TransactionOutPoint outpoint) {
            return Optional.ofNullable(map.get(outpoint));
        }
    }
}
