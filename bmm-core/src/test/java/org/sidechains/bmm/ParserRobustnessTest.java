package org.sidechains.bmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.sidechains.bmm.base.BmmFormatException;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bip301.Bip301;
import org.sidechains.bmm.cbv.CbvPayload;
import org.sidechains.bmm.m7.CoinbaseM7;
import org.sidechains.bmm.m7.M7;
import org.sidechains.bmm.m7.M7Codec;
import org.sidechains.bmm.m8.M8Codec;
import org.sidechains.bmm.m8.M8Tag;
import org.sidechains.bmm.tx.RawTx;
import org.sidechains.bmm.vectors.SharedDir;

/**
 * Parsing untrusted bytes never throws anything but the module's own typed result or exception,
 * whatever the input: random bytes, structured junk, every prefix and single-byte mutations of
 * the shared vectors. Where protocol.md pins the answer down (M7 framing and first-wins, the
 * exact M8 and BIP 301 patterns, OP_CBV payload versions), the answer is checked too, against
 * models written here from protocol.md.
 */
class ParserRobustnessTest {
    private static final HexFormat HEX = HexFormat.of();

    // ------------------------------------------------------------------ the parsers, guarded

    /** Runs a parser that must return normally (never throw, never null). */
    static <T> T mustReturn(String parser, byte[] input, Callable<T> call) {
        T r;
        try {
            r = call.call();
        } catch (Throwable t) {
            throw new AssertionError(parser + " threw " + t + " on " + show(input), t);
        }
        assertNotNull(r, parser + " returned null on " + show(input));
        return r;
    }

    static String show(byte[] b) {
        if (b == null) {
            return "null";
        }
        String hex = HEX.formatHex(b, 0, Math.min(b.length, 96));
        return b.length + " bytes " + hex + (b.length > 96 ? "..." : "");
    }

    /** Feeds {@code b} to every parser and checks each outcome against protocol.md. */
    static void feedAll(byte[] b) {
        byte[] copy = b.clone();
        checkM7(b);
        checkM8(b);
        checkBip301(b);
        checkCbv(b);
        checkRawTx(b);
        assertArrayEquals(copy, b, "a parser modified its input");
    }

    static Optional<M7> checkM7(byte[] b) {
        Optional<M7> got = mustReturn("M7Codec.parse", b, () -> M7Codec.parse(b));
        assertEquals(m7Model(b), got.map(M7::entries), "M7Codec.parse on " + show(b));
        if (got.isPresent()) {
            // what was read can be written back and reads the same
            List<MiniHeader> es = got.get().entries();
            assertEquals(es, M7Codec.parse(M7Codec.write(es)).orElseThrow().entries());
        }
        // a coinbase of this one output
        Optional<CoinbaseM7> cb = mustReturn("M7Codec.findInCoinbase", b, () -> M7Codec.findInCoinbase(List.of(b)));
        assertEquals(got.map(m -> new CoinbaseM7(0, m)), cb);
        return got;
    }

    static void checkM8(byte[] b) {
        Optional<M8Tag> tag = mustReturn("M8Codec.parseScript", b, () -> M8Codec.parseScript(b));
        boolean pattern = b.length == 43 && startsWith(b, 0x6a, 0x29, 0x42, 0x4d, 0x4d, 0x38);
        assertEquals(pattern, tag.isPresent(), "M8Codec.parseScript on " + show(b));
        if (tag.isPresent()) {
            assertArrayEquals(b, M8Codec.script(tag.get()));
        }
        for (long version : new long[] {3, 2, 1, 0, 4, 0xFFFFFFFFL, 0x80000003L, -1, Long.MIN_VALUE}) {
            Optional<M8Tag> d = mustReturn("M8Codec.detect", b, () -> M8Codec.detect(version, b));
            assertEquals(version == 3 ? tag : Optional.empty(), d, "M8Codec.detect(" + version + ")");
        }
    }

