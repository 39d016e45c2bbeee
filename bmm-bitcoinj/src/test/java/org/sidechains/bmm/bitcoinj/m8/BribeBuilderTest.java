package org.sidechains.bmm.bitcoinj.m8;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sidechains.bmm.bitcoinj.Fixtures.FUNDER;
import static org.sidechains.bmm.bitcoinj.Fixtures.MINER;

import java.util.List;
import org.bitcoinj.base.Coin;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.Fixtures;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder.Bribe;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder.Funding;
import org.sidechains.bmm.bitcoinj.m9.M9Scripts;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.tx.Fee;
import org.sidechains.bmm.cbv.CbvPayload;
import org.sidechains.bmm.m8.M8Codec;
import org.sidechains.bmm.m8.M8Tag;

class BribeBuilderTest {
    static final M8Tag TAG = M8Tag.forBlock(Fixtures.deep(), 70_000);
    static final Script CHANGE = ScriptBuilder.createP2WPKHOutputScript(FUNDER);
    static final ECKey MINER_PUBLIC = ECKey.fromPublicOnly(MINER);

    static Funding fund(String label, long sat) {
        return Funding.p2wpkh(Fixtures.outpoint(label, 0), Coin.valueOf(sat), FUNDER);
    }

    @Test
    void layoutAndAmounts() {
        Bribe b = BribeBuilder.build(TAG, MINER_PUBLIC, Coin.valueOf(50_000),
                List.of(fund("a", 60_000), fund("b", 40_000)), CHANGE, Fee.absolute(Coin.valueOf(1_000)));
        Transaction tx = b.tx();
        assertEquals(3, tx.getVersion());
        assertEquals(2, tx.getInputs().size());
        assertEquals(3, tx.getOutputs().size());

        assertEquals(Coin.ZERO, tx.getOutput(0).getValue());
        assertArrayEquals(M8Codec.script(TAG), tx.getOutput(0).getScriptBytes());
        assertEquals(4464, TAG.mainAnchor()); // 70000 mod 65536

        Script ws = M9Scripts.standard(CbvPayload.v1(TAG.miniHeader()), MINER);
        assertEquals(ws, b.witnessScript());
        assertEquals(M9Scripts.p2wsh(ws), b.payoutScript());
        assertEquals(1, b.payoutIndex());
        assertEquals(Coin.valueOf(50_000), tx.getOutput(1).getValue());
        assertArrayEquals(M9Scripts.p2wsh(ws).program(), tx.getOutput(1).getScriptBytes());

        assertEquals(2, b.changeIndex().orElseThrow());
        assertEquals(Coin.valueOf(49_000), tx.getOutput(2).getValue());
        assertArrayEquals(CHANGE.program(), tx.getOutput(2).getScriptBytes());
        assertEquals(Coin.valueOf(1_000), b.fee());
        assertEquals(TAG, M8View.of(tx).orElseThrow());
        assertEquals(Coin.valueOf(50_000), M8View.bribeAmount(tx, b.payoutScript()));
        assertEquals(b.payoutOutpoint().hash(), tx.getTxId());
    }

    @Test
    void fundingSignaturesAreValidForBitcoinj() {
        Funding legacy = Funding.p2pkh(Fixtures.outpoint("legacy", 3), Coin.valueOf(30_000), FUNDER);
        Funding segwit = fund("segwit", 30_000);
        Bribe b = BribeBuilder.build(TAG, MINER_PUBLIC, Coin.valueOf(20_000), List.of(segwit, legacy), CHANGE,
                Fee.satPerVbyte(2));
        List<Funding> fs = List.of(segwit, legacy);
        for (int i = 0; i < fs.size(); i++) {
            TransactionInput in = b.tx().getInput(i);
            // bitcoinj checks P2WPKH (BIP143) and P2PKH signatures for real
            in.getScriptSig().correctlySpends(b.tx(), i, in.getWitness(), fs.get(i).value(),
                    fs.get(i).scriptPubKey(), Script.ALL_VERIFY_FLAGS);
        }
        assertTrue(b.tx().getInput(0).hasWitness());
        assertEquals(0, b.tx().getInput(0).getScriptBytes().length);
        assertEquals(2, b.tx().getInput(1).getScriptSig().chunks().size());
    }

