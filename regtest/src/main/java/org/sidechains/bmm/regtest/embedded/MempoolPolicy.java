package org.sidechains.bmm.regtest.embedded;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.sidechains.bmm.bitcoinj.cbv.CbvCheck;
import org.sidechains.bmm.bitcoinj.cbv.CbvChecker;
import org.sidechains.bmm.bitcoinj.tx.BlockReadiness;
import org.sidechains.bmm.bitcoinj.tx.SigOps;
import org.sidechains.bmm.d3.D3View;
import org.sidechains.bmm.rules.BmmParams;

/**
 * What bitcoind v25's AcceptToMemoryPool checks, of what this chain models, in its order and with
 * its messages: CheckTransaction, no coinbase, version 1 or 2 (bitcoind &lt; 28 refuses version 3,
 * so an M8 gets -26 "version"), size at least 65 bytes, final at the next block, no conflict with
 * the mempool (no replacement), inputs exist and are unspent (chain or mempool), coinbase
 * maturity, inputs cover outputs, the minimum relay fee (1 sat/vB), no spend of an unspendable
 * output of a mempool transaction (which bitcoind's mempool view offers, and its interpreter then
 * refuses), signatures of P2PKH/P2WPKH/P2PK spends, and the policy that refuses scripts executing OP_NOP6 (OP_CBV). Not checked: the other
 * standardness rules (output script types, dust, scriptSig size and push-only, OP_RETURN count),
 * ancestor/descendant limits, package and RBF rules, sigop limits.
 */
final class MempoolPolicy {
    /** bitcoind's -minrelaytxfee default, in sat per 1000 vbytes. */
    static final long MIN_RELAY_FEE_PER_KVB = 1_000;
    private static final int MIN_STANDARD_TX_NONWITNESS_SIZE = 65;
    private static final int TX_MAX_STANDARD_VERSION = 2;

    /** The outcome: the entry to add, or why not. */
    sealed interface Verdict {
        record Accepted(MempoolEntry entry) implements Verdict {
        }

        record Refused(TxRefusal refusal) implements Verdict {
        }
    }

    private MempoolPolicy() {
    }

    /**
     * @param chain      the UTXO set of the tip
     * @param nextHeight the tip's height + 1
     * @param tipMtp     the tip's median time past (lock-time cut-off)
     * @param d3         D3 after the tip, for OP_CBV detection
     */
    static Verdict check(Transaction tx, Function<TransactionOutPoint, Optional<UnspentOutput>> chain, Mempool mempool,
                         int nextHeight, long tipMtp, D3View d3, BmmParams bmm) {
        Optional<Refusal> basic = BlockChecks.checkTransaction(tx);
        if (basic.isPresent()) {
            return refused(basic.get().text());
        }
        if (tx.isCoinBase()) {
            return refused("coinbase");
        }
        if (tx.getVersion() < 1 || tx.getVersion() > TX_MAX_STANDARD_VERSION) {
            return refused("version");
        }
        if (BlockChecks.strippedSize(tx) < MIN_STANDARD_TX_NONWITNESS_SIZE) {
            return refused("tx-size-small");
        }
        if (!BlockChecks.isFinal(tx, nextHeight, tipMtp)) {
            return refused("non-final");
        }
        Sha256Hash txid = tx.getTxId();
        if (mempool.contains(txid)) {
            return refused("txn-already-in-mempool");
        }
        for (TransactionInput in : tx.getInputs()) {
            if (mempool.spender(in.getOutpoint()).isPresent()) {
                return refused("txn-mempool-conflict");
            }
        }
        List<TransactionInput> ins = tx.getInputs();
        UnspentOutput[] coins = new UnspentOutput[ins.size()];
        for (int i = 0; i < ins.size(); i++) {
            TransactionOutPoint op = ins.get(i).getOutpoint();
            Optional<UnspentOutput> coin = chain.apply(op).or(() -> mempool.output(op));
            if (coin.isEmpty()) {
                for (int o = 0; o < tx.getOutputs().size(); o++) {
                    if (chain.apply(new TransactionOutPoint(o, txid)).isPresent()) {
                        return refused("txn-already-known");
                    }
                }
                return new Verdict.Refused(new TxRefusal(TxRefusal.VERIFY_ERROR, "bad-txns-inputs-missingorspent"));
            }
            coins[i] = coin.get();
        }
        long valueIn = 0;
        for (UnspentOutput c : coins) {
            if (c.coinbase() && nextHeight - c.height() < BlockReadiness.COINBASE_MATURITY) {
                return refused("bad-txns-premature-spend-of-coinbase, tried to spend coinbase at depth "
                        + (nextHeight - c.height()));
            }
            valueIn += c.value().value;
        }
        long valueOut = tx.getOutputSum().value;
        if (valueIn < valueOut) {
            return refused("bad-txns-in-belowout, value in (" + Money.format(valueIn) + ") < value out ("
                    + Money.format(valueOut) + ")");
        }
        long fee = valueIn - valueOut;
        int weight = tx.getWeight();
        int vsize = (weight + 3) / 4;
        long minFee = feeFor(MIN_RELAY_FEE_PER_KVB, vsize);
        if (fee < minFee) {
            return refused("min relay fee not met, " + fee + " < " + minFee);
        }
        for (int i = 0; i < ins.size(); i++) {
            Optional<String> bad = SpendVerifier.verify(tx, i, coins[i], SpendVerifier.Mode.MEMPOOL);
            if (bad.isPresent()) {
                return refused(bad.get());
            }
        }
        for (int i = 0; i < ins.size(); i++) {
            // bitcoind's DISCOURAGE_UPGRADABLE_NOPS policy: a script that executes OP_NOP6 is not relayed
            CbvCheck c = CbvChecker.checkInput(ins.get(i), coins[i].scriptPubKey(), d3, bmm.minBlocksAtop());
            if (!(c instanceof CbvCheck.NoCbv)) {
                return refused("non-mandatory-script-verify-flag (NOPx reserved for soft-fork upgrades)");
            }
        }
        int sigOps = (int) SigOps.cost(tx, java.util.Arrays.stream(coins).map(UnspentOutput::prevout).toList());
        return new Verdict.Accepted(new MempoolEntry(tx, txid, Coin.valueOf(fee), weight, vsize, sigOps));
    }

    /** bitcoind's CFeeRate::GetFee: ceil(rate * vsize / 1000), at least 1 sat for a positive rate. */
    static long feeFor(long satPerKvB, int vsize) {
        long fee = (long) Math.ceil(satPerKvB * (double) vsize / 1000.0);
        return fee == 0 && vsize != 0 && satPerKvB > 0 ? 1 : fee;
    }

    private static Verdict refused(String message) {
        return new Verdict.Refused(TxRefusal.rejected(message));
    }
}
