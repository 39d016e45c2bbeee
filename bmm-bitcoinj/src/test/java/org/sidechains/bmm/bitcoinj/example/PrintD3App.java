package org.sidechains.bmm.bitcoinj.example;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.function.IntConsumer;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Context;
import org.bitcoinj.core.NetworkParameters;
import org.bitcoinj.store.SPVBlockStore;
import org.bitcoinj.utils.Threading;
import org.sidechains.bmm.bitcoinj.chain.BmmBlockChain;
import org.sidechains.bmm.bitcoinj.chain.BmmChainConfig;
import org.sidechains.bmm.bitcoinj.chain.Offer;

/**
 * A bitcoinj application with the BMM plugin: reads raw regtest blocks (hex, one per line, for
 * example from {@code bitcoin-cli -regtest getblock HASH 0}) and prints D3 as they arrive.
 * Blocks it has seen before are skipped, so the same blocks can be piped in again with more after
 * them. Usage: {@code PrintD3App STORE_FILE < blocks.hex} (its BMM state goes to STORE_FILE.bmm).
 */
public final class PrintD3App {
    public static void main(String[] args) throws Exception {
        run(new File(args[0]), new BufferedReader(new InputStreamReader(System.in)), System.out);
    }

    static void run(File storeFile, BufferedReader blocks, PrintStream out) throws Exception {
        Context.propagate(new Context()); // bitcoinj needs one on the thread that hands it blocks
        NetworkParameters params = NetworkParameters.of(BitcoinNetwork.REGTEST);
        SPVBlockStore store = new SPVBlockStore(params, storeFile);
        // the plugin: a BMM-enforcing chain over bitcoinj's own block store, its D3 kept beside it
        BmmChainConfig config = BmmChainConfig.regtest().withStateDatabase(Path.of(storeFile + ".bmm"));
        try (BmmBlockChain chain = new BmmBlockChain(params, store, config)) {
            IntConsumer print = height -> chain.d3().row(height)
                    .ifPresent(row -> out.println("height " + row.height() + ": " + row.entries()));
            // SAME_THREAD: print in block order (bitcoinj's default runs listeners on another thread)
            chain.addNewBestBlockListener(Threading.SAME_THREAD, block -> print.accept(block.getHeight()));
            // a reorg's new blocks come here, not as new best blocks (newest first)
            chain.addReorganizeListener(Threading.SAME_THREAD, (split, oldBlocks, newBlocks) -> {
                out.println("reorg back to height " + split.getHeight());
                for (int i = newBlocks.size() - 1; i >= 0; i--) {
                    print.accept(newBlocks.get(i).getHeight());
                }
            });

            for (String line; (line = blocks.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                Block block = Block.read(ByteBuffer.wrap(HexFormat.of().parseHex(line.strip())));
                if (chain.storedBlock(block.getHash()).isPresent()) {
                    continue; // seen in an earlier run (asked of the chain: a miss in the store itself can hang)
                }
                if (chain.offer(block) instanceof Offer.Refused refused) {
                    out.println("refused " + block.getHash() + ": " + refused.message());
                }
            }
            out.println("D3 rows with entries: " + chain.d3().rows().size());
        } finally {
            store.close();
        }
    }
}
