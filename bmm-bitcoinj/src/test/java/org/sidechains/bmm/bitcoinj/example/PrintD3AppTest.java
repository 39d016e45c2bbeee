package org.sidechains.bmm.bitcoinj.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.RegtestDriver;
import org.sidechains.bmm.bitcoinj.chain.BmmChainConfig;
import org.sidechains.bmm.m8.M8Tag;

class PrintD3AppTest {
    static Hash32 h(int b) {
        byte[] x = new byte[32];
        Arrays.fill(x, (byte) b);
        return Hash32.wrap(x);
    }

    /** Blocks mined in-process, as hex lines: 2 plain, 2 with M7s, 1 breaking a BMM rule. */
    static String blocks() {
        RegtestDriver net = new RegtestDriver(BmmChainConfig.regtest());
        StringBuilder hex = new StringBuilder();
        Block b1 = net.build(net.tip(), List.of(), List.of());
        net.chain.offer(b1);
        Block b2 = net.build(b1.getHash(), List.of(), List.of());
        net.chain.offer(b2);
        Block b3 = net.build(b2.getHash(), List.of(new MiniHeader(1, h(1), 0), new MiniHeader(2, h(2), 0)), List.of());
        net.chain.offer(b3);
        Block b4 = net.build(b3.getHash(), List.of(new MiniHeader(1, h(3), 0)), List.of());
        net.chain.offer(b4);
        Transaction m8 = new Transaction();
        m8.setVersion(3);
        m8.addOutput(org.bitcoinj.base.Coin.ZERO, org.bitcoinj.script.Script.parse(
                org.sidechains.bmm.m8.M8Codec.script(M8Tag.forBlock(new MiniHeader(9, h(9), 0), 5))));
        m8.addSignedInput(new TransactionOutPoint(0, b1.getTransactions().get(0).getTxId()),
                org.bitcoinj.script.Script.parse(net.payoutScript()), RegtestDriver.SUBSIDY, net.minerKey);
        Block bad = net.build(b4.getHash(), List.of(), List.of(m8));
        for (Block b : List.of(b1, b2, b3, b4, bad)) {
            hex.append(HexFormat.of().formatHex(b.serialize())).append('\n');
        }
        return hex.toString();
    }

    @Test
    void printsD3AsBlocksArrive(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        File store = dir.resolve("regtest.spvchain").toFile();
        PrintD3App.run(store, new BufferedReader(new StringReader(blocks())), new PrintStream(buf, true, StandardCharsets.UTF_8));
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(6, lines.size(), String.join("\n", lines));
        assertEquals("D3 rows with entries: 2", lines.get(5));
        assertTrue(lines.get(0).startsWith("height 1: []"), lines.get(0));
        assertTrue(lines.get(2).startsWith("height 3: [D3Entry[chain=1"), lines.get(2));
        assertTrue(lines.get(2).contains("blocksAtop=0"), lines.get(2));
        assertTrue(lines.get(3).startsWith("height 4: [D3Entry[chain=1"), lines.get(3));
        assertTrue(lines.get(4).startsWith("refused ") && lines.get(4).contains("bmm-m8-no-m7"), lines.get(4));
        assertTrue(store.length() > 0, "the headers are in bitcoinj's SPVBlockStore on disk");
    }

    @Test
    void printsTheNewBranchOfAReorg(@TempDir Path dir) throws Exception {
        RegtestDriver net = new RegtestDriver(BmmChainConfig.regtest());
        Block a1 = net.build(net.tip(), List.of(new MiniHeader(1, h(1), 0)), List.of());
        Block b1 = net.build(net.tip(), List.of(new MiniHeader(1, h(2), 0)), List.of());
        Block b2 = net.build(b1.getHash(), List.of(new MiniHeader(1, h(3), 0)), List.of());
        StringBuilder hex = new StringBuilder();
        for (Block b : List.of(a1, b1, b2)) {
            hex.append(HexFormat.of().formatHex(b.serialize())).append('\n');
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintD3App.run(dir.resolve("regtest.spvchain").toFile(), new BufferedReader(new StringReader(hex.toString())),
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(5, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("height 1: ") && lines.get(0).contains("hStar=" + h(1)), lines.get(0));
        assertEquals("reorg back to height 0", lines.get(1));
        assertTrue(lines.get(2).startsWith("height 1: ") && lines.get(2).contains("hStar=" + h(2)), lines.get(2));
        assertTrue(lines.get(3).startsWith("height 2: ") && lines.get(3).contains("hStar=" + h(3)), lines.get(3));
        assertEquals("D3 rows with entries: 2", lines.get(4));
    }

    @Test
    void runsAgainOnTheSameFilesFromWhereItStopped(@TempDir Path dir) throws Exception {
        File store = dir.resolve("regtest.spvchain").toFile();
        List<String> hex = blocks().lines().toList();
        PrintD3App.run(store, new BufferedReader(new StringReader(String.join("\n", hex.subList(0, 3)))),
                new PrintStream(new ByteArrayOutputStream()));
        assertTrue(new File(store + ".bmm").length() > 0, "D3 is kept in the state database");
        // the same blocks again and two more: only the new ones are news
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintD3App.run(store, new BufferedReader(new StringReader(String.join("\n", hex))),
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("height 4: [D3Entry[chain=1"), lines.get(0));
        assertTrue(lines.get(1).startsWith("refused ") && lines.get(1).contains("bmm-m8-no-m7"), lines.get(1));
        assertEquals("D3 rows with entries: 2", lines.get(2));
    }

    /** The documented command: its own JVM (no bitcoinj context from the tests), blocks on stdin. */
    @Test
    void runsAsACommand(@TempDir Path dir) throws Exception {
        Path hex = dir.resolve("blocks.hex");
        Files.writeString(hex, blocks());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", PrintD3App.class.getName(),
                dir.resolve("regtest.spvchain").toString())
                .redirectInput(hex.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "exits");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("height 3: [D3Entry[chain=1"), out);
        assertTrue(out.endsWith("D3 rows with entries: 2\n"), out);
    }

    @Test
    void aUsedStoreIsRefusedWithAClearMessage(@TempDir Path dir) throws Exception {
        File file = dir.resolve("used.spvchain").toFile();
        var params = RegtestDriver.PARAMS;
        var store = new org.bitcoinj.store.SPVBlockStore(params, file);
        var plain = new org.bitcoinj.core.BlockChain(params.network(), store);
        for (String line : blocks().lines().limit(2).toList()) {
            plain.add(Block.read(java.nio.ByteBuffer.wrap(HexFormat.of().parseHex(line))));
        }
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> new org.sidechains.bmm.bitcoinj.chain.BmmBlockChain(params, store, BmmChainConfig.regtest()));
        assertTrue(e.getMessage().contains("head is at height 2") && e.getMessage().contains("new store"),
                e.getMessage());
        store.close();
    }

    /** docs/bitcoinj-plugin.md shows this example: its code block must be the compiled source, byte for byte. */
    @Test
    void theDocsShowTheCompiledExample() throws Exception {
        Path src = Path.of("src/test/java/org/sidechains/bmm/bitcoinj/example/PrintD3App.java");
        String doc = Files.readString(Path.of("../docs/bitcoinj-plugin.md"));
        Matcher m = Pattern.compile("```java\\n(package org\\.sidechains\\.bmm\\.bitcoinj\\.example;.*?)```",
                Pattern.DOTALL).matcher(doc);
        assertTrue(m.find(), "docs/bitcoinj-plugin.md has the example's code block");
        assertEquals(Files.readString(src), m.group(1));
    }
}
