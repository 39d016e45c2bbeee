package org.sidechains.bmm.regtest.embedded.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sidechains.bmm.regtest.Shared;
import org.sidechains.bmm.regtest.rpcserver.JsonRpcDispatcher;

/** The recorded bitcoind v25 exchanges of shared/fixtures/bitcoind-25-regtest (notes skipped). */
final class Fixtures {
    /** One exchange: the request body, the HTTP status and the raw response body. */
    record Exchange(String file, int index, JsonNode request, int httpStatus, String response) {
        JsonNode responseJson() {
            try {
                return JsonRpcDispatcher.JSON.readTree(response);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String method() {
            return request.isArray() ? "batch" : request.get("method").asText();
        }

        @Override
        public String toString() {
            return file + "#" + index + " " + method();
        }
    }

    private Fixtures() {
    }

    static Path dir() {
        return Shared.root().resolve("fixtures/bitcoind-25-regtest");
    }

    static List<Exchange> exchanges(String file) {
        try {
            JsonNode root = JsonRpcDispatcher.JSON.readTree(Files.readString(dir().resolve(file)));
            List<Exchange> out = new ArrayList<>();
            JsonNode ex = root.get("exchanges");
            for (int i = 0; i < ex.size(); i++) {
                JsonNode e = ex.get(i);
                if (!e.has("request")) {
                    continue; // a note between exchanges
                }
                out.add(new Exchange(file, i, e.get("request"), e.get("httpStatus").asInt(), e.get("response").asText()));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
