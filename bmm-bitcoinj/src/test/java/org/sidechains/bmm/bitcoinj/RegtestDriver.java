package org.sidechains.bmm.bitcoinj;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.ScriptType;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Context;
import org.bitcoinj.core.NetworkParameters;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.params.RegTestParams;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.bitcoinj.store.MemoryBlockStore;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.assemble.BlockBuilder;
import org.sidechains.bmm.bitcoinj.chain.BmmBlockChain;
import org.sidechains.bmm.bitcoinj.chain.BmmChainConfig;
import org.sidechains.bmm.bitcoinj.chain.Offer;
import org.sidechains.bmm.m7.M7Codec;
import org.sidechains.bmm.m8.M8Codec;
import org.sidechains.bmm.m8.M8Tag;

/**
 * Mines real regtest blocks in-process (bitcoinj blocks with custom coinbases, solved) and offers
 * them to a {@link BmmBlockChain}. Tracks every block it built, so tests can build branches.
 */
public final class RegtestDriver {
    public static final NetworkParameters PARAMS = RegTestParams.get();
    public static final Coin SUBSIDY = Coin.FIFTY_COINS;

    /** The key every coinbase of this driver pays to (P2WPKH), so tests can spend coinbases. */
    public final ECKey minerKey = new ECKey();
    public final BmmBlockChain chain;

    private final Map<Sha256Hash, Integer> heights = new HashMap<>();
    private final Map<Sha256Hash, Instant> times = new HashMap<>();
    private int nonce;

    public RegtestDriver(BmmChainConfig config) {
        Context.propagate(new Context());
        try {
            chain = new BmmBlockChain(PARAMS, new MemoryBlockStore(PARAMS.getGenesisBlock()), config);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Block genesis = PARAMS.getGenesisBlock();
        heights.put(genesis.getHash(), 0);
        times.put(genesis.getHash(), genesis.time());
    }

    public Sha256Hash tip() {
        return chain.getChainHead().getHeader().getHash();
    }

    /** The height the next block on the head gets. */
    public int nextHeight() {
        return chain.getChainHead().getHeight() + 1;
    }

    public int heightOf(Sha256Hash block) {
        return heights.get(block);
    }

    /** The coinbase payout script (P2WPKH to {@link #minerKey}). */
    public byte[] payoutScript() {
        return ScriptBuilder.createP2WPKHOutputScript(minerKey).program();
    }

    /** Builds (does not offer) a block on {@code prev} with the given M7 entries (none: no M7 output) and txs. */
    public Block build(Sha256Hash prev, List<MiniHeader> m7, List<Transaction> txs) {
        List<BlockBuilder.Output> outs = new ArrayList<>();
        outs.add(new BlockBuilder.Output(SUBSIDY, payoutScript()));
        if (!m7.isEmpty()) {
            outs.add(new BlockBuilder.Output(Coin.ZERO, M7Codec.write(m7)));
        }
        return buildWithCoinbase(prev, outs, txs);
    }

    public Block buildWithCoinbase(Sha256Hash prev, List<BlockBuilder.Output> coinbaseOuts, List<Transaction> txs) {
        int height = heights.get(prev) + 1;
        Instant time = times.get(prev).plusSeconds(600);
        byte[] extra = {(byte) nonce, (byte) (nonce >> 8), (byte) (nonce >> 16)};
        nonce++;
        Block b = BlockBuilder.build(prev, height, time, PARAMS.getGenesisBlock().getDifficultyTarget(), extra,
                coinbaseOuts, txs);
        heights.put(b.getHash(), height);
        times.put(b.getHash(), time);
        return b;
    }

    /** Builds a block on the current head and offers it. */
    public Offer mine(List<MiniHeader> m7, List<Transaction> txs) {
        return chain.offer(build(tip(), m7, txs));
    }

    public Offer mine(List<MiniHeader> m7) {
        return mine(m7, List.of());
    }

    /** Mines {@code n} empty blocks; returns their coinbase outpoints (spendable by {@link #minerKey}). */
    public List<TransactionOutPoint> mineEmpty(int n) {
        List<TransactionOutPoint> coinbases = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Block b = build(tip(), List.of(), List.of());
            Offer o = chain.offer(b);
            if (!(o instanceof Offer.Connected)) {
                throw new IllegalStateException("block not connected: " + o);
            }
            coinbases.add(new TransactionOutPoint(0, b.getTransactions().get(0).getTxId()));
        }
        return coinbases;
    }

    /** P2WPKH output script type of the driver's coinbases. */
    public ScriptType payoutType() {
        return ScriptType.P2WPKH;
    }

    /** A signed version-3 M8 (tag, 1 BTC back to {@link #minerKey}) spending one of this driver's coinbases. */
    public Transaction m8(M8Tag tag, TransactionOutPoint coin) {
        Transaction tx = new Transaction();
        tx.setVersion(M8Codec.TX_VERSION);
        tx.addOutput(Coin.ZERO, Script.parse(M8Codec.script(tag)));
        tx.addOutput(Coin.COIN, ScriptBuilder.createP2WPKHOutputScript(minerKey));
        tx.addSignedInput(coin, Script.parse(payoutScript()), SUBSIDY, minerKey);
        return tx;
    }
}
