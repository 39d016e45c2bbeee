package org.sidechains.bmm.regtest.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bitcoinj.base.Sha256Hash;
import org.junit.jupiter.api.Test;

/** One lock serialises everything: miners and readers on several threads see a consistent chain. */
class ConcurrencyTest {
    @Test
    void concurrentMinersAndReaders() throws Exception {
        EmbeddedRegtestChain chain = EmbeddedRegtestChain.create();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<Sha256Hash>>> miners = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                miners.add(pool.submit(() -> chain.generateToScript(15, TestChain.p2wpkh(TestChain.KEY))));
            }
            List<Future<?>> readers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                readers.add(pool.submit(() -> {
                    for (int k = 0; k < 50; k++) {
                        Sha256Hash tip = chain.bestBlockHash();
                        chain.blockRecord(tip).orElseThrow();
                        chain.templateInfo();
                        chain.d3().rows();
                    }
                    return null;
                }));
            }
            Set<Sha256Hash> all = new HashSet<>();
            for (Future<List<Sha256Hash>> f : miners) {
                all.addAll(f.get());
            }
            for (Future<?> f : readers) {
                f.get();
            }
            assertEquals(60, all.size());
            assertEquals(60, chain.blockCount());
            for (int h = 1; h <= 60; h++) {
                assertEquals(h, chain.header(chain.blockHash(h)).height());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
