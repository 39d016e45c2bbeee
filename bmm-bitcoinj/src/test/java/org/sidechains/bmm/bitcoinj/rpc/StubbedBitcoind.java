package org.sidechains.bmm.bitcoinj.rpc;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.bitcoinj.params.RegTestParams;

/** A WireMock server standing in for bitcoind, and clients pointed at it. */
final class StubbedBitcoind implements AutoCloseable {
    static final RpcAuth AUTH = RpcAuth.userPassword("bmm", "fixture-password");
    /** Tests must not wait a minute for a warm-up that never ends. */
    static final WarmupRetry FAST_WARMUP = WarmupRetry.of(Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofSeconds(2));

    final WireMockServer server;

    StubbedBitcoind() {
        server = new WireMockServer(wireMockConfig().dynamicPort().notifier(new Slf4jNotifier(false)));
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.port() + "/");
    }

    RpcConfig config() {
        return RpcConfig.of(url(), AUTH).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)).withWarmup(FAST_WARMUP);
    }

    BitcoindRpc rpc() {
        return BitcoindRpc.create(config());
    }

    RpcMainchain mainchain() {
        return RpcMainchain.of(rpc(), RegTestParams.get());
    }

    List<StubMapping> stub(String file) {
        return BitcoindFixtures.stub(server, file);
    }

    List<LoggedRequest> requests() {
        // WireMock lists the newest first
        List<LoggedRequest> out = new ArrayList<>(server.getAllServeEvents().stream().map(ServeEvent::getRequest).toList());
        Collections.reverse(out);
        return out;
    }

    /** Every stub answered at least once: a test cannot skip an exchange silently. */
    void assertAllServed(List<StubMapping> stubs) {
        Set<UUID> served = server.getAllServeEvents().stream().filter(ServeEvent::getWasMatched)
                .map(e -> e.getStubMapping().getId()).collect(Collectors.toSet());
        for (StubMapping s : stubs) {
            assertTrue(served.contains(s.getId()), "never requested: " + s.getRequest().getBodyPatterns());
        }
    }

    void assertNoUnmatched() {
        assertEquals(List.of(), server.findAllUnmatchedRequests().stream().map(LoggedRequest::getBodyAsString).toList(),
                "requests no stub matched");
    }

    @Override
    public void close() {
        server.stop();
    }
}
