package org.sidechains.bmm.regtest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidechains.bmm.bitcoinj.rpc.RpcAuth;
import org.sidechains.bmm.regtest.cli.D3DumpCommandTest.Run;
import org.sidechains.bmm.regtest.miner.DatadirLock;
import org.sidechains.bmm.regtest.rpcserver.RpcMethod;
import org.sidechains.bmm.regtest.rpcserver.RpcServer;

/** What the commands say when the user gets something wrong: one line that names it, no stack trace. */
class CommandErrorsTest {
    @TempDir
    Path dir;

    static Run run(String... args) {
        return D3DumpCommandTest.run(args);
    }

    /** One line on stderr, starting with the command's name, and no Java exception in it. */
    static void assertOneLine(Run r, String command, String... contains) {
        String err = r.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.startsWith("bmm-regtest " + command + ": "), err);
        assertFalse(err.contains("Exception"), err);
        for (String c : contains) {
            assertTrue(err.contains(c), "'" + c + "' in: " + err);
        }
    }

    static ServerSocket taken() throws IOException {
        return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    @Test
    void minerPortOutOfRangeIsAUsageError() {
        Run r = run("miner", "--datadir", dir.toString(), "--port", "99999");
        assertEquals(2, r.exit());
        assertOneLine(r, "miner", "--port must be 0..65535", "99999");
        Run e = run("miner", "--datadir", dir.toString(), "--embedded-rpc-port", "-1");
        assertEquals(2, e.exit());
        assertOneLine(e, "miner", "--embedded-rpc-port must be 0..65535");
    }

    @Test
    void minerDatadirThatIsAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Run r = run("miner", "--datadir", file.toString(), "--port", "0");
        assertEquals(1, r.exit());
        assertOneLine(r, "miner", file + " is not a directory");
        assertEquals("x", Files.readString(file));
    }

    @Test
    void minerPortInUse() throws Exception {
        try (ServerSocket s = taken()) {
            Run r = run("miner", "--datadir", dir.resolve("m").toString(), "--port", String.valueOf(s.getLocalPort()));
            assertEquals(1, r.exit());
            assertOneLine(r, "miner", "cannot bind the RPC server to 127.0.0.1:" + s.getLocalPort(), "--port");
            assertTrue(DatadirLock.acquire(dir.resolve("m")) != null, "the datadir is free again");
        }
    }

    @Test
    void embeddedPortInUse() throws Exception {
        try (ServerSocket s = taken()) {
            Run r = run("miner", "--datadir", dir.resolve("m").toString(), "--port", "0",
                    "--embedded-rpc-port", String.valueOf(s.getLocalPort()));
            assertEquals(1, r.exit());
            assertOneLine(r, "miner", "127.0.0.1:" + s.getLocalPort(), "--embedded-rpc-port");
        }
    }

    @Test
    void aDatadirInUseIsRefusedBeforeAnyBitcoindIsLookedFor() throws Exception {
        DatadirLock held = DatadirLock.acquire(dir.resolve("m"));
        try {
            Run r = run("miner", "--datadir", dir.resolve("m").toString(), "--bitcoind",
                    dir.resolve("no-such-bitcoind").toString());
            assertEquals(1, r.exit());
            assertOneLine(r, "miner", "in use by another miner");
        } finally {
            held.release();
        }
    }

    @Test
    void demoBribeNoCoinbaseCanPay() {
        Run r = run("demo", "--bribe", "5000000000");
        assertEquals(2, r.exit());
        assertOneLine(r, "demo", "more than the 5000000000 sat", "lower --bribe or --blocks");
    }

    @Test
    void rpcUrlWithoutScheme() {
        Run r = run("d3", "--rpc-url", "127.0.0.1:18443", "--rpc-user", "u", "--rpc-password", "p");
        assertEquals(2, r.exit());
        assertOneLine(r, "d3", "--rpc-url must look like http://HOST:PORT", "got 127.0.0.1:18443");
        // a port out of range is the same usage error, and the miner gives its data directory back
        Run m = run("miner", "--datadir", dir.resolve("m").toString(), "--rpc-url", "http://127.0.0.1:99999",
                "--rpc-user", "u", "--rpc-password", "p");
        assertEquals(2, m.exit());
        assertOneLine(m, "miner", "--rpc-url must look like http://HOST:PORT");
        Run again = run("miner", "--datadir", dir.resolve("m").toString(), "--port", "99999");
        assertOneLine(again, "miner", "--port must be"); // not "in use by another miner"
        // a host that does not resolve is not taken for a wrong port
        Run host = run("d3", "--rpc-url", "http://no-such-host.invalid:18443", "--rpc-user", "u", "--rpc-password", "p");
        assertEquals(1, host.exit());
        assertOneLine(host, "d3", "unknown host no-such-host.invalid");
        assertFalse(host.err().contains("P2P port"), host.err());
    }

    @Test
    void d3AtSomethingThatIsNotBitcoindsRpc() throws Exception {
        // an HTTP JSON-RPC server that knows none of bitcoind's methods (the miner's own port, say)
        try (RpcServer other = RpcServer.builder().method(RpcMethod.of("ping", p -> null))
                .auth(RpcAuth.userPassword("u", "p")).start()) {
            Run r = run("d3", "--rpc-url", other.url().toString(), "--rpc-user", "u", "--rpc-password", "p");
            assertEquals(1, r.exit());
            assertOneLine(r, "d3", "-32601", "is --rpc-url a bitcoind's JSON-RPC?");
        }
        // a port that accepts and hangs up without HTTP (bitcoind's P2P port, say)
        try (ServerSocket s = taken()) {
            Thread t = new Thread(() -> {
                while (!s.isClosed()) {
                    try (Socket c = s.accept()) {
                        c.getInputStream().read();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            Run r = run("d3", "--rpc-url", "http://127.0.0.1:" + s.getLocalPort(), "--rpc-user", "u",
                    "--rpc-password", "p");
            assertEquals(1, r.exit());
            assertOneLine(r, "d3", "is this bitcoind's JSON-RPC port");
        }
    }

    @Test
    void helpListsEachCommandInOneSentence() {
        Run r = run("--help");
        assertEquals(0, r.exit());
        for (String line : r.out().lines().dropWhile(l -> !l.equals("Commands:")).skip(1).toList()) {
            assertTrue(line.startsWith("  ") && line.strip().endsWith("."), "a whole sentence per command: " + line);
        }
        Run v = run("--version");
        assertTrue(v.out().startsWith("bmm-regtest "), v.out());
    }
}
