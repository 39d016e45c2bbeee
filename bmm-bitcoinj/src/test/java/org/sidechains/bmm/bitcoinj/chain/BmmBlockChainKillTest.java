package org.sidechains.bmm.bitcoinj.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bitcoinj.base.Coin;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.script.Script;
import org.bitcoinj.core.Context;
import org.bitcoinj.store.SPVBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.RegtestDriver;

/**
 * A JVM following blocks into an {@code SPVBlockStore} with a state database is killed
 * ({@code kill -9}) while it works; the chain opened again on its files holds the D3 of its head,
 * and takes the remaining blocks.
 */
class BmmBlockChainKillTest {
    static final int BLOCKS = 400;

    static BmmChainConfig config(Path dir) {
        return BmmChainConfig.regtest().withFullOutputIndex().withStateDatabase(dir.resolve("bmm.sqlite"));
    }

    /** The child: offers every block of the file, saying each height it reached; never returns. */
    public static void main(String[] args) throws Exception {
        Context.propagate(new Context());
        Path dir = Path.of(args[0]);
        SPVBlockStore store = new SPVBlockStore(RegtestDriver.PARAMS, dir.resolve("headers.spv").toFile());
        BmmBlockChain chain = new BmmBlockChain(RegtestDriver.PARAMS, store, config(dir));
        for (String line : Files.readAllLines(dir.resolve("blocks.hex"))) {
            Offer o = chain.offer(Block.read(ByteBuffer.wrap(HexFormat.of().parseHex(line))));
            System.out.println(o instanceof Offer.Connected c ? "height " + c.height() : "not connected: " + o);
            Thread.sleep(2);
        }
        System.out.println("all");
        Thread.sleep(Long.MAX_VALUE);
    }

    @Test
    void killedWhileFollowingItComesBackAtItsHeadWithThatHeadsD3(@TempDir Path dir) throws Exception {
        RegtestDriver net = new RegtestDriver(BmmChainConfig.regtest().withFullOutputIndex());
        List<Block> blocks = new ArrayList<>();
        List<String> hex = new ArrayList<>();
        List<TransactionOutPoint> coinbases = new ArrayList<>();
        for (int i = 0; i < BLOCKS; i++) {
            byte[] h = new byte[32];
            h[0] = (byte) i;
            h[1] = (byte) (i >> 8);
            // from height 101 on, each block spends the coinbase of 100 blocks before: the index moves too
            List<Transaction> txs = new ArrayList<>();
            if (i >= 100) {
                Transaction tx = new Transaction();
                tx.addOutput(RegtestDriver.SUBSIDY.subtract(Coin.valueOf(1000)), Script.parse(net.payoutScript()));
                tx.addSignedInput(coinbases.get(i - 100), Script.parse(net.payoutScript()), RegtestDriver.SUBSIDY,
                        net.minerKey);
                txs.add(tx);
            }
            Block b = net.build(net.tip(), i % 3 == 0 ? List.of(new MiniHeader(i % 7, Hash32.wrap(h), 0)) : List.of(), txs);
            assertInstanceOf(Offer.Connected.class, net.chain.offer(b));
            blocks.add(b);
            coinbases.add(new TransactionOutPoint(0, b.getTransactions().get(0).getTxId()));
            hex.add(HexFormat.of().formatHex(b.serialize()));
        }
        Files.write(dir.resolve("blocks.hex"), hex);

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", BmmBlockChainKillTest.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        int reached = 0;
        List<String> said = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                said.add(line);
                if (line.startsWith("height ")) {
                    reached = Integer.parseInt(line.substring(7));
                    if (reached >= 150) {
                        break;
                    }
                }
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child is gone");
        } finally {
            child.destroyForcibly();
        }
        assertTrue(reached >= 150, "the child followed blocks before it was killed: " + reached
                + "; it said: " + String.join("\n", said));

        SPVBlockStore store = new SPVBlockStore(RegtestDriver.PARAMS, dir.resolve("headers.spv").toFile());
        try (BmmBlockChain chain = new BmmBlockChain(RegtestDriver.PARAMS, store, config(dir))) {
            int head = chain.getBestChainHeight();
            assertTrue(head >= reached && head < BLOCKS, "killed at " + reached + ", opened at " + head);
            assertEquals(blocks.get(head - 1).getHash(), chain.getChainHead().getHeader().getHash());
            RegtestDriver ref = new RegtestDriver(BmmChainConfig.regtest().withFullOutputIndex());
            blocks.subList(0, head).forEach(ref.chain::offer);
            assertEquals(ref.chain.d3().rows(), chain.d3().rows(), "the D3 of its head");
            assertEquals(ref.chain.indexedOutputs(), chain.indexedOutputs(), "the index of its head");
            for (TransactionOutPoint c : coinbases) {
                assertEquals(ref.chain.prevouts().find(c).isPresent(), chain.prevouts().find(c).isPresent(), c.toString());
            }
            for (Block b : blocks.subList(head, BLOCKS)) {
                assertInstanceOf(Offer.Connected.class, chain.offer(b));
            }
            assertEquals(net.chain.d3().rows(), chain.d3().rows());
        } finally {
            store.close();
        }
    }
}
