package org.sidechains.bmm.regtest.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.bitcoinj.core.Block;
import org.junit.jupiter.api.Test;

class ScriptNumTest {
    static final HexFormat HEX = HexFormat.of();

    /** The height a block's coinbase pushes first (BIP34). */
    static int bip34Height(Block b) {
        byte[] sig = b.getTransactions().get(0).getInput(0).getScriptBytes();
        int op = sig[0] & 0xff;
        if (op >= 0x51 && op <= 0x60) {
            return op - 0x50;
        }
        int h = 0;
        for (int i = 0; i < op; i++) {
            h |= (sig[1 + i] & 0xff) << (8 * i);
        }
        return h;
    }

    @Test
    void heightPushesAsBitcoindsCScript() {
        assertEquals("00", HEX.formatHex(ScriptNum.push(0)));
        assertEquals("51", HEX.formatHex(ScriptNum.push(1)));
        assertEquals("60", HEX.formatHex(ScriptNum.push(16)));
        assertEquals("0111", HEX.formatHex(ScriptNum.push(17)));
        assertEquals("0167", HEX.formatHex(ScriptNum.push(103)));
        assertEquals("028000", HEX.formatHex(ScriptNum.push(128)));
        assertEquals("02ff00", HEX.formatHex(ScriptNum.push(255)));
        assertEquals("020001", HEX.formatHex(ScriptNum.push(256)));
        assertEquals("03a08601", HEX.formatHex(ScriptNum.push(100_000)));
        assertArrayEquals(new byte[] {(byte) 0x81}, ScriptNum.encode(-1));
    }

    @Test
    void moneyAsBitcoindFormatsIt() {
        assertEquals("1.00", Money.format(100_000_000));
        assertEquals("0.0001", Money.format(10_000));
        assertEquals("49.9999", Money.format(4_999_990_000L));
        assertEquals("0.00", Money.format(0));
    }
}
