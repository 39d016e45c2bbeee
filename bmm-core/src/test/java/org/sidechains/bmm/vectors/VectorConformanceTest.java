package org.sidechains.bmm.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.sidechains.bmm.base.BmmFormatException;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.bip301.Bip301;
import org.sidechains.bmm.cbv.CbvRule;
import org.sidechains.bmm.d3.D3;
import org.sidechains.bmm.d3.D3Row;
import org.sidechains.bmm.m7.CoinbaseM7;
import org.sidechains.bmm.m7.M7;
import org.sidechains.bmm.m7.M7Codec;
import org.sidechains.bmm.m8.M8Codec;
import org.sidechains.bmm.m8.M8Tag;
import org.sidechains.bmm.tx.RawTx;

/** Runs every vector in shared/vectors against bmm-core. */
class VectorConformanceTest {
    private static final HexFormat HEX = HexFormat.of();

    @TestFactory
    Stream<DynamicTest> m7Scripts() {
        JsonNode v = SharedDir.readJson(SharedDir.vector("m7-parse.json"));
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode s : v.get("scripts")) {
            tests.add(DynamicTest.dynamicTest(s.get("name").asText(), () -> {
                Optional<M7> m7 = M7Codec.parse(HEX.parseHex(s.get("scriptPubKey").asText()));
                assertEquals(s.get("isM7").asBoolean(), m7.isPresent());
                assertEquals(VectorJson.entries(s.get("entries")), m7.map(M7::entries).orElse(List.of()));
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> m7Coinbases() {
        JsonNode v = SharedDir.readJson(SharedDir.vector("m7-parse.json"));
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : v.get("coinbases")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
                List<byte[]> outs = new ArrayList<>();
                c.get("outputs").forEach(o -> outs.add(HEX.parseHex(o.asText())));
                Optional<CoinbaseM7> found = M7Codec.findInCoinbase(outs);
                assertTrue(found.isPresent());
                assertEquals(c.get("cbIndex").asInt(), found.get().cbIndex());
                assertEquals(VectorJson.entries(c.get("entries")), found.get().entries());
            }));
        }
        return tests.stream();
    }

    @Test
    void m7WriterReproducesTheVectorsThatAreMinimal() {
        JsonNode v = SharedDir.readJson(SharedDir.vector("m7-parse.json"));
        int checked = 0;
        for (String name : List.of("one-entry-direct-push", "two-entries-direct-push", "three-entries-pushdata1",
                "tag-only-no-entries", "256-entries-pushdata2")) {
            for (JsonNode s : v.get("scripts")) {
                if (s.get("name").asText().equals(name)) {
                    assertEquals(s.get("scriptPubKey").asText(),
                            HEX.formatHex(M7Codec.write(VectorJson.entries(s.get("entries")))), name);
                    checked++;
                }
            }
        }
        assertEquals(5, checked);
    }

