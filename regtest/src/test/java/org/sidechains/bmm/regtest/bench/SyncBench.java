package org.sidechains.bmm.regtest.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.ScriptType;
import org.bitcoinj.core.Block;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.store.MemoryBlockStore;
import org.sidechains.bmm.bitcoinj.chain.BmmBlockChain;
import org.sidechains.bmm.bitcoinj.chain.BmmChainConfig;
import org.sidechains.bmm.bitcoinj.context.BitcoinjContext;
import org.sidechains.bmm.bitcoinj.follow.MainchainFollower;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder.Bribe;
import org.sidechains.bmm.bitcoinj.rpc.RpcAuth;
import org.sidechains.bmm.bitcoinj.rpc.RpcConfig;
import org.sidechains.bmm.bitcoinj.rpc.RpcMainchain;
import org.sidechains.bmm.regtest.bitcoind.BitcoindLauncher;
import org.sidechains.bmm.regtest.bitcoind.RunningBitcoind;
import org.sidechains.bmm.regtest.demo.BribeSender;
import org.sidechains.bmm.regtest.miner.BmmMiner;
import org.sidechains.bmm.regtest.miner.ClaimStore;
import org.sidechains.bmm.regtest.miner.MinerKey;

/**
 * Syncing a regtest chain by RPC through the enforcing chain, against merely fetching the same
 * blocks with the same batches, in one run, alternating, on one bitcoind. Needs a bitcoind:
 * {@code BITCOIND=/path/to/bitcoind mvn -q -pl regtest test-compile exec:exec ...} (docs/benchmarks.md).
 *
 * <p>The chain: {@code bmmBlocks} BMM blocks (a bribe for each of 4 sidechains in each, through the
 * miner) after 104 funding blocks, then plain {@code generatetoaddress} blocks up to {@code blocks}.
 */
