package org.sidechains.bmm.bitcoinj.m9;

import static org.bitcoinj.script.ScriptOpCodes.OP_CHECKSEQUENCEVERIFY;
import static org.bitcoinj.script.ScriptOpCodes.OP_CHECKSIG;
import static org.bitcoinj.script.ScriptOpCodes.OP_DROP;
import static org.bitcoinj.script.ScriptOpCodes.OP_ELSE;
import static org.bitcoinj.script.ScriptOpCodes.OP_ENDIF;
import static org.bitcoinj.script.ScriptOpCodes.OP_IF;
import static org.bitcoinj.script.ScriptOpCodes.OP_NOP6;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.bitcoinj.script.ScriptChunk;
import org.bitcoinj.script.ScriptException;
import org.bitcoinj.script.ScriptOpCodes;
import org.sidechains.bmm.cbv.CbvPayload;

/**
 * The M9 witness scripts of protocol.md ("M9: OP_CheckBribeVerify") and their P2WSH outputs.
 *
 * <pre>
 * standard: &lt;payload&gt; OP_CBV OP_DROP &lt;minerPubKey&gt; OP_CHECKSIG
 * refund:   OP_IF &lt;payload&gt; OP_CBV OP_DROP &lt;miner&gt; OP_CHECKSIG
 *           OP_ELSE &lt;delay&gt; OP_CHECKSEQUENCEVERIFY OP_DROP &lt;sidechainNodeKey&gt; OP_CHECKSIG OP_ENDIF
 * </pre>
 * All pushes are minimal (bitcoinj's {@link ScriptBuilder#data} and {@link ScriptBuilder#number}).
 */
public final class M9Scripts {
    /** OP_CheckBribeVerify redefines OP_NOP6 (0xb5). */
    public static final int OP_CBV = OP_NOP6;
    /** BIP68: a relative lock with this bit set is disabled, which would make the refund branch unlocked. */

    private M9Scripts() {
    }

    /** {@code <payload> OP_CBV OP_DROP <minerPubKey> OP_CHECKSIG}. */
    public static Script standard(CbvPayload payload, ECKey minerKey) {
        return minerPath(new ScriptBuilder(), payload, minerKey).build();
    }

    /**
     * The refund variant (the seed's Lightning outputs): the miner takes it with a satisfied OP_CBV,
     * or the sidechain node takes it back after {@code csvDelay} (a BIP68 relative lock-time, e.g.
     * a number of blocks below 65536).
     */
    public static Script refund(CbvPayload payload, ECKey minerKey, long csvDelay, ECKey sidechainNodeKey) {
        if (csvDelay < 0 || csvDelay > 0xFFFFFFFFL || (csvDelay & TransactionInput.SEQUENCE_LOCKTIME_DISABLE_FLAG) != 0) {
            throw new IllegalArgumentException("csvDelay must be a BIP68 relative lock-time (0..2^31-1), got " + csvDelay);
        }
        ScriptBuilder b = new ScriptBuilder().op(OP_IF);
        minerPath(b, payload, minerKey);
        return b.op(OP_ELSE)
                .number(csvDelay).op(OP_CHECKSEQUENCEVERIFY).op(OP_DROP)
                .data(compressedPubKey(sidechainNodeKey, "sidechainNodeKey")).op(OP_CHECKSIG)
                .op(OP_ENDIF)
                .build();
    }

    /** The P2WSH output script ({@code OP_0 <sha256(witnessScript)>}) that pays to {@code witnessScript}. */
    public static Script p2wsh(Script witnessScript) {
        return ScriptBuilder.createP2WSHOutputScript(witnessScript);
    }

    private static ScriptBuilder minerPath(ScriptBuilder b, CbvPayload payload, ECKey minerKey) {
        Objects.requireNonNull(payload, "payload");
        if (!writable(payload)) {
            throw new IllegalArgumentException("an M9 script carries a version 1 or 2 payload (protocol.md), not " + payload);
        }
        return b.data(payload.serialize()).op(OP_CBV).op(OP_DROP)
                .data(compressedPubKey(minerKey, "minerKey")).op(OP_CHECKSIG);
    }

    private static byte[] compressedPubKey(ECKey key, String name) {
        Objects.requireNonNull(key, name);
        if (!key.isCompressed()) {
            // segwit v0 policy (and every wallet) expects compressed keys in witness scripts
            throw new IllegalArgumentException(name + " must be a compressed public key");
        }
        return key.getPubKey();
    }

    // ---- recognising M9 scripts (for the spender and for callers checking "pays my M9 script") ----

    /** A recognised M9 witness script. Keys are serialized public keys. */
    public sealed interface M9Script {
        CbvPayload payload();

        byte[] minerPubKey();

        record Standard(CbvPayload payload, byte[] minerPubKey) implements M9Script {
            public Standard {
                minerPubKey = minerPubKey.clone();
            }

