package org.sidechains.bmm.regtest.bitcoind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * The launcher's own minimal JSON-RPC 1.0 caller over {@code java.net.http}: enough to probe readiness, send
 * {@code stop} and let tests drive a node. The project's full RPC client lives in bmm-bitcoinj.
 */
final class LauncherRpc {
    static final ObjectMapper JSON = new ObjectMapper();

    /** bitcoind's "RPC in warm-up" error code: the server is up but still loading. */
    static final int RPC_IN_WARMUP = -28;

    /** A JSON-RPC error object in bitcoind's answer. */
    static final class RpcError extends IOException {
        private static final long serialVersionUID = 1L;
        final int code;

        RpcError(String method, int code, String message) {
            super(method + ": bitcoind error " + code + ": " + message);
            this.code = code;
        }
    }

    /** HTTP 401/403: the credentials were refused. */
    static final class Unauthorized extends IOException {
        private static final long serialVersionUID = 1L;

        Unauthorized(String message) {
            super(message);
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .proxy(HttpClient.Builder.NO_PROXY)
            .build();

    private LauncherRpc() {
    }

    /**
     * Calls {@code method} and returns its {@code result}.
     *
     * @throws RpcError for a JSON-RPC error answer (bitcoind answers those with HTTP 404/500 and a JSON body)
     * @throws Unauthorized for HTTP 401/403
     * @throws IOException when nothing answers, or the answer is not JSON-RPC
     */
    static JsonNode call(URI url, String user, String password, Duration timeout, String method, Object... params)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("jsonrpc", "1.0");
        body.put("id", "bmm-launcher");
        body.put("method", method);
        ArrayNode array = body.putArray("params");
        for (Object p : params) {
            array.add(JSON.valueToTree(p));
        }
        String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Authorization", "Basic " + auth)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            throw new Unauthorized(method + ": bitcoind refused the RPC credentials (HTTP " + status + ")");
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IOException(method + ": HTTP " + status + " with a body that is not JSON", e);
        }
        if (answer == null || !answer.isObject()) {
            throw new IOException(method + ": HTTP " + status + " with no JSON-RPC answer");
        }
        JsonNode error = answer.get("error");
        if (error != null && !error.isNull()) {
            throw new RpcError(method, error.path("code").asInt(0), error.path("message").asText(""));
        }
        if (status != 200) {
            throw new IOException(method + ": HTTP " + status);
        }
        return answer.get("result");
    }
}
