package org.sidechains.bmm.regtest.embedded;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.bitcoinj.base.Coin;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;
import org.sidechains.bmm.bitcoinj.assemble.Subsidy;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.tx.BlockReadiness;
import org.sidechains.bmm.bitcoinj.tx.TransactionChecks;
import org.sidechains.bmm.d3.D3View;
import org.sidechains.bmm.rules.BmmParams;

/**
 * What bitcoind's ConnectBlock checks against the UTXO set, then the BMM rules: every input spends
 * an existing unspent output (earlier outputs of the same block included, in order), coinbase
 * outputs only after 100 blocks, inputs cover outputs, signatures of the spends
 * {@link SpendVerifier} can verify, and the coinbase claims at most subsidy + fees. Read-only: the
 * chain applies the block only when this passes.
 */
final class ConnectCheck {
    private ConnectCheck() {
    }

    static Optional<Refusal> check(Block block, int height, Function<TransactionOutPoint, Optional<UnspentOutput>> utxo,
                                   D3View d3, BmmParams bmm, int halvingInterval) {
        Map<TransactionOutPoint, UnspentOutput> created = new HashMap<>();
        Set<TransactionOutPoint> spentInBlock = new HashSet<>();
        Map<TransactionOutPoint, Prevout> spentPrevouts = new HashMap<>();
        long fees = 0;
        List<Transaction> txs = block.getTransactions();
        for (Transaction tx : txs) {
            if (!tx.isCoinBase()) {
                List<TransactionInput> ins = tx.getInputs();
                UnspentOutput[] coins = new UnspentOutput[ins.size()];
                long valueIn = 0;
                for (int i = 0; i < ins.size(); i++) {
                    TransactionOutPoint op = ins.get(i).getOutpoint();
                    UnspentOutput coin = spentInBlock.contains(op) ? null
                            : Optional.ofNullable(created.get(op)).or(() -> utxo.apply(op)).orElse(null);
                    if (coin == null) {
                        return Optional.of(Refusal.of("bad-txns-inputs-missingorspent",
                                "CheckTxInputs: inputs missing/spent (tx " + tx.getTxId() + " input " + i + ")"));
                    }
                    if (coin.coinbase() && height - coin.height() < BlockReadiness.COINBASE_MATURITY) {
                        return Optional.of(Refusal.of("bad-txns-premature-spend-of-coinbase",
                                "tried to spend coinbase at depth " + (height - coin.height())));
                    }
                    valueIn += coin.value().value;
                    if (coin.value().value < 0 || coin.value().value > TransactionChecks.MAX_MONEY
                            || valueIn > TransactionChecks.MAX_MONEY) {
                        return Optional.of(Refusal.of("bad-txns-inputvalues-outofrange", ""));
                    }
                    coins[i] = coin;
                }
                long valueOut = tx.getOutputSum().value;
                if (valueIn < valueOut) {
                    return Optional.of(Refusal.of("bad-txns-in-belowout", "value in (" + Money.format(valueIn)
                            + ") < value out (" + Money.format(valueOut) + ")"));
                }
                fees += valueIn - valueOut;
                if (fees > TransactionChecks.MAX_MONEY) {
                    return Optional.of(Refusal.of("bad-txns-accumulated-fee-outofrange", ""));
                }
                for (int i = 0; i < ins.size(); i++) {
                    Optional<String> bad = SpendVerifier.verify(tx, i, coins[i], SpendVerifier.Mode.BLOCK);
                    if (bad.isPresent()) {
                        return Optional.of(Refusal.of(bad.get(), "tx " + tx.getTxId() + " input " + i));
                    }
                }
                for (int i = 0; i < ins.size(); i++) {
                    TransactionOutPoint op = ins.get(i).getOutpoint();
                    created.remove(op);
                    spentInBlock.add(op);
                    spentPrevouts.put(op, coins[i].prevout());
                }
            }
            List<TransactionOutput> outs = tx.getOutputs();
            for (int i = 0; i < outs.size(); i++) {
                byte[] script = outs.get(i).getScriptBytes();
                if (!UnspentOutput.unspendable(script)) {
                    created.put(new TransactionOutPoint(i, tx.getTxId()),
                            new UnspentOutput(outs.get(i).getValue(), script, height, tx.isCoinBase()));
                }
            }
        }
        Coin limit = Subsidy.at(halvingInterval, height).add(Coin.valueOf(fees));
        Coin claimed = txs.get(0).getOutputSum();
        if (claimed.isGreaterThan(limit)) {
            return Optional.of(Refusal.of("bad-cb-amount", "coinbase pays too much (actual=" + claimed.value
                    + " vs limit=" + limit.value + ")"));
        }
        return BmmBlockCheck.check(bmm, height, block, op -> Optional.ofNullable(spentPrevouts.get(op)), d3);
    }
}
