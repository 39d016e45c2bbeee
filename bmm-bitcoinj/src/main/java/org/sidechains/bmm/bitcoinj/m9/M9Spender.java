package org.sidechains.bmm.bitcoinj.m9;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bitcoinj.base.Coin;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.crypto.TransactionSignature;
import org.bitcoinj.script.Script;
import org.sidechains.bmm.bitcoinj.m9.M9Scripts.M9Script;
import org.sidechains.bmm.bitcoinj.tx.Dust;
import org.sidechains.bmm.bitcoinj.tx.Fee;
import org.sidechains.bmm.bitcoinj.tx.Fees;
import org.sidechains.bmm.bitcoinj.tx.TransactionChecks;

/**
 * Builds the sweep of M9 outputs: a version-2 transaction spending one or more P2WSH outputs
 * locked by M9 scripts to one destination. Witnesses:
 * <ul>
 *   <li>standard script, miner: {@code [sig, witnessScript]}</li>
 *   <li>refund variant, miner (OP_IF branch): {@code [sig, 0x01, witnessScript]}</li>
 *   <li>refund variant, sidechain node (OP_ELSE branch): {@code [sig, <empty>, witnessScript]},
 *       with nSequence = the script's CSV delay (hence version 2, BIP68)</li>
 * </ul>
 * bitcoind's mempool refuses scripts that run OP_NOP6 (policy), so a miner puts its sweep
 * straight into a block it mines, after the bribe's OP_CBV is satisfied (100 blocksAtop).
 */
public final class M9Spender {
    /** BIP68 needs version 2; the refund branch's OP_CHECKSEQUENCEVERIFY fails below it. */
    public static final int TX_VERSION = 2;

    private M9Spender() {
    }

    /** Which branch of the M9 script an input takes. */
    public enum Branch {
        /** The miner: the standard script, or the OP_IF branch of the refund variant (runs OP_CBV). */
        MINER,
        /** The sidechain node: the OP_ELSE branch of the refund variant (no OP_CBV, waits the CSV delay). */
        SIDECHAIN_REFUND
    }

    /** One M9 output to spend, with the key for its branch. */
    public record Claim(TransactionOutPoint outpoint, Coin value, Script witnessScript, ECKey key, Branch branch) {
        public Claim {
            Objects.requireNonNull(outpoint, "outpoint");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(witnessScript, "witnessScript");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(branch, "branch");
            M9Script parsed = parseM9(witnessScript);
            if (branch == Branch.SIDECHAIN_REFUND && !(parsed instanceof M9Script.Refund)) {
                throw new IllegalArgumentException("only the refund variant of the M9 script has a refund branch");
            }
            if (!value.isPositive() || value.value > TransactionChecks.MAX_MONEY) {
                throw new IllegalArgumentException(outpoint + ": an M9 output to sweep is worth 1 sat to 21 million BTC, got "
                        + value.value + " sat");
            }
            if (!key.hasPrivKey()) {
                throw new IllegalArgumentException(outpoint + ": the key has no private part, cannot sign");
            }
            byte[] expected = branch == Branch.MINER ? parsed.minerPubKey()
                    : ((M9Script.Refund) parsed).sidechainNodePubKey();
            if (!Arrays.equals(expected, key.getPubKey())) {
                throw new IllegalArgumentException(outpoint + ": the key does not match the "
                        + (branch == Branch.MINER ? "miner" : "sidechain node") + " key of the M9 script");
            }
        }

        /** The miner's claim of a standard or refund-variant M9 output (its OP_CBV must be satisfied). */
        public static Claim miner(TransactionOutPoint outpoint, Coin value, Script witnessScript, ECKey minerKey) {
            return new Claim(outpoint, value, witnessScript, minerKey, Branch.MINER);
        }