    static void checkBip301(byte[] b) {
        Optional<Bip301.M7> m7 = mustReturn("Bip301.parseM7", b, () -> Bip301.parseM7(b));
        assertEquals(b.length == 39 && startsWith(b, 0x6a, 0x25, 0xd1, 0x61, 0x73, 0x68), m7.isPresent(), show(b));
        m7.ifPresent(m -> assertArrayEquals(b, Bip301.write(m)));
        Optional<Bip301.M8> m8 = mustReturn("Bip301.parseM8", b, () -> Bip301.parseM8(b));
        assertEquals(b.length == 70 && startsWith(b, 0x6a, 0x44, 0x00, 0xbf, 0x00), m8.isPresent(), show(b));
        m8.ifPresent(m -> assertArrayEquals(b, Bip301.write(m)));
        Bip301.CoinbaseResult twice = mustReturn("Bip301.readCoinbase", b, () -> Bip301.readCoinbase(List.of(b, b)));
        assertEquals(m7.isPresent()
                ? new Bip301.CoinbaseResult.DuplicateSlot(m7.get().slot())
                : new Bip301.CoinbaseResult.Ok(List.of()), twice);
    }

    static void checkCbv(byte[] b) {
        CbvPayload p = mustReturn("CbvPayload.parse", b, () -> CbvPayload.parse(b));
        if (b.length == 0) {
            assertInstanceOf(CbvPayload.Malformed.class, p);
            return;
        }
        int version = b[0] & 0xFF;
        if (version == 1 && b.length == 36) {
            assertInstanceOf(CbvPayload.V1.class, p);
            assertArrayEquals(b, p.serialize());
        } else if (version == 2 && b.length == 66) {
            assertInstanceOf(CbvPayload.V2.class, p);
            assertArrayEquals(b, p.serialize());
        } else if (version == 1 || version == 2) {
            assertInstanceOf(CbvPayload.Malformed.class, p, "wrong length for version " + version);
        } else {
            assertEquals(new CbvPayload.UnknownVersion(version), p);
        }
    }

    /** RawTx.parse: a RawTx or BmmFormatException, nothing else. */
    static Optional<RawTx> checkRawTx(byte[] b) {
        RawTx tx;
        try {
            tx = RawTx.parse(b);
        } catch (BmmFormatException e) {
            assertNotNull(e.getMessage());
            return Optional.empty();
        } catch (Throwable t) {
            throw new AssertionError("RawTx.parse threw " + t + " on " + show(b), t);
        }
        assertNotNull(tx);
        long outBytes = 0;
        for (RawTx.TxOut o : tx.outputs()) {
            outBytes += 8 + 1 + o.scriptPubKey().length; // value, at least a 1-byte length, script
        }
        // version, input count, one input of at least 41 bytes, output count, outputs, lockTime
        assertTrue(4 + 1 + 41 + 1 + outBytes + 4 <= b.length, "outputs larger than the transaction");
        Optional<M8Tag> m8 = mustReturn("RawTx.m8", b, tx::m8);
        assertEquals(tx.outputs().isEmpty() ? Optional.empty()
                : M8Codec.detect(tx.version(), tx.outputs().get(0).scriptPubKey()), m8);
        return Optional.of(tx);
    }

