package org.sidechains.bmm.regtest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.bitcoinj.core.Block;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidechains.bmm.bitcoinj.rpc.RpcAuth;
import org.sidechains.bmm.regtest.embedded.EmbeddedRegtestChain;
import org.sidechains.bmm.regtest.embedded.rpc.EmbeddedRegtestNode;
import org.sidechains.bmm.regtest.follow.PreForkChain;
import org.sidechains.bmm.regtest.json.D3Json;
import picocli.CommandLine;

/** {@code d3 --rpc-url ...} against a node served over JSON-RPC that accepts a BMM-invalid block. */
class D3DumpCommandTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = BmmRegtest.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void printsD3AndTheRefusedBlocks() throws Exception {
        try (PreForkChain net = new PreForkChain(dir, List.of(3, 200));
             EmbeddedRegtestNode served = EmbeddedRegtestNode.start((EmbeddedRegtestChain) net.node,
                     RpcAuth.userPassword("u", "p"))) {
            net.bmmBlock();
            net.bmmBlock();
            int validTip = net.node.blockCount();
            String validHash = net.tip().toString();
            Block bad = net.m8WithoutM7();
            net.node.generateToAddress(2, net.miner.payoutAddress().toString());
            assertTrue(net.miner.catchUp());

            Run r = run("d3", "--rpc-url", served.url().toString(), "--rpc-user", "u", "--rpc-password", "p");
            assertEquals(0, r.exit(), r.err());
            JsonNode j = new ObjectMapper().readTree(r.out());
            assertEquals(validTip, j.get("tipHeight").asInt());
            assertEquals(validHash, j.get("tipHash").asText());
            JsonNode want = D3Json.rows(net.miner.chain().d3().rows().stream()
                    .filter(row -> !row.entries().isEmpty()).toList());
            assertEquals(want, j.get("rows"), "the miner's own enforcing chain agrees");
            assertEquals(2, j.get("rows").size());
            assertEquals(1, j.get("refused").size());
            JsonNode ref = j.get("refused").get(0);
            assertEquals(validTip + 1, ref.get("height").asInt());
            assertEquals(bad.getHash().toString(), ref.get("hash").asText());
            assertEquals("bmm-m8-no-m7", ref.get("reason").asText());
            assertEquals(List.of("tipHeight", "tipHash", "rows", "refused"), iterable(j.fieldNames()));

            // --enforce: the node invalidates the refused block (and the two on top of it)
            Run enforced = run("d3", "--rpc-url", served.url().toString(), "--rpc-user", "u", "--rpc-password", "p",
                    "--enforce");
            assertEquals(0, enforced.exit(), enforced.err());
            JsonNode e = new ObjectMapper().readTree(enforced.out());
            assertEquals(validHash, e.get("tipHash").asText());
            assertEquals(bad.getHash().toString(), e.get("refused").get(0).get("hash").asText());
            assertEquals(validHash, net.node.bestBlockHash().toString(), "the node's tip is BMM-valid again");

            Run wrong = run("d3", "--rpc-url", served.url().toString(), "--rpc-user", "u", "--rpc-password", "x");
            assertEquals(1, wrong.exit());
            assertTrue(wrong.err().contains("bmm-regtest d3:"), wrong.err());
        }
    }

    @Test
    void usageErrorsExit2WithOneLine() {
        Run none = run("d3");
        assertEquals(2, none.exit());
        assertTrue(none.err().startsWith("bmm-regtest d3: --rpc-url is required"), none.err());
        assertEquals(1, none.err().strip().lines().count());
        Run half = run("d3", "--rpc-url", "http://127.0.0.1:1", "--rpc-user", "u");
        assertEquals(2, half.exit());
        assertTrue(half.err().contains("--rpc-user and --rpc-password, or --rpc-cookie"), half.err());
    }

    @Test
    void anUnreachableNodeExits1() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Run r = run("d3", "--rpc-url", "http://127.0.0.1:" + port, "--rpc-user", "u", "--rpc-password", "p");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("bmm-regtest d3: "), r.err());
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
