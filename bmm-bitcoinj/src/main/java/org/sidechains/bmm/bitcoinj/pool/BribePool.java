package org.sidechains.bmm.bitcoinj.pool;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.StoredBlock;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptPattern;
import org.sidechains.bmm.bitcoinj.m8.M8View;
import org.sidechains.bmm.bitcoinj.m9.M9Scripts;
import org.sidechains.bmm.bitcoinj.m9.M9Scripts.M9Script;
import org.sidechains.bmm.bitcoinj.pool.PooledBribe.Payout;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.prevout.PrevoutSource;
import org.sidechains.bmm.bitcoinj.tx.BlockReadiness;
import org.sidechains.bmm.bitcoinj.tx.SigOps;
import org.sidechains.bmm.bitcoinj.tx.TransactionChecks;
import org.sidechains.bmm.cbv.CbvPayload;
import org.sidechains.bmm.m8.M8Tag;
import org.sidechains.bmm.rules.BmmParams;

/**
 * The miner's bribe pool, the seed's "second mempool" (protocol.md, "Second mempool"): it admits
 * an M8 only if
 * <ol>
 *   <li>it is an M8 ({@link RefusalReason#NOT_M8}) and a well-formed spend: it has inputs, spends
 *       none twice and passes the rest of bitcoind's CheckTransaction (no negative or too large
 *       output, ...) ({@link RefusalReason#MALFORMED});</li>
 *   <li>it is not already the pool's bribe for its chain ({@link RefusalReason#DUPLICATE});</li>
 *   <li>mainAnchor == (tip height + 1) mod 65536 ({@link RefusalReason#WRONG_ANCHOR});</li>
 *   <li>every input is an unspent output the chain knows ({@link RefusalReason#INPUT_UNKNOWN_OR_SPENT}),
 *       and outputs do not exceed inputs ({@link RefusalReason#MALFORMED});</li>
 *   <li>it can go into the next block: its lock-time and BIP 68 relative lock-times are met there
 *       ({@link RefusalReason#NOT_FINAL}; time locks, and relative locks on coins whose height the
 *       prevout source does not give, count as not met) and it spends no coinbase output younger
 *       than 100 blocks ({@link RefusalReason#INPUT_IMMATURE}), see {@link BlockReadiness};</li>
 *   <li>it is no heavier than 400,000 weight units and its sigop cost is at most 16,000, as
 *       bitcoind's mempool asks of any transaction ({@link RefusalReason#TOO_LARGE});</li>
 *   <li>it pays this miner ({@link RefusalReason#NOT_PAYING_MINER}): some output is the P2WSH of
 *       the standard M9 script with a version-1 payload of exactly the M8's mini-header and this
 *       miner's key (the pool recomputes that script), or, when the submitter gives a witness
 *       script, of that script if it is such an M9 script (standard or refund variant, the miner
 *       branch paying this miner with that payload; a refund variant must not let the sidechain
 *       node take the bribe back too early, {@link RefusalReason#REFUND_DELAY_TOO_SHORT});
 *       the bribe amount is the sum of those outputs (the M8's fee does not count);</li>
 *   <li>it is higher than the pool's current bribe for its ChainIndex
 *       ({@link RefusalReason#LOWER_THAN_BEST}; ties keep the first received);</li>
 *   <li>its inputs' signatures are valid by the consensus rules a block must meet
 *       ({@link RefusalReason#BAD_SIGNATURE}, see {@code tx.KeySpendVerifier}); only P2WPKH, P2PKH
 *       and P2PK inputs (with push-only scriptSigs) are verified, others are refused
 *       ({@link RefusalReason#INPUT_UNVERIFIABLE}). This goes beyond protocol.md's list on purpose:
 *       a bribe with a forged signature would otherwise displace an honest one and make the
 *       miner's block invalid.</li>
 * </ol>
 * The first failing check, in that order, is the reason given. The pool keeps one bribe per
 * ChainIndex, drops everything when the tip changes ({@link #onTip}) and re-evaluates nothing.
 *
 * <p>Not checked: a bribe spending an output that a transaction of the miner's block template, or
 * another chain's bribe in the pool, also spends; the {@code BlockAssembler} drops such a bribe
 * from the block, keeping the one given first ({@link #winners()} gives the highest first). Coinbase maturity and
 * relative lock-times need the spent outputs' heights: {@code BmmBlockChain.prevouts()} gives them
 * (a source that does not, refuses every bribe with a relative lock).
 *
 * <p>Thread-safe. Inputs are looked up and signatures verified without holding the pool's lock,
 * so the prevout source may take locks of its own (a {@code BmmBlockChain}'s), and {@link #onTip}
 * may be called from a chain listener; a submission that overlaps a tip change is evaluated again
 * against the new tip.
 */
