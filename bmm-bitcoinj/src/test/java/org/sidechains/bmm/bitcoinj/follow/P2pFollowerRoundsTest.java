package org.sidechains.bmm.bitcoinj.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.nio.file.Path;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.BitcoinSerializer;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.GetHeadersMessage;
import org.bitcoinj.core.HeadersMessage;
import org.bitcoinj.core.Message;
import org.bitcoinj.core.NetworkParameters;
import org.bitcoinj.core.Ping;
import org.bitcoinj.core.Services;
import org.bitcoinj.core.VersionAck;
import org.bitcoinj.core.VersionMessage;
import org.bitcoinj.store.MemoryBlockStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidechains.bmm.bitcoinj.RegtestDriver;
import org.sidechains.bmm.bitcoinj.chain.BmmBlockChain;
import org.sidechains.bmm.bitcoinj.chain.BmmChainConfig;
import org.sidechains.bmm.bitcoinj.context.BitcoinjContext;

/**
 * The P2P follower's rounds against a minimal node on loopback that answers {@code getheaders}
 * with nothing new (and, like bitcoind, sends without Nagle's delay): a round starts on the poll
 * timer or on an announcement, never on the answer to its own request, and none starts once the
 * chain takes no more blocks.
 */
class P2pFollowerRoundsTest {
    static final NetworkParameters PARAMS = RegtestDriver.PARAMS;

    ServerSocket server;
    final AtomicInteger getheaders = new AtomicInteger();
    /** The locator of the last getheaders. */
    volatile List<Sha256Hash> lastLocator = List.of();
    /** The node's best chain above genesis (empty: it answers every getheaders with nothing). */
    volatile List<Block> nodeChain = List.of();

    /** As bitcoind answers: the headers after the first locator block on its best chain (genesis at worst). */
    List<Block> headersAfter(List<Sha256Hash> locator) {
        List<Block> chain = nodeChain;
        for (Sha256Hash h : locator) {
            for (int i = -1; i < chain.size(); i++) {
                Sha256Hash at = i < 0 ? PARAMS.getGenesisBlock().getHash() : chain.get(i).getHash();
                if (at.equals(h)) {
                    return chain.subList(i + 1, chain.size()).stream().map(Block::cloneAsHeader).toList();
                }
            }
        }
        return List.of();
    }

