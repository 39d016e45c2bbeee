package org.sidechains.bmm.bitcoinj.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import org.bitcoinj.base.Coin;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.BlockChain;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.bitcoinj.store.MemoryBlockStore;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.RegtestDriver;
import org.sidechains.bmm.bitcoinj.cbv.CbvChecker;
import org.sidechains.bmm.bitcoinj.chain.BmmBlockChain;
import org.sidechains.bmm.bitcoinj.chain.BmmChainConfig;
import org.sidechains.bmm.bitcoinj.chain.Offer;
import org.sidechains.bmm.bitcoinj.chain.OutputIndex;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder;
import org.sidechains.bmm.bitcoinj.m8.M8View;
import org.sidechains.bmm.bitcoinj.tx.Fee;
import org.sidechains.bmm.d3.D3;
import org.sidechains.bmm.m7.M7Codec;
import org.sidechains.bmm.m8.M8Tag;
import org.sidechains.bmm.rules.BlockRules;
import org.sidechains.bmm.rules.BmmParams;

/**
 * The enforcing chain's cost per block against bitcoinj's plain BlockChain on the same blocks,
 * measured alternately in one run (docs/benchmarks.md, "bmm-bitcoinj"). Not JMH: a chain can take
 * each block once, so every round builds fresh chains and times the whole sequence.
 */
public final class ChainCost {
    static final int BLOCKS = 300;
    static final int TXS_PER_BLOCK = 20;
    static final int ROUNDS = 15;

    public static void main(String[] args) throws Exception {
        System.out.println("JVM " + System.getProperty("java.runtime.version") + ", cores "
                + Runtime.getRuntime().availableProcessors());
        ordinaryBlocks();
        heavyBlock();
    }

