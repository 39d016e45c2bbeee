package org.sidechains.bmm.bitcoinj.assemble;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.NetworkParameters;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.base.VarInt;
import org.bitcoinj.script.Script;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.assemble.AssembledBlock.Reason;
import org.sidechains.bmm.bitcoinj.assemble.AssembledBlock.Stripped;
import org.sidechains.bmm.bitcoinj.assemble.BlockTemplate.TemplateTx;
import org.sidechains.bmm.bitcoinj.m8.M8View;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.prevout.PrevoutSource;
import org.sidechains.bmm.bitcoinj.tx.BlockReadiness;
import org.sidechains.bmm.bitcoinj.tx.SigOps;
import org.sidechains.bmm.bitcoinj.tx.TransactionChecks;
import org.sidechains.bmm.m7.M7Codec;
import org.sidechains.bmm.m8.M8Tag;

/**
 * Builds the BMM miner's block from a block template and the bribe pool's winners
 * (protocol.md, "Second mempool"; architecture.md, "The BMM miner").
 *
 * <p>What it does, in order:
 * <ol>
 *   <li>Winners whose mainAnchor is not this block's height mod 65536 are dropped (a pool left
 *       on an old tip). The others are "the winners" below.</li>
 *   <li>Template transactions are taken in template order. Every template M8 that is not one of
 *       the winners (same txid) is stripped: its mini-header is none of the winners'
 *       ({@link Reason#M8_NOT_IN_M7}), or another M8 has won its chain
 *       ({@link Reason#M8_NOT_THE_WINNER}, it would be a second M8 for the ChainIndex). Every
 *       template transaction spending from a stripped one is stripped too, transitively
 *       ({@link Reason#DESCENDANT_OF_STRIPPED}); parents are the template's {@code depends} and,
 *       in any case, the template transactions whose outputs its inputs spend. A winner that
 *       bitcoind also put in the template stays where the template has it.</li>
 *   <li>The other winners follow the kept template transactions, in the order given, so where two
 *       spend the same output the one given first stays: give the best bribes first. A winner is
 *       dropped when bitcoind's CheckTransaction refuses it (e.g. a negative output: {@code
 *       TransactionChecks}), spends from a stripped transaction, spends an output the block already
 *       spends (a conflict with the template or an earlier winner), spends an output neither the
 *       block nor {@code prevouts} holds, pays out more than it spends, or cannot go into a block
 *       at this height (lock-time, BIP 68 relative lock-time, coinbase maturity: {@code
 *       BlockReadiness}). Its fee is its inputs (from the block's earlier outputs, else
 *       {@code prevouts}) minus its outputs.</li>
 *   <li>The extra transactions (e.g. the miner's M9 sweeps) come last, in the given order; they
 *       must not be M8s and their inputs must be known and not spent by the block.</li>
 *   <li>The coinbase pays {@link Subsidy} + the fees of every transaction in the block: output 0
 *       to the payout script (less the extra coinbase outputs' values), output 1 the M7 with the
 *       included winners' mini-headers by ChainIndex (value 0; no M7 output when no winner is
 *       included), then the extra coinbase outputs, then the witness commitment when any
 *       transaction has a witness ({@link BlockBuilder}).</li>
 * </ol>
 * The M7 lists exactly the included M8s, so a dropped winner leaves no free entry behind, and the
 * block passes the BMM block rules: one M8 per ChainIndex, each matching its M7 entry and anchored
 * at this height. Template fees are taken from the template, as bitcoind computed them.
 *
 * <p>The whole block (coinbase with its M7 included) is kept within bitcoind's weight
 * (4,000,000) and sigop cost (80,000) limits: if it is over, the appended winners are left out
 * one at a time, the one given last first ({@link Reason#WINNER_OVER_BLOCK_LIMITS}), so give the
 * winners in the order you would keep them (e.g. highest bribe first). If it is still over with
 * none of them, the extras are too large: {@code IllegalArgumentException}.
 */
