package org.sidechains.bmm.bitcoinj.rpc;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JSON-RPC 1.0 client for bitcoind over okhttp: single calls and batches, with bitcoind's error
 * model made typed.
 *
 * <ul>
 *   <li>bitcoind answers an error with HTTP 404 or 500 and a JSON body: that is a
 *       {@link MainchainException.Rpc} with its code and message, unchanged.</li>
 *   <li>HTTP 401 (bitcoind sends it with an empty body) and 403 (-rpcallowip) are
 *       {@link MainchainException.Unauthorized}. With a cookie file, the file is read again after a
 *       401 and the call repeated once if it changed: bitcoind writes a new cookie each start.</li>
 *   <li>Connection refused, a timeout, and a body that is not JSON-RPC are
 *       {@link MainchainException.Unreachable}.</li>
 *   <li>-28 (warming up) is retried per {@link WarmupRetry}, then surfaced as
 *       {@link MainchainException.Unreachable} with the last -28 as its cause.</li>
 * </ul>
 *
 * <p>Safe for use from several threads: every call is its own HTTP exchange (okhttp pools the
 * connections). Close it to release okhttp's threads and pooled connections.
 */
public final class BitcoindRpc implements AutoCloseable {
    /** bitcoind's RPC_IN_WARMUP. */
    public static final int RPC_IN_WARMUP = -28;

    private static final Logger log = LoggerFactory.getLogger(BitcoindRpc.class);
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final int SNIPPET = 200;

    private final RpcConfig config;
    private final HttpUrl url;
    private final String description;
    private final OkHttpClient http;
    private final Login login;
    private volatile boolean closed;

    private BitcoindRpc(RpcConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.url = HttpUrl.get(config.url().toString());
        String shown = url.newBuilder().username("").password("").build().toString();
        this.description = "bitcoind at " + (shown.endsWith("/") && url.encodedPath().equals("/")
                ? shown.substring(0, shown.length() - 1) : shown);
        this.http = new OkHttpClient.Builder()
                .connectTimeout(config.connectTimeout())
                .readTimeout(config.readTimeout())
                // submitblock bodies reach megabytes: writing them gets the read allowance
                .writeTimeout(config.readTimeout())
                .build();
        this.login = new Login(config.auth());
    }

    public static BitcoindRpc create(RpcConfig config) {
        return new BitcoindRpc(config);
    }

    public RpcConfig config() {
        return config;
    }

    /** "bitcoind at http://127.0.0.1:18443", for logs and messages (never the password). */
    public String describe() {
        return description;
    }

    /** One call: its result ({@code NullNode} for JSON null), or a {@link MainchainException}. */
    public JsonNode call(String method, Object... params) {
        return call(RpcCall.of(method, params));
    }

    /** One call: its result ({@code NullNode} for JSON null), or a {@link MainchainException}. */
    public JsonNode call(RpcCall call) {
        // The method name as id, as bitcoin-cli-like clients (and the recorded fixtures) do: a
        // single exchange needs no unique id.
        String body = request(call, TextNode.valueOf(call.method())).toString();
        Warmup warmup = new Warmup();
        while (true) {
            HttpAnswer answer = post(call.method(), body);
            JsonNode reply = parse(call.method(), answer);
            if (!reply.isObject()) {
                throw malformed(call.method(), "expected a JSON-RPC object, got " + snippet(answer.body()), null);
            }
            Optional<MainchainException.Rpc> error = errorOf(call.method(), reply);
            if (error.isPresent()) {
                if (error.get().code() != RPC_IN_WARMUP) {
                    throw error.get();
                }
                warmup.pause(call.method(), error.get());
                continue;
            }
            JsonNode result = reply.get("result");
            if (result == null || answer.status() != 200) {
                throw malformed(call.method(), "HTTP " + answer.status() + " without a result or an error: "
                        + snippet(answer.body()), null);
            }
            return result;
        }
    }

