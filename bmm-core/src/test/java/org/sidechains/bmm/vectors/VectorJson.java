package org.sidechains.bmm.vectors;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.d3.D3;
import org.sidechains.bmm.d3.D3Entry;
import org.sidechains.bmm.d3.D3Row;
import org.sidechains.bmm.m7.CoinbaseM7;

/** Reads the JSON shapes of shared/vectors and shared/fixtures (hashes byte-reversed) into bmm-core values. */
public final class VectorJson {
    private VectorJson() {
    }

    public static List<MiniHeader> entries(JsonNode arr) {
        List<MiniHeader> out = new ArrayList<>();
        for (JsonNode e : arr) {
            out.add(new MiniHeader(e.get("chain").asInt(), Hash32.fromDisplayHex(e.get("hStar").asText()),
                    e.get("prevBlockRef").asInt()));
        }
        return out;
    }

    public static D3Row row(JsonNode r) {
        List<D3Entry> es = new ArrayList<>();
        int h = r.get("height").asInt();
        for (JsonNode e : r.get("entries")) {
            JsonNode psbh = e.get("prevSideBlockHash");
            es.add(new D3Entry(e.get("chain").asInt(), h, Hash32.fromDisplayHex(e.get("hStar").asText()),
                    e.get("prevBlockRef").asInt(),
                    psbh.isNull() ? Optional.empty() : Optional.of(Hash32.fromDisplayHex(psbh.asText())),
                    e.get("blocksAtop").asInt()));
        }
        return new D3Row(h, r.get("cbIndex").asInt(), es);
    }

    /** Connects a vector file's blocks (cbIndex 0 unless given) into a D3 with that window. */
    public static D3 replay(JsonNode blocks, int window) {
        D3 d3 = D3.create(window);
        for (JsonNode b : blocks) {
            int cb = b.has("cbIndex") ? b.get("cbIndex").asInt() : 0;
            d3.connect(b.get("height").asInt(), Optional.of(CoinbaseM7.of(cb, entries(b.get("m7")))));
        }
        return d3;
    }

    /** Rows in the vectors' shape ({height, cbIndex, entries}). */
    public static List<D3Row> rows(JsonNode arr) {
        List<D3Row> out = new ArrayList<>();
        arr.forEach(r -> out.add(row(r)));
        return out;
    }
}
