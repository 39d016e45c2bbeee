package org.sidechains.bmm.regtest.rpcserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidechains.bmm.bitcoinj.rpc.RpcAuth;

class RpcServerTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final RpcMethod PING = RpcMethod.of("ping", p -> JsonNodeFactory.instance.textNode("pong"));

    @TempDir
    Path dir;

    static HttpResponse<String> post(URI url, String auth, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static RpcServer.Builder server() {
        return RpcServer.builder().method(PING).badAuthDelay(Duration.ZERO);
    }

    @Test
    void userPasswordOnLoopbackAtAFreePort() throws Exception {
        try (RpcServer s = server().auth(RpcAuth.userPassword("u", "p")).start()) {
            assertEquals("127.0.0.1", s.url().getHost());
            assertNotEquals(0, s.port());
            HttpResponse<String> r = post(s.url(), s.credentials().basicHeader(), "{\"id\":1,\"method\":\"ping\"}");
            assertEquals(200, r.statusCode());
            assertEquals("{\"result\":\"pong\",\"error\":null,\"id\":1}\n", r.body());
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        }
    }

    @Test
    void turnsOnTheJdkServersTcpNoDelaySwitch() {
        // without it each reply waited for the client's delayed ACK: about 40 ms per call. This checks the
        // switch only: the JDK reads it once, so a JDK HttpServer made in this JVM before RpcServer was
        // loaded would have read it unset (nothing in these modules makes one)
        try (RpcServer s = server().auth(RpcAuth.userPassword("u", "p")).start()) {
            assertEquals("true", System.getProperty(RpcServer.NODELAY_PROPERTY));
        }
    }

    @Test
    void badOrMissingAuthIs401WithAnEmptyBody() throws Exception {
        try (RpcServer s = server().auth(RpcAuth.userPassword("u", "p")).start()) {
            HttpResponse<String> r = post(s.url(), new RpcCredentials("u", "wrong").basicHeader(),
                    "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"getblockcount\",\"params\":[]}");
            assertEquals(401, r.statusCode());
            assertEquals("", r.body());
            assertEquals("Basic realm=\"jsonrpc\"", r.headers().firstValue("WWW-Authenticate").orElse(""));
            assertEquals(401, post(s.url(), null, "{}").statusCode());
        }
    }

    @Test
    void cookieFileOwnerOnlyAndDeletedOnClose() throws Exception {
        Path cookie = dir.resolve("regtest/.cookie");
        RpcServer s = server().auth(RpcAuth.cookie(cookie)).start();
        try {
            String content = Files.readString(cookie);
            assertTrue(content.matches("__cookie__:[0-9a-f]{64}"), content);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cookie)));
            String[] up = content.split(":", 2);
            assertEquals(new RpcCredentials(up[0], up[1]), s.credentials());
            assertEquals(Path.of(cookie.toAbsolutePath().toString()), s.cookieFile().orElseThrow());
            assertEquals(200, post(s.url(), new RpcCredentials(up[0], up[1]).basicHeader(),
                    "{\"id\":1,\"method\":\"ping\"}").statusCode());
        } finally {
            s.close();
        }
        assertFalse(Files.exists(cookie));
        assertFalse(Files.exists(dir.resolve("regtest/.cookie.tmp")));
    }

    @Test
    void cookieAndUserPasswordTogether() throws Exception {
        try (RpcServer s = server().auth(RpcAuth.userPassword("u", "p")).auth(RpcAuth.cookie(dir.resolve(".cookie")))
                .start()) {
            assertEquals(200, post(s.url(), new RpcCredentials("u", "p").basicHeader(), "{\"method\":\"ping\"}").statusCode());
            assertEquals(200, post(s.url(), s.credentials().basicHeader(), "{\"method\":\"ping\"}").statusCode());
        }
    }

    @Test
    void onlyPost() throws Exception {
        try (RpcServer s = server().auth(RpcAuth.userPassword("u", "p")).start()) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(s.url())
                    .header("Authorization", s.credentials().basicHeader()).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(405, r.statusCode());
            assertEquals("JSONRPC server handles only POST requests", r.body());
        }
    }

    @Test
    void batchesAndErrorStatusesOverHttp() throws Exception {
        try (RpcServer s = server().auth(RpcAuth.userPassword("u", "p")).start()) {
            String auth = s.credentials().basicHeader();
            HttpResponse<String> r = post(s.url(), auth, "[{\"id\":1,\"method\":\"ping\"},{\"id\":2,\"method\":\"x\"}]");
            assertEquals(200, r.statusCode());
            assertEquals("[{\"result\":\"pong\",\"error\":null,\"id\":1},"
                    + "{\"result\":null,\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":2}]\n", r.body());
            assertEquals(404, post(s.url(), auth, "{\"id\":2,\"method\":\"x\"}").statusCode());
            assertEquals(500, post(s.url(), auth, "nonsense").statusCode());
        }
    }

    @Test
    void concurrentClients() throws Exception {
        try (RpcServer s = server().auth(RpcAuth.userPassword("u", "p")).threads(4).start()) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Integer>> fs = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    fs.add(pool.submit(() -> post(s.url(), s.credentials().basicHeader(),
                            "{\"id\":1,\"method\":\"ping\"}").statusCode()));
                }
                for (Future<Integer> f : fs) {
                    assertEquals(200, f.get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void closeStopsServingAndIsIdempotent() throws Exception {
        RpcServer s = server().auth(RpcAuth.userPassword("u", "p")).start();
        URI url = s.url();
        s.close();
        s.close();
        assertThrows(java.io.IOException.class, () -> post(url, null, "{}"));
    }

    @Test
    void needsAuthAndUniqueMethods() {
        assertThrows(IllegalStateException.class, () -> server().start());
        assertThrows(IllegalArgumentException.class, () -> server().method(PING).auth(RpcAuth.userPassword("u", "p")).start());
    }
}