    static boolean startsWith(byte[] b, int... prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * protocol.md's M7, read independently: OP_RETURN then exactly one push (direct, PUSHDATA1/2/4,
     * lengths little-endian) that fills the rest of the script, data = "BMM7" || 35-byte chunks ||
     * 0..34 trailing bytes, first chunk per ChainIndex wins.
     */
    static Optional<List<MiniHeader>> m7Model(byte[] s) {
        if (s.length < 2 || (s[0] & 0xFF) != 0x6a) {
            return Optional.empty();
        }
        int op = s[1] & 0xFF;
        int header;
        long len;
        if (op >= 1 && op <= 75) {
            header = 2;
            len = op;
        } else if (op == 0x4c && s.length >= 3) {
            header = 3;
            len = s[2] & 0xFF;
        } else if (op == 0x4d && s.length >= 4) {
            header = 4;
            len = (s[2] & 0xFF) + 256L * (s[3] & 0xFF);
        } else if (op == 0x4e && s.length >= 6) {
            header = 6;
            len = (s[2] & 0xFF) + 256L * (s[3] & 0xFF) + 65536L * (s[4] & 0xFF) + 16777216L * (s[5] & 0xFF);
        } else {
            return Optional.empty();
        }
        if (header + len != s.length || len < 4 || !startsWith(Arrays.copyOfRange(s, header, header + 4), 0x42, 0x4d, 0x4d, 0x37)) {
            return Optional.empty();
        }
        List<MiniHeader> out = new ArrayList<>();
        boolean[] seen = new boolean[256];
        for (int at = header + 4; at + 35 <= s.length; at += 35) {
            int chain = s[at] & 0xFF;
            if (!seen[chain]) {
                seen[chain] = true;
                int ref = (s[at + 33] & 0xFF) | (s[at + 34] & 0xFF) << 8;
                out.add(new MiniHeader(chain, Hash32.wrap(Arrays.copyOfRange(s, at + 1, at + 33)), ref));
            }
        }
        return Optional.of(out);
    }

    // ------------------------------------------------------------------ valid examples

    /** Every byte string the shared vectors hold (scripts, transactions, OP_CBV payloads), plus a segwit transaction. */
    static List<byte[]> vectorBytes() {
        List<byte[]> out = new ArrayList<>();
        JsonNode m7 = SharedDir.readJson(SharedDir.vector("m7-parse.json"));
        m7.get("scripts").forEach(s -> out.add(HEX.parseHex(s.get("scriptPubKey").asText())));
        m7.get("coinbases").forEach(c -> c.get("outputs").forEach(o -> out.add(HEX.parseHex(o.asText()))));
        for (JsonNode t : SharedDir.readJson(SharedDir.vector("m8-detect.json"))) {
            byte[] tx = HEX.parseHex(t.get("tx").asText());
            out.add(tx);
            try {
                RawTx.parse(tx).outputs().forEach(o -> out.add(o.scriptPubKey()));
            } catch (BmmFormatException e) {
                throw new AssertionError("vector transaction " + t.get("name").asText() + " does not parse", e);
            }
        }
        JsonNode bip = SharedDir.readJson(SharedDir.vector("bip301.json"));
        out.add(HEX.parseHex(bip.get("m8").get("scriptPubKey").asText()));
        out.add(HEX.parseHex(bip.get("m7").get("scriptPubKey").asText()));
        bip.get("notM8").forEach(n -> out.add(HEX.parseHex(n.asText())));
        for (JsonNode c : SharedDir.readJson(SharedDir.vector("cbv.json")).get("cases")) {
            if (!c.get("payload").isNull()) {
                out.add(HEX.parseHex(c.get("payload").asText()));
            }
        }
        out.add(SEGWIT_TX);
        return out;
    }

    /** version 3, marker/flag, 1 input, 2 outputs (an M8 tag and a P2WSH), witness of 2 items, locktime. */
    static final byte[] SEGWIT_TX = HEX.parseHex("03000000" + "0001" + "01"
            + "11".repeat(32) + "00000000" + "00" + "fdffffff"
            + "02"
            + "0000000000000000" + "2b" + "6a29424d4d38" + "07" + "22".repeat(32) + "0200" + "0102"
            + "a086010000000000" + "22" + "0020" + "33".repeat(32)
            + "02" + "03" + "aabbcc" + "00"
            + "00000000");

    @Example
    void theSegwitTransactionParses() throws BmmFormatException {
        RawTx tx = RawTx.parse(SEGWIT_TX);
        assertEquals(3, tx.version());
        assertEquals(2, tx.outputs().size());
        assertEquals(7, tx.m8().orElseThrow().chain());
        assertEquals(0x0201, tx.m8().orElseThrow().mainAnchor());
    }