    @BeforeEach
    void startNode() throws Exception {
        BitcoinjContext.ensure();
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        BitcoinSerializer ser = new BitcoinSerializer(PARAMS);
        Thread node = new Thread(() -> {
            try (Socket s = server.accept()) {
                s.setTcpNoDelay(true);
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                while (true) {
                    byte[] head = new byte[24];
                    in.readFully(head);
                    int len = ByteBuffer.wrap(head, 16, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
                    byte[] all = new byte[24 + len];
                    System.arraycopy(head, 0, all, 0, 24);
                    in.readFully(all, 24, len);
                    Message m = ser.deserialize(ByteBuffer.wrap(all));
                    if (m instanceof VersionMessage) {
                        VersionMessage v = new VersionMessage(PARAMS, 0);
                        v.localServices = Services.of(Services.NODE_NETWORK | Services.NODE_WITNESS);
                        ser.serialize(v, out);
                        ser.serialize(new VersionAck(), out);
                    } else if (m instanceof GetHeadersMessage g) {
                        lastLocator = g.getLocator().getHashes();
                        getheaders.incrementAndGet();
                        ser.serialize(new HeadersMessage(headersAfter(lastLocator)), out);
                    } else if (m instanceof org.bitcoinj.core.GetDataMessage g) {
                        for (org.bitcoinj.core.InventoryItem item : g.getItems()) {
                            nodeChain.stream().filter(b -> b.getHash().equals(item.hash)).findFirst()
                                    .ifPresent(b -> {
                                        try {
                                            ser.serialize(b, out);
                                        } catch (java.io.IOException e) {
                                            throw new java.io.UncheckedIOException(e);
                                        }
                                    });
                        }
                    } else if (m instanceof Ping p) {
                        ser.serialize(p.pong(), out);
                    }
                    out.flush();
                }
            } catch (Exception e) {
                // the follower went away
            }
        }, "minimal-node");
        node.setDaemon(true);
        node.start();
    }

    @AfterEach
    void stopNode() throws Exception {
        server.close();
    }

    BmmBlockChain newChain() throws Exception {
        return new BmmBlockChain(PARAMS, new MemoryBlockStore(PARAMS.getGenesisBlock()), BmmChainConfig.regtest());
    }

    @Test
    void theAnswerToItsOwnRequestStartsNoNewRound() throws Exception {
        try (P2pFollower f = new P2pFollower(newChain(), server.getLocalPort(), Optional.empty(), Duration.ofMillis(1000))) {
            f.start();
            Thread.sleep(3500);
        }
        // about one round a second; before the fix, tens of thousands
        assertTrue(getheaders.get() <= 5, "getheaders in 3.5 s at a 1 s poll: " + getheaders.get());
    }

    /** A chain opened from a state database keeps only its recent headers: its locator still ends at genesis. */
    @Test
    void theLocatorEndsAtGenesisWhenTheStoreKeepsOnlyRecentHeaders(@TempDir Path dir) throws Exception {
        BmmChainConfig cfg = BmmChainConfig.regtest().withStateDatabase(dir.resolve("bmm.sqlite"));
        RegtestDriver net = new RegtestDriver(BmmChainConfig.regtest());
        try (BmmBlockChain first = new BmmBlockChain(PARAMS, new MemoryBlockStore(PARAMS.getGenesisBlock()), cfg)) {
            for (int i = 0; i < 2100; i++) {
                Block b = net.build(net.tip(), List.of(), List.of());
                net.chain.offer(b);
                first.offer(b);
            }
        }
        try (BmmBlockChain chain = new BmmBlockChain(PARAMS, new MemoryBlockStore(PARAMS.getGenesisBlock()), cfg);
             P2pFollower f = new P2pFollower(chain, server.getLocalPort(), Optional.empty(), Duration.ofMillis(200))) {
            assertNull(chain.getBlockStore().get(blockAt(net, 10)), "headers that deep are not in the store");
            f.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (getheaders.get() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            List<Sha256Hash> locator = lastLocator;
            assertEquals(PARAMS.getGenesisBlock().getHash(), locator.get(locator.size() - 1), "locator " + locator);
        }
    }

    /** The hash of {@code net}'s block at {@code height}. */
    static Sha256Hash blockAt(RegtestDriver net, int height) throws Exception {
        org.bitcoinj.core.StoredBlock b = net.chain.getChainHead();
        while (b.getHeight() > height) {
            b = b.getPrev(net.chain.getBlockStore());
        }
        return b.getHeader().getHash();
    }

    @Test
    void itStopsWhenTheChainIsClosed() throws Exception {
        BmmBlockChain chain = newChain();
        try (P2pFollower f = new P2pFollower(chain, server.getLocalPort(), Optional.empty(), Duration.ofMillis(100))) {
            f.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (getheaders.get() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(getheaders.get() >= 2, "the follower asks every poll while the chain is open");
            chain.close();
            Thread.sleep(300); // a round in progress ends
            int atClose = getheaders.get();
            Thread.sleep(1000);
            assertTrue(getheaders.get() <= atClose, "asked " + (getheaders.get() - atClose) + " more times after the chain closed");
        }
    }

    /** A chain fed the driver's blocks a1..a5, with a reorganize listener recording what it hears. */
    record Watched(BmmBlockChain chain, List<String> heard) {
    }

    Watched watched(RegtestDriver net, List<Block> blocks, int maxReorgDepth) throws Exception {
        BmmBlockChain chain = new BmmBlockChain(PARAMS, new MemoryBlockStore(PARAMS.getGenesisBlock()),
                new BmmChainConfig(BmmChainConfig.regtest().params(), maxReorgDepth));
        for (Block b : blocks) {
            chain.offer(b);
        }
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        chain.addReorganizeListener(org.bitcoinj.utils.Threading.SAME_THREAD, (split, old, added) ->
                heard.add(split.getHeight() + ":" + old.size() + ":" + added.size()));
        return new Watched(chain, heard);
    }

    static List<Block> branch(RegtestDriver net, Sha256Hash from, int n) {
        List<Block> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            Block b = net.build(from, List.of(), List.of());
            out.add(b);
            from = b.getHash();
        }
        return out;
    }

    @Test
    void aReorgGoesBackToTheForkPointTheAnswerNamesInOneStep() throws Exception {
        RegtestDriver net = new RegtestDriver(BmmChainConfig.regtest());
        List<Block> a = branch(net, PARAMS.getGenesisBlock().getHash(), 5);
        List<Block> b = branch(net, a.get(1).getHash(), 5); // heights 3..7, forking at a2
        List<Block> node = new java.util.ArrayList<>(a.subList(0, 2));
        node.addAll(b);
        nodeChain = node;
        Watched w = watched(net, a, 10);
        try (P2pFollower f = new P2pFollower(w.chain(), server.getLocalPort(), Optional.empty(), Duration.ofMillis(100))) {
            f.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!w.chain().getChainHead().getHeader().getHash().equals(b.get(4).getHash()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
        assertEquals(b.get(4).getHash(), w.chain().getChainHead().getHeader().getHash());
        assertEquals(List.of("2:3:0"), w.heard(), "one disconnect, of a3..a5, down to the fork point");
    }

    @Test
    void aReorgDeeperThanTheUndoDataChangesNothing() throws Exception {
        RegtestDriver net = new RegtestDriver(BmmChainConfig.regtest());
        List<Block> a = branch(net, PARAMS.getGenesisBlock().getHash(), 5);
        List<Block> node = new java.util.ArrayList<>(a.subList(0, 1));
        node.addAll(branch(net, a.get(0).getHash(), 6)); // forks at a1: 4 blocks off, undo kept for 2
        nodeChain = node;
        Watched w = watched(net, a, 2);
        try (P2pFollower f = new P2pFollower(w.chain(), server.getLocalPort(), Optional.empty(), Duration.ofMillis(50))) {
            f.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (getheaders.get() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
        assertTrue(getheaders.get() >= 5);
        assertEquals(a.get(4).getHash(), w.chain().getChainHead().getHeader().getHash(), "still at its own tip");
        assertEquals(List.of(), w.heard(), "no block taken off halfway");
    }
}