    @Test
    void feeRateCoversTheSignedSize() {
        Bribe b = BribeBuilder.build(TAG, MINER_PUBLIC, Coin.valueOf(50_000), List.of(fund("a", 100_000)), CHANGE,
                Fee.satPerVbyte(5));
        int vsize = b.tx().getVsize();
        assertTrue(b.fee().value >= 5L * vsize, b.fee() + " for " + vsize + " vB");
        assertTrue(b.fee().value <= 5L * (vsize + 2), b.fee() + " for " + vsize + " vB");
        assertEquals(b.fee(), b.tx().getInputSum().subtract(b.tx().getOutputSum()));
    }

    @Test
    void dustChangeGoesToTheFee() {
        Bribe b = BribeBuilder.build(TAG, MINER_PUBLIC, Coin.valueOf(50_000), List.of(fund("a", 51_100)), CHANGE,
                Fee.absolute(Coin.valueOf(1_000)));
        assertEquals(2, b.tx().getOutputs().size());
        assertTrue(b.changeIndex().isEmpty());
        assertEquals(Coin.valueOf(1_100), b.fee());
    }

    @Test
    void clearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BribeBuilder.build(TAG,
                MINER_PUBLIC, Coin.valueOf(50_000), List.of(fund("a", 50_500)), CHANGE, Fee.absolute(Coin.valueOf(1_000))));
        assertTrue(e.getMessage().startsWith("insufficient funds"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BribeBuilder.build(TAG, MINER_PUBLIC,
                Coin.valueOf(50_000), List.of(fund("a", 50_000)), CHANGE, Fee.satPerVbyte(1)));
        assertTrue(e.getMessage().startsWith("insufficient funds"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BribeBuilder.build(TAG, MINER_PUBLIC,
                Coin.valueOf(1), List.of(fund("a", 5_000), fund("a", 5_000)), CHANGE, Fee.satPerVbyte(1)));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BribeBuilder.build(TAG, MINER_PUBLIC, Coin.ZERO,
                List.of(fund("a", 5_000)), CHANGE, Fee.satPerVbyte(1)));
        assertThrows(IllegalArgumentException.class, () -> BribeBuilder.build(TAG, MINER_PUBLIC, Coin.valueOf(1),
                List.of(), CHANGE, Fee.satPerVbyte(1)));
        assertThrows(IllegalArgumentException.class,
                () -> Funding.p2wpkh(Fixtures.outpoint("x", 0), Coin.valueOf(1), MINER_PUBLIC));
        // a payout script that is no M9 script: no miner could claim it under OP_CBV
        e = assertThrows(IllegalArgumentException.class, () -> BribeBuilder.build(TAG,
                ScriptBuilder.createP2PKHOutputScript(MINER_PUBLIC), Coin.valueOf(50_000), List.of(fund("a", 60_000)),
                CHANGE, Fee.absolute(Coin.valueOf(1_000))));
        assertTrue(e.getMessage().contains("not an M9 script"), e.getMessage());
    }

    @Test
    void thePayloadMustBeTheTags() {
        Coin amount = Coin.valueOf(50_000);
        List<Funding> f = List.of(fund("p", 60_000));
        Fee fee = Fee.absolute(Coin.valueOf(1_000));
        MiniHeader other = MiniHeader.of(TAG.chain() + 1, TAG.miniHeader().hStar(), 0);
        // version 1 for another mini-header: claimable only if that header were mined
        assertThrows(IllegalArgumentException.class, () -> BribeBuilder.build(TAG,
                M9Scripts.standard(CbvPayload.v1(other), MINER), amount, f, CHANGE, fee));
        // version 2 for another h*
        Hash32 h = Hash32.wrap(new byte[32]);
        assertThrows(IllegalArgumentException.class, () -> BribeBuilder.build(TAG,
                M9Scripts.standard(new CbvPayload.V2(TAG.chain(), h, h), MINER), amount, f, CHANGE, fee));
        // version 2 for the tag's chain and h*: its prevSideBlockHash is the sidechain's to choose
        BribeBuilder.build(TAG, M9Scripts.standard(new CbvPayload.V2(TAG.chain(), TAG.miniHeader().hStar(), h), MINER),
                amount, f, CHANGE, fee);
    }

    @Test
    void changeFollowsCoresDustRuleAndMustBeSpendable() {
        Fee fee = Fee.absolute(Coin.valueOf(1_000));
        byte[] p2tr = new byte[34];
        p2tr[0] = 0x51;
        p2tr[1] = 0x20;
        Script taproot = Script.parse(p2tr);
        // 329 sat of P2TR change is dust for Core (330), bitcoinj would keep it
        Bribe dust = BribeBuilder.build(TAG, MINER_PUBLIC, Coin.valueOf(50_000), List.of(fund("d", 51_329)), taproot, fee);
        assertTrue(dust.changeIndex().isEmpty());
        assertEquals(Coin.valueOf(1_329), dust.fee());
        Bribe kept = BribeBuilder.build(TAG, MINER_PUBLIC, Coin.valueOf(50_000), List.of(fund("k", 51_330)), taproot, fee);
        assertEquals(Coin.valueOf(330), kept.tx().getOutput(kept.changeIndex().orElseThrow()).getValue());
        for (Script bad : List.of(Script.parse(new byte[] {0x6a, 0x01, 0x02}), Script.parse(new byte[0]))) {
            assertThrows(IllegalArgumentException.class, () -> BribeBuilder.build(TAG, MINER_PUBLIC,
                    Coin.valueOf(50_000), List.of(fund("x", 90_000)), bad, fee));
        }
    }

    @Test
    void amountsBeyondAllBitcoinAreRefusedWithAMessage() {
        Fee fee = Fee.absolute(Coin.valueOf(1_000));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BribeBuilder.build(TAG,
                MINER_PUBLIC, Coin.valueOf(Long.MAX_VALUE), List.of(fund("m", 60_000)), CHANGE, fee));
        assertTrue(e.getMessage().contains("21 million"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> fund("big", 21_000_000L * 100_000_000L + 1));
        assertThrows(IllegalArgumentException.class, () -> Fee.absolute(Coin.valueOf(Long.MAX_VALUE)));
        IllegalArgumentException rate = assertThrows(IllegalArgumentException.class, () -> BribeBuilder.build(TAG,
                MINER_PUBLIC, Coin.valueOf(50_000), List.of(fund("r", 60_000)), CHANGE, Fee.satPerVbyte(Long.MAX_VALUE / 100)));
        assertTrue(rate.getMessage().contains("sat/vB"), rate.getMessage());
    }

    @Test
    void fundingFromTheChainTakesTheCoinsValueAndKind() {
        var op = Fixtures.outpoint("coin", 0);
        Coin value = Coin.valueOf(123_456);
        Funding legacy = Funding.of(op, new Prevout(value, ScriptBuilder.createP2PKHOutputScript(FUNDER.getPubKeyHash()).program()), FUNDER);
        assertEquals(Funding.p2pkh(op, value, FUNDER), legacy);
        Funding segwit = Funding.of(op, new Prevout(value, ScriptBuilder.createP2WPKHOutputScript(FUNDER).program()), FUNDER);
        assertEquals(Funding.p2wpkh(op, value, FUNDER), segwit);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Funding.of(op,
                new Prevout(value, ScriptBuilder.createP2WPKHOutputScript(MINER).program()), FUNDER));
        assertTrue(e.getMessage().contains("is not a P2WPKH or P2PKH output of the given key"), e.getMessage());
    }
}
