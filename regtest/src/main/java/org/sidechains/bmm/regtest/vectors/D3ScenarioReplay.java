package org.sidechains.bmm.regtest.vectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.d3.D3;
import org.sidechains.bmm.m7.CoinbaseM7;
import org.sidechains.bmm.m7.M7;
import org.sidechains.bmm.regtest.json.D3Json;

/**
 * Replays a file in the d3-scenarios format (shared/vectors/README.md): a JSON array of
 * {@code {name, window, blocks: [{height, m7: [{chain, hStar, prevBlockRef}], cbIndex?}]}}.
 * Each scenario's blocks are connected from its first height into a fresh D3; the result per
 * scenario is {@code {name, tipHeight, rows}} with rows in the vectors' shape. {@code expected}
 * and {@code note} are ignored. A block's m7 follows the protocol's first-wins rule; a block
 * without cbIndex has its M7 at coinbase output 0.
 */
public final class D3ScenarioReplay {
    private static final ObjectMapper JSON = new ObjectMapper();

    private D3ScenarioReplay() {
    }

    public static ArrayNode replayFile(Path file) throws ScenarioFormatException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new ScenarioFormatException("no such file: " + file);
        } catch (JsonProcessingException e) {
            throw new ScenarioFormatException("not valid JSON at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ": " + firstClause(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ScenarioFormatException("cannot read " + file + ": " + e.getMessage());
        }
        return replay(root);
    }

    public static ArrayNode replay(JsonNode root) throws ScenarioFormatException {
        if (root == null || !root.isArray()) {
            throw new ScenarioFormatException("expected a JSON array of scenarios at the top level");
        }
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < root.size(); i++) {
            out.add(scenario(root.get(i), "[" + i + "]"));
        }
        return out;
    }

    private static ObjectNode scenario(JsonNode s, String at) throws ScenarioFormatException {
        if (!s.isObject()) {
            throw new ScenarioFormatException(at + ": expected a scenario object");
        }
        String name = text(s, "name", at);
        at = at + " (\"" + name + "\")";
        int window = s.has("window") ? integer(s, "window", at, 1, Integer.MAX_VALUE) : 8000;
        JsonNode blocks = s.get("blocks");
        if (blocks == null || !blocks.isArray()) {
            throw new ScenarioFormatException(at + ".blocks: expected an array of blocks");
        }
        D3 d3 = D3.create(window);
        for (int b = 0; b < blocks.size(); b++) {
            String bat = at + ".blocks[" + b + "]";
            JsonNode block = blocks.get(b);
            if (!block.isObject()) {
                throw new ScenarioFormatException(bat + ": expected a block object");
            }
            int height = integer(block, "height", bat, 0, Integer.MAX_VALUE);
            if (d3.tipHeight() >= 0 && height != d3.tipHeight() + 1) {
                throw new ScenarioFormatException(bat + ".height: " + height + " does not follow "
                        + d3.tipHeight() + " (blocks must be consecutive)");
            }
            int cbIndex = block.has("cbIndex") ? integer(block, "cbIndex", bat, 0, Integer.MAX_VALUE) : 0;
            JsonNode m7 = block.get("m7");
            Optional<CoinbaseM7> cb = Optional.empty();
            if (m7 != null && !m7.isNull()) {
                if (!m7.isArray()) {
                    throw new ScenarioFormatException(bat + ".m7: expected an array of entries or null");
                }
                List<MiniHeader> chunks = new ArrayList<>();
                for (int e = 0; e < m7.size(); e++) {
                    chunks.add(entry(m7.get(e), bat + ".m7[" + e + "]"));
                }
                cb = Optional.of(new CoinbaseM7(cbIndex, M7.firstWins(chunks)));
            }
            d3.connect(height, cb);
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", name);
        o.put("tipHeight", d3.tipHeight());
        o.set("rows", D3Json.rows(d3.rows()));
        return o;
    }

    private static MiniHeader entry(JsonNode e, String at) throws ScenarioFormatException {
        if (!e.isObject()) {
            throw new ScenarioFormatException(at + ": expected {chain, hStar, prevBlockRef}");
        }
        int chain = integer(e, "chain", at, 0, 255);
        String hex = text(e, "hStar", at);
        Hash32 h;
        try {
            h = Hash32.fromDisplayHex(hex);
        } catch (IllegalArgumentException ex) {
            throw new ScenarioFormatException(at + ".hStar: expected 64 hex digits, got \"" + abbreviate(hex) + "\"");
        }
        int ref = integer(e, "prevBlockRef", at, 0, 0xFFFF);
        return new MiniHeader(chain, h, ref);
    }

    private static String text(JsonNode o, String field, String at) throws ScenarioFormatException {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) {
            throw new ScenarioFormatException(at + "." + field + ": expected a string");
        }
        return v.asText();
    }

    private static int integer(JsonNode o, String field, String at, int min, int max) throws ScenarioFormatException {
        JsonNode v = o.get(field);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new ScenarioFormatException(at + "." + field + ": expected an integer");
        }
        int x = v.asInt();
        if (x < min || x > max) {
            throw new ScenarioFormatException(at + "." + field + ": " + x + " is outside " + min + ".." + max);
        }
        return x;
    }

    /** Jackson's messages go on to describe its own source location: keep the first clause, one line. */
    private static String firstClause(String msg) {
        int cut = msg.indexOf(" (start marker");
        String one = cut < 0 ? msg : msg.substring(0, cut);
        int nl = one.indexOf('\n');
        return nl < 0 ? one : one.substring(0, nl);
    }

    private static String abbreviate(String s) {
        return s.length() <= 70 ? s : s.substring(0, 67) + "...";
    }
}