    @TestFactory
    Stream<DynamicTest> m8Detection() throws Exception {
        JsonNode v = SharedDir.readJson(SharedDir.vector("m8-detect.json"));
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode t : v) {
            tests.add(DynamicTest.dynamicTest(t.get("name").asText(), () -> {
                RawTx tx = RawTx.parse(HEX.parseHex(t.get("tx").asText()));
                Optional<M8Tag> m8 = tx.m8();
                JsonNode want = t.get("m8");
                assertEquals(!want.isNull(), m8.isPresent());
                if (!want.isNull()) {
                    M8Tag tag = m8.get();
                    assertEquals(want.get("chain").asInt(), tag.chain());
                    assertEquals(Hash32.fromDisplayHex(want.get("hStar").asText()), tag.miniHeader().hStar());
                    assertEquals(want.get("prevBlockRef").asInt(), tag.miniHeader().prevBlockRef());
                    assertEquals(want.get("mainAnchor").asInt(), tag.mainAnchor());
                    // the writer produces exactly the output-0 script of the vector
                    assertEquals(HEX.formatHex(tx.outputs().get(0).scriptPubKey()), HEX.formatHex(M8Codec.script(tag)));
                }
            }));
        }
        return tests.stream();
    }

    @Test
    void bip301PublishedVectorsAndNearMisses() {
        JsonNode v = SharedDir.readJson(SharedDir.vector("bip301.json"));
        JsonNode m8 = v.get("m8");
        Bip301.M8 parsed = Bip301.parseM8(HEX.parseHex(m8.get("scriptPubKey").asText())).orElseThrow();
        assertEquals(m8.get("slot").asInt(), parsed.slot());
        assertEquals(Hash32.fromWireHex(m8.get("hStarWire").asText()), parsed.hStar());
        assertEquals(Hash32.fromWireHex(m8.get("prevMainBlockWire").asText()), parsed.prevMainBlock());
        assertEquals(Hash32.fromDisplayHex(m8.get("prevMainBlockDisplay").asText()), parsed.prevMainBlock());
        assertEquals(m8.get("scriptPubKey").asText(), HEX.formatHex(Bip301.write(parsed)));

        JsonNode m7 = v.get("m7");
        Bip301.M7 p7 = Bip301.parseM7(HEX.parseHex(m7.get("scriptPubKey").asText())).orElseThrow();
        assertEquals(m7.get("slot").asInt(), p7.slot());
        assertEquals(Hash32.fromWireHex(m7.get("hStarWire").asText()), p7.hStar());
        assertEquals(m7.get("scriptPubKey").asText(), HEX.formatHex(Bip301.write(p7)));
        // a BIP 301 M7 is not a seed-profile M7 and vice versa
        assertFalse(M7Codec.parse(HEX.parseHex(m7.get("scriptPubKey").asText())).isPresent());

        int misses = 0;
        for (JsonNode n : v.get("notM8")) {
            assertFalse(Bip301.parseM8(HEX.parseHex(n.asText())).isPresent(), n.asText());
            misses++;
        }
        assertEquals(3, misses);
    }

    @TestFactory
    Stream<DynamicTest> cbvPayloads() {
        JsonNode v = SharedDir.readJson(SharedDir.vector("cbv.json"));
        D3 d3 = VectorJson.replay(v.get("d3Blocks"), 8000);
        int min = v.get("minBlocksAtop").asInt();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : v.get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
                byte[] item = c.get("payload").isNull() ? null : HEX.parseHex(c.get("payload").asText());
                assertEquals(c.get("satisfied").asBoolean(), CbvRule.satisfied(item, d3, min));
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> d3Scenarios() {
        JsonNode v = SharedDir.readJson(SharedDir.vector("d3-scenarios.json"));
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode s : v) {
            tests.add(DynamicTest.dynamicTest(s.get("name").asText(), () -> {
                D3 d3 = VectorJson.replay(s.get("blocks"), s.get("window").asInt());
                JsonNode exp = s.get("expected");
                assertEquals(exp.get("tipHeight").asInt(), d3.tipHeight());
                List<D3Row> want = new ArrayList<>();
                exp.get("rows").forEach(r -> want.add(VectorJson.row(r)));
                assertEquals(want, d3.rows());
            }));
        }
        return tests.stream();
    }

    @Test
    void rawTxRejectsNonCanonicalCompactSize() {
        JsonNode v = SharedDir.readJson(SharedDir.vector("m8-detect.json"));
        String tx = v.get(0).get("tx").asText();
        // version (8 hex) then the input count 01: write it as fd 0100
        byte[] bad = HEX.parseHex(tx.substring(0, 8) + "fd0100" + tx.substring(10));
        BmmFormatException e = org.junit.jupiter.api.Assertions.assertThrows(BmmFormatException.class,
                () -> RawTx.parse(bad));
        assertTrue(e.getMessage().contains("non-canonical"), e.getMessage());
    }

    @Test
    void rawTxRejectsTrailingBytes() {
        JsonNode v = SharedDir.readJson(SharedDir.vector("m8-detect.json"));
        byte[] tx = HEX.parseHex(v.get(0).get("tx").asText() + "00");
        BmmFormatException e = org.junit.jupiter.api.Assertions.assertThrows(BmmFormatException.class,
                () -> RawTx.parse(tx));
        assertTrue(e.getMessage().contains("after the end"), e.getMessage());
    }
}
