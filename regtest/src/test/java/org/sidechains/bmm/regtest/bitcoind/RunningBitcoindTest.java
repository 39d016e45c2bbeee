package org.sidechains.bmm.regtest.bitcoind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs a real bitcoind: only when the BITCOIND environment variable names one
 * ({@code BITCOIND=/path/to/bitcoind mvn -pl regtest test -Dtest='org.sidechains.bmm.regtest.bitcoind.*'}).
 */
@EnabledIfEnvironmentVariable(named = "BITCOIND", matches = ".+")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RunningBitcoindTest {
    /** A regtest address bitcoind v25 accepted for generatetoaddress (shared/fixtures/bitcoind-25-regtest). */
    static final String ADDRESS = "bcrt1q5arju937pj3c2hvujrrulsqryhptt2u0xj3ez0";

    static Path bitcoind;

    @BeforeAll
    static void locate() {
        bitcoind = BitcoindLocator.system().locate().path();
    }

    static BitcoindLauncher launcher() {
        return BitcoindLauncher.of(bitcoind);
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    static void awaitDeath(long pid, Duration within) throws Exception {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isPresent()) {
            h.get().onExit().get(within.toMillis(), TimeUnit.MILLISECONDS);
        }
        assertFalse(alive(pid), "bitcoind pid " + pid + " still alive");
    }

    @Test
    void startsOnLoopbackWithFreshChainAndAnswersRpc() throws Exception {
        try (RunningBitcoind node = launcher().start()) {
            assertTrue(node.isRunning());
            assertTrue(alive(node.pid()));
            assertEquals("127.0.0.1", node.rpcUrl().getHost());
            assertEquals(node.rpcPort(), node.rpcUrl().getPort());
            assertNotEquals(node.rpcPort(), node.p2pPort());
            assertTrue(Files.isDirectory(node.datadir()));
            assertTrue(Files.isRegularFile(node.debugLog()), "debug.log in the datadir");

            assertEquals(0, node.rpc("getblockcount").asInt());
            JsonNode chain = node.rpc("getblockchaininfo");
            assertEquals("regtest", chain.get("chain").asText());

            // the exposed URL and credentials work for any client, not only the launcher's own
            HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
            String auth = Base64.getEncoder().encodeToString(
                    (node.rpcUser() + ":" + node.rpcPassword()).getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(node.rpcUrl())
                    .header("Authorization", "Basic " + auth)
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"getblockcount\",\"params\":[]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals(0, new ObjectMapper().readTree(r.body()).get("result").asInt());

            // P2P listens on 127.0.0.1 at the reported port
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", node.p2pPort()), 2000);
            }

            // regtest, loopback, default policy; the password is not on the command line
            Optional<String[]> args = ProcessHandle.of(node.pid()).flatMap(h -> h.info().arguments());
            if (args.isPresent()) {
                List<String> a = List.of(args.get());
                assertTrue(a.contains("-regtest"), a.toString());
                assertTrue(a.contains("-rpcbind=127.0.0.1"), a.toString());
                assertTrue(a.contains("-bind=127.0.0.1:" + node.p2pPort()), a.toString());
                assertTrue(a.contains("-datadir=" + node.datadir()), a.toString());
                assertTrue(a.stream().noneMatch(s -> s.startsWith("-acceptnonstdtxn")), a.toString());
                assertTrue(a.stream().noneMatch(s -> s.contains(node.rpcPassword())), a.toString());
            }
        }
    }

    @Test
    void wrongPasswordIsRefused() throws Exception {
        try (RunningBitcoind node = launcher().start()) {
            IOException e = assertThrows(IOException.class, () -> LauncherRpc.call(node.rpcUrl(), node.rpcUser(),
                    "wrong", Duration.ofSeconds(5), "getblockcount"));
            assertTrue(e instanceof LauncherRpc.Unauthorized, e.toString());
        }
    }

    @Test
    void restartKeepsTheChainPortsAndCredentials() throws Exception {
        try (RunningBitcoind node = launcher().start()) {
            JsonNode hashes = node.rpc("generatetoaddress", 5, ADDRESS);
            assertEquals(5, hashes.size());
            String tip = node.rpc("getbestblockhash").asText();
            assertEquals(hashes.get(4).asText(), tip);

            long pid = node.pid();
            int rpcPort = node.rpcPort();
            int p2pPort = node.p2pPort();
            String password = node.rpcPassword();
            Path datadir = node.datadir();

            node.restart();

            assertNotEquals(pid, node.pid());
            assertFalse(alive(pid), "the old bitcoind is gone");
            assertEquals(rpcPort, node.rpcPort());
            assertEquals(p2pPort, node.p2pPort());
            assertEquals(password, node.rpcPassword());
            assertEquals(datadir, node.datadir());
            assertEquals(5, node.rpc("getblockcount").asInt());
            assertEquals(tip, node.rpc("getbestblockhash").asText());
        }
    }

    @Test
    void stopThenStartAgain() throws Exception {
        try (RunningBitcoind node = launcher().start()) {
            node.rpc("generatetoaddress", 2, ADDRESS);
            long pid = node.pid();
            node.stop();
            assertFalse(node.isRunning());
            assertFalse(alive(pid));
            assertTrue(Files.isDirectory(node.datadir()), "stop keeps the datadir");
            assertThrows(BitcoindException.class, () -> node.rpc("getblockcount"));
            assertThrows(IllegalStateException.class, node::pid);
            node.stop(); // stopping a stopped node does nothing

            node.start();
            assertTrue(node.isRunning());
            assertEquals(2, node.rpc("getblockcount").asInt());
        }
    }

    private static ServerSocket occupy(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return s;
    }

    /** Someone takes the P2P port while bitcoind is down: restart retries on the same ports until it is free. */
    @Test
    void restartRetriesWhileItsPortIsTaken() throws Exception {
        try (RunningBitcoind node = launcher().start()) {
            node.rpc("generatetoaddress", 1, ADDRESS);
            int p2p = node.p2pPort();
            node.stop();
            ServerSocket squatter = occupy(p2p);
            Thread release = new Thread(() -> {
                try {
                    Thread.sleep(1500);
                    squatter.close();
                } catch (InterruptedException | IOException e) {
                    // the test fails on its own if the port stays taken
                }
            });
            release.start();
            node.start();
            release.join();
            assertEquals(p2p, node.p2pPort());
            assertEquals(1, node.rpc("getblockcount").asInt());
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", p2p), 2000);
            }
        }
    }

    @Test
    void aPortThatStaysTakenIsAClearErrorAndNothingKeepsRunning() throws Exception {
        try (RunningBitcoind node = launcher().withBindAttempts(2).start()) {
            int rpc = node.rpcPort();
            node.stop();
            try (ServerSocket squatter = occupy(rpc)) {
                BitcoindException e = assertThrows(BitcoindException.class, node::start);
                assertTrue(e.getMessage().contains("could not bind its ports after 2 attempts"), e.getMessage());
                assertFalse(node.isRunning());
            }
            node.start(); // free again
            assertEquals(0, node.rpc("getblockcount").asInt());
        }
    }

    @Test
    void closeStopsTheProcessAndDeletesTheDatadir() throws Exception {
        RunningBitcoind node = launcher().start();
        long pid = node.pid();
        Path datadir = node.datadir();
        node.close();
        awaitDeath(pid, Duration.ofSeconds(5));
        assertFalse(node.isRunning());
        assertFalse(Files.exists(datadir), "temporary datadir deleted");
        node.close(); // idempotent
        assertThrows(IllegalStateException.class, node::start);
    }

    @Test
    void aDatadirGivenByTheCallerIsKept(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("node");
        try (RunningBitcoind node = launcher().withDatadir(dir).start()) {
            node.rpc("generatetoaddress", 3, ADDRESS);
        }
        assertTrue(Files.isDirectory(dir.resolve("regtest")));
        try (RunningBitcoind again = launcher().withDatadir(dir).start()) {
            assertEquals(3, again.rpc("getblockcount").asInt());
        }
    }

    @Test
    void cookieAuthentication() throws Exception {
        try (RunningBitcoind node = launcher().withAuth(BitcoindLauncher.Auth.COOKIE).start()) {
            assertEquals("__cookie__", node.rpcUser());
            Path cookie = node.cookieFile().orElseThrow();
            assertTrue(Files.readString(cookie).endsWith(":" + node.rpcPassword()), "password is the cookie's");
            assertEquals(0, node.rpc("getblockcount").asInt());
            node.restart();
            assertTrue(Files.readString(cookie).endsWith(":" + node.rpcPassword()), "fresh cookie after restart");
            assertEquals(0, node.rpc("getblockcount").asInt());
        }
    }

    @Test
    void twoNodesSideBySideGetTheirOwnPorts() throws Exception {
        try (RunningBitcoind a = launcher().start(); RunningBitcoind b = launcher().start()) {
            assertEquals(4, Set.of(a.rpcPort(), a.p2pPort(), b.rpcPort(), b.p2pPort()).size());
            a.rpc("generatetoaddress", 1, ADDRESS);
            assertEquals(1, a.rpc("getblockcount").asInt());
            assertEquals(0, b.rpc("getblockcount").asInt());
        }
    }

    @Test
    void bitcoindDyingAtStartIsAnErrorWithItsOutputAndLeavesNothingBehind() throws Exception {
        BitcoindException e = assertThrows(BitcoindException.class,
                () -> launcher().withExtraArgs("-nosuchoption=1").start());
        String m = e.getMessage();
        assertTrue(m.contains("exited with code"), m);
        assertTrue(m.contains("nosuchoption"), m);
        assertTrue(m.contains("Last lines of"), m);
        assertFalse(alive(pid(m)));
        Matcher d = Pattern.compile("-datadir=(\\S+)").matcher(m);
        assertTrue(d.find(), m);
        assertFalse(Files.exists(Path.of(d.group(1))), "temporary datadir deleted after a failed start");
    }

    @Test
    void startTimeoutStopsTheProcess() throws Exception {
        BitcoindException e = assertThrows(BitcoindException.class,
                () -> launcher().withStartTimeout(Duration.ofMillis(1)).start());
        assertTrue(e.getMessage().contains("did not answer RPC"), e.getMessage());
        awaitDeath(pid(e.getMessage()), Duration.ofSeconds(20));
    }

    private static long pid(String message) {
        Matcher m = Pattern.compile("\\(pid (\\d+)\\)").matcher(message);
        assertTrue(m.find(), message);
        return Long.parseLong(m.group(1));
    }

    /**
     * Ctrl-C: the terminal sends SIGINT to the JVM and to bitcoind (same process group); the shutdown hook must
     * still stop bitcoind and delete the datadir.
     */
    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void ctrlCStopsBitcoindAndDeletesTheDatadir() throws Exception {
        assertCtrlC(true);
    }

    /** SIGINT to the JVM only (e.g. kill -INT): the hook stops bitcoind itself. */
    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void sigintToTheJvmAloneStopsBitcoind() throws Exception {
        assertCtrlC(false);
    }

    private static void assertCtrlC(boolean alsoSignalBitcoind) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                ShutdownHookChild.class.getName(), bitcoind.toString())
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            String line;
            String ready = null;
            StringBuilder seen = new StringBuilder();
            while ((line = out.readLine()) != null) {
                seen.append(line).append('\n');
                if (line.startsWith("READY ")) {
                    ready = line;
                    break;
                }
            }
            assertTrue(ready != null, "child never got bitcoind up:\n" + seen);
            Thread drain = new Thread(() -> {
                try {
                    out.transferTo(java.io.Writer.nullWriter());
                } catch (IOException e) {
                    // the child is gone
                }
            });
            drain.setDaemon(true);
            drain.start();
            String[] parts = ready.split(" ", 3);
            long pid = Long.parseLong(parts[1]);
            Path datadir = Path.of(parts[2]);
            assertTrue(alive(pid));

            List<String> kill = alsoSignalBitcoind
                    ? List.of("kill", "-INT", String.valueOf(child.pid()), String.valueOf(pid))
                    : List.of("kill", "-INT", String.valueOf(child.pid()));
            assertEquals(0, new ProcessBuilder(kill).inheritIO().start().waitFor());

            assertTrue(child.waitFor(120, TimeUnit.SECONDS), "child JVM exited");
            awaitDeath(pid, Duration.ofSeconds(10));
            assertFalse(Files.exists(datadir), "datadir deleted by the shutdown hook");
        } finally {
            child.destroyForcibly();
        }
    }
}