        /** The sidechain node taking a refund-variant output back after its CSV delay. */
        public static Claim refund(TransactionOutPoint outpoint, Coin value, Script witnessScript,
                                   ECKey sidechainNodeKey) {
            return new Claim(outpoint, value, witnessScript, sidechainNodeKey, Branch.SIDECHAIN_REFUND);
        }

        /** The witness script, recognised (the constructor checked that it is an M9 script). */
        public M9Script parsed() {
            return parseM9(witnessScript);
        }

        /** The input's nSequence: the CSV delay on the refund branch, final otherwise. */
        public long sequence() {
            return branch == Branch.SIDECHAIN_REFUND ? ((M9Script.Refund) parsed()).csvDelay()
                    : TransactionInput.NO_SEQUENCE;
        }

        private static M9Script parseM9(Script witnessScript) {
            return M9Scripts.parse(witnessScript).orElseThrow(() -> new IllegalArgumentException(
                    "not an M9 witness script: " + witnessScript));
        }
    }

    /**
     * The signed sweep of {@code claims} (in order) to {@code destination}.
     *
     * @throws IllegalArgumentException if the fee takes everything, or a claim appears twice
     */
    public static Transaction sweep(List<Claim> claims, Script destination, Fee fee) {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(fee, "fee");
        byte[] to = destination.program();
        if (to.length == 0 || Dust.unspendable(to)) {
            throw new IllegalArgumentException("the sweep's destination " + (to.length == 0
                    ? "is empty: anyone could take the coins" : "cannot be spent: the coins would be burned"));
        }
        List<Claim> inputs = List.copyOf(claims);
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("nothing to sweep");
        }
        Set<TransactionOutPoint> seen = new HashSet<>();
        long total = 0;
        for (Claim c : inputs) {
            if (!seen.add(c.outpoint())) {
                throw new IllegalArgumentException("M9 output " + c.outpoint() + " is claimed twice");
            }
            total = Math.addExact(total, c.value().value);
        }
        if (total > TransactionChecks.MAX_MONEY) {
            throw new IllegalArgumentException("the claims add up to " + total + " sat, more than 21 million BTC");
        }
        Coin available = Coin.valueOf(total);
        return Fees.fit(fee, f -> assemble(inputs, available, destination, f), Transaction::getVsize);
    }

    private static Transaction assemble(List<Claim> claims, Coin available, Script destination, Coin fee) {
        Coin out = available.subtract(fee);
        if (!out.isPositive()) {
            throw new IllegalArgumentException("the fee " + fee.toFriendlyString() + " takes all of the "
                    + available.toFriendlyString() + " being swept");
        }
        Transaction tx = new Transaction();
        tx.setVersion(TX_VERSION);
        for (Claim c : claims) {
            tx.addInput(new TransactionInput(tx, new byte[0], c.outpoint(), c.sequence(), c.value(), null));
        }
        tx.addOutput(out, destination);
        List<TransactionWitness> witnesses = new ArrayList<>(claims.size());
        for (int i = 0; i < claims.size(); i++) {
            Claim c = claims.get(i);
            // BIP143: for P2WSH the scriptCode is the witness script itself
            TransactionSignature sig = tx.calculateWitnessSignature(i, c.key(), c.witnessScript(), c.value(),
                    Transaction.SigHash.ALL, false);
            witnesses.add(witness(c, sig.encodeToBitcoin()));
        }
        for (int i = 0; i < claims.size(); i++) {
            tx.replaceInput(i, tx.getInput(i).withWitness(witnesses.get(i)));
        }
        return tx;
    }

    private static TransactionWitness witness(Claim c, byte[] sig) {
        byte[] script = c.witnessScript().program();
        if (c.parsed() instanceof M9Script.Standard) {
            return TransactionWitness.of(sig, script);
        }
        // refund variant: the OP_IF argument picks the branch (0x01 / empty: the minimal forms)
        byte[] selector = c.branch() == Branch.MINER ? new byte[] {1} : new byte[0];
        return TransactionWitness.of(sig, selector, script);
    }
}
