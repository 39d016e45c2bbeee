package org.sidechains.bmm.bitcoinj.rpc;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sidechains.bmm.bitcoinj.rpc.BitcoindFixtures.first;
import static org.sidechains.bmm.bitcoinj.rpc.BitcoindFixtures.load;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.params.RegTestParams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.sidechains.bmm.bitcoinj.rpc.BitcoindFixtures.Exchange;

/** bitcoind's error answers (04, 05), warm-up, timeouts, refused connections and bodies that are not JSON-RPC. */
class RpcErrorsTest {
    /** bitcoind's real warm-up text (init.cpp: InitMessage(_("Loading block index…"))); no -28 was recorded. */
    static final String LOADING_BLOCK_INDEX = "Loading block index\u2026";

    private StubbedBitcoind bitcoind;
    private RpcMainchain main;

    @BeforeEach
    void start() {
        bitcoind = new StubbedBitcoind();
        main = bitcoind.mainchain();
    }

    @AfterEach
    void stop() {
        main.close();
        bitcoind.close();
    }

    @Test
    void everyRecordedErrorIsTypedWithBitcoindsCodeAndMessage() {
        String f = "04-rpc-errors.json";
        List<StubMapping> stubs = bitcoind.stub(f);
        List<Exchange> xs = load(f);
        assertEquals(6, xs.size());
        for (Exchange e : xs) {
            // the recorded requests carry parameters no typed method sends ("xyz", "notanumber", "00")
            RpcCall call = new RpcCall(e.method(), (ArrayNode) e.params());
            MainchainException.Rpc err = assertThrows(MainchainException.Rpc.class, () -> main.rpc().call(call), e.method());
            assertEquals(e.error().get("code").asInt(), err.code(), e.method());
            assertEquals(e.error().get("message").asText(), err.rpcMessage(), e.method());
            assertEquals(e.method(), err.method());
        }
        assertEquals(List.of(404, 500, 500, 500, 500, 500), xs.stream().map(Exchange::httpStatus).toList());
        bitcoind.assertAllServed(stubs);
        bitcoind.assertNoUnmatched();
    }

    @Test
    void typedMethodsSurfaceTheSameErrors() {
        String f = "04-rpc-errors.json";
        Exchange height = load(f).get(1);
        Exchange unknown = load(f).get(2);
        bitcoind.stub(f);
        MainchainException.Rpc e8 = assertThrows(MainchainException.Rpc.class, () -> main.blockHash(999999));
        assertEquals(-8, e8.code());
        assertEquals(height.error().get("message").asText(), e8.rpcMessage());

        // derived: the recorded getblock omitted the verbosity; bitcoind looks the hash up the same way with 0
        ArrayNode params = (ArrayNode) unknown.params().deepCopy();
        params.add(0);
        ObjectNode request = unknown.request().deepCopy();
        request.set("params", params);
        BitcoindFixtures.stub(bitcoind.server, List.of(unknown.withRequest(request)));
        MainchainException.Rpc e5 = assertThrows(MainchainException.Rpc.class, () -> main.block(Sha256Hash.ZERO_HASH));
        assertEquals(-5, e5.code());
        assertEquals("Block not found", e5.rpcMessage());
        assertEquals("getblock", e5.method());
        bitcoind.assertNoUnmatched();
    }

    @Test
    void http401WithAnEmptyBodyIsUnauthorized() {
        Exchange e = load("05-unauthorized.json").get(0);
        assertEquals(401, e.httpStatus());
        assertEquals("", e.response());
        // recorded with id 1; this client uses the method as id, so only the id is left free
        List<StubMapping> stubs = BitcoindFixtures.stub(bitcoind.server, List.of(e.withRequest(BitcoindFixtures.anyId(e.request()))));
        MainchainException.Unauthorized u = assertThrows(MainchainException.Unauthorized.class, main::blockCount);
        assertTrue(u.getMessage().contains("--rpc-user/--rpc-password"), u.getMessage());
        assertTrue(u.getMessage().contains("--rpc-cookie"), u.getMessage());
        assertTrue(u.getMessage().contains("401"), u.getMessage());
        assertEquals(1, bitcoind.requests().size(), "a password is not retried");
        bitcoind.assertAllServed(stubs);
        bitcoind.assertNoUnmatched();
    }

    /**
     * A -28 answer derived from a recorded error exchange (04's getblockhash -8: HTTP 500, same id and
     * shape), changing only the code and message; bitcoind answers every call so while it loads.
     */
    private static String warmingUpBody() {
        ObjectNode body = (ObjectNode) load("04-rpc-errors.json").get(1).body();
        ((ObjectNode) body.get("error")).put("code", -28).put("message", LOADING_BLOCK_INDEX);
        return body.toString();
    }

