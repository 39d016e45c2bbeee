package org.sidechains.bmm.bitcoinj.m8;

import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import org.bitcoinj.base.Coin;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.crypto.TransactionSignature;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.sidechains.bmm.bitcoinj.m9.M9Scripts;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.tx.Dust;
import org.sidechains.bmm.bitcoinj.tx.Fee;
import org.sidechains.bmm.bitcoinj.tx.Fees;
import org.sidechains.bmm.bitcoinj.tx.TransactionChecks;
import org.sidechains.bmm.cbv.CbvPayload;
import org.sidechains.bmm.m8.M8Codec;
import org.sidechains.bmm.m8.M8Tag;

/**
 * Builds a signed M8 (protocol.md, "M8"): a version-3 transaction with
 * <ol start="0">
 *   <li>the M8 tag, value 0;</li>
 *   <li>the bribe: a P2WSH output locked by an M9 script (by default the standard one with a
 *       version-1 payload of the tag's mini-header, paying the miner's key);</li>
 *   <li>change, when it is worth an output (not dust by Bitcoin Core's rule, {@link Dust}); otherwise
 *       it goes to the fee.</li>
 * </ol>
 * Inputs are the given funding outputs, in order, each P2WPKH or P2PKH and signed SIGHASH_ALL.
 */
public final class BribeBuilder {
    /** Index of the bribe (M9) output in every M8 this class builds. */
    public static final int PAYOUT_INDEX = 1;
    /** Index of the change output, when there is one. */
    public static final int CHANGE_INDEX = 2;

    private BribeBuilder() {
    }

    /** A spendable output owned by a private key. */
    public record Funding(TransactionOutPoint outpoint, Coin value, ECKey key, Kind kind) {
        public enum Kind { P2WPKH, P2PKH }

        public Funding {
            Objects.requireNonNull(outpoint, "outpoint");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(kind, "kind");
            if (!value.isPositive() || value.value > TransactionChecks.MAX_MONEY) {
                throw new IllegalArgumentException("funding " + outpoint + " must be worth 1 sat to 21 million BTC, got "
                        + value.value + " sat");
            }
            if (!key.hasPrivKey()) {
                throw new IllegalArgumentException("funding " + outpoint + ": the key has no private part, cannot sign");
            }
            if (kind == Kind.P2WPKH && !key.isCompressed()) {
                throw new IllegalArgumentException("funding " + outpoint + ": P2WPKH needs a compressed key");
            }
        }

        public static Funding p2wpkh(TransactionOutPoint outpoint, Coin value, ECKey key) {
            return new Funding(outpoint, value, key, Kind.P2WPKH);
        }

        /**
         * A P2PKH coin. Its value is taken on trust: a legacy signature does not cover it, so a value
         * below the coin's silently goes to the miner as fee ({@link #of} takes it from the chain).
         */
        public static Funding p2pkh(TransactionOutPoint outpoint, Coin value, ECKey key) {
            return new Funding(outpoint, value, key, Kind.P2PKH);
        }

        /**
         * The coin at {@code outpoint} as a prevout source knows it (e.g. {@code BmmBlockChain.prevouts()}):
         * its value, and its kind from its scriptPubKey, which must be {@code key}'s P2WPKH or P2PKH.
         */
        public static Funding of(TransactionOutPoint outpoint, Prevout prevout, ECKey key) {
            Objects.requireNonNull(prevout, "prevout");
            Objects.requireNonNull(key, "key");
            for (Kind kind : Kind.values()) {
                if ((kind == Kind.P2PKH || key.isCompressed())
                        && Arrays.equals(prevout.scriptPubKey(), scriptFor(kind, key).program())) {
                    return new Funding(outpoint, prevout.value(), key, kind);
                }
            }
            throw new IllegalArgumentException("funding " + outpoint + " is not a P2WPKH or P2PKH output of the given key"
                    + " (its scriptPubKey: " + HexFormat.of().formatHex(prevout.scriptPubKey()) + ")");
        }