public final class BlockAssembler {
    /** bitcoind's MAX_BLOCK_WEIGHT. */
    public static final long MAX_BLOCK_WEIGHT = 4_000_000;
    /**
     * Additions to the block.
     *
     * @param extraTransactions    appended after everything else, in order (e.g. M9 sweeps, which
     *                             bitcoind's mempool refuses); their fees go to the coinbase
     * @param extraCoinbaseOutputs coinbase outputs after the payout and the M7; their values are
     *                             taken out of the payout
     * @param extraNonce           pushed after the BIP34 height in the coinbase (empty: "OP_0")
     */
    public record Options(List<Transaction> extraTransactions, List<BlockBuilder.Output> extraCoinbaseOutputs,
                          byte[] extraNonce) {
        public static final Options NONE = new Options(List.of(), List.of(), new byte[0]);

        public Options {
            extraTransactions = List.copyOf(extraTransactions);
            extraCoinbaseOutputs = List.copyOf(extraCoinbaseOutputs);
            extraNonce = extraNonce.clone();
        }

        @Override
        public byte[] extraNonce() {
            return extraNonce.clone();
        }

        public Options withExtraTransactions(List<Transaction> txs) {
            return new Options(txs, extraCoinbaseOutputs, extraNonce);
        }

        public Options withExtraCoinbaseOutputs(List<BlockBuilder.Output> outs) {
            return new Options(extraTransactions, outs, extraNonce);
        }

        public Options withExtraNonce(byte[] nonce) {
            return new Options(extraTransactions, extraCoinbaseOutputs, nonce);
        }
    }

    private record Winner(M8Tag tag, Transaction tx, Sha256Hash txid) {
    }

    /** Where a transaction appended to the block stands: its fee, or why it cannot go in. */
    private record Placement(Coin fee, Stripped problem) {
        static Placement ok(Coin fee) {
            return new Placement(fee, null);
        }

        static Placement refused(Sha256Hash txid, Reason reason, String detail) {
            return new Placement(null, new Stripped(txid, reason, detail));
        }
    }

    private final NetworkParameters params;
    private final byte[] payoutScript;

    /**
     * @param params       the network (its halving interval sets the subsidy)
     * @param payoutScript where the coinbase pays subsidy and fees
     */
    public BlockAssembler(NetworkParameters params, Script payoutScript) {
        this(params, payoutScript.program());
    }

    public BlockAssembler(NetworkParameters params, byte[] payoutScript) {
        this.params = Objects.requireNonNull(params, "params");
        this.payoutScript = payoutScript.clone();
    }

    /** {@link #assemble(BlockTemplate, List, PrevoutSource, Options)} without additions. */
    public AssembledBlock assemble(BlockTemplate template, List<Transaction> winners, PrevoutSource prevouts) {
        return assemble(template, winners, prevouts, Options.NONE);
    }

    /**
     * @param template the block template
     * @param winners  the bribe pool's winners (M8s, at most one per ChainIndex), best first: the order
     *                 in which they are placed and, over the block's limits, kept
     * @param prevouts the chain's unspent outputs as of the template's parent, for the winners' and
     *                 the extras' input values
     * @throws IllegalArgumentException when a winner is not an M8, two winners share a ChainIndex,
     *                                  an extra transaction cannot be placed, the extra coinbase
     *                                  outputs exceed the coinbase value, or the block is over
     *                                  bitcoind's limits even without the appended winners
     */
    public AssembledBlock assemble(BlockTemplate template, List<Transaction> winners, PrevoutSource prevouts,
                                   Options options) {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(prevouts, "prevouts");
        Objects.requireNonNull(options, "options");
        List<Winner> parsed = parseWinners(winners);
        Map<Integer, Stripped> overLimits = new LinkedHashMap<>();
        while (true) {
            Built b = build(template, parsed, prevouts, options, overLimits);
            Block block = b.result().block();
            long weight = weight(block);
            if (weight <= MAX_BLOCK_WEIGHT && b.sigOpCost() <= SigOps.MAX_BLOCK_COST) {
                return b.result();
            }
            String over = "the block would weigh " + weight + " (at most " + MAX_BLOCK_WEIGHT + ") with a sigop cost of "
                    + b.sigOpCost() + " (at most " + SigOps.MAX_BLOCK_COST + ")";
            // the appended winner given last goes first
            Winner drop = null;
            for (int i = parsed.size() - 1; i >= 0 && drop == null; i--) {
                if (b.appended().contains(parsed.get(i).tag().chain())) {
                    drop = parsed.get(i);
                }
            }
            if (drop == null) {
                // what is left: the template, the M7 entries of M8s bitcoind put in it, the extras
                throw new IllegalArgumentException(over + " without any winner bitcoind did not put in the template:"
                        + " the extra transactions or coinbase outputs are too large (or the M7 entries of the"
                        + " template's own M8s do not fit in the room bitcoind left for the coinbase)");
            }
            overLimits.put(drop.tag().chain(), new Stripped(drop.txid(), Reason.WINNER_OVER_BLOCK_LIMITS, over));
        }
    }