public final class BribePool {
    /**
     * Admission policy beyond the protocol.
     *
     * @param minRefundDelay the least relative lock-time, in blocks, of a refund-variant payout's
     *                       sidechain-node branch (the miner can only claim after 100 blocksAtop,
     *                       which takes at least 100 blocks, more when the chain is not BMMed in
     *                       every block); a time-based lock counts as its seconds / 600
     */
    public record Policy(int minRefundDelay) {
        /** Refund variants must lock the sidechain node out for at least 200 blocks (twice the OP_CBV depth). */
        public static final Policy DEFAULT = new Policy(2 * BmmParams.DEFAULT_MIN_BLOCKS_ATOP);

        public Policy {
            if (minRefundDelay < 0 || minRefundDelay > 0xFFFF) {
                throw new IllegalArgumentException("minRefundDelay must be 0..65535 blocks, got " + minRefundDelay);
            }
        }
    }

    /** bitcoind's MAX_STANDARD_TX_WEIGHT. */
    static final int MAX_WEIGHT = 400_000;
    private static final int SEQUENCE_GRANULARITY_SECONDS = 512;
    private static final int TARGET_SPACING_SECONDS = 600;

    private final ECKey minerKey;
    private final byte[] minerPubKey;
    private final PrevoutSource prevouts;
    private final Policy policy;

    private final Object lock = new Object();
    private final PooledBribe[] best = new PooledBribe[256];
    private Tip tip;
    /** Numbers submissions as they arrive: "ties: first received" is by this, not by which finishes its checks first. */
    private final AtomicLong arrivals = new AtomicLong();

    /**
     * @param minerKey this miner's key (only the public part is used); compressed, as in M9 scripts
     * @param prevouts the unspent outputs as of {@code tip} (e.g. {@code BmmBlockChain.prevouts()})
     * @param tip      the current mainchain tip
     */
    public BribePool(ECKey minerKey, PrevoutSource prevouts, Tip tip) {
        this(minerKey, prevouts, tip, Policy.DEFAULT);
    }