    @Example
    void everyPrefixOfEveryVector() {
        int fed = 0;
        for (byte[] v : vectorBytes()) {
            boolean wholeM7 = M7Codec.parse(v).isPresent();
            boolean wholeTx = checkRawTx(v).isPresent();
            boolean wholeExact = M8Codec.parseScript(v).isPresent() || Bip301.parseM7(v).isPresent()
                    || Bip301.parseM8(v).isPresent();
            for (int n = 0; n < v.length; n++) {
                byte[] p = Arrays.copyOf(v, n);
                feedAll(p);
                fed++;
                // the push length no longer matches, the pattern is shorter, the transaction is cut
                if (wholeM7) {
                    assertFalse(M7Codec.parse(p).isPresent(), "prefix " + n + " of an M7 read as an M7");
                }
                if (wholeExact) {
                    assertTrue(M8Codec.parseScript(p).isEmpty() && Bip301.parseM7(p).isEmpty()
                            && Bip301.parseM8(p).isEmpty(), "prefix " + n + " of an exact pattern matched");
                }
                if (wholeTx) {
                    assertThrows(BmmFormatException.class, () -> RawTx.parse(p), "prefix " + n + " of a transaction");
                }
            }
        }
        assertTrue(fed > 10_000, "fed " + fed);
    }

    @Example
    void singleByteMutationsOfEveryVector() {
        Random rnd = new Random(301);
        int fed = 0;
        for (byte[] v : vectorBytes()) {
            int[] values = new int[] {0x01, 0x02, 0x10, 0x80, 0xff, 0x100, 0x100 | 0x4c, 0x100 | 0x4d, 0x100 | 0x4e,
                            0x100 | 0xfd, 0x100 | 0xfe, 0x100 | 0xff, 0x100};
            for (int i = 0; i < v.length; i++) {
                // long vectors (the 256-entry M7): both ends, and a stride coprime to 35 that
                // reaches every offset within a mini-header
                if (v.length > 1000 && i >= 200 && i < v.length - 200 && i % 11 != 0) {
                    continue;
                }
                for (int x : values) {
                    byte[] m = v.clone();
                    // below 0x100: xor with x; 0x100 | y: set to y
                    m[i] = x >= 0x100 ? (byte) x : (byte) (m[i] ^ x);
                    feedAll(m);
                    fed++;
                }
                byte[] m = v.clone();
                m[i] = (byte) rnd.nextInt(256);
                feedAll(m);
                // dropping one byte
                byte[] d = new byte[v.length - 1];
                System.arraycopy(v, 0, d, 0, i);
                System.arraycopy(v, i + 1, d, i, v.length - i - 1);
                feedAll(d);
                fed += 2;
            }
        }
        assertTrue(fed > 50_000, "fed " + fed);
    }

    @Example
    void hostileTransactionsAreFormatErrors() {
        for (String hex : List.of(
                "",
                "03000000",
                "0300000000",                              // segwit marker, no flag
                "030000000002",                            // marker 0 then flag 2
                "03000000000100",                          // segwit with zero inputs
                "03000000fdffff",                          // 65535 inputs announced, none there
                "03000000feffffffff",                      // 2^32-1 inputs
                "03000000ffffffffffffffffff",              // 2^64-1: negative as a long
                "03000000ff0000000000000080",              // 2^63
                "0300000001" + "00".repeat(36) + "ffffffffffffffffff" + "00000000" + "00" + "00000000",
                "0300000001" + "00".repeat(36) + "00" + "00000000" + "ff" + "ffffffffffffff7f",
                "0300000001" + "00".repeat(36) + "00" + "00000000" + "01" + "0000000000000000" + "fe00000001",
                "0300000001" + "00".repeat(36) + "00" + "00000000" + "01" + "0000000000000000" + "00"
                        + "00000000" + "00")) {
            byte[] b = HEX.parseHex(hex);
            assertThrows(BmmFormatException.class, () -> RawTx.parse(b), hex);
            feedAll(b);
        }
        // an empty stack is a malformed payload, not an exception
        assertInstanceOf(CbvPayload.Malformed.class, mustReturn("CbvPayload.parse", null, () -> CbvPayload.parse(null)));
    }