    /** An assembly, with the chains of the winners appended after the template and the block's sigop cost. */
    private record Built(AssembledBlock result, Set<Integer> appended, long sigOpCost) {
    }

    private Built build(BlockTemplate template, List<Winner> parsed, PrevoutSource prevouts, Options options,
                        Map<Integer, Stripped> overLimits) {
        int height = template.height();
        List<Stripped> stripped = new ArrayList<>();
        long sigOps = 0;

        // 1. the winners, by ChainIndex, with the right anchor
        Map<Integer, Winner> byChain = new HashMap<>();
        int anchor = M8Tag.anchorFor(height);
        for (Winner w : parsed) {
            if (w.tag().mainAnchor() != anchor) {
                stripped.add(new Stripped(w.txid(), Reason.WINNER_WRONG_ANCHOR, "mainAnchor " + w.tag().mainAnchor()
                        + ", the block at height " + height + " needs " + anchor));
            } else {
                byChain.put(w.tag().chain(), w);
            }
        }
        Map<Sha256Hash, Winner> byTxid = new HashMap<>();
        byChain.values().forEach(w -> byTxid.put(w.txid(), w));

        // 2. the template, stripping M8s that are not winners and their descendants
        Set<Sha256Hash> strippedTxids = new HashSet<>();
        Map<Sha256Hash, Integer> templateIndex = new HashMap<>();
        List<Transaction> blockTxs = new ArrayList<>();
        List<Sha256Hash> includedM8s = new ArrayList<>();
        Set<Integer> includedChains = new HashSet<>();
        BlockOutputs outputs = new BlockOutputs(prevouts, height);
        long fees = 0;
        List<TemplateTx> ttxs = template.transactions();
        for (int i = 0; i < ttxs.size(); i++) {
            TemplateTx t = ttxs.get(i);
            Transaction tx = t.tx();
            Sha256Hash txid = tx.getTxId();
            templateIndex.put(txid, i);
            Optional<Sha256Hash> strippedParent = strippedParent(t, ttxs, templateIndex, strippedTxids);
            Optional<M8Tag> tag = M8View.of(tx);
            Winner winner = byTxid.get(txid);
            Stripped s = null;
            if (tag.isPresent() && winner == null) {
                Winner rival = byChain.get(tag.get().chain());
                s = rival != null && rival.tag().miniHeader().equals(tag.get().miniHeader())
                        ? new Stripped(txid, Reason.M8_NOT_THE_WINNER, "another M8 (" + rival.txid()
                                + ") won chain " + tag.get().chain())
                        : new Stripped(txid, Reason.M8_NOT_IN_M7, "the M7 has no entry with its mini-header (chain "
                                + tag.get().chain() + ")");
            } else if (strippedParent.isPresent()) {
                s = new Stripped(txid, winner != null ? Reason.WINNER_DEPENDS_ON_STRIPPED : Reason.DESCENDANT_OF_STRIPPED,
                        "spends from stripped tx " + strippedParent.get());
            }
            if (s != null) {
                stripped.add(s);
                strippedTxids.add(txid);
                if (winner != null) {
                    byChain.remove(winner.tag().chain());
                }
                continue;
            }
            blockTxs.add(tx);
            sigOps += SigOps.cost(tx, outputs.spentBy(tx));
            outputs.add(tx);
            fees = Math.addExact(fees, t.fee().value);
            if (winner != null) {
                includedM8s.add(txid);
                includedChains.add(winner.tag().chain());
            }
        }

        // 3. the winners that were not in the template, in the caller's order: where two conflict, the
        // first placed stays (a miner passes its best bribes first)
        List<Winner> rest = parsed.stream()
                .filter(w -> byChain.get(w.tag().chain()) == w && !includedChains.contains(w.tag().chain()))
                .toList();
        Set<Integer> appended = new HashSet<>();
        for (Winner w : rest) {
            Stripped over = overLimits.get(w.tag().chain());
            if (over != null) {
                stripped.add(over);
                continue;
            }
            Placement placed = place(w.tx(), height, outputs, strippedTxids);
            if (placed.problem() != null) {
                stripped.add(placed.problem());
                continue;
            }
            blockTxs.add(w.tx());
            sigOps += SigOps.cost(w.tx(), outputs.spentBy(w.tx()));
            appended.add(w.tag().chain());
            outputs.add(w.tx());
            fees = Math.addExact(fees, placed.fee().value);
            includedM8s.add(w.txid());
            includedChains.add(w.tag().chain());
        }

        // 4. the extras
        Set<Sha256Hash> inBlock = new HashSet<>();
        blockTxs.forEach(tx -> inBlock.add(tx.getTxId()));
        for (Transaction tx : options.extraTransactions()) {
            if (M8View.isM8(tx)) {
                throw new IllegalArgumentException("extra tx " + tx.getTxId() + " is an M8; pass M8s as winners");
            }
            if (!inBlock.add(tx.getTxId())) {
                throw new IllegalArgumentException("extra tx " + tx.getTxId() + " is already in the block");
            }
            Placement placed = place(tx, height, outputs, strippedTxids);
            if (placed.problem() != null) {
                throw new IllegalArgumentException("extra tx " + tx.getTxId() + " cannot go into the block: "
                        + placed.problem().detail());
            }
            blockTxs.add(tx);
            sigOps += SigOps.cost(tx, outputs.spentBy(tx));
            outputs.add(tx);
            fees = Math.addExact(fees, placed.fee().value);
        }

        // 5. the coinbase
        List<MiniHeader> m7 = includedChains.stream().sorted()
                .map(c -> byChain.get(c).tag().miniHeader()).toList();
        Coin subsidy = Subsidy.at(params, height);
        Coin feeSum = Coin.valueOf(fees);
        Coin coinbaseValue = subsidy.add(feeSum);
        long extraValue = 0;
        for (BlockBuilder.Output o : options.extraCoinbaseOutputs()) {
            extraValue = Math.addExact(extraValue, o.value().value);
        }
        Coin payout = coinbaseValue.subtract(Coin.valueOf(extraValue));
        if (payout.isNegative()) {
            throw new IllegalArgumentException("the extra coinbase outputs (" + Coin.valueOf(extraValue).toFriendlyString()
                    + ") exceed the coinbase value (" + coinbaseValue.toFriendlyString() + ")");
        }
        List<BlockBuilder.Output> coinbaseOuts = new ArrayList<>();
        coinbaseOuts.add(new BlockBuilder.Output(payout, payoutScript));
        if (!m7.isEmpty()) {
            coinbaseOuts.add(new BlockBuilder.Output(Coin.ZERO, M7Codec.write(m7)));
        }
        coinbaseOuts.addAll(options.extraCoinbaseOutputs());
        Block block = BlockBuilder.build(template.prevBlockHash(), height, template.time(), template.bits(),
                options.extraNonce(), coinbaseOuts, blockTxs);
        sigOps += SigOps.cost(block.getTransactions().get(0), List.of());
        return new Built(new AssembledBlock(block, height, m7, includedM8s, stripped, subsidy, feeSum, coinbaseValue),
                appended, sigOps);
    }