    public BribePool(ECKey minerKey, PrevoutSource prevouts, Tip tip, Policy policy) {
        Objects.requireNonNull(minerKey, "minerKey");
        if (!minerKey.isCompressed()) {
            throw new IllegalArgumentException("the miner key must be compressed (M9 scripts only carry compressed keys)");
        }
        this.minerKey = ECKey.fromPublicOnly(minerKey);
        this.minerPubKey = minerKey.getPubKey();
        this.prevouts = Objects.requireNonNull(prevouts, "prevouts");
        this.tip = Objects.requireNonNull(tip, "tip");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** The tip the pool admits bribes for (their block is at its height + 1). */
    public Tip tip() {
        synchronized (lock) {
            return tip;
        }
    }

    /**
     * The miner calls this on every tip change (a new block, or a reorg, also to another block at
     * the same height). A different tip drops every bribe; the same tip again changes nothing.
     *
     * @return how many bribes were dropped
     */
    public int onTip(Tip newTip) {
        Objects.requireNonNull(newTip, "newTip");
        synchronized (lock) {
            if (newTip.equals(tip)) {
                return 0;
            }
            int dropped = 0;
            for (int i = 0; i < best.length; i++) {
                if (best[i] != null) {
                    dropped++;
                    best[i] = null;
                }
            }
            tip = newTip;
            return dropped;
        }
    }

    public int onTip(int height, Sha256Hash hash) {
        return onTip(new Tip(height, hash));
    }

    public int onTip(StoredBlock head) {
        return onTip(Tip.of(head));
    }

    /** Submits a bribe whose payout is locked by the standard M9 script (the pool recomputes it). */
    public Admission submit(Transaction tx) {
        return submit(tx, Optional.empty());
    }

    /**
     * Submits a bribe, with the witness script of its payout (needed for the refund variant, whose
     * script the pool cannot recompute). Outputs paying the standard M9 script count too.
     */
    public Admission submit(Transaction tx, Script m9WitnessScript) {
        return submit(tx, Optional.of(Objects.requireNonNull(m9WitnessScript, "m9WitnessScript")));
    }

    public Admission submit(Transaction tx, Optional<Script> m9WitnessScript) {
        Objects.requireNonNull(tx, "tx");
        Objects.requireNonNull(m9WitnessScript, "m9WitnessScript");
        long received = arrivals.getAndIncrement();
        Optional<M8Tag> tag = M8View.of(tx);
        if (tag.isEmpty()) {
            return refuse(RefusalReason.NOT_M8, tx.getVersion() != 3
                    ? "version " + tx.getVersion() + " (an M8 is version 3)"
                    : "output 0 is not the M8 tag (OP_RETURN, push of 41 bytes starting \"BMM8\")");
        }
        Optional<Admission.Refused> shape = checkShape(tx);
        if (shape.isPresent()) {
            return shape.get();
        }
        // the pool keeps its own copy: callers may go on changing theirs
        Transaction copy = Transaction.read(ByteBuffer.wrap(tx.serialize()));
        Sha256Hash txid = copy.getTxId();
        while (true) {
            Tip seen = tip();
            Accepting result;
            Admission.Refused refused;
            try {
                result = evaluate(copy, txid, tag.get(), m9WitnessScript, seen, received);
                refused = null;
            } catch (Refusal r) {
                result = null;
                refused = r.refused;
            }
            synchronized (lock) {
                if (!tip.equals(seen)) {
                    continue; // the tip moved while we looked: evaluate against the new one
                }
                if (refused != null) {
                    return refused;
                }
                return commit(result, copy, txid, tag.get(), received);
            }
        }
    }

    /** The best bribe per ChainIndex, in ChainIndex order. */
    public List<PooledBribe> snapshot() {
        synchronized (lock) {
            List<PooledBribe> out = new ArrayList<>();
            for (PooledBribe b : best) {
                if (b != null) {
                    out.add(b);
                }
            }
            return out;
        }
    }

    /** The tip and the bribes admitted for it, read together. */
    public record Snapshot(Tip tip, List<PooledBribe> bribes) {
        public Snapshot {
            bribes = List.copyOf(bribes);
        }

        /**
         * The bribes' transactions, best first: highest bribe, then first received (what the block
         * assembler takes; where two spend the same coin, it keeps the one given first).
         */
        public List<Transaction> winners() {
            return bribes.stream().sorted(PooledBribe.BEST_FIRST).map(PooledBribe::tx).toList();
        }
    }

    /**
     * {@link #tip()} and {@link #snapshot()} in one step: read apart, a tip change in between (a
     * reorg to another block at the same height) would pair the old tip's bribes with the new tip.
     */
    public Snapshot snapshotWithTip() {
        synchronized (lock) {
            return new Snapshot(tip, snapshot());
        }
    }

    /** The winners' transactions, best first ({@link Snapshot#winners()}). */
    public List<Transaction> winners() {
        return snapshotWithTip().winners();
    }

    public Optional<PooledBribe> best(int chain) {
        if (chain < 0 || chain > 255) {
            throw new IllegalArgumentException("ChainIndex must be 0..255, got " + chain);
        }
        synchronized (lock) {
            return Optional.ofNullable(best[chain]);
        }
    }

    public int size() {
        synchronized (lock) {
            int n = 0;
            for (PooledBribe b : best) {
                if (b != null) {
                    n++;
                }
            }
            return n;
        }
    }

    // ---- evaluation ----

    /** A refusal found while evaluating. */
    private static final class Refusal extends Exception {
        final Admission.Refused refused;

        Refusal(RefusalReason reason, String message) {
            this(refuse(reason, message));
        }

        Refusal(Admission.Refused refused) {
            super(refused.toString(), null, false, false);
            this.refused = refused;
        }
    }

    /** An evaluation that passed every check (the auction is checked again at commit). */
    private record Accepting(Coin amount, Coin fee, List<Payout> payouts) {
        PooledBribe bribe(Transaction tx, Sha256Hash txid, M8Tag tag, long sequence) {
            return new PooledBribe(tag, tx, txid, amount, fee, payouts, sequence);
        }
    }

    private static Optional<Admission.Refused> checkShape(Transaction tx) {
        List<TransactionInput> ins = tx.getInputs();
        if (ins.isEmpty()) {
            return Optional.of(refuse(RefusalReason.MALFORMED, "no inputs"));
        }
        if (tx.isCoinBase()) {
            return Optional.of(refuse(RefusalReason.MALFORMED, "a coinbase cannot be a bribe"));
        }
        Set<TransactionOutPoint> seen = new HashSet<>();
        for (int i = 0; i < ins.size(); i++) {
            if (!seen.add(ins.get(i).getOutpoint())) {
                return Optional.of(refuse(RefusalReason.MALFORMED, "input " + i + " spends "
                        + ins.get(i).getOutpoint() + " a second time"));
            }
        }
        // the rest of CheckTransaction (an output of -1 sat is bitcoinj's sentinel, and parses)
        return TransactionChecks.check(tx).map(f -> refuse(RefusalReason.MALFORMED,
                "bitcoind refuses the transaction (and a block holding it): " + f.reason()));
    }

    private Accepting evaluate(Transaction tx, Sha256Hash txid, M8Tag tag, Optional<Script> witnessScript, Tip at,
                               long received) throws Refusal {
        Optional<Admission.Refused> dup = auction(txid, tag.chain(), null, received);
        if (dup.isPresent()) {
            throw new Refusal(dup.get());
        }
        if (tag.mainAnchor() != at.nextAnchor()) {
            throw new Refusal(RefusalReason.WRONG_ANCHOR, "mainAnchor " + tag.mainAnchor() + ", but the next block (height "
                    + (at.height() + 1L) + ") needs " + at.nextAnchor());
        }
        List<TransactionInput> ins = tx.getInputs();
        List<Prevout> spent = new ArrayList<>(ins.size());
        long in = 0;
        for (int i = 0; i < ins.size(); i++) {
            TransactionOutPoint op = ins.get(i).getOutpoint();
            Optional<Prevout> p = prevouts.find(op);
            if (p.isEmpty()) {
                throw new Refusal(RefusalReason.INPUT_UNKNOWN_OR_SPENT, "input " + i + " spends " + op
                        + ", which is not an unspent output of the chain at " + at);
            }
            spent.add(p.get());
            in = Math.addExact(in, p.get().value().value);
        }
        long out = 0;
        for (TransactionOutput o : tx.getOutputs()) {
            out = Math.addExact(out, o.getValue().value);
        }
        if (out > in) {
            throw new Refusal(RefusalReason.MALFORMED, "outputs (" + out + " sat) exceed inputs (" + in + " sat)");
        }
        Optional<BlockReadiness.NotReady> notReady = BlockReadiness.at(tx, spent, at.height() + 1);
        if (notReady.isPresent()) {
            throw new Refusal(notReady.get().kind() == BlockReadiness.Kind.IMMATURE_COINBASE
                    ? RefusalReason.INPUT_IMMATURE : RefusalReason.NOT_FINAL, notReady.get().detail());
        }
        int weight = tx.getWeight();
        long sigOpCost = SigOps.cost(tx, spent);
        if (weight > MAX_WEIGHT || sigOpCost > SigOps.MAX_STANDARD_TX_COST) {
            throw new Refusal(RefusalReason.TOO_LARGE, "weight " + weight + " (at most " + MAX_WEIGHT + "), sigop cost "
                    + sigOpCost + " (at most " + SigOps.MAX_STANDARD_TX_COST + ")");
        }
        List<Payout> payouts = payouts(tx, txid, tag, witnessScript);
        long amount = 0;
        for (Payout p : payouts) {
            amount = Math.addExact(amount, p.value().value);
        }
        Coin bribe = Coin.valueOf(amount);
        // cheap before the signatures: a bribe that cannot win now is refused without verifying them
        Optional<Admission.Refused> lower = auction(txid, tag.chain(), bribe, received);
        if (lower.isPresent()) {
            throw new Refusal(lower.get());
        }
        for (int i = 0; i < ins.size(); i++) {
            Optional<Admission.Refused> bad = InputVerifier.verify(tx, i, spent.get(i));
            if (bad.isPresent()) {
                throw new Refusal(bad.get());
            }
        }
        return new Accepting(bribe, Coin.valueOf(in - out), payouts);
    }

    /** The outputs paying this miner, or a refusal. */
    private List<Payout> payouts(Transaction tx, Sha256Hash txid, M8Tag tag, Optional<Script> given) throws Refusal {
        CbvPayload payload = CbvPayload.v1(tag.miniHeader());
        Script standard = M9Scripts.standard(payload, minerKey);
        byte[] standardOut = M9Scripts.p2wsh(standard).program();
        byte[] givenOut = null;
        if (given.isPresent()) {
            Script ws = given.get();
            Optional<M9Script> parsed = M9Scripts.parse(ws);
            if (parsed.isEmpty()) {
                throw new Refusal(RefusalReason.NOT_PAYING_MINER, "the given witness script is not an M9 script");
            }
            if (!Arrays.equals(parsed.get().minerPubKey(), minerPubKey)) {
                throw new Refusal(RefusalReason.NOT_PAYING_MINER, "the given M9 script pays another miner's key");
            }
            if (!payload.equals(parsed.get().payload())) {
                throw new Refusal(RefusalReason.NOT_PAYING_MINER, "the given M9 script's payload is not version 1 for"
                        + " exactly this M8's mini-header (chain " + tag.chain() + ")");
            }
            if (parsed.get() instanceof M9Script.Refund r) {
                Optional<String> tooShort = refundTooShort(r.csvDelay());
                if (tooShort.isPresent()) {
                    throw new Refusal(RefusalReason.REFUND_DELAY_TOO_SHORT, tooShort.get());
                }
            }
            givenOut = M9Scripts.p2wsh(ws).program();
        }
        List<Payout> payouts = new ArrayList<>();
        List<TransactionOutput> outs = tx.getOutputs();
        for (int i = 1; i < outs.size(); i++) {
            byte[] spk = outs.get(i).getScriptBytes();
            Script ws = Arrays.equals(spk, standardOut) ? standard
                    : givenOut != null && Arrays.equals(spk, givenOut) ? given.get() : null;
            if (ws != null && outs.get(i).getValue().isPositive()) {
                payouts.add(new Payout(new TransactionOutPoint(i, txid), outs.get(i).getValue(), ws));
            }
        }
        if (payouts.isEmpty()) {
            throw new Refusal(RefusalReason.NOT_PAYING_MINER, "no output pays this miner's M9 script for chain "
                    + tag.chain() + (given.isPresent() ? " (the standard one or the given one)"
                    : " (standard script with a version-1 payload of the M8's mini-header; for the refund"
                    + " variant, submit its witness script)"));
        }
        return payouts;
    }

    private Optional<String> refundTooShort(long csvDelay) {
        long value = csvDelay & TransactionInput.SEQUENCE_LOCKTIME_MASK;
        boolean timeBased = (csvDelay & TransactionInput.SEQUENCE_LOCKTIME_TYPE_FLAG) != 0;
        long blocks = timeBased ? value * SEQUENCE_GRANULARITY_SECONDS / TARGET_SPACING_SECONDS : value;
        if (blocks < policy.minRefundDelay()) {
            return Optional.of("the refund branch unlocks after " + (timeBased
                    ? value * SEQUENCE_GRANULARITY_SECONDS + " seconds (about " + blocks + " blocks)"
                    : blocks + " blocks") + ", the pool needs at least " + policy.minRefundDelay()
                    + " so that the miner can claim first");
        }
        return Optional.empty();
    }

    /**
     * The auction rule against the current best of {@code chain}: DUPLICATE for the same txid,
     * LOWER_THAN_BEST for an amount not above it, unless equal and {@code received} (the bribe's
     * arrival number) is earlier ({@code amount} null: only the duplicate check). A duplicate that
     * arrived earlier than the pooled copy gives it its arrival number.
     */
    private Optional<Admission.Refused> auction(Sha256Hash txid, int chain, Coin amount, long received) {
        synchronized (lock) {
            PooledBribe current = best[chain];
            if (current == null) {
                return Optional.empty();
            }
            if (current.txid().equals(txid)) {
                if (received < current.sequence()) {
                    // a copy submitted again got in first: the bribe keeps the earlier arrival for ties
                    best[chain] = current.receivedAs(received);
                }
                return Optional.of(refuse(RefusalReason.DUPLICATE, "tx " + txid + " is already the bribe for chain "
                        + chain));
            }
            boolean tieReceivedFirst = amount != null && amount.equals(current.amount()) && received < current.sequence();
            if (amount != null && !amount.isGreaterThan(current.amount()) && !tieReceivedFirst) {
                return Optional.of(refuse(RefusalReason.LOWER_THAN_BEST, "bribe " + amount.value + " sat"
                        + (amount.equals(current.amount()) ? " equals" : " is below") + " the current best for chain "
                        + chain + ", " + current.amount().value + " sat (tx " + current.txid()
                        + "); ties keep the first received"));
            }
            return Optional.empty();
        }
    }

    private Admission commit(Accepting result, Transaction tx, Sha256Hash txid, M8Tag tag, long received) {
        // under the lock, against the same tip the evaluation used
        Optional<Admission.Refused> lost = auction(txid, tag.chain(), result.amount(), received);
        if (lost.isPresent()) {
            return lost.get();
        }
        PooledBribe bribe = result.bribe(tx, txid, tag, received);
        PooledBribe old = best[tag.chain()];
        best[tag.chain()] = bribe;
        return new Admission.Accepted(bribe.chain(), txid, bribe.amount(),
                Optional.ofNullable(old).map(PooledBribe::txid));
    }

    static Admission.Refused refuse(RefusalReason reason, String message) {
        return new Admission.Refused(reason, message);
    }
}
