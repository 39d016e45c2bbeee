package org.sidechains.bmm.regtest.follow;

import java.nio.file.Path;
import java.util.List;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.script.ScriptBuilder;
import org.sidechains.bmm.bitcoinj.assemble.BlockBuilder;
import org.sidechains.bmm.bitcoinj.chain.BmmChainConfig;
import org.sidechains.bmm.bitcoinj.context.BitcoinjContext;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder.Bribe;
import org.sidechains.bmm.bitcoinj.mainchain.Mainchain;
import org.sidechains.bmm.regtest.demo.BribeSender;
import org.sidechains.bmm.regtest.embedded.EmbeddedChainConfig;
import org.sidechains.bmm.regtest.embedded.EmbeddedRegtestChain;
import org.sidechains.bmm.regtest.miner.BmmMiner;
import org.sidechains.bmm.regtest.miner.ClaimStore;
import org.sidechains.bmm.regtest.miner.MinerKey;
import org.sidechains.bmm.rules.BmmParams;

/**
 * A mainchain node that knows nothing of BMM, with a BMM miner mining real BMM blocks on it and a
 * sender bribing it: by default the embedded chain with the soft fork never active (so, like
 * bitcoind, it accepts BMM-invalid blocks and the followers must refuse them), or any node given.
 */
public final class PreForkChain implements AutoCloseable {
    public final Mainchain node;
    public final BmmMiner miner;
    public final BribeSender sender;

    public PreForkChain(Path minerDir, List<Integer> chains) throws Exception {
        this(EmbeddedRegtestChain.create(EmbeddedChainConfig.regtest()
                .withBmm(BmmParams.regtest().withActivationHeight(Long.MAX_VALUE))), minerDir, chains);
    }

    /** Over {@code node} (closed with this). */
    public PreForkChain(Mainchain node, Path minerDir, List<Integer> chains) throws Exception {
        BitcoinjContext.ensure();
        this.node = node;
        miner = new BmmMiner(node, MinerKey.loadOrCreate(minerDir), ClaimStore.open(minerDir), BmmChainConfig.regtest());
        sender = new BribeSender(node, chains);
        sender.fund();
        miner.start();
    }

    /** One BMM block with a bribe per slot, through the miner's pool. */
    public BmmMiner.Mined bmmBlock() {
        for (Bribe b : sender.bribesFor(node.blockCount() + 1, miner.publicKey(), Coin.valueOf(5_000))) {
            if (!miner.submitBribe(b.tx(), java.util.Optional.empty()).accepted()) {
                throw new IllegalStateException("bribe refused");
            }
        }
        return miner.mineOne();
    }

    /**
     * A block on the tip carrying a valid-looking M8 but no M7: Bitcoin-valid, BMM-invalid
     * ({@code bmm-m8-no-m7}). The node accepts it.
     */
    public Block m8WithoutM7() {
        int height = node.blockCount() + 1;
        Bribe b = sender.bribesFor(height, miner.publicKey(), Coin.valueOf(5_000)).get(0);
        Block block = BlockBuilder.build(node.bestBlockHash(), height, node.blockTemplate().time(), 0x207fffffL,
                new byte[] {7, 7},
                List.of(new BlockBuilder.Output(Coin.COIN, ScriptBuilder.createP2WPKHOutputScript(new ECKey()).program())),
                List.of(b.tx()));
        String refused = node.submitBlock(block).orElse(null);
        if (refused != null) {
            throw new IllegalStateException("the pre-fork node refused the block: " + refused);
        }
        return block;
    }

    public Sha256Hash tip() {
        return node.bestBlockHash();
    }

    @Override
    public void close() {
        miner.close();
        node.close();
    }
}