    /** A block's weight: its header and transaction count stripped (times 4), its transactions' weights. */
    static long weight(Block block) {
        long w = (80L + VarInt.sizeOf(block.getTransactions().size())) * 4;
        for (Transaction tx : block.getTransactions()) {
            w += tx.getWeight();
        }
        return w;
    }

    private static List<Winner> parseWinners(List<Transaction> winners) {
        List<Winner> out = new ArrayList<>(winners.size());
        Set<Integer> chains = new HashSet<>();
        for (Transaction tx : winners) {
            M8Tag tag = M8View.of(tx).orElseThrow(() -> new IllegalArgumentException(
                    "winner " + tx.getTxId() + " is not an M8"));
            if (!chains.add(tag.chain())) {
                throw new IllegalArgumentException("two winners for chain " + tag.chain());
            }
            out.add(new Winner(tag, tx, tx.getTxId()));
        }
        return out;
    }

    /** The first stripped parent of a template transaction, by its depends and by its inputs. */
    private static Optional<Sha256Hash> strippedParent(TemplateTx t, List<TemplateTx> all,
                                                       Map<Sha256Hash, Integer> templateIndex,
                                                       Set<Sha256Hash> strippedTxids) {
        Set<Sha256Hash> parents = new LinkedHashSet<>();
        for (int d : t.depends()) {
            parents.add(all.get(d).tx().getTxId());
        }
        for (TransactionInput in : t.tx().getInputs()) {
            Sha256Hash from = in.getOutpoint().hash();
            if (templateIndex.containsKey(from)) {
                parents.add(from);
            }
        }
        return parents.stream().filter(strippedTxids::contains).findFirst();
    }

