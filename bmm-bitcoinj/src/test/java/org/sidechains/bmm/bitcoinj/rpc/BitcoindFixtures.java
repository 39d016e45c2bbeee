package org.sidechains.bmm.bitcoinj.rpc;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.sidechains.bmm.vectors.SharedDir;

/**
 * The recorded bitcoind v25 exchanges of shared/fixtures/bitcoind-25-regtest as WireMock stubs:
 * each matches its request body exactly (equalToJson, no extra elements, array order kept) and
 * answers the recorded HTTP status and raw body. A request recorded several times (the same
 * {@code getbestblockhash} before and after {@code invalidateblock}) answers in recorded order,
 * through a WireMock scenario per distinct request.
 */
final class BitcoindFixtures {
    /** The client's own mapper (BTC amounts as BigDecimal), so recorded and received JSON compare equal. */
    static final ObjectMapper JSON = Json.MAPPER;
    static final HexFormat HEX = HexFormat.of();

    private BitcoindFixtures() {
    }

    /** One recorded exchange. */
    record Exchange(JsonNode request, int httpStatus, String response) {
        Exchange {
            Objects.requireNonNull(request, "request");
            Objects.requireNonNull(response, "response");
        }

        String method() {
            return request.isArray() ? "batch" : request.get("method").asText();
        }

        JsonNode params() {
            return request.get("params");
        }

        /** The recorded body as JSON (not for 05's empty body). */
        JsonNode body() {
            try {
                return JSON.readTree(response);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        JsonNode result() {
            return body().get("result");
        }

        JsonNode error() {
            return body().get("error");
        }

        /** The same exchange with another request (a derived stub). */
        Exchange withRequest(JsonNode r) {
            return new Exchange(r, httpStatus, response);
        }

        /** The same exchange with another status and body (a derived stub). */
        Exchange answering(int status, String body) {
            return new Exchange(request, status, body);
        }
    }

    static Path dir() {
        return SharedDir.root().resolve("fixtures/bitcoind-25-regtest");
    }

    /** The exchanges of one file, in recorded order (entries that are only notes are skipped). */
    static List<Exchange> load(String file) {
        JsonNode root = SharedDir.readJson(dir().resolve(file));
        if (!root.path("bitcoind").asText().startsWith("/Satoshi:25.")) {
            throw new IllegalStateException(file + " is not a bitcoind v25 recording: " + root.path("bitcoind"));
        }
        List<Exchange> out = new ArrayList<>();
        for (JsonNode e : root.get("exchanges")) {
            if (e.has("request")) {
                out.add(new Exchange(e.get("request"), e.get("httpStatus").asInt(), e.get("response").asText()));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException(file + " has no exchanges");
        }
        return out;
    }

    /** The first exchange of {@code file} whose method is {@code method}. */
    static Exchange first(String file, String method) {
        return load(file).stream().filter(e -> e.method().equals(method)).findFirst()
                .orElseThrow(() -> new IllegalStateException(file + " has no " + method));
    }

    /** Stubs every exchange; the returned mappings let a test check each was served. */
    static List<StubMapping> stub(WireMockServer server, List<Exchange> exchanges) {
        Map<JsonNode, Integer> seen = new HashMap<>();
        Map<JsonNode, Long> total = new HashMap<>();
        exchanges.forEach(e -> total.merge(e.request(), 1L, Long::sum));
        List<StubMapping> out = new ArrayList<>();
        for (Exchange e : exchanges) {
            MappingBuilder m = post(urlEqualTo("/"))
                    .withRequestBody(equalToJson(e.request().toString(), false, false))
                    .willReturn(answer(e));
            long n = total.get(e.request());
            if (n > 1) {
                int i = seen.merge(e.request(), 1, Integer::sum) - 1;
                String scenario = "replay " + e.request();
                ScenarioMappingBuilder sm = m.inScenario(scenario).whenScenarioStateIs(i == 0 ? Scenario.STARTED : "answer " + i);
                // the last recording keeps answering
                m = i + 1 < n ? sm.willSetStateTo("answer " + (i + 1)) : sm;
            }
            out.add(server.stubFor(m));
        }
        return out;
    }

    static List<StubMapping> stub(WireMockServer server, String file) {
        return stub(server, load(file));
    }

    static ResponseDefinitionBuilder answer(Exchange e) {
        return aResponse().withStatus(e.httpStatus()).withHeader("Content-Type", "application/json").withBody(e.response());
    }

    /** A request body with its id replaced by a JsonUnit placeholder that matches any id. */
    static JsonNode anyId(JsonNode request) {
        ObjectNode copy = request.deepCopy();
        copy.put("id", "${json-unit.ignore}");
        return copy;
    }

    static Block block(String hex) {
        return Block.read(ByteBuffer.wrap(HEX.parseHex(hex)));
    }

    static Transaction tx(String hex) {
        return Transaction.read(ByteBuffer.wrap(HEX.parseHex(hex)));
    }

    static String blockFile(String name) {
        try {
            return Files.readString(dir().resolve(name)).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
