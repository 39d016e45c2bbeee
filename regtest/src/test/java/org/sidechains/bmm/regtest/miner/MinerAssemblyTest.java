package org.sidechains.bmm.regtest.miner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.params.RegTestParams;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptBuilder;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.bitcoinj.assemble.BlockAssembler;
import org.sidechains.bmm.bitcoinj.assemble.BlockTemplate;
import org.sidechains.bmm.bitcoinj.context.BitcoinjContext;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;
import org.sidechains.bmm.bitcoinj.prevout.PrevoutSource;

/** The miner's sweep waits for a later block when a full template leaves it no room. */
class MinerAssemblyTest {
    static final ECKey KEY = new ECKey();
    static final TransactionOutPoint SPENT = new TransactionOutPoint(0, Sha256Hash.of(new byte[] {9}));
    static final PrevoutSource CHAIN = op -> op.equals(SPENT)
            ? Optional.of(Prevout.madeAt(Coin.COIN, ScriptBuilder.createP2WPKHOutputScript(KEY).program(), 10, false))
            : Optional.empty();

    /** A transaction of about {@code size} bytes (no witness: weight 4 x size) spending an output nobody checks. */
    static Transaction bulk(int size, int salt) {
        Transaction tx = new Transaction();
        tx.addInput(Sha256Hash.of(new byte[] {(byte) salt}), 0, new Script(new byte[0]));
        while (tx.messageSize() + 10_012 <= size) {
            tx.addOutput(opReturn(tx, 10_000));
        }
        int rest = size - tx.messageSize() - 12;
        if (rest > 0) {
            tx.addOutput(opReturn(tx, rest));
        }
        return tx;
    }

    static TransactionOutput opReturn(Transaction tx, int length) {
        byte[] script = new byte[length];
        script[0] = 0x6a;
        return new TransactionOutput(tx, Coin.ZERO, script);
    }

    @Test
    void aSweepThatDoesNotFitBesideAFullTemplateWaitsForALaterBlock() {
        BitcoinjContext.ensure();
        // the sweep: spends a known output, with a 2,000-byte output (8,000 weight units)
        Transaction sweep = new Transaction();
        sweep.addInput(SPENT.hash(), SPENT.index(), new Script(new byte[0]));
        sweep.addOutput(opReturn(sweep, 2_000));
        sweep.addOutput(Coin.valueOf(99_000_000), ScriptBuilder.createP2WPKHOutputScript(KEY));
        BlockAssembler.Options withSweep = BlockAssembler.Options.NONE.withExtraTransactions(List.of(sweep));
        BlockAssembler assembler = new BlockAssembler(RegTestParams.get(), ScriptBuilder.createP2WPKHOutputScript(KEY));

        // bitcoind fills a template up to 3,996,000 weight units: here about 3,995,000
        BlockTemplate full = template(List.of(bulk(998_750, 1)));
        BmmMiner.Assembly a = BmmMiner.assemble(assembler, full, List.of(), CHAIN, withSweep);
        assertFalse(a.withExtras(), "no room for the sweep");
        assertEquals(2, a.block().block().getTransactions().size());
        // a template with room takes it
        BmmMiner.Assembly b = BmmMiner.assemble(assembler, template(List.of(bulk(500_000, 2))), List.of(), CHAIN, withSweep);
        assertTrue(b.withExtras());
        assertEquals(sweep.getTxId(), b.block().block().getTransactions().get(2).getTxId());
    }

    static BlockTemplate template(List<Transaction> txs) {
        return new BlockTemplate(Sha256Hash.of(new byte[] {1}), 200, RegTestParams.get().getGenesisBlock().getDifficultyTarget(),
                Instant.parse("2026-11-21T00:00:00Z"),
                txs.stream().map(tx -> BlockTemplate.TemplateTx.of(tx, Coin.valueOf(1_000))).toList());
    }
}
