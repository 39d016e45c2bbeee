package org.sidechains.bmm.regtest.embedded.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.List;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.regtest.rpcserver.JsonRpcDispatcher;

/** scriptPubKey JSON: the fixture's two outputs exactly, and every output type's type/address/descriptor. */
class ScriptJsonTest {
    static final HexFormat HEX = HexFormat.of();
    static final ECKey KEY = ECKey.fromPrivate(BigInteger.valueOf(42));

    static ObjectNode of(String hex) {
        return ScriptJson.of(HEX.parseHex(hex));
    }

    @Test
    void theFixturesOutputsExactly() throws Exception {
        JsonNode p2wpkh = JsonRpcDispatcher.JSON.readTree("{\"asm\":\"0 a7472e163e0ca3855d9c90c7cfc00325c2b5ab8f\","
                + "\"desc\":\"addr(bcrt1q5arju937pj3c2hvujrrulsqryhptt2u0xj3ez0)#0n3ge6cc\","
                + "\"hex\":\"0014a7472e163e0ca3855d9c90c7cfc00325c2b5ab8f\","
                + "\"address\":\"bcrt1q5arju937pj3c2hvujrrulsqryhptt2u0xj3ez0\",\"type\":\"witness_v0_keyhash\"}");
        assertEquals(p2wpkh, of("0014a7472e163e0ca3855d9c90c7cfc00325c2b5ab8f"));
        JsonNode commitment = JsonRpcDispatcher.JSON.readTree("{\"asm\":\"OP_RETURN "
                + "aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9\","
                + "\"desc\":\"raw(6a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9)#cav96mf3\","
                + "\"hex\":\"6a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9\","
                + "\"type\":\"nulldata\"}");
        assertEquals(commitment, of("6a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9"));
    }

    @Test
    void everyOutputType() {
        byte[] h20 = new byte[20];
        byte[] h32 = new byte[32];
        ObjectNode pkh = ScriptJson.of(ScriptBuilder.createP2PKHOutputScript(h20).program());
        assertEquals("pubkeyhash", pkh.get("type").asText());
        assertEquals("OP_DUP OP_HASH160 0000000000000000000000000000000000000000 OP_EQUALVERIFY OP_CHECKSIG",
                pkh.get("asm").asText());
        assertEquals("mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8", pkh.get("address").asText());
        assertTrue(pkh.get("desc").asText().startsWith("addr(mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8)#"));

        ObjectNode sh = ScriptJson.of(ScriptBuilder.createP2SHOutputScript(h20).program());
        assertEquals("scripthash", sh.get("type").asText());
        assertTrue(sh.get("address").asText().startsWith("2"));

        ObjectNode wsh = ScriptJson.of(ScriptBuilder.createP2WSHOutputScript(h32).program());
        assertEquals("witness_v0_scripthash", wsh.get("type").asText());
        assertEquals("bcrt1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq3xueyj", wsh.get("address").asText());

        byte[] xonly = HEX.parseHex(KEY.getPublicKeyAsHex().substring(2));
        ObjectNode tr = ScriptJson.of(new ScriptBuilder().smallNum(1).data(xonly).build().program());
        assertEquals("witness_v1_taproot", tr.get("type").asText());
        assertTrue(tr.get("address").asText().startsWith("bcrt1p"));
        assertTrue(tr.get("desc").asText().startsWith("rawtr(" + HEX.formatHex(xonly) + ")#"));

        ObjectNode unknown = ScriptJson.of(new ScriptBuilder().smallNum(2).data(new byte[] {1, 2}).build().program());
        assertEquals("witness_unknown", unknown.get("type").asText());
        assertTrue(unknown.get("desc").asText().startsWith("addr(bcrt1z"));

        ObjectNode pk = ScriptJson.of(ScriptBuilder.createP2PKOutputScript(KEY).program());
        assertEquals("pubkey", pk.get("type").asText());
        assertFalse(pk.has("address"));
        assertTrue(pk.get("desc").asText().startsWith("pk(" + KEY.getPublicKeyAsHex() + ")#"));

        Script multi = ScriptBuilder.createMultiSigOutputScript(1, List.of(KEY, ECKey.fromPrivate(BigInteger.TEN)));
        ObjectNode ms = ScriptJson.of(multi.program());
        assertEquals("multisig", ms.get("type").asText());
        assertTrue(ms.get("desc").asText().startsWith("multi(1," + KEY.getPublicKeyAsHex() + ","));
        assertEquals("1 " + KEY.getPublicKeyAsHex() + " " + ECKey.fromPrivate(BigInteger.TEN).getPublicKeyAsHex()
                + " 2 OP_CHECKMULTISIG", ms.get("asm").asText());

        ObjectNode odd = of("51b5");
        assertEquals("nonstandard", odd.get("type").asText());
        assertEquals("1 OP_NOP6", odd.get("asm").asText());
        assertTrue(odd.get("desc").asText().startsWith("raw(51b5)#"));
        assertEquals("OP_RETURN [error]", of("6a05aa").get("asm").asText());
        assertEquals("nonstandard", of("6a05aa").get("type").asText());
    }

    @Test
    void scriptSigAsmShowsTheSighashType() {
        String sig = "30440220578db6c8ccd3ec3196a2c861335b4458c1bed14568d10bff7614d1b47a4edff4022014bc69208c7d2b29bd83f3"
                + "4ba3f3ff017dcfc9377ee59f8e0f5492b7cb9278ba01";
        byte[] scriptSig = new ScriptBuilder().data(HEX.parseHex(sig)).data(KEY.getPubKey()).build().program();
        assertEquals(sig.substring(0, sig.length() - 2) + "[ALL] " + KEY.getPublicKeyAsHex(),
                ScriptAsm.of(scriptSig, true));
        assertEquals(sig + " " + KEY.getPublicKeyAsHex(), ScriptAsm.of(scriptSig, false));
        assertEquals("-1 0 16 1000 -129", ScriptAsm.of(HEX.parseHex("4f0060" + "02e803" + "028180")));
    }
}