    /** BLOCKS blocks after 100 maturing ones, each with TXS_PER_BLOCK signed P2WPKH spends and no BMM content. */
    static List<Block> ordinaryChain() {
        RegtestDriver d = new RegtestDriver(BmmChainConfig.regtest());
        List<Block> blocks = new ArrayList<>();
        List<TransactionOutPoint> coins = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Block b = d.build(d.tip(), List.of(), List.of());
            d.chain.offer(b);
            blocks.add(b);
            coins.add(new TransactionOutPoint(0, b.getTransactions().get(0).getTxId()));
        }
        Script payout = Script.parse(d.payoutScript());
        List<TransactionOutPoint> spendable = new ArrayList<>(coins);
        for (int i = 0; i < BLOCKS; i++) {
            List<Transaction> txs = new ArrayList<>();
            TransactionOutPoint coin = spendable.remove(0);
            // one coinbase split into TXS_PER_BLOCK chained spends, so every tx spends a real output
            Coin value = RegtestDriver.SUBSIDY;
            for (int t = 0; t < TXS_PER_BLOCK; t++) {
                Transaction tx = new Transaction();
                value = value.subtract(Coin.valueOf(1000));
                tx.addOutput(value, ScriptBuilder.createP2WPKHOutputScript(d.minerKey));
                tx.addSignedInput(coin, payout, t == 0 ? RegtestDriver.SUBSIDY : value.add(Coin.valueOf(1000)), d.minerKey);
                txs.add(tx);
                coin = new TransactionOutPoint(0, tx.getTxId());
            }
            Block b = d.build(d.tip(), List.of(), txs);
            if (!(d.chain.offer(b) instanceof Offer.Connected)) {
                throw new IllegalStateException("harness block not connected");
            }
            blocks.add(b);
            spendable.add(new TransactionOutPoint(0, b.getTransactions().get(0).getTxId()));
        }
        return blocks;
    }

    static void ordinaryBlocks() throws Exception {
        List<Block> blocks = ordinaryChain();
        long[] bmm = new long[ROUNDS];
        long[] plain = new long[ROUNDS];
        for (int r = -3; r < ROUNDS; r++) { // 3 warm-up rounds
            long a;
            long b;
            if ((r & 1) == 0) {
                a = timeBmm(blocks);
                b = timePlain(blocks);
            } else {
                b = timePlain(blocks);
                a = timeBmm(blocks);
            }
            if (r >= 0) {
                bmm[r] = a;
                plain[r] = b;
            }
        }
        // bitcoinj's own full-block checks, which shouldVerifyTransactions() = true switches on
        long[] verify = new long[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            for (int i = 0; i < blocks.size(); i++) {
                Block copy = Block.read(java.nio.ByteBuffer.wrap(blocks.get(i).serialize()));
                long t1 = System.nanoTime();
                Block.verifyTransactions(RegtestDriver.PARAMS, copy, i + 1,
                        java.util.EnumSet.noneOf(Block.VerifyFlag.class));
                verify[r] += System.nanoTime() - t1;
            }
        }
        double perBlockVerify = median(verify) / 1000.0 / blocks.size();
        double perBlockBmm = median(bmm) / 1000.0 / blocks.size();
        double perBlockPlain = median(plain) / 1000.0 / blocks.size();
        double[] ratios = new double[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            ratios[i] = (double) bmm[i] / plain[i];
        }
        Arrays.sort(ratios);
        System.out.printf("%nordinary blocks (%d blocks, %d txs each, no BMM), %d rounds, alternating order:%n",
                blocks.size(), TXS_PER_BLOCK, ROUNDS);
        System.out.printf("  BmmBlockChain median %.1f us/block, plain BlockChain median %.1f us/block%n",
                perBlockBmm, perBlockPlain);
        System.out.printf("  ratio per round (bmm/plain): median %.2f, min %.2f, max %.2f%n",
                ratios[ROUNDS / 2], ratios[0], ratios[ROUNDS - 1]);
        System.out.printf("  of which bitcoinj's Block.verifyTransactions (fresh, uncached copies): median %.1f us/block%n",
                perBlockVerify);
    }

    static long timeBmm(List<Block> blocks) throws Exception {
        BmmBlockChain c = new BmmBlockChain(RegtestDriver.PARAMS,
                new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock()), BmmChainConfig.regtest());
        long t0 = System.nanoTime();
        for (Block b : blocks) {
            c.add(b);
        }
        long t = System.nanoTime() - t0;
        if (c.getBestChainHeight() != blocks.size()) {
            throw new IllegalStateException("bmm chain at " + c.getBestChainHeight());
        }
        return t;
    }

    static long timePlain(List<Block> blocks) throws Exception {
        BlockChain c = new BlockChain(RegtestDriver.PARAMS.network(),
                new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock()));
        long t0 = System.nanoTime();
        for (Block b : blocks) {
            c.add(b);
        }
        long t = System.nanoTime() - t0;
        if (c.getBestChainHeight() != blocks.size()) {
            throw new IllegalStateException("plain chain at " + c.getBestChainHeight());
        }
        return t;
    }

    /** A block with a 256-entry M7 and 256 M8 bribes, and the parts of its cost. */
    static void heavyBlock() throws Exception {
        long[] offer = new long[ROUNDS];
        long[] rules = new long[ROUNDS];
        long[] cbv = new long[ROUNDS];
        long[] d3 = new long[ROUNDS];
        long[] outputs = new long[ROUNDS];
        long[] bitcoinj = new long[ROUNDS];
        for (int r = -3; r < ROUNDS; r++) {
            RegtestDriver d = new RegtestDriver(BmmChainConfig.regtest());
            List<TransactionOutPoint> coins = d.mineEmpty(256);
            int height = 257;
            List<MiniHeader> m7 = new ArrayList<>();
            List<Transaction> bribes = new ArrayList<>();
            for (int c = 0; c < 256; c++) {
                byte[] h = new byte[32];
                Arrays.fill(h, (byte) c);
                h[0] = (byte) r;
                MiniHeader mh = new MiniHeader(c, Hash32.wrap(h), 0);
                m7.add(mh);
                bribes.add(BribeBuilder.build(M8Tag.forBlock(mh, height), d.minerKey, Coin.COIN,
                        List.of(BribeBuilder.Funding.p2wpkh(coins.get(c), RegtestDriver.SUBSIDY, d.minerKey)),
                        ScriptBuilder.createP2WPKHOutputScript(d.minerKey), Fee.absolute(Coin.valueOf(2000))).tx());
            }
            Block heavy = d.build(d.tip(), m7, bribes);
            // the parts, each on the same block
            List<byte[]> cbScripts = new ArrayList<>();
            for (TransactionOutput o : heavy.getTransactions().get(0).getOutputs()) {
                cbScripts.add(o.getScriptBytes());
            }
            long tRules = time(() -> {
                List<M8Tag> tags = new ArrayList<>();
                heavy.getTransactions().forEach(tx -> M8View.of(tx).ifPresent(tags::add));
                return BlockRules.check(BmmParams.regtest(), height, cbScripts, tags).isValid() ? 1 : 0;
            });
            long tCbv = time(() -> {
                long n = 0;
                for (Transaction tx : heavy.getTransactions().subList(1, 257)) {
                    n += CbvChecker.checkTransaction(tx, d.chain.prevouts(), d.chain.d3(), 100).passes() ? 1 : 0;
                }
                return n;
            });
            long tD3 = time(() -> {
                D3 fresh = D3.create(8000);
                fresh.connect(height, M7Codec.findInCoinbase(cbScripts));
                return fresh.entryCount();
            });
            long tOut = time(() -> new OutputIndex().apply(heavy).created().size());
            long tBitcoinj = time(() -> {
                BlockChain plain;
                try {
                    plain = new BlockChain(RegtestDriver.PARAMS.network(),
                            new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return plain.getBestChainHeight();
            });
            long t0 = System.nanoTime();
            Offer o = d.chain.offer(heavy);
            long tOffer = System.nanoTime() - t0;
            if (!(o instanceof Offer.Connected)) {
                throw new IllegalStateException("heavy block: " + o);
            }
            if (r >= 0) {
                offer[r] = tOffer;
                rules[r] = tRules;
                cbv[r] = tCbv;
                d3[r] = tD3;
                outputs[r] = tOut;
                bitcoinj[r] = tBitcoinj;
            }
        }
        System.out.printf("%nblock with a 256-entry M7 and 256 M8s (%d rounds, medians):%n", ROUNDS);
        System.out.printf("  BmmBlockChain.offer total   %8.0f us%n", median(offer) / 1000.0);
        System.out.printf("  M8 detection + block rules  %8.0f us%n", median(rules) / 1000.0);
        System.out.printf("  OP_CBV check of 256 txs     %8.0f us%n", median(cbv) / 1000.0);
        System.out.printf("  D3 connect (256 entries)    %8.0f us%n", median(d3) / 1000.0);
        System.out.printf("  output index apply          %8.0f us%n", median(outputs) / 1000.0);
        System.out.printf("  (new plain chain, for scale) %7.0f us%n", median(bitcoinj) / 1000.0);
    }

    static long time(LongSupplier work) {
        long t0 = System.nanoTime();
        long sink = work.getAsLong();
        long t = System.nanoTime() - t0;
        if (sink == Long.MIN_VALUE) {
            System.out.print("");
        }
        return t;
    }

    static double median(long[] xs) {
        long[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
