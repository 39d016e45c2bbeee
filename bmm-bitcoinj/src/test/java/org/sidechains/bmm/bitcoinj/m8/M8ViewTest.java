package org.sidechains.bmm.bitcoinj.m8;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bitcoinj.base.Coin;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.script.ScriptBuilder;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.bitcoinj.Fixtures;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder.Bribe;
import org.sidechains.bmm.bitcoinj.tx.Fee;
import org.sidechains.bmm.m8.M8Tag;

class M8ViewTest {
    private static final HexFormat HEX = HexFormat.of();

    private static Bribe bribe() {
        return BribeBuilder.build(BribeBuilderTest.TAG, BribeBuilderTest.MINER_PUBLIC, Coin.valueOf(25_000),
                List.of(BribeBuilderTest.fund("rt", 80_000)), BribeBuilderTest.CHANGE, Fee.satPerVbyte(1));
    }

    @Test
    void version3RoundTripsThroughBitcoinj() {
        Bribe b = bribe();
        byte[] wire = b.tx().serialize();
        assertEquals(3, wire[0]); // nVersion, little-endian
        assertEquals(0, wire[4]); // segwit marker: the funding input is P2WPKH
        Transaction read = Transaction.read(ByteBuffer.wrap(wire));
        assertEquals(3, read.getVersion());
        assertEquals(b.tx().getTxId(), read.getTxId());
        assertEquals(b.tx().getWTxId(), read.getWTxId());
        assertArrayEquals(wire, read.serialize());
        assertEquals(Optional.of(b.tag()), M8View.of(read));
        assertEquals(Coin.valueOf(25_000), M8View.bribeAmount(read, b.payoutScript()));
        assertEquals(Coin.ZERO, M8View.bribeAmount(read, ScriptBuilder.createP2WPKHOutputScript(Fixtures.MINER)));
    }

    @Test
    void bribeAmountSumsEveryOutputToTheScript() {
        Bribe b = bribe();
        Transaction tx = Transaction.read(ByteBuffer.wrap(b.tx().serialize()));
        tx.addOutput(new TransactionOutput(tx, Coin.valueOf(5_000), b.payoutScript().program()));
        assertEquals(Coin.valueOf(30_000), M8View.bribeAmount(tx, b.payoutScript()));
    }

    @Test
    void notAnM8() {
        Transaction tx = Transaction.read(ByteBuffer.wrap(bribe().tx().serialize()));
        tx.setVersion(2);
        assertTrue(M8View.of(tx).isEmpty());
        tx.setVersion(3);
        assertTrue(M8View.isM8(tx));
        Transaction empty = new Transaction();
        empty.setVersion(3);
        assertFalse(M8View.isM8(empty));
    }

    /** shared/vectors/m8-detect.json, read through bitcoinj's Transaction. */
    @Test
    void sharedVectors() throws IOException {
        String prop = System.getProperty("bmm.shared");
        Path file = Path.of(prop != null ? prop : "../../shared", "vectors", "m8-detect.json");
        String json = Files.readString(file);
        String[] cases = json.split("\"name\":");
        int checked = 0;
        for (int i = 1; i < cases.length; i++) {
            String c = cases[i];
            String name = field(c, "^\\s*\"([^\"]*)\"");
            Transaction tx = Transaction.read(ByteBuffer.wrap(HEX.parseHex(field(c, "\"tx\":\\s*\"([0-9a-f]*)\""))));
            Optional<M8Tag> tag = M8View.of(tx);
            if (c.matches("(?s).*\"m8\":\\s*null.*")) {
                assertTrue(tag.isEmpty(), name);
            } else {
                M8Tag t = tag.orElseThrow(() -> new AssertionError(name + " should be an M8"));
                assertEquals(Integer.parseInt(field(c, "\"chain\":\\s*(\\d+)")), t.chain(), name);
                assertEquals(Hash32.fromDisplayHex(field(c, "\"hStar\":\\s*\"([0-9a-f]{64})\"")),
                        t.miniHeader().hStar(), name);
                assertEquals(Integer.parseInt(field(c, "\"prevBlockRef\":\\s*(\\d+)")), t.miniHeader().prevBlockRef(), name);
                assertEquals(Integer.parseInt(field(c, "\"mainAnchor\":\\s*(\\d+)")), t.mainAnchor(), name);
            }
            checked++;
        }
        assertTrue(checked >= 6, "vectors read: " + checked);
    }

    private static String field(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        if (!m.find()) {
            throw new AssertionError("no " + regex + " in " + s);
        }
        return m.group(1);
    }
}
