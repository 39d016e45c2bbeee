package org.sidechains.bmm.bitcoinj.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import org.bitcoinj.base.Coin;
import org.bitcoinj.core.AbstractBlockChain;
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
    static final int BLOCKS = Integer.getInteger("chaincost.blocks", 300);
    static final int TXS_PER_BLOCK = Integer.getInteger("chaincost.txs", 20);
    static final int ROUNDS = 41;
    /** Enough for C2 to compile both chains' paths before anything counts (about 8,000 adds each). */
    static final int WARMUP = 20;

    public static void main(String[] args) throws Exception {
        System.out.println("JVM " + System.getProperty("java.runtime.version") + ", cores "
                + Runtime.getRuntime().availableProcessors());
        ordinaryBlocks();
        if (Boolean.parseBoolean(System.getProperty("chaincost.heavy", "true"))) {
            heavyBlock();
        }
    }

    /**
     * BLOCKS blocks after 100 maturing ones, each with TXS_PER_BLOCK signed P2WPKH spends and no
     * BMM content; the first also leaves one P2WSH output unspent.
     */
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
                if (i == 0 && t == 0) {
                    // one P2WSH output that stays unspent: the enforcing chain's index of outputs that
                    // can run OP_CBV is not empty, so every input is looked up, as on a real chain
                    tx.addOutput(Coin.valueOf(1000), ScriptBuilder.createP2WSHOutputScript(Script.parse(new byte[] {0x51})));
                }
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

    /** The chains compared, in the order of the first round (the order rotates every round). */
    enum Subject {
        BMM_DEFAULT, BMM_CONTENT_CHECKS, BMM_FULL_INDEX, PLAIN,
        /** The plain chain, then one read of every transaction's version, inputs and output scripts: the floor for any chain that looks at transactions. */
        PLAIN_THEN_READ,
        /** What an SPV wallet app runs: the chain with a (new, empty) wallet attached. */
        PLAIN_WALLET, BMM_WALLET,
        /** The plain chain following D3 the only way it can: the project's D3Observer attached (a transaction listener). */
        PLAIN_OBSERVER,
        /** The default chain keeping its state in a (new) SQLite database: what saving each head change costs. */
        BMM_STATE_DB;

        /** What this subject is compared with, round by round. */
        Subject baseline() {
            return this == BMM_WALLET ? PLAIN_WALLET : PLAIN;
        }

        /**
         * Adds every block, each parsed and hashed just before it is added (as bitcoinj's Peer hands
         * a block it has just read and hashed to the chain); fresh objects every round, so no
         * transaction id or other cache is shared between chains or rounds. Returns {add only,
         * parse + hash + add} in ns, summed over the blocks.
         */
        long[] time(List<byte[]> raw) throws Exception {
            AbstractBlockChain c = switch (this) {
                case BMM_DEFAULT -> bmm(BmmChainConfig.regtest());
                case BMM_CONTENT_CHECKS -> bmm(BmmChainConfig.regtest().withBlockContentChecks());
                case BMM_FULL_INDEX -> bmm(BmmChainConfig.regtest().withFullOutputIndex());
                case PLAIN, PLAIN_THEN_READ -> new BlockChain(RegtestDriver.PARAMS.network(),
                        new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock()));
                case PLAIN_OBSERVER -> {
                    BlockChain plain = new BlockChain(RegtestDriver.PARAMS.network(),
                            new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock()));
                    org.sidechains.bmm.bitcoinj.observer.D3Observer.attach(plain, BmmParams.DEFAULT_WINDOW,
                            BmmChainConfig.DEFAULT_MAX_REORG_DEPTH);
                    yield plain;
                }
                case PLAIN_WALLET -> new BlockChain(RegtestDriver.PARAMS.network(), wallet(),
                        new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock()));
                case BMM_STATE_DB -> {
                    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("chaincost");
                    dir.toFile().deleteOnExit();
                    java.nio.file.Path db = dir.resolve("bmm.sqlite");
                    for (String suffix : new String[] {"", "-wal", "-shm"}) {
                        dir.resolve("bmm.sqlite" + suffix).toFile().deleteOnExit();
                    }
                    yield bmm(BmmChainConfig.regtest().withStateDatabase(db));
                }
                case BMM_WALLET -> {
                    BmmBlockChain bmm = bmm(BmmChainConfig.regtest());
                    bmm.addWallet(wallet());
                    yield bmm;
                }
            };
            boolean read = this == PLAIN_THEN_READ;
            long sink = 0;
            long add = 0;
            long all = 0;
            for (byte[] r : raw) {
                long t0 = System.nanoTime();
                Block b = Block.read(java.nio.ByteBuffer.wrap(r));
                b.getHash();
                long t1 = System.nanoTime();
                c.add(b);
                if (read) {
                    sink += readAll(b);
                }
                long t2 = System.nanoTime();
                add += t2 - t1;
                all += t2 - t0;
            }
            if (c.getBestChainHeight() != raw.size() || sink == Long.MIN_VALUE) {
                throw new IllegalStateException(this + " chain at " + c.getBestChainHeight());
            }
            return new long[] {add, all};
        }

        static org.bitcoinj.wallet.Wallet wallet() {
            return org.bitcoinj.wallet.Wallet.createDeterministic(RegtestDriver.PARAMS.network(),
                    org.bitcoinj.base.ScriptType.P2WPKH);
        }

        /** Reads what the BMM rules read of an ordinary block, and nothing more. */
        static long readAll(Block b) {
            long n = 0;
            List<Transaction> txs = b.getTransactions();
            for (int i = 0; i < txs.size(); i++) {
                Transaction tx = txs.get(i);
                n += tx.getVersion();
                List<org.bitcoinj.core.TransactionInput> ins = tx.getInputs();
                for (int j = 0; j < ins.size(); j++) {
                    n += ins.get(j).getOutpoint().index();
                }
                List<TransactionOutput> outs = tx.getOutputs();
                for (int j = 0; j < outs.size(); j++) {
                    n += outs.get(j).getScriptBytes()[0];
                }
            }
            return n;
        }

        static BmmBlockChain bmm(BmmChainConfig cfg) throws Exception {
            return new BmmBlockChain(RegtestDriver.PARAMS, new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock()), cfg);
        }
    }

    static void ordinaryBlocks() throws Exception {
        List<byte[]> raw = new ArrayList<>();
        for (Block b : ordinaryChain()) {
            raw.add(b.serialize());
        }
        Subject[] subjects = Subject.values();
        long[][][] times = new long[2][subjects.length][ROUNDS];
        for (int r = -WARMUP; r < ROUNDS; r++) {
            for (int k = 0; k < subjects.length; k++) {
                int s = Math.floorMod(k + r, subjects.length);
                long[] t = subjects[s].time(raw);
                if (r >= 0) {
                    times[0][s][r] = t[0];
                    times[1][s][r] = t[1];
                }
            }
        }
        System.out.printf("%nordinary blocks (%d blocks, %d P2WPKH spends each after 100 empty, no BMM), %d rounds,"
                + " order rotating; per block, medians over rounds:%n", raw.size(), TXS_PER_BLOCK, ROUNDS);
        String[] what = {"add() only", "parse + hash + add()"};
        for (int w = 0; w < 2; w++) {
            System.out.printf("  %s:%n", what[w]);
            for (Subject s : subjects) {
                long[] mine = times[w][s.ordinal()];
                long[] base = times[w][s.baseline().ordinal()];
                double[] ratios = new double[ROUNDS];
                for (int i = 0; i < ROUNDS; i++) {
                    ratios[i] = (double) mine[i] / base[i];
                }
                Arrays.sort(ratios);
                System.out.printf("    %-20s %8.2f us/block   / %-12s per round: median %.3f, min %.3f, max %.3f%n",
                        s, median(mine) / 1000.0 / raw.size(), s.baseline(), ratios[ROUNDS / 2], ratios[0],
                        ratios[ROUNDS - 1]);
            }
            double[] vsObserver = new double[ROUNDS];
            for (int i = 0; i < ROUNDS; i++) {
                vsObserver[i] = (double) times[w][Subject.BMM_DEFAULT.ordinal()][i]
                        / times[w][Subject.PLAIN_OBSERVER.ordinal()][i];
            }
            Arrays.sort(vsObserver);
            System.out.printf("    BMM_DEFAULT / PLAIN_OBSERVER per round: median %.3f, min %.3f, max %.3f%n",
                    vsObserver[ROUNDS / 2], vsObserver[0], vsObserver[ROUNDS - 1]);
            // what the enforcing chain adds over the floor (reading every transaction once), in time per block
            double[] overFloor = new double[ROUNDS];
            for (int i = 0; i < ROUNDS; i++) {
                overFloor[i] = (times[w][Subject.BMM_DEFAULT.ordinal()][i] - times[w][Subject.PLAIN_THEN_READ.ordinal()][i])
                        / 1000.0 / raw.size();
            }
            Arrays.sort(overFloor);
            System.out.printf("    BMM_DEFAULT - PLAIN_THEN_READ per round: median %.2f us/block, min %.2f, max %.2f%n",
                    overFloor[ROUNDS / 2], overFloor[0], overFloor[ROUNDS - 1]);
        }
    }

    /** A block with a 256-entry M7 and 256 M8 bribes, and the parts of its cost. */
    static void heavyBlock() throws Exception {
        long[] offer = new long[ROUNDS];
        long[] rules = new long[ROUNDS];
        long[] cbv = new long[ROUNDS];
        long[] d3 = new long[ROUNDS];
        long[] outputs = new long[ROUNDS];
        long[] bitcoinj = new long[ROUNDS];
        // one chain for all rounds, so every heavy block meets a D3 in steady state (a new D3's
        // first big row also pays for first touching its tables: about 2 ms, reported apart).
        // The driver's chain (a full index) serves the part timings; the offer is timed on a chain
        // in the default configuration fed the same blocks.
        RegtestDriver d = new RegtestDriver(BmmChainConfig.regtest().withFullOutputIndex());
        BmmBlockChain timed = Subject.bmm(BmmChainConfig.regtest());
        D3 d3Part = D3.create(8000);
        d3Part.connect(0, java.util.Optional.empty());
        List<TransactionOutPoint> coins = new ArrayList<>();
        int first = -3;
        long firstOffer = 0;
        for (int r = first; r < ROUNDS; r++) {
            // 256 new coinbases per round; a round's bribes spend the previous round's (100 deep)
            List<TransactionOutPoint> next = new ArrayList<>();
            for (int i = 0; i < 256; i++) {
                Block b = d.build(d.tip(), List.of(), List.of());
                d.chain.offer(b);
                timed.offer(b);
                d3Part.connect(d.chain.getBestChainHeight(), java.util.Optional.empty());
                next.add(new TransactionOutPoint(0, b.getTransactions().get(0).getTxId()));
            }
            if (r == first) {
                coins = next;
                for (int i = 0; i < 100; i++) {
                    Block b = d.build(d.tip(), List.of(), List.of());
                    d.chain.offer(b);
                    timed.offer(b);
                    d3Part.connect(d.chain.getBestChainHeight(), java.util.Optional.empty());
                }
                continue;
            }
            int height = d.chain.getBestChainHeight() + 1;
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
            // each part on its own fresh copy: nothing cached (transaction ids) from building or another part
            Block forRules = fresh(heavy);
            long tRules = time(() -> {
                List<M8Tag> tags = new ArrayList<>();
                forRules.getTransactions().forEach(tx -> M8View.of(tx).ifPresent(tags::add));
                return BlockRules.check(BmmParams.regtest(), height, cbScripts, tags).isValid() ? 1 : 0;
            });
            Block forCbv = fresh(heavy);
            long tCbv = time(() -> {
                long n = 0;
                for (Transaction tx : forCbv.getTransactions().subList(1, 257)) {
                    n += CbvChecker.checkTransaction(tx, d.chain.prevouts(), d.chain.d3(), 100).passes() ? 1 : 0;
                }
                return n;
            });
            long tD3 = time(() -> {
                d3Part.connect(height, M7Codec.findInCoinbase(cbScripts));
                return d3Part.entryCount();
            });
            Block forIndex = fresh(heavy);
            long tOut = time(() -> new OutputIndex(OutputIndex.Scope.CBV).apply(forIndex, 1).created().size());
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
            Block forOffer = fresh(heavy);
            long t0 = System.nanoTime();
            Offer o = timed.offer(forOffer);
            long tOffer = System.nanoTime() - t0;
            if (!(o instanceof Offer.Connected) || !(d.chain.offer(heavy) instanceof Offer.Connected)) {
                throw new IllegalStateException("heavy block: " + o);
            }
            coins = next;
            if (r == first + 1) {
                firstOffer = tOffer;
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
        System.out.printf("%nblock with a 256-entry M7 and 256 M8s (%d rounds after 2 warm-up, medians;"
                + " each heavy block 256 blocks after the last):%n", ROUNDS);
        System.out.printf("  (the first such block on a new chain: %.0f us)%n", firstOffer / 1000.0);
        System.out.printf("  BmmBlockChain.offer total   %8.0f us%n", median(offer) / 1000.0);
        System.out.printf("  M8 detection + block rules  %8.0f us%n", median(rules) / 1000.0);
        System.out.printf("  OP_CBV of 256 txs, full idx %8.0f us%n", median(cbv) / 1000.0);
        System.out.printf("  D3 connect (256 entries)    %8.0f us%n", median(d3) / 1000.0);
        System.out.printf("  output index apply (CBV)    %8.0f us%n", median(outputs) / 1000.0);
        System.out.printf("  (new plain chain, for scale) %7.0f us%n", median(bitcoinj) / 1000.0);
    }

    /** A freshly parsed copy, hashed as bitcoinj's Peer hashes a block it receives. */
    static Block fresh(Block b) {
        Block copy = Block.read(java.nio.ByteBuffer.wrap(b.serialize()));
        copy.getHash();
        return copy;
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
