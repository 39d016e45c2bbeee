package org.sidechains.bmm.bitcoinj.m9;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sidechains.bmm.bitcoinj.Fixtures.MINER;
import static org.sidechains.bmm.bitcoinj.Fixtures.NODE;

import java.util.HexFormat;
import java.util.List;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.bitcoinj.script.ScriptOpCodes;
import org.bitcoinj.script.ScriptPattern;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.bitcoinj.Fixtures;
import org.sidechains.bmm.bitcoinj.m9.M9Scripts.M9Script;
import org.sidechains.bmm.cbv.CbvPayload;

class M9ScriptsTest {
    private static final HexFormat HEX = HexFormat.of();
    private final CbvPayload payload = CbvPayload.v1(Fixtures.deep());

    @Test
    void standardIsTheProtocolsBytes() {
        Script s = M9Scripts.standard(payload, MINER);
        String expected = "24" + HEX.formatHex(payload.serialize()) + "b5" + "75" + "21"
                + HEX.formatHex(MINER.getPubKey()) + "ac";
        assertEquals(expected, HEX.formatHex(s.program()));
    }

    @Test
    void refundIsTheProtocolsBytesWithMinimalDelay() {
        Script s = M9Scripts.refund(payload, MINER, 144, NODE);
        String expected = "63" + "24" + HEX.formatHex(payload.serialize()) + "b5" + "75" + "21"
                + HEX.formatHex(MINER.getPubKey()) + "ac"
                + "67" + "029000" + "b2" + "75" + "21" + HEX.formatHex(NODE.getPubKey()) + "ac" + "68";
        assertEquals(expected, HEX.formatHex(s.program()));
        // small delays use OP_N, as the minimal-push rule asks
        assertTrue(HEX.formatHex(M9Scripts.refund(payload, MINER, 10, NODE).program()).contains("675ab275"));
    }

    @Test
    void v2PayloadIsPushedWhole() {
        CbvPayload v2 = CbvPayload.v2(1, Fixtures.hStar(1), Fixtures.hStar(0));
        Script s = M9Scripts.standard(v2, MINER);
        assertEquals(66, s.chunks().get(0).data.length);
        assertEquals(0x42, s.program()[0] & 0xFF); // direct push of 66 bytes
    }

    @Test
    void p2wshIsBitcoinjs() {
        Script ws = M9Scripts.standard(payload, MINER);
        Script p2wsh = M9Scripts.p2wsh(ws);
        assertTrue(ScriptPattern.isP2WSH(p2wsh));
        assertEquals(ScriptBuilder.createP2WSHOutputScript(ws), p2wsh);
    }

    @Test
    void parseRecognisesBothShapes() {
        M9Script std = M9Scripts.parse(M9Scripts.standard(payload, MINER)).orElseThrow();
        assertInstanceOf(M9Script.Standard.class, std);
        assertEquals(payload, std.payload());
        assertArrayEquals(MINER.getPubKey(), std.minerPubKey());

        for (long delay : new long[] {0, 1, 16, 17, 127, 128, 144, 255, 256, 65535, 0x400000 | 10}) {
            M9Script r = M9Scripts.parse(M9Scripts.refund(payload, MINER, delay, NODE)).orElseThrow();
            M9Script.Refund refund = assertInstanceOf(M9Script.Refund.class, r);
            assertEquals(delay, refund.csvDelay(), "delay " + delay);
            assertArrayEquals(NODE.getPubKey(), refund.sidechainNodePubKey());
        }
        assertTrue(M9Scripts.paysMiner(M9Scripts.standard(payload, MINER), MINER));
        assertFalse(M9Scripts.paysMiner(M9Scripts.standard(payload, MINER), NODE));
        assertTrue(M9Scripts.parse(ScriptBuilder.createP2WPKHOutputScript(MINER)).isEmpty());
    }

    @Test
    void rejectsBadArguments() {
        ECKey uncompressed = ECKey.fromPrivate(java.math.BigInteger.TEN, false);
        assertThrows(IllegalArgumentException.class, () -> M9Scripts.standard(payload, uncompressed));
        assertThrows(IllegalArgumentException.class, () -> M9Scripts.refund(payload, MINER, -1, NODE));
        assertThrows(IllegalArgumentException.class, () -> M9Scripts.refund(payload, MINER, 1L << 31, NODE));
    }

    @Test
    void parseRefusesARefundDelayWithTheDisableFlag() {
        // as refund() would have written it, but with bit 31 set: OP_CHECKSEQUENCEVERIFY would be a NOP
        for (long delay : new long[] {0x8000012cL, 0xFFFFFFFFL, 0x1_0000_012cL}) {
            byte[] num = org.bitcoinj.script.Script.parse(new ScriptBuilder().number(delay).build().program())
                    .chunks().get(0).data;
            Script s = new ScriptBuilder().op(0x63).data(payload.serialize()).op(0xb5).op(0x75).data(MINER.getPubKey())
                    .op(0xac).op(0x67).data(num).op(0xb2).op(0x75).data(NODE.getPubKey()).op(0xac).op(0x68).build();
            assertTrue(M9Scripts.parse(s).isEmpty(), "delay " + Long.toHexString(delay));
        }
    }

    @Test
    void onlyVersion1And2PayloadsAreM9Scripts() {
        byte[] shortV1 = new byte[20];
        shortV1[0] = 1;
        for (byte[] payload : List.of(shortV1, new byte[] {7, 0, 0})) {
            Script s = new ScriptBuilder().data(payload).op(M9Scripts.OP_CBV).op(ScriptOpCodes.OP_DROP)
                    .data(MINER.getPubKey()).op(ScriptOpCodes.OP_CHECKSIG).build();
            // malformed: OP_CBV fails for ever; unknown version: satisfied at once. Neither is a bribe's payout
            assertTrue(M9Scripts.parse(s).isEmpty(), HEX.formatHex(payload));
        }
        CbvPayload unknown = new CbvPayload.UnknownVersion(7);
        assertThrows(IllegalArgumentException.class, () -> M9Scripts.standard(unknown, MINER));
        assertThrows(IllegalArgumentException.class, () -> M9Scripts.refund(unknown, MINER, 144, NODE));
    }
}