public final class SyncBench {
    public static void main(String[] args) throws Exception {
        int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int bmmBlocks = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : MainchainFollower.Options.DEFAULT.batchSize();
        String bin = System.getenv("BITCOIND");
        if (bin == null || bin.isBlank()) {
            System.err.println("SyncBench needs a bitcoind: set BITCOIND=/path/to/bitcoind");
            System.exit(2);
        }
        BitcoinjContext.ensure();
        Path minerDir = Files.createTempDirectory("syncbench-miner");
        try (RunningBitcoind node = BitcoindLauncher.of(Path.of(bin)).start();
             RpcMainchain main = RpcMainchain.connect(RpcConfig.of(node.rpcUrl(),
                     RpcAuth.userPassword(node.rpcUser(), node.rpcPassword())))) {
            build(main, minerDir, blocks, bmmBlocks);
            System.out.printf(Locale.ROOT, "chain: %d blocks (%d BMM with 4 bribes each), batch %d, %d rounds, bitcoind %s%n",
                    main.blockCount(), bmmBlocks, batch, rounds, main.networkInfo().subversion());
            List<Long> fetch0 = new ArrayList<>();
            List<Long> sync0 = new ArrayList<>();
            List<Long> fetch3 = new ArrayList<>();
            List<Long> sync3 = new ArrayList<>();
            List<Long> syncDb = new ArrayList<>();
            for (int r = -1; r < rounds; r++) { // round -1 warms the JIT and bitcoind's caches
                boolean record = r >= 0;
                // alternate the order so that drift on a shared machine hits both sides alike
                if (r % 2 == 0) {
                    add(record, fetch0, fetch(main, batch, false));
                    add(record, sync0, sync(main, batch, false, false));
                    add(record, syncDb, sync(main, batch, false, true));
                    add(record, fetch3, fetch(main, batch, true));
                    add(record, sync3, sync(main, batch, true, false));
                } else {
                    add(record, sync3, sync(main, batch, true, false));
                    add(record, fetch3, fetch(main, batch, true));
                    add(record, syncDb, sync(main, batch, false, true));
                    add(record, sync0, sync(main, batch, false, false));
                    add(record, fetch0, fetch(main, batch, false));
                }
            }
            int n = main.blockCount();
            report("own output index: getblock 0", n, fetch0, sync0);
            report("bitcoind's prevouts: getblock 0 + 3", n, fetch3, sync3);
            report("own output index and a state database: getblock 0", n, fetch0, syncDb);
            tipLatency(main, 25);
        } finally {
            try (var s = Files.walk(minerDir)) {
                s.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void build(RpcMainchain main, Path minerDir, int blocks, int bmmBlocks) throws Exception {
        try (BmmMiner miner = new BmmMiner(main, MinerKey.loadOrCreate(minerDir), ClaimStore.open(minerDir),
                BmmChainConfig.regtest())) {
            BribeSender sender = new BribeSender(main, List.of(1, 2, 3, 4));
            sender.fund();
            miner.start();
            for (int i = 0; i < bmmBlocks; i++) {
                for (Bribe b : sender.bribesFor(main.blockCount() + 1, miner.publicKey(), Coin.valueOf(2_000))) {
                    miner.submitBribe(b.tx(), java.util.Optional.empty());
                }
                if (!miner.mineOne().accepted()) {
                    throw new IllegalStateException("bitcoind refused a BMM block");
                }
            }
        }
        String addr = new ECKey().toAddress(ScriptType.P2WPKH, main.params().network()).toString();
        while (main.blockCount() < blocks) {
            main.generateToAddress(Math.min(500, blocks - main.blockCount()), addr);
        }
    }

    /** Fetches every block as the follower does (batched getblockhash, then getblock), parsed; ns. */
    private static long fetch(RpcMainchain main, int batch, boolean prevouts) {
        int tip = main.blockCount();
        long t0 = System.nanoTime();
        long bytes = 0;
        for (int from = 1; from <= tip; from += batch) {
            var hashes = main.blockHashes(from, Math.min(batch, tip - from + 1));
            if (prevouts) {
                for (var b : main.blocksWithPrevouts(hashes)) {
                    bytes += b.block().getTransactions().size();
                }
            } else {
                for (Block b : main.blocks(hashes)) {
                    bytes += b.getTransactions().size();
                }
            }
        }
        long t = System.nanoTime() - t0;
        if (bytes == 0) {
            throw new IllegalStateException("nothing fetched");
        }
        return t;
    }

    /** A new enforcing chain (saving its state in a new database if {@code persist}) synced from genesis by the follower; ns. */
    private static long sync(RpcMainchain main, int batch, boolean prevouts, boolean persist) throws Exception {
        BmmChainConfig cfg = prevouts ? BmmChainConfig.regtest().withoutOutputIndex() : BmmChainConfig.regtest();
        Path dir = Files.createTempDirectory("syncbench-state");
        if (persist) {
            cfg = cfg.withStateDatabase(dir.resolve("bmm.sqlite"));
        }
        try (BmmBlockChain chain = new BmmBlockChain(main.params(), new MemoryBlockStore(main.params().getGenesisBlock()), cfg);
             MainchainFollower f = new MainchainFollower(main, chain,
                     MainchainFollower.Options.DEFAULT.withBatchSize(batch).withFetchPrevouts(prevouts))) {
            long t0 = System.nanoTime();
            f.syncToTip();
            long t = System.nanoTime() - t0;
            if (f.tip().height() != main.blockCount() || !f.refusals().isEmpty()) {
                throw new IllegalStateException("sync ended at " + f.tip() + " with refusals " + f.refusals());
            }
            return t;
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * How long the polling follower (default options, started) takes to see a block mined by
     * {@code generatetoaddress}: from the RPC's answer to the follower's new tip.
     */
    private static void tipLatency(RpcMainchain main, int samples) throws Exception {
        BmmBlockChain chain = new BmmBlockChain(main.params(), new MemoryBlockStore(main.params().getGenesisBlock()),
                BmmChainConfig.regtest().withoutOutputIndex());
        String addr = new ECKey().toAddress(ScriptType.P2WPKH, main.params().network()).toString();
        List<Long> waits = new ArrayList<>();
        try (MainchainFollower f = new MainchainFollower(main, chain, MainchainFollower.Options.DEFAULT)) {
            f.syncToTip();
            f.start();
            for (int i = 0; i < samples; i++) {
                var hash = main.generateToAddress(1, addr).get(0);
                long t0 = System.nanoTime();
                while (!f.tip().hash().equals(hash)) {
                    Thread.sleep(1);
                }
                waits.add(System.nanoTime() - t0);
                Thread.sleep(37 * (i % 7)); // mine at varying phases of the poll
            }
        }
        List<Long> sorted = new ArrayList<>(waits);
        Collections.sort(sorted);
        System.out.printf(Locale.ROOT, "new tip seen by the polling follower (poll %d ms): median %.0f ms, max %.0f ms over %d blocks%n",
                MainchainFollower.Options.DEFAULT.pollInterval().toMillis(), median(waits) / 1e6,
                sorted.get(sorted.size() - 1) / 1e6, samples);
    }

    private static void add(boolean record, List<Long> to, long v) {
        if (record) {
            to.add(v);
        }
    }

    private static void report(String what, int blocks, List<Long> fetch, List<Long> sync) {
        double f = median(fetch) / 1e6;
        double s = median(sync) / 1e6;
        System.out.printf(Locale.ROOT, "%s: fetch median %.0f ms (%.0f blocks/s), sync median %.0f ms (%.0f blocks/s):"
                        + " sync reaches %.0f%% of the fetch throughput; runs fetch %s ms, sync %s ms%n",
                what, f, blocks / (f / 1e3), s, blocks / (s / 1e3), 100 * f / s, ms(fetch), ms(sync));
    }

    private static double median(List<Long> v) {
        List<Long> s = new ArrayList<>(v);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2.0;
    }

    private static String ms(List<Long> v) {
        return v.stream().map(x -> String.valueOf(x / 1_000_000)).toList().toString();
    }
}