    /** The fee of a transaction placed after everything in {@code outputs}, or why it cannot be placed. */
    private static Placement place(Transaction tx, int height, BlockOutputs outputs, Set<Sha256Hash> strippedTxids) {
        Sha256Hash txid = tx.getTxId();
        Optional<TransactionChecks.Failure> invalid = TransactionChecks.check(tx);
        if (invalid.isPresent()) {
            return Placement.refused(txid, Reason.WINNER_INVALID, "bitcoind's CheckTransaction refuses it: "
                    + invalid.get().reason());
        }
        long in = 0;
        List<Prevout> spent = new ArrayList<>();
        Set<TransactionOutPoint> own = new HashSet<>();
        List<TransactionInput> ins = tx.getInputs();
        for (int i = 0; i < ins.size(); i++) {
            TransactionOutPoint op = ins.get(i).getOutpoint();
            if (strippedTxids.contains(op.hash())) {
                return Placement.refused(txid, Reason.WINNER_DEPENDS_ON_STRIPPED, "input " + i + " spends from stripped tx "
                        + op.hash());
            }
            if (outputs.spent(op) || !own.add(op)) {
                return Placement.refused(txid, Reason.WINNER_CONFLICT, "input " + i + " spends " + op
                        + ", which the block already spends");
            }
            Optional<Prevout> p = outputs.find(op);
            if (p.isEmpty()) {
                return Placement.refused(txid, Reason.WINNER_INPUT_UNKNOWN, "input " + i + " spends " + op
                        + ", which neither the chain nor the block holds");
            }
            in = Math.addExact(in, p.get().value().value);
            spent.add(p.get());
        }
        Optional<BlockReadiness.NotReady> notReady = BlockReadiness.at(tx, spent, height);
        if (notReady.isPresent()) {
            return Placement.refused(txid, notReady.get().kind() == BlockReadiness.Kind.IMMATURE_COINBASE
                    ? Reason.WINNER_IMMATURE_INPUT : Reason.WINNER_NOT_FINAL, notReady.get().detail());
        }
        long out = 0;
        for (TransactionOutput o : tx.getOutputs()) {
            out = Math.addExact(out, o.getValue().value);
        }
        if (out > in) {
            return Placement.refused(txid, Reason.WINNER_NEGATIVE_FEE, "outputs " + Coin.valueOf(out).toFriendlyString()
                    + " exceed inputs " + Coin.valueOf(in).toFriendlyString());
        }
        return Placement.ok(Coin.valueOf(in - out));
    }

    /** The chain's outputs plus those the block creates so far, minus those it spends so far. */
    private static final class BlockOutputs {
        private final PrevoutSource chain;
        private final Map<TransactionOutPoint, Prevout> created = new HashMap<>();
        private final Set<TransactionOutPoint> spent = new HashSet<>();

        private final int height;

        BlockOutputs(PrevoutSource chain, int height) {
            this.chain = chain;
            this.height = height;
        }

        void add(Transaction tx) {
            for (TransactionInput in : tx.getInputs()) {
                spent.add(in.getOutpoint());
            }
            List<TransactionOutput> outs = tx.getOutputs();
            for (int i = 0; i < outs.size(); i++) {
                created.put(new TransactionOutPoint(i, tx.getTxId()),
                        Prevout.madeAt(outs.get(i).getValue(), outs.get(i).getScriptBytes(), height, false));
            }
        }

        boolean spent(TransactionOutPoint op) {
            return spent.contains(op);
        }

        /** What each input of {@code tx} spends, before it is added (null where nobody knows). */
        List<Prevout> spentBy(Transaction tx) {
            List<Prevout> out = new ArrayList<>(tx.getInputs().size());
            for (TransactionInput in : tx.getInputs()) {
                out.add(find(in.getOutpoint()).orElse(null));
            }
            return out;
        }

        Optional<Prevout> find(TransactionOutPoint op) {
            Prevout p = created.get(op);
            return p != null ? Optional.of(p) : chain.find(op);
        }
    }
}
