package org.sidechains.bmm.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.base.Hash32;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.m7.M7Codec;
import org.sidechains.bmm.m8.M8Tag;

class BlockRulesTest {
    private static final BmmParams PARAMS = BmmParams.regtest().withActivationHeight(100);
    private static final int H = 70_000; // anchor wraps: 70000 mod 65536 = 4464

    static Hash32 h(int b) {
        byte[] x = new byte[32];
        Arrays.fill(x, (byte) b);
        return Hash32.wrap(x);
    }

    static final MiniHeader A = new MiniHeader(1, h(0xa1), 0);
    static final MiniHeader B = new MiniHeader(2, h(0xb2), 3);
    static final List<byte[]> COINBASE = List.of(new byte[] {0x51}, M7Codec.write(List.of(A, B)));

    static BlockVerdict check(M8Tag... m8s) {
        return BlockRules.check(PARAMS, H, COINBASE, List.of(m8s));
    }

    static void assertInvalid(BlockVerdict v, RejectReason reason, int position) {
        BlockVerdict.Invalid inv = (BlockVerdict.Invalid) v;
        assertEquals(reason, inv.reason());
        assertEquals(position, inv.m8Position());
    }

    @Test
    void validBlockReportsItsM7() {
        BlockVerdict v = check(M8Tag.forBlock(A, H), M8Tag.forBlock(B, H));
        assertTrue(v.isValid());
        assertEquals(1, ((BlockVerdict.Valid) v).m7().orElseThrow().cbIndex());
        assertEquals(4464, M8Tag.forBlock(A, H).mainAnchor());
    }

    @Test
    void m7WithoutM8IsValid() {
        assertTrue(check().isValid());
        assertTrue(check(M8Tag.forBlock(B, H)).isValid());
    }

    @Test
    void wrongAnchor() {
        assertInvalid(check(M8Tag.forBlock(A, H), new M8Tag(B, 4465)), RejectReason.M8_ANCHOR, 1);
        assertEquals("bmm-m8-anchor", RejectReason.M8_ANCHOR.code());
    }

    @Test
    void noMatchingM7Entry() {
        assertInvalid(check(M8Tag.forBlock(new MiniHeader(9, h(1), 0), H)), RejectReason.M8_NO_M7, 0);
        // same chain and h*, another prevBlockRef: all 35 bytes must match
        assertInvalid(check(M8Tag.forBlock(new MiniHeader(1, h(0xa1), 1), H)), RejectReason.M8_NO_M7, 0);
        assertEquals("bmm-m8-no-m7", RejectReason.M8_NO_M7.code());
    }

    @Test
    void noM7AtAll() {
        BlockVerdict v = BlockRules.check(PARAMS, H, List.of(new byte[] {0x51}), List.of(M8Tag.forBlock(A, H)));
        assertInvalid(v, RejectReason.M8_NO_M7, 0);
    }

    @Test
    void duplicateM8ForOneChain() {
        assertInvalid(check(M8Tag.forBlock(A, H), M8Tag.forBlock(B, H), M8Tag.forBlock(A, H)),
                RejectReason.M8_DUPLICATE, 2);
        assertEquals("bmm-m8-duplicate", RejectReason.M8_DUPLICATE.code());
    }

    @Test
    void firstFailureInBlockOrderNamesTheReason() {
        // M8 #0 is fine, #1 duplicates it, #2 has a bad anchor: the duplicate comes first
        assertInvalid(check(M8Tag.forBlock(A, H), M8Tag.forBlock(A, H), new M8Tag(B, 1)),
                RejectReason.M8_DUPLICATE, 1);
        // within one M8 the table's order applies: a wrong anchor wins over a missing M7
        assertInvalid(check(new M8Tag(new MiniHeader(9, h(1), 0), 1)), RejectReason.M8_ANCHOR, 0);
    }

    @Test
    void rulesApplyFromTheActivationHeight() {
        List<M8Tag> bad = List.of(new M8Tag(new MiniHeader(9, h(1), 0), 7));
        assertTrue(BlockRules.check(PARAMS, 99, COINBASE, bad).isValid());
        assertInvalid(BlockRules.check(PARAMS, 100, COINBASE, bad), RejectReason.M8_ANCHOR, 0);
    }

    @Test
    void firstWinsAppliesToTheM8Match() {
        MiniHeader a2 = new MiniHeader(1, h(0xa2), 0);
        // a raw M7 with chain 1 twice: only the first chunk counts
        byte[] script = M7Codec.write(List.of(A));
        byte[] dup = new byte[script.length + 35];
        System.arraycopy(script, 0, dup, 0, script.length);
        System.arraycopy(a2.serialize(), 0, dup, script.length, 35);
        dup[1] = (byte) (dup[1] + 35);
        List<byte[]> cb = List.of(dup);
        assertTrue(BlockRules.check(PARAMS, H, cb, List.of(M8Tag.forBlock(A, H))).isValid());
        assertInvalid(BlockRules.check(PARAMS, H, cb, List.of(M8Tag.forBlock(a2, H))), RejectReason.M8_NO_M7, 0);
    }
}