    // ------------------------------------------------------------------ random inputs

    @Provide
    Arbitrary<byte[]> randomBytes() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.bytes().array(byte[].class).ofMaxSize(80)),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(10_000)
                        .withSizeDistribution(RandomDistribution.uniform())));
    }

    @Property(tries = 1000)
    void randomBytesNeverEscapeTheTypedOutcomes(@ForAll("randomBytes") byte[] b) {
        feedAll(b);
    }

    /** Tokens that steer the parsers past their first checks: magic prefixes, varints, vector bytes, junk. */
    @Provide
    Arbitrary<byte[]> structuredJunk() {
        List<byte[]> magic = new ArrayList<>();
        for (String hex : List.of("6a", "6a4c", "6a4d", "6a4e", "6a4effffffff", "6a4e00000080", "424d4d37",
                "424d4d38", "6a29424d4d38", "6a25d1617368", "6a4400bf00", "01", "02", "03000000", "02000000",
                "0001", "00", "fd", "fe", "ff", "fdffff", "feffffffff", "ffffffffffffffffff", "ff0000000000000080",
                "ffffffffffffffff7f")) {
            magic.add(HEX.parseHex(hex));
        }
        List<byte[]> vectors = vectorBytes();
        Arbitrary<byte[]> varint = Arbitraries.longs().map(v -> {
            ByteBuffer buf = ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN);
            int kind = (int) Math.floorMod(v, 4L);
            switch (kind) {
                case 0 -> buf.put((byte) (v >>> 8 & 0xFC));
                case 1 -> buf.put((byte) 0xFD).putShort((short) (v >>> 8));
                case 2 -> buf.put((byte) 0xFE).putInt((int) (v >>> 8));
                default -> buf.put((byte) 0xFF).putLong(v);
            }
            return Arrays.copyOf(buf.array(), buf.position());
        });
        Arbitrary<byte[]> token = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(magic)),
                Tuple.of(3, varint),
                Tuple.of(2, Arbitraries.of(vectors).flatMap(v -> Arbitraries.integers().between(0, v.length)
                        .map(n -> Arrays.copyOf(v, n)))),
                Tuple.of(3, Arbitraries.bytes().array(byte[].class).ofMaxSize(40)));
        return token.list().ofMinSize(1).ofMaxSize(20).map(ts -> {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            ts.forEach(o::writeBytes);
            return o.toByteArray();
        });
    }

    @Property(tries = 1000)
    void structuredJunkNeverEscapesTheTypedOutcomes(@ForAll("structuredJunk") byte[] b,
                                                    @ForAll("structuredJunk") byte[] c) {
        feedAll(b);
        feedAll(c);
        Statistics.label("M7").collect(M7Codec.parse(b).isPresent());
        Statistics.label("transaction").collect(checkRawTx(b).isPresent());
        // as coinbase outputs: the first output that is an M7 counts
        List<byte[]> outs = List.of(b, c, M7Codec.write(List.of()));
        Optional<CoinbaseM7> cb = mustReturn("M7Codec.findInCoinbase", b, () -> M7Codec.findInCoinbase(outs));
        int want = M7Codec.parse(b).isPresent() ? 0 : M7Codec.parse(c).isPresent() ? 1 : 2;
        assertEquals(want, cb.orElseThrow().cbIndex());
        assertEquals(M7Codec.parse(outs.get(want)).orElseThrow(), cb.get().m7());
    }

    /** A transaction built by the serialization rules from random parts, and how to spoil it. */
    record TxRecipe(long version, boolean segwit, List<byte[]> scriptSigs, List<Long> values, List<byte[]> scripts,
                    List<List<byte[]>> witnesses, long lockTime, int spoil, int spoilAt, byte spoilWith) {
        byte[] bytes() {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            le(o, version, 4);
            if (segwit) {
                o.write(0);
                o.write(1);
            }
            varint(o, scriptSigs.size());
            for (byte[] sig : scriptSigs) {
                o.writeBytes(new byte[32]);
                le(o, sig.length, 4);
                varint(o, sig.length);
                o.writeBytes(sig);
                le(o, 0xFFFFFFFDL, 4);
            }
            varint(o, scripts.size());
            for (int i = 0; i < scripts.size(); i++) {
                le(o, values.get(i), 8);
                varint(o, scripts.get(i).length);
                o.writeBytes(scripts.get(i));
            }
            if (segwit) {
                for (List<byte[]> w : witnesses) {
                    varint(o, w.size());
                    for (byte[] item : w) {
                        varint(o, item.length);
                        o.writeBytes(item);
                    }
                }
            }
            le(o, lockTime, 4);
            byte[] b = o.toByteArray();
            int at = Math.floorMod(spoilAt, b.length);
            return switch (spoil) {
                case 1 -> Arrays.copyOf(b, at);                              // cut
                case 2 -> Arrays.copyOf(b, b.length + 1 + at % 9);           // trailing bytes
                case 3 -> {                                                  // one byte changed
                    b[at] = spoilWith;
                    yield b;
                }
                default -> b;
            };
        }

        static void le(ByteArrayOutputStream o, long v, int n) {
            for (int i = 0; i < n; i++) {
                o.write((int) (v >>> (8 * i)));
            }
        }

        static void varint(ByteArrayOutputStream o, long v) {
            if (v < 0xFD) {
                o.write((int) v);
            } else if (v <= 0xFFFF) {
                o.write(0xFD);
                le(o, v, 2);
            } else {
                o.write(0xFE);
                le(o, v, 4);
            }
        }
    }

    @Provide
    Arbitrary<TxRecipe> transactions() {
        List<byte[]> vectorScripts = new ArrayList<>(vectorBytes());
        Arbitrary<byte[]> blob = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> script = Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.of(vectorScripts)), Tuple.of(1, blob));
        Arbitrary<Integer> nIn = Arbitraries.integers().between(1, 3);
        return Combinators.combine(
                Arbitraries.of(1L, 2L, 3L, 3L, 0xFFFFFFFFL),
                Arbitraries.of(false, true),
                nIn.flatMap(n -> blob.list().ofSize(n).map(sigs -> sigs)),
                script.list().ofMaxSize(4),
                Arbitraries.longs(),
                Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.just(0)), Tuple.of(1, Arbitraries.integers().between(1, 3))),
                Arbitraries.integers(),
                Arbitraries.bytes())
                .as((version, segwit, sigs, scripts, seed, spoil, at, with) -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    List<Long> values = new ArrayList<>();
                    scripts.forEach(x -> values.add(r.nextLong()));
                    List<List<byte[]>> wit = new ArrayList<>();
                    for (int i = 0; i < sigs.size(); i++) {
                        List<byte[]> items = new ArrayList<>();
                        for (int j = r.nextInt(4); j > 0; j--) {
                            byte[] item = new byte[r.nextInt(2) == 0 ? r.nextInt(80) : r.nextInt(600)];
                            for (int k = 0; k < item.length; k++) {
                                item[k] = (byte) r.nextInt(256);
                            }
                            items.add(item);
                        }
                        wit.add(items);
                    }
                    return new TxRecipe(version, segwit, sigs, values, scripts, wit, r.nextLong() & 0xFFFFFFFFL,
                            spoil, at, with);
                });
    }

    @Property(tries = 1000)
    void wellFormedTransactionsParseAndSpoiledOnesStayTyped(@ForAll("transactions") TxRecipe recipe) {
        byte[] b = recipe.bytes();
        Optional<RawTx> tx = checkRawTx(b);
        feedAll(b);
        Statistics.label("spoiled").collect(recipe.spoil() != 0);
        if (recipe.spoil() == 1 || recipe.spoil() == 2) {
            // cut short or followed by bytes: never one transaction
            assertTrue(tx.isEmpty(), "spoil " + recipe.spoil() + " parsed: " + show(b));
        }
        if (recipe.spoil() == 0) {
            RawTx t = tx.orElseThrow(() -> new AssertionError("well-formed transaction refused: " + show(b)));
            assertEquals(recipe.version(), t.version());
            assertEquals(recipe.lockTime(), t.lockTime());
            assertEquals(recipe.scripts().size(), t.outputs().size());
            for (int i = 0; i < t.outputs().size(); i++) {
                assertEquals(recipe.values().get(i), t.outputs().get(i).value());
                assertArrayEquals(recipe.scripts().get(i), t.outputs().get(i).scriptPubKey());
            }
            assertEquals(t.outputs().isEmpty() || recipe.version() != 3 ? Optional.empty()
                    : M8Codec.parseScript(recipe.scripts().get(0)), t.m8());
        }
    }

    /** A correctly framed M7 push whose content is random: always an M7, entries by first-wins. */
    @Property(tries = 500)
    void framedRandomM7DataIsAlwaysAnM7(@ForAll("m7Bodies") byte[] body, @ForAll("pushOps") int op) {
        byte[] data = new byte[4 + body.length];
        System.arraycopy(M7.TAG, 0, data, 0, 4);
        System.arraycopy(body, 0, data, 4, body.length);
        Optional<byte[]> script = frame(data, op);
        if (script.isEmpty()) {
            return; // the data does not fit this push opcode
        }
        Optional<M7> m7 = checkM7(script.get());
        assertTrue(m7.isPresent(), "framed with 0x" + Integer.toHexString(op));
        feedAll(script.get());
    }

    @Provide
    Arbitrary<byte[]> m7Bodies() {
        // chunks whose ChainIndex comes from a few values, so duplicates are common, and a tail
        Arbitrary<byte[]> chunk = Combinators.combine(Arbitraries.integers().between(0, 5),
                Arbitraries.bytes().array(byte[].class).ofSize(34)).as((chain, rest) -> {
                    byte[] c = new byte[35];
                    c[0] = chain.byteValue();
                    System.arraycopy(rest, 0, c, 1, 34);
                    return c;
                });
        return Combinators.combine(chunk.list().ofMaxSize(60), Arbitraries.bytes().array(byte[].class).ofMaxSize(80))
                .as((chunks, tail) -> {
                    ByteArrayOutputStream o = new ByteArrayOutputStream();
                    chunks.forEach(o::writeBytes);
                    o.writeBytes(tail);
                    return o.toByteArray();
                });
    }

    @Provide
    Arbitrary<Integer> pushOps() {
        return Arbitraries.of(0, 0x4c, 0x4d, 0x4e); // 0: direct
    }

    /** OP_RETURN + one push of {@code data} with the given opcode (0 = direct), if it can hold it. */
    static Optional<byte[]> frame(byte[] data, int op) {
        ByteBuffer buf = ByteBuffer.allocate(data.length + 6).order(ByteOrder.LITTLE_ENDIAN);
        buf.put((byte) 0x6a);
        switch (op) {
            case 0 -> {
                if (data.length < 1 || data.length > 75) {
                    return Optional.empty();
                }
                buf.put((byte) data.length);
            }
            case 0x4c -> {
                if (data.length > 0xFF) {
                    return Optional.empty();
                }
                buf.put((byte) 0x4c).put((byte) data.length);
            }
            case 0x4d -> {
                if (data.length > 0xFFFF) {
                    return Optional.empty();
                }
                buf.put((byte) 0x4d).putShort((short) data.length);
            }
            default -> buf.put((byte) 0x4e).putInt(data.length);
        }
        buf.put(data);
        return Optional.of(Arrays.copyOf(buf.array(), buf.position()));
    }

    // ------------------------------------------------------------------ M7 writer round trip

    @Provide
    Arbitrary<List<MiniHeader>> distinctChainEntries() {
        List<Integer> all = new ArrayList<>();
        for (int c = 0; c < 256; c++) {
            all.add(c);
        }
        Arbitrary<Integer> sizes = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.of(0, 1, 2, 3, 7, 8, 255, 256)),
                Tuple.of(3, Arbitraries.integers().between(0, 256).withDistribution(RandomDistribution.uniform())));
        return Combinators.combine(Arbitraries.shuffle(all), sizes, Arbitraries.longs()).as((chains, n, seed) -> {
            SplittableRandom r = new SplittableRandom(seed);
            List<MiniHeader> es = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] h = new byte[32];
                for (int j = 0; j < 32; j++) {
                    h[j] = (byte) r.nextInt(256);
                }
                int ref = r.nextInt(4) == 0 ? 0xFFFF : r.nextInt(0x10000);
                es.add(new MiniHeader(chains.get(i), Hash32.wrap(h), ref));
            }
            return es;
        });
    }

    @Property(tries = 300)
    void m7WriteThenParseGivesTheSameEntriesWithTheMinimalPush(
            @ForAll("distinctChainEntries") List<MiniHeader> es, @ForAll("randomBytes") byte[] junk) {
        byte[] s = M7Codec.write(es);
        int n = es.size();
        int dataLen = 4 + 35 * n;
        assertEquals(0x6a, s[0] & 0xFF);
        if (n <= 2) {
            assertEquals(dataLen, s[1] & 0xFF, "direct push for " + n + " entries");
            assertEquals(2 + dataLen, s.length);
        } else if (n <= 7) {
            assertEquals(0x4c, s[1] & 0xFF, "PUSHDATA1 for " + n + " entries");
            assertEquals(dataLen, s[2] & 0xFF);
            assertEquals(3 + dataLen, s.length);
        } else {
            assertEquals(0x4d, s[1] & 0xFF, "PUSHDATA2 for " + n + " entries");
            assertEquals(dataLen, (s[2] & 0xFF) | (s[3] & 0xFF) << 8);
            assertEquals(4 + dataLen, s.length);
        }
        byte[] data = Arrays.copyOfRange(s, s.length - dataLen, s.length);
        assertArrayEquals(M7.TAG, Arrays.copyOf(data, 4));
        assertEquals(es, M7Codec.parse(s).orElseThrow().entries());

        // any push opcode is read, not only the minimal one
        for (int op : new int[] {0, 0x4c, 0x4d, 0x4e}) {
            frame(data, op).ifPresent(f -> assertEquals(es, M7Codec.parse(f).orElseThrow().entries(),
                    "framed with 0x" + Integer.toHexString(op)));
        }
        // 0..34 trailing bytes have no meaning
        int tail = junk.length % 35;
        byte[] withTail = Arrays.copyOf(data, dataLen + tail);
        System.arraycopy(junk, 0, withTail, dataLen, tail);
        assertEquals(es, M7Codec.parse(frame(withTail, 0x4d).orElseThrow()).orElseThrow().entries());
        // a repeated ChainIndex after them changes nothing (first wins)
        if (n > 0) {
            byte[] dup = Arrays.copyOf(data, dataLen + 35);
            dup[dataLen] = (byte) es.get(0).chain();
            System.arraycopy(junk, 0, dup, dataLen + 1, Math.min(34, junk.length));
            assertEquals(es, M7Codec.parse(frame(dup, 0x4d).orElseThrow()).orElseThrow().entries());
            // and the writer refuses to write one
            List<MiniHeader> twice = new ArrayList<>(es);
            twice.add(es.get(0));
            assertThrows(IllegalArgumentException.class, () -> M7Codec.write(twice));
        }
        // a strict prefix is never an M7 (the push length no longer matches)
        assertFalse(M7Codec.parse(Arrays.copyOf(s, Math.max(0, s.length - 1 - (junk.length % s.length)))).isPresent());
    }
}