    /**
     * Several calls in one HTTP exchange. The answers are in request order whatever order bitcoind
     * sent them in (they are matched by id); each is a result or that call's own error. Calls that
     * answer -28 are sent again (alone) per the warm-up policy. Whole-exchange failures (401,
     * unreachable, an answer that is not a JSON-RPC batch) throw.
     */
    public List<RpcResult> batch(List<RpcCall> calls) {
        List<RpcCall> list = List.copyOf(calls);
        if (list.isEmpty()) {
            return List.of();
        }
        String what = "batch of " + list.size() + " " + list.stream().map(RpcCall::method).distinct()
                .collect(Collectors.joining(",", "[", "]"));
        RpcResult[] results = new RpcResult[list.size()];
        List<Integer> pending = IntStream.range(0, list.size()).boxed().toList();
        Warmup warmup = new Warmup();
        while (true) {
            ArrayNode body = Json.MAPPER.createArrayNode();
            for (int i : pending) {
                // 1-based positions as ids: unique within the exchange, and kept when retried
                body.add(request(list.get(i), IntNode.valueOf(i + 1)));
            }
            HttpAnswer answer = post(what, body.toString());
            JsonNode reply = parse(what, answer);
            if (!reply.isArray()) {
                // bitcoind answers a batch it cannot read at all with one error object
                Optional<MainchainException.Rpc> error = reply.isObject() ? errorOf("batch", reply) : Optional.empty();
                throw error.isPresent() ? error.get()
                        : malformed(what, "expected a JSON array, got " + snippet(answer.body()), null);
            }
            Map<Integer, JsonNode> byId = new HashMap<>();
            for (JsonNode entry : reply) {
                JsonNode id = entry.get("id");
                if (!entry.isObject() || id == null || !id.isIntegralNumber() || !id.canConvertToInt()) {
                    throw malformed(what, "an answer without a numeric id: " + snippet(entry.toString()), null);
                }
                if (byId.put(id.intValue(), entry) != null) {
                    throw malformed(what, "two answers with id " + id, null);
                }
            }
            List<Integer> warming = new ArrayList<>();
            MainchainException.Rpc lastWarming = null;
            for (int i : pending) {
                RpcCall call = list.get(i);
                JsonNode entry = byId.remove(i + 1);
                if (entry == null) {
                    throw malformed(what, "no answer to call " + (i + 1) + " (" + call.method() + ")", null);
                }
                Optional<MainchainException.Rpc> error = errorOf(call.method(), entry);
                if (error.isPresent() && error.get().code() == RPC_IN_WARMUP) {
                    warming.add(i);
                    lastWarming = error.get();
                } else if (error.isPresent()) {
                    results[i] = new RpcResult.Failed(error.get());
                } else if (entry.has("result")) {
                    results[i] = new RpcResult.Ok(entry.get("result"));
                } else {
                    throw malformed(what, "answer " + (i + 1) + " has neither result nor error", null);
                }
            }
            if (!byId.isEmpty()) {
                throw malformed(what, "answers to calls never made, ids " + byId.keySet(), null);
            }
            if (warming.isEmpty()) {
                return List.of(results);
            }
            warmup.pause(what, lastWarming);
            pending = List.copyOf(warming);
        }
    }

    /** {@link #batch}, then every result in request order, or the first error in request order. */
    public List<JsonNode> batchAll(List<RpcCall> calls) {
        List<JsonNode> out = new ArrayList<>(calls.size());
        for (RpcResult r : batch(calls)) {
            out.add(r.orThrow());
        }
        return out;
    }

    /** Shuts okhttp's dispatcher down and closes its pooled connections; calls after this fail. */
    @Override
    public void close() {
        closed = true;
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    @Override
    public String toString() {
        return "BitcoindRpc[" + description + "]";
    }

    // --- HTTP ---------------------------------------------------------------------------------

    private record HttpAnswer(int status, String body) {
    }

    private static ObjectNode request(RpcCall call, JsonNode id) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("jsonrpc", "1.0");
        n.set("id", id);
        n.put("method", call.method());
        n.set("params", call.params());
        return n;
    }

    /** One HTTP exchange with the 401 handling; the status and body, whatever they are. */
    private HttpAnswer post(String what, String body) {
        if (closed) {
            throw new IllegalStateException(description + ": the RPC client is closed");
        }
        String auth = login.header();
        HttpAnswer answer = send(what, body, auth);
        if (answer.status() == 401) {
            Optional<String> renewed = login.renewed(auth);
            if (renewed.isPresent()) {
                log.info("{}: HTTP 401 with a cookie that has since changed (bitcoind restarted?): retrying with the new one",
                        description);
                answer = send(what, body, renewed.get());
            }
        }
        if (answer.status() == 401) {
            throw new MainchainException.Unauthorized(description + " refused the login for " + what + " (HTTP 401"
                    + (login.cookie().map(p -> ", cookie file " + p).orElse("")) + "): check --rpc-user/--rpc-password or --rpc-cookie");
        }
        if (answer.status() == 403) {
            throw new MainchainException.Unauthorized(description + " forbids this client for " + what
                    + " (HTTP 403): bitcoind's -rpcallowip does not include this address");
        }
        return answer;
    }

    private HttpAnswer send(String what, String body, String authHeader) {
        Request request = new Request.Builder()
                .url(url)
                .header("Authorization", authHeader)
                .post(RequestBody.create(body, JSON_TYPE))
                .build();
        try (Response response = http.newCall(request).execute()) {
            ResponseBody rb = response.body();
            return new HttpAnswer(response.code(), rb == null ? "" : rb.string());
        } catch (SocketTimeoutException e) {
            throw new MainchainException.Unreachable(description + ": " + what + ": no answer in time (connect timeout "
                    + config.connectTimeout().toMillis() + " ms, read timeout " + config.readTimeout().toMillis() + " ms)", e);
        } catch (ConnectException e) {
            throw new MainchainException.Unreachable(description + ": " + what + ": cannot connect (" + e.getMessage()
                    + "): is bitcoind running with -server on this port?", e);
        } catch (UnknownHostException e) {
            throw new MainchainException.Unreachable(description + ": " + what + ": unknown host " + url.host(), e);
        } catch (IOException e) {
            String m = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            // okhttp's words for a peer that hung up without an HTTP answer: typically bitcoind's P2P port
            String hint = m.startsWith("unexpected end of stream") || e instanceof java.net.ProtocolException
                    ? " (is this bitcoind's JSON-RPC port, -rpcport, 18443 on regtest? its P2P port does not speak HTTP)" : "";
            throw new MainchainException.Unreachable(description + ": " + what + ": " + m + hint, e);
        }
    }

