package org.sidechains.bmm.bitcoinj.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.bitcoinj.core.Block;
import org.bitcoinj.store.MemoryBlockStore;
import org.sidechains.bmm.bitcoinj.RegtestDriver;
import org.sidechains.bmm.bitcoinj.chain.BmmBlockChain;
import org.sidechains.bmm.bitcoinj.chain.BmmChainConfig;

/**
 * How long a chain with a state database takes to open again (docs/benchmarks.md): N empty
 * regtest blocks saved, then the chain opened three times over a new MemoryBlockStore, which gets
 * everything (D3 replayed, headers put back, kept bodies) from the database. Argument: N (20000).
 */
public final class StateRestore {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        Path dir = Files.createTempDirectory("state-restore");
        try {
            BmmChainConfig cfg = BmmChainConfig.regtest().withStateDatabase(dir.resolve("bmm.sqlite"));
            RegtestDriver d = new RegtestDriver(BmmChainConfig.regtest());
            try (BmmBlockChain chain = new BmmBlockChain(RegtestDriver.PARAMS,
                    new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock()), cfg)) {
                for (int i = 0; i < n; i++) {
                    Block b = d.build(d.tip(), List.of(), List.of());
                    d.chain.offer(b);
                    chain.offer(b);
                }
            }
            System.out.printf("%d blocks saved; database %d KB%n", n, Files.size(dir.resolve("bmm.sqlite")) / 1024);
            for (int r = 0; r < 3; r++) {
                long t0 = System.nanoTime();
                try (BmmBlockChain again = new BmmBlockChain(RegtestDriver.PARAMS,
                        new MemoryBlockStore(RegtestDriver.PARAMS.getGenesisBlock()), cfg)) {
                    long t = System.nanoTime() - t0;
                    if (again.getBestChainHeight() != n || !again.d3().rows().equals(d.chain.d3().rows())) {
                        throw new IllegalStateException("opened at " + again.getBestChainHeight() + " with another D3");
                    }
                    System.out.printf("opened over a new MemoryBlockStore: %.0f ms (%.2f us per saved block)%n",
                            t / 1e6, t / 1e3 / n);
                }
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