            @Override
            public byte[] minerPubKey() {
                return minerPubKey.clone();
            }
        }

        record Refund(CbvPayload payload, byte[] minerPubKey, long csvDelay, byte[] sidechainNodePubKey)
                implements M9Script {
            public Refund {
                minerPubKey = minerPubKey.clone();
                sidechainNodePubKey = sidechainNodePubKey.clone();
            }

            @Override
            public byte[] minerPubKey() {
                return minerPubKey.clone();
            }

            @Override
            public byte[] sidechainNodePubKey() {
                return sidechainNodePubKey.clone();
            }
        }
    }

    /**
     * Recognises the two M9 shapes exactly as {@link #standard} and {@link #refund} write them
     * (minimal pushes, a version 1 or 2 payload of the right length); anything else is empty. A
     * malformed payload would make OP_CBV fail for ever, an unknown version satisfy it at once.
     */
    public static Optional<M9Script> parse(Script witnessScript) {
        List<ScriptChunk> c;
        try {
            c = Script.parse(witnessScript.program()).chunks();
        } catch (ScriptException e) {
            return Optional.empty();
        }
        if (c.size() == 5 && isMinerPath(c, 0)) {
            CbvPayload payload = CbvPayload.parse(c.get(0).data);
            return writable(payload) ? Optional.of(new M9Script.Standard(payload, c.get(3).data)) : Optional.empty();
        }
        if (c.size() == 13 && c.get(0).equalsOpCode(OP_IF) && isMinerPath(c, 1) && c.get(6).equalsOpCode(OP_ELSE)
                && c.get(8).equalsOpCode(OP_CHECKSEQUENCEVERIFY) && c.get(9).equalsOpCode(OP_DROP)
                && isKeyPush(c.get(10)) && c.get(11).equalsOpCode(OP_CHECKSIG) && c.get(12).equalsOpCode(OP_ENDIF)) {
            Optional<Long> delay = minimalNumber(c.get(7));
            if (delay.isEmpty() || delay.get() > 0xFFFFFFFFL || (delay.get() & TransactionInput.SEQUENCE_LOCKTIME_DISABLE_FLAG) != 0) {
                // with the disable flag OP_CHECKSEQUENCEVERIFY is a NOP: the node could take the bribe back at once
                return Optional.empty();
            }
            CbvPayload payload = CbvPayload.parse(c.get(1).data);
            return writable(payload) ? Optional.of(new M9Script.Refund(payload, c.get(4).data, delay.get(),
                    c.get(10).data)) : Optional.empty();
        }
        return Optional.empty();
    }

    /** Whether {@code witnessScript} is an M9 script whose miner key is {@code minerKey}. */
    public static boolean paysMiner(Script witnessScript, ECKey minerKey) {
        return parse(witnessScript).map(m -> Arrays.equals(m.minerPubKey(), minerKey.getPubKey())).orElse(false);
    }

    private static boolean writable(CbvPayload payload) {
        return payload instanceof CbvPayload.V1 || payload instanceof CbvPayload.V2;
    }

    private static boolean isMinerPath(List<ScriptChunk> c, int i) {
        return c.get(i).isPushData() && c.get(i).data != null && c.get(i).data.length > 0
                && c.get(i).isShortestPossiblePushData()
                && c.get(i + 1).equalsOpCode(OP_CBV) && c.get(i + 2).equalsOpCode(OP_DROP)
                && isKeyPush(c.get(i + 3)) && c.get(i + 4).equalsOpCode(OP_CHECKSIG);
    }

    private static boolean isKeyPush(ScriptChunk k) {
        return k.isPushData() && k.data != null && (k.data.length == 33 || k.data.length == 65);
    }

    /** A minimally pushed non-negative script number (OP_0, OP_1..OP_16, or a minimal push of up to 5 bytes). */
    private static Optional<Long> minimalNumber(ScriptChunk k) {
        if (!k.isPushData() || !k.isShortestPossiblePushData()) {
            return Optional.empty();
        }
        if (k.opcode == ScriptOpCodes.OP_0) {
            return Optional.of(0L);
        }
        if (k.opcode >= ScriptOpCodes.OP_1 && k.opcode <= ScriptOpCodes.OP_16) {
            return Optional.of((long) Script.decodeFromOpN(k.opcode));
        }
        byte[] d = k.data;
        if (d == null || d.length == 0 || d.length > 5 || (d[d.length - 1] & 0x80) != 0
                || (d[d.length - 1] == 0 && (d.length == 1 || (d[d.length - 2] & 0x80) == 0))) {
            return Optional.empty(); // negative or not minimally encoded
        }
        long v = 0;
        for (int i = d.length - 1; i >= 0; i--) {
            v = (v << 8) | (d[i] & 0xFF);
        }
        return Optional.of(v);
    }
}
