package org.sidechains.bmm.regtest.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.bitcoinj.assemble.BlockBuilder;

/** The archive is all a persistent chain would need: replaying it rebuilds the same chain. */
class ArchiveReplayTest {
    @Test
    void aChainRebuiltFromItsArchiveIsTheSame() {
        MemoryBlockArchive archive = new MemoryBlockArchive();
        EmbeddedChainConfig config = EmbeddedChainConfig.regtest().withArchive(archive);
        TestChain t = new TestChain(EmbeddedRegtestChain.create(config));
        List<TransactionOutPoint> coins = t.mine(101);
        Transaction a = TestChain.pay(coins.get(0), Coin.FIFTY_COINS, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER),
                Coin.valueOf(10_000));
        t.chain.sendRawTransaction(a);
        Sha256Hash fork = t.tip();
        t.mine(2);
        // a heavier side branch, then a refused block (not archived)
        Block s1 = t.blockOn(fork, List.of(new BlockBuilder.Output(Coin.FIFTY_COINS, TestChain.p2wpkh(TestChain.OTHER))),
                List.of());
        t.submit(s1);
        Block s2 = t.blockOn(s1.getHash(), List.of(new BlockBuilder.Output(Coin.FIFTY_COINS,
                TestChain.p2wpkh(TestChain.OTHER))), List.of());
        t.submit(s2);
        Block s3 = t.blockOn(s2.getHash(), List.of(new BlockBuilder.Output(Coin.FIFTY_COINS,
                TestChain.p2wpkh(TestChain.OTHER))), List.of());
        assertEquals(Optional.empty(), t.submit(s3));
        t.submit(t.blockOnTip(Coin.FIFTY_COINS.add(Coin.SATOSHI), List.of()));

        List<Sha256Hash> all = new ArrayList<>(archive.arrivalOrder());
        all.add(0, t.chain.blockHash(0));
        ChainState before = ChainState.of(t.chain, all);
        EmbeddedRegtestChain replayed = EmbeddedRegtestChain.create(config);
        assertEquals(before, ChainState.of(replayed, all));
        assertEquals(t.chain.mempoolTransactions().stream().map(Transaction::getTxId).toList(),
                replayed.mempoolTransactions().stream().map(Transaction::getTxId).toList());
        assertEquals(s3.getHash(), replayed.bestBlockHash());
    }
}
