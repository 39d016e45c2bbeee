package org.sidechains.bmm.bitcoinj.rpc;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sidechains.bmm.bitcoinj.rpc.BitcoindFixtures.first;
import static org.sidechains.bmm.bitcoinj.rpc.BitcoindFixtures.load;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.sidechains.bmm.bitcoinj.rpc.BitcoindFixtures.Exchange;

/** What the Authorization header carries, and how a cookie that bitcoind rewrote is picked up. */
class RpcAuthTest {
    private static final String COOKIE_A = "__cookie__:" + "a1".repeat(32);
    private static final String COOKIE_B = "__cookie__:" + "b2".repeat(32);

    @TempDir
    Path dir;
    private StubbedBitcoind bitcoind;

    @BeforeEach
    void start() {
        bitcoind = new StubbedBitcoind();
    }

    @AfterEach
    void stop() {
        bitcoind.close();
    }

    private static String basic(String userColonPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(UTF_8));
    }

    private List<String> authorizations() {
        return bitcoind.requests().stream().map(r -> r.getHeader("Authorization")).toList();
    }

    @Test
    void userAndPasswordGoAsBasicAuth() {
        bitcoind.stub("01-startup-and-info.json");
        try (RpcMainchain m = bitcoind.mainchain()) {
            assertEquals(0, m.blockCount());
            assertEquals("bitcoind at http://127.0.0.1:" + bitcoind.server.port(), m.describe());
        }
        assertEquals(List.of(basic("bmm:fixture-password")), authorizations());
        assertFalse(StubbedBitcoind.AUTH.toString().contains("fixture-password"), "the password stays out of logs");
    }

    /** The recorded getblockcount for {@code cookie}; anything else gets 05's 401 with an empty body. */
    private void stubAcceptingOnly(String cookie) {
        Exchange ok = first("01-startup-and-info.json", "getblockcount");
        Exchange refused = load("05-unauthorized.json").get(0);
        bitcoind.server.stubFor(post(urlEqualTo("/")).atPriority(10)
                .willReturn(aResponse().withStatus(refused.httpStatus()).withBody(refused.response())));
        bitcoind.server.stubFor(post(urlEqualTo("/")).atPriority(1).withHeader("Authorization", equalTo(basic(cookie)))
                .withRequestBody(equalToJson(ok.request().toString(), false, false)).willReturn(BitcoindFixtures.answer(ok)));
    }

    @Test
    void theCookieFileIsReadAgainAfter401() throws Exception {
        Path cookie = dir.resolve(".cookie");
        Files.writeString(cookie, COOKIE_A); // bitcoind writes no newline; strip() would cope with one
        stubAcceptingOnly(COOKIE_B);
        try (RpcMainchain m = RpcMainchain.connect(bitcoind.config().withAuth(RpcAuth.cookie(cookie)))) {
            // the cookie has not changed: the 401 stands, once
            MainchainException.Unauthorized u = assertThrows(MainchainException.Unauthorized.class, m::blockCount);
            assertTrue(u.getMessage().contains(cookie.toString()), u.getMessage());
            assertTrue(u.getMessage().contains("--rpc-cookie"), u.getMessage());
            assertEquals(List.of(basic(COOKIE_A)), authorizations());

            // bitcoind restarted and wrote a new cookie: the call is repeated once with it
            Files.writeString(cookie, COOKIE_B + "\n");
            assertEquals(0, m.blockCount());
            assertEquals(List.of(basic(COOKIE_A), basic(COOKIE_A), basic(COOKIE_B)), authorizations());

            // and it is kept
            assertEquals(0, m.blockCount());
            assertEquals(basic(COOKIE_B), authorizations().get(3));
            assertEquals(4, authorizations().size());
        }
    }

    @Test
    void credentialsInTheUrlStayOutOfDescriptions() {
        URI withUserInfo = URI.create("http://bmm:url-secret@127.0.0.1:" + bitcoind.server.port() + "/wallet/w");
        try (BitcoindRpc rpc = BitcoindRpc.create(RpcConfig.of(withUserInfo, StubbedBitcoind.AUTH))) {
            assertEquals("bitcoind at http://127.0.0.1:" + bitcoind.server.port() + "/wallet/w", rpc.describe());
        }
    }

    @Test
    void aMissingCookieMeansBitcoindIsNotRunning() {
        Path cookie = dir.resolve("regtest/.cookie");
        try (RpcMainchain m = RpcMainchain.connect(bitcoind.config().withAuth(RpcAuth.cookie(cookie)))) {
            MainchainException.Unreachable u = assertThrows(MainchainException.Unreachable.class, m::blockCount);
            assertTrue(u.getMessage().contains(cookie.toString()), u.getMessage());
        }
        assertEquals(0, bitcoind.requests().size(), "nothing is sent without credentials");
    }

    @Test
    void aCookieWithoutAColonIsRefused() throws Exception {
        Path cookie = dir.resolve(".cookie");
        Files.writeString(cookie, "a1".repeat(32));
        try (RpcMainchain m = RpcMainchain.connect(bitcoind.config().withAuth(RpcAuth.cookie(cookie)))) {
            assertThrows(MainchainException.Unauthorized.class, m::blockCount);
        }
        assertEquals(0, bitcoind.requests().size());
    }
}