        /** The scriptPubKey of the funded output (what a prevout source would return for it). */
        public Script scriptPubKey() {
            return scriptFor(kind, key);
        }

        private static Script scriptFor(Kind kind, ECKey key) {
            return kind == Kind.P2WPKH
                    ? ScriptBuilder.createP2WPKHOutputScript(key)
                    : ScriptBuilder.createP2PKHOutputScript(key.getPubKeyHash());
        }
    }

    /**
     * A built bribe.
     *
     * @param tx            the signed M8
     * @param witnessScript the M9 witness script the payout is locked by (the miner needs it to sweep)
     * @param payoutScript  the payout's P2WSH scriptPubKey
     * @param payoutIndex   the payout's output index ({@link #PAYOUT_INDEX})
     * @param changeIndex   the change output's index, if there is one
     * @param fee           the fee actually paid (including change too small for an output)
     */
    public record Bribe(Transaction tx, M8Tag tag, Script witnessScript, Script payoutScript, int payoutIndex,
                        Coin amount, OptionalInt changeIndex, Coin fee) {
        /** The payout as an outpoint, for the miner's sweep. */
        public TransactionOutPoint payoutOutpoint() {
            return new TransactionOutPoint(payoutIndex, tx.getTxId());
        }
    }

    /**
     * The usual bribe: the payout is locked by the standard M9 script with a version-1 payload of
     * the tag's mini-header and the miner's public key.
     *
     * @param minerKey     the miner's public key (a public-only ECKey is enough)
     * @param changeScript where change goes (e.g. {@code ScriptBuilder.createOutputScript(address)})
     */
    public static Bribe build(M8Tag tag, ECKey minerKey, Coin amount, List<Funding> funding, Script changeScript,
                              Fee fee) {
        Objects.requireNonNull(tag, "tag");
        Script witnessScript = M9Scripts.standard(CbvPayload.v1(tag.miniHeader()), minerKey);
        return build(tag, witnessScript, amount, funding, changeScript, fee);
    }

