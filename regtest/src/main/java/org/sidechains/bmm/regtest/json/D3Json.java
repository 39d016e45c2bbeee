package org.sidechains.bmm.regtest.json;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.sidechains.bmm.bitcoinj.follow.Refusal;
import org.sidechains.bmm.d3.D3Entry;
import org.sidechains.bmm.d3.D3Row;

/**
 * D3 rows in the JSON shape of shared/vectors (protocol.md, "Conventions"): rows by height,
 * entries by chain, hashes byte-reversed hex, {@code prevSideBlockHash} null without a parent.
 */
public final class D3Json {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private D3Json() {
    }

    public static ArrayNode rows(List<D3Row> rows) {
        ArrayNode out = F.arrayNode();
        for (D3Row r : rows) {
            out.add(row(r));
        }
        return out;
    }

    public static ObjectNode row(D3Row r) {
        ObjectNode o = F.objectNode();
        o.put("height", r.height());
        o.put("cbIndex", r.cbIndex());
        ArrayNode es = o.putArray("entries");
        for (D3Entry e : r.entries()) {
            es.add(entry(e));
        }
        return o;
    }

    /** A block the enforcing chain refused: {@code {"height", "hash", "reason"}}. */
    public static ObjectNode refusal(Refusal r) {
        ObjectNode o = F.objectNode();
        o.put("height", r.height());
        o.put("hash", r.hash().toString());
        o.put("reason", r.reason());
        return o;
    }

    public static ArrayNode refusals(List<Refusal> rs) {
        ArrayNode out = F.arrayNode();
        rs.forEach(r -> out.add(refusal(r)));
        return out;
    }

    public static ObjectNode entry(D3Entry e) {
        ObjectNode o = F.objectNode();
        o.put("chain", e.chain());
        o.put("hStar", e.hStar().toDisplayHex());
        o.put("prevBlockRef", e.prevBlockRef());
        o.put("prevSideBlockHash", e.prevSideBlockHash().map(h -> h.toDisplayHex()).orElse(null));
        o.put("blocksAtop", e.blocksAtop());
        return o;
    }
}