    @Test
    void warmingUpIsRetriedUntilTheAnswer() {
        Exchange ok = load("03-block-queries.json").get(6); // getblockhash 103
        String request = ok.request().toString();
        for (int i = 0; i < 3; i++) {
            bitcoind.server.stubFor(post(urlEqualTo("/")).withRequestBody(equalToJson(request, false, false))
                    .inScenario("warm-up").whenScenarioStateIs(i == 0 ? Scenario.STARTED : "attempt " + i)
                    .willSetStateTo("attempt " + (i + 1))
                    .willReturn(i < 2 ? aResponse().withStatus(500).withBody(warmingUpBody()) : BitcoindFixtures.answer(ok)));
        }
        long t0 = System.nanoTime();
        assertEquals(Sha256Hash.wrap(ok.result().asText()), main.blockHash(103));
        assertEquals(3, bitcoind.requests().size());
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).toMillis() >= 30, "backed off 10 + 20 ms");
        bitcoind.assertNoUnmatched();
    }

    @Test
    void warmingUpForTooLongIsUnreachableWithTheMinus28AsCause() {
        bitcoind.server.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(500).withBody(warmingUpBody())));
        WarmupRetry short_ = WarmupRetry.of(Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(300));
        try (BitcoindRpc rpc = BitcoindRpc.create(bitcoind.config().withWarmup(short_))) {
            long t0 = System.nanoTime();
            MainchainException.Unreachable u = assertThrows(MainchainException.Unreachable.class, () -> rpc.call("getblockhash", 999999));
            long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
            assertTrue(ms >= 300 && ms < 2000, "bounded by maxTotal, took " + ms + " ms");
            MainchainException.Rpc cause = assertInstanceOf(MainchainException.Rpc.class, u.getCause());
            assertEquals(-28, cause.code());
            assertEquals(LOADING_BLOCK_INDEX, cause.rpcMessage());
            assertTrue(u.getMessage().contains(LOADING_BLOCK_INDEX), u.getMessage());
            assertTrue(bitcoind.requests().size() >= 4, "asked again: " + bitcoind.requests().size());
        }
    }

    @Test
    void withoutWarmupRetryMinus28SurfacesAtOnce() {
        bitcoind.server.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(500).withBody(warmingUpBody())));
        try (BitcoindRpc rpc = BitcoindRpc.create(bitcoind.config().withWarmup(WarmupRetry.none()))) {
            MainchainException.Unreachable u = assertThrows(MainchainException.Unreachable.class, () -> rpc.call("getblockhash", 999999));
            assertEquals(-28, ((MainchainException.Rpc) u.getCause()).code());
            assertEquals(1, bitcoind.requests().size());
        }
    }

    @Test
    void aSlowAnswerTimesOutAsUnreachable() {
        Exchange ok = first("01-startup-and-info.json", "getblockcount");
        bitcoind.server.stubFor(post(urlEqualTo("/")).withRequestBody(equalToJson(ok.request().toString(), false, false))
                .willReturn(BitcoindFixtures.answer(ok).withFixedDelay(3000)));
        RpcConfig quick = bitcoind.config().withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(200));
        try (RpcMainchain m = RpcMainchain.of(BitcoindRpc.create(quick), RegTestParams.get())) {
            long t0 = System.nanoTime();
            MainchainException.Unreachable u = assertThrows(MainchainException.Unreachable.class, m::blockCount);
            long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
            assertTrue(ms < 2500, "gave up at the read timeout, not after the delay: " + ms + " ms");
            assertInstanceOf(SocketTimeoutException.class, u.getCause());
            assertTrue(u.getMessage().contains("read timeout 200 ms"), u.getMessage());
        }
    }

    @Test
    void aRefusedConnectionIsUnreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RpcConfig closedPort = RpcConfig.of(URI.create("http://127.0.0.1:" + port + "/"), StubbedBitcoind.AUTH);
        try (RpcMainchain m = RpcMainchain.connect(closedPort)) {
            MainchainException.Unreachable u = assertThrows(MainchainException.Unreachable.class, m::bestBlockHash);
            assertInstanceOf(ConnectException.class, u.getCause());
            assertTrue(u.getMessage().contains("127.0.0.1:" + port), u.getMessage());
        }
    }

    @Test
    void bodiesThatAreNotJsonRpcAreUnreachable() {
        // bitcoind's answer when its RPC work queue is full (plain text, HTTP 503), and a stray web server
        bitcoind.server.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(503).withBody("Work queue depth exceeded")));
        MainchainException.Unreachable u = assertThrows(MainchainException.Unreachable.class, main::blockCount);
        assertTrue(u.getMessage().contains("HTTP 503"), u.getMessage());
        assertTrue(u.getMessage().contains("Work queue depth exceeded"), u.getMessage());

        bitcoind.server.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(200).withBody("<html>hello</html>")));
        assertThrows(MainchainException.Unreachable.class, main::blockCount);

        bitcoind.server.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(500).withBody("")));
        u = assertThrows(MainchainException.Unreachable.class, main::blockCount);
        assertTrue(u.getMessage().contains("empty body"), u.getMessage());

        // JSON, but not what getblockcount answers
        bitcoind.server.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(200)
                .withBody("{\"result\":\"many\",\"error\":null,\"id\":\"getblockcount\"}")));
        u = assertThrows(MainchainException.Unreachable.class, main::blockCount);
        assertTrue(u.getMessage().contains("expected an integer"), u.getMessage());
    }

    @Test
    void safeFromSeveralThreads() throws Exception {
        List<StubMapping> stubs = bitcoind.stub("03-block-queries.json");
        Exchange header = load("03-block-queries.json").get(0);
        Sha256Hash tip = Sha256Hash.wrap(header.params().get(0).asText());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> futures = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                futures.add(pool.submit(() -> main.blockCount() == 103 && main.header(tip).height() == 103
                        && main.block(tip).getHash().equals(tip)));
            }
            for (Future<Boolean> fu : futures) {
                assertTrue(fu.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(64 * 3, bitcoind.requests().size());
        bitcoind.assertNoUnmatched();
    }

    @Test
    void aClosedClientRefusesCalls() {
        bitcoind.stub("01-startup-and-info.json");
        BitcoindRpc rpc = bitcoind.rpc();
        assertEquals(0, rpc.call("getblockcount").asInt());
        rpc.close();
        rpc.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> rpc.call("getblockcount"));
        assertEquals(1, bitcoind.requests().size());
    }
}