    /** A bribe whose payout is locked by any M9 witness script (e.g. the refund variant). */
    public static Bribe build(M8Tag tag, Script m9WitnessScript, Coin amount, List<Funding> funding,
                              Script changeScript, Fee fee) {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(m9WitnessScript, "m9WitnessScript");
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(changeScript, "changeScript");
        Objects.requireNonNull(fee, "fee");
        M9Scripts.M9Script m9 = M9Scripts.parse(m9WitnessScript).orElseThrow(() -> new IllegalArgumentException(
                "the payout's witness script is not an M9 script (protocol.md's standard script or refund variant,"
                + " as M9Scripts writes them): no miner would take the bribe"));
        checkPayloadIsTheTags(m9.payload(), tag);
        if (!amount.isPositive() || amount.value > TransactionChecks.MAX_MONEY) {
            throw new IllegalArgumentException("the bribe amount must be 1 sat to 21 million BTC, got " + amount.value + " sat");
        }
        byte[] change = changeScript.program();
        if (change.length == 0 || Dust.unspendable(change)) {
            throw new IllegalArgumentException("the change script " + (change.length == 0
                    ? "is empty: anyone could take the change" : "cannot be spent: the change would be burned"));
        }
        List<Funding> inputs = List.copyOf(funding);
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("a bribe needs at least one funding output");
        }
        Set<TransactionOutPoint> seen = new HashSet<>();
        long total = 0;
        for (Funding f : inputs) {
            if (!seen.add(f.outpoint())) {
                throw new IllegalArgumentException("funding output " + f.outpoint() + " is given twice");
            }
            total = Math.addExact(total, f.value().value);
        }
        if (total > TransactionChecks.MAX_MONEY) {
            throw new IllegalArgumentException("the funding outputs add up to " + total + " sat, more than 21 million BTC");
        }
        Coin available = Coin.valueOf(total);
        Script payout = M9Scripts.p2wsh(m9WitnessScript);
        return Fees.fit(fee, f -> assemble(tag, m9WitnessScript, payout, amount, inputs, available, changeScript, f),
                b -> b.tx().getVsize());
    }

    /**
     * OP_CBV checks the payload against D3, so it must name the block the tag commits to: otherwise
     * the payout could be claimed only if another header were mined (or never, and the miner's pool
     * refuses it). Version 1: the tag's mini-header; version 2: its chain and h*.
     */
    private static void checkPayloadIsTheTags(CbvPayload payload, M8Tag tag) {
        if (payload instanceof CbvPayload.V1 v1 && !v1.miniHeader().equals(tag.miniHeader())) {
            throw new IllegalArgumentException("the M9 script's payload is for " + v1.miniHeader()
                    + ", not this M8's mini-header " + tag.miniHeader());
        }
        if (payload instanceof CbvPayload.V2 v2 && (v2.chain() != tag.chain()
                || !v2.hStar().equals(tag.miniHeader().hStar()))) {
            throw new IllegalArgumentException("the M9 script's version 2 payload is for chain " + v2.chain() + " h* "
                    + v2.hStar() + ", not this M8's chain " + tag.chain() + " h* " + tag.miniHeader().hStar());
        }
    }

    private static Bribe assemble(M8Tag tag, Script witnessScript, Script payout, Coin amount, List<Funding> inputs,
                                  Coin available, Script changeScript, Coin fee) {
        Coin needed = amount.add(fee);
        if (available.isLessThan(needed)) {
            throw new IllegalArgumentException("insufficient funds: the funding outputs hold "
                    + available.toFriendlyString() + ", the bribe needs " + amount.toFriendlyString() + " + fee "
                    + fee.toFriendlyString() + " = " + needed.toFriendlyString());
        }
        Transaction tx = new Transaction();
        tx.setVersion(M8Codec.TX_VERSION); // before signing: the version is part of every sighash
        for (Funding f : inputs) {
            tx.addInput(new TransactionInput(tx, new byte[0], f.outpoint(), f.value()));
        }
        tx.addOutput(new TransactionOutput(tx, Coin.ZERO, M8Codec.script(tag)));
        tx.addOutput(amount, payout);
        Coin change = available.subtract(needed);
        OptionalInt changeIndex = OptionalInt.empty();
        if (change.isPositive() && !Dust.isDust(change, changeScript.program())) {
            tx.addOutput(change, changeScript);
            changeIndex = OptionalInt.of(CHANGE_INDEX);
        }
        // all inputs and outputs are in place: SIGHASH_ALL commits to every one of them
        for (int i = 0; i < inputs.size(); i++) {
            sign(tx, i, inputs.get(i));
        }
        Coin paid = available.subtract(tx.getOutputSum());
        return new Bribe(tx, tag, witnessScript, payout, PAYOUT_INDEX, amount, changeIndex, paid);
    }

    private static void sign(Transaction tx, int index, Funding f) {
        TransactionInput in = tx.getInput(index);
        if (f.kind() == Funding.Kind.P2WPKH) {
            // BIP143: the scriptCode of P2WPKH is the P2PKH script of the key
            Script scriptCode = ScriptBuilder.createP2PKHOutputScript(f.key());
            TransactionSignature sig = tx.calculateWitnessSignature(index, f.key(), scriptCode, f.value(),
                    Transaction.SigHash.ALL, false);
            tx.replaceInput(index, in.withScriptSig(ScriptBuilder.createEmpty())
                    .withWitness(TransactionWitness.redeemP2WPKH(sig, f.key())));
        } else {
            TransactionSignature sig = tx.calculateSignature(index, f.key(), f.scriptPubKey(),
                    Transaction.SigHash.ALL, false);
            tx.replaceInput(index, in.withScriptSig(ScriptBuilder.createInputScript(sig, f.key())));
        }
    }
}