    private JsonNode parse(String what, HttpAnswer answer) {
        JsonProcessingException cause = null;
        try {
            JsonNode n = Json.MAPPER.readTree(answer.body());
            if (n != null && (n.isObject() || n.isArray())) {
                return n;
            }
        } catch (JsonProcessingException e) {
            cause = e;
        }
        throw malformed(what, "HTTP " + answer.status() + (answer.body().isEmpty() ? " with an empty body"
                : " is not a JSON-RPC answer: " + snippet(answer.body())), cause);
    }

    /** The entry's error as bitcoind's code and message, if it has one. */
    private Optional<MainchainException.Rpc> errorOf(String method, JsonNode reply) {
        JsonNode error = reply.get("error");
        if (error == null || error.isNull()) {
            return Optional.empty();
        }
        JsonNode code = error.get("code");
        JsonNode message = error.get("message");
        if (code == null || !code.isIntegralNumber() || !code.canConvertToInt()) {
            throw malformed(method, "an error without a numeric code: " + snippet(error.toString()), null);
        }
        return Optional.of(new MainchainException.Rpc(method, code.intValue(), message == null ? "" : message.asText()));
    }

    private MainchainException.Unreachable malformed(String what, String detail, Throwable cause) {
        return new MainchainException.Unreachable(description + ": " + what + ": " + detail, cause);
    }

    private static String snippet(String body) {
        String s = body.strip();
        return s.length() <= SNIPPET ? s : s.substring(0, SNIPPET) + "…";
    }

    // --- login --------------------------------------------------------------------------------

    /** The Authorization header; for a cookie, the last one read. */
    private final class Login {
        private final RpcAuth auth;
        private final AtomicReference<String> cookieHeader = new AtomicReference<>();

        Login(RpcAuth auth) {
            this.auth = auth;
        }

        Optional<Path> cookie() {
            return auth instanceof RpcAuth.CookieFile c ? Optional.of(c.path()) : Optional.empty();
        }

        String header() {
            if (auth instanceof RpcAuth.UserPassword up) {
                return Credentials.basic(up.user(), up.password(), UTF_8);
            }
            String h = cookieHeader.get();
            if (h == null) {
                h = readCookie(((RpcAuth.CookieFile) auth).path());
                cookieHeader.set(h);
            }
            return h;
        }

        /** After a 401: the cookie read again, if it differs from the one that was refused. */
        Optional<String> renewed(String refused) {
            if (!(auth instanceof RpcAuth.CookieFile c)) {
                return Optional.empty();
            }
            String fresh = readCookie(c.path());
            cookieHeader.set(fresh);
            return fresh.equals(refused) ? Optional.empty() : Optional.of(fresh);
        }

        private String readCookie(Path path) {
            String text;
            try {
                text = Files.readString(path, UTF_8).strip();
            } catch (NoSuchFileException e) {
                // bitcoind deletes its cookie when it stops: most likely it is not running
                throw new MainchainException.Unreachable(description + ": cookie file " + path
                        + " does not exist: is bitcoind running, and is --rpc-cookie its datadir's .cookie?", e);
            } catch (IOException e) {
                throw new MainchainException.Unreachable(description + ": cannot read cookie file " + path + ": " + e, e);
            }
            int colon = text.indexOf(':');
            if (colon < 0) {
                throw new MainchainException.Unauthorized(description + ": cookie file " + path
                        + " does not hold user:password: check --rpc-cookie");
            }
            return Credentials.basic(text.substring(0, colon), text.substring(colon + 1), UTF_8);
        }
    }

    // --- warm-up ------------------------------------------------------------------------------

    /** One call's warm-up budget: started at the call's first attempt. */
    private final class Warmup {
        private final long start = System.nanoTime();
        private Duration delay = config.warmup().firstDelay();

        /** Sleeps before the next attempt, or surfaces the -28 when the budget is spent. */
        void pause(String what, MainchainException.Rpc warming) {
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            Duration left = config.warmup().maxTotal().minus(elapsed);
            if (!(left.compareTo(Duration.ZERO) > 0)) {
                throw new MainchainException.Unreachable(description + ": " + what + ": still warming up after "
                        + elapsed.toMillis() + " ms (" + warming.rpcMessage() + ")", warming);
            }
            Duration sleep = delay.compareTo(left) < 0 ? delay : left;
            log.info("{} is warming up ({}); asking again in {} ms", description, warming.rpcMessage(), sleep.toMillis());
            try {
                Thread.sleep(sleep.toMillis(), sleep.toNanosPart() % 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MainchainException.Unreachable(description + ": " + what
                        + ": interrupted while waiting for the warm-up", warming);
            }
            delay = config.warmup().next(delay);
        }
    }
}
