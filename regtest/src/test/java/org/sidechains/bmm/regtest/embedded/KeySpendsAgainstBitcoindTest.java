package org.sidechains.bmm.regtest.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.SegwitAddress;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.core.TransactionWitness;
import org.bitcoinj.crypto.TransactionSignature;
import org.bitcoinj.script.ScriptBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.sidechains.bmm.bitcoinj.tx.KeySpendCases;
import org.sidechains.bmm.bitcoinj.tx.KeySpendCases.Case;
import org.sidechains.bmm.bitcoinj.tx.KeySpendCases.Kind;
import org.sidechains.bmm.bitcoinj.tx.KeySpendCases.Spendable;
import org.sidechains.bmm.bitcoinj.tx.KeySpendVerifier;
import org.sidechains.bmm.bitcoinj.tx.KeySpendVerifier.Rules;
import org.sidechains.bmm.regtest.bitcoind.BitcoindException;
import org.sidechains.bmm.regtest.bitcoind.BitcoindLauncher;
import org.sidechains.bmm.regtest.bitcoind.RunningBitcoind;

/**
 * The single-key spend cases (bmm-bitcoinj's {@code KeySpendCases}) put to a real bitcoind (the
 * binary named by {@code BITCOIND}; skipped without it): its mempool's verdict ({@code
 * testmempoolaccept}) must be the embedded chain's reject reason to the letter, and a block holding
 * the spend ({@code generateblock}) must be accepted exactly when the expected consensus verdict, the
 * pool's {@link KeySpendVerifier} and the embedded chain's block check say valid.
 */
@EnabledIfEnvironmentVariable(named = "BITCOIND", matches = ".+")
class KeySpendsAgainstBitcoindTest {
    static final String MINE_TO = SegwitAddress.fromHash(BitcoinNetwork.REGTEST, KeySpendCases.KEY.getPubKeyHash()).toString();

    @Test
    void bitcoindAgreesWithEveryVerdict() {
        try (RunningBitcoind node = BitcoindLauncher.of(Path.of(System.getenv("BITCOIND"))).start()) {
            JsonNode hashes = node.rpc("generatetoaddress", 101, MINE_TO);
            Map<Kind, List<Spendable>> coins = fund(node, hashes.get(0).asText());
            List<Case> cases = KeySpendCases.all(kind -> coins.get(kind).remove(0));
            List<String> disagreements = new ArrayList<>();
            for (Case c : cases) {
                UnspentOutput spent = new UnspentOutput(c.coin().value(), c.kind().script.program(), 102, false);
                String hex = HexFormat.of().formatHex(c.tx().serialize());
                // the mempool: bitcoind's reject reason is the embedded chain's
                JsonNode verdict = node.rpc("testmempoolaccept", List.of(hex)).get(0);
                Optional<String> bitcoind = verdict.get("allowed").asBoolean() ? Optional.empty()
                        : Optional.of(verdict.get("reject-reason").asText());
                Optional<String> embedded = SpendVerifier.verify(c.tx(), 0, spent, SpendVerifier.Mode.MEMPOOL);
                Optional<String> expected = c.policy().map(e -> (c.p2shOnly().isEmpty()
                        ? "non-mandatory-script-verify-flag (" : "mandatory-script-verify-flag-failed (")
                        + ScriptErrors.text(e) + ")");
                if (!bitcoind.equals(expected) || !embedded.equals(expected)) {
                    disagreements.add(c + ": mempool: bitcoind " + bitcoind + ", embedded " + embedded + ", expected " + expected);
                }
                // a block: accepted exactly when the consensus verdict says valid
                Optional<String> blockError;
                try {
                    node.rpc("generateblock", MINE_TO, List.of(hex));
                    blockError = Optional.empty();
                } catch (BitcoindException e) {
                    blockError = Optional.of(e.getMessage());
                }
                boolean pool = KeySpendVerifier.verify(c.tx(), 0, spent.scriptPubKey(), spent.value(), Rules.CONSENSUS)
                        instanceof KeySpendVerifier.Result.Valid;
                boolean block = SpendVerifier.verify(c.tx(), 0, spent, SpendVerifier.Mode.BLOCK).isEmpty();
                boolean expectValid = c.consensus().isEmpty();
                // (bitcoind's generateblock says only "block-validation-failed", not which script error)
                if (blockError.isEmpty() != expectValid || pool != expectValid || block != expectValid) {
                    disagreements.add(c + ": block: bitcoind " + blockError + ", pool valid " + pool + ", embedded valid "
                            + block + ", expected " + c.consensus());
                }
            }
            assertEquals(List.of(), disagreements);
            assertTrue(cases.size() >= 20, "all cases ran: " + cases.size());
        }
    }

    /** Spends the first coinbase (a P2WPKH of KEY) into enough coins of every kind, in a block. */
    static Map<Kind, List<Spendable>> fund(RunningBitcoind node, String firstBlock) {
        JsonNode coinbase = node.rpc("getblock", firstBlock, 2).get("tx").get(0);
        Sha256Hash txid = Sha256Hash.wrap(coinbase.get("txid").asText());
        Coin value = Coin.valueOf(Math.round(coinbase.get("vout").get(0).get("value").asDouble() * 1e8));
        Transaction tx = new Transaction();
        tx.setVersion(2);
        tx.addInput(new TransactionInput(tx, new byte[0], new TransactionOutPoint(0, txid), value));
        Coin each = Coin.valueOf(50_000_000);
        int perKind = 20;
        for (Kind k : Kind.values()) {
            for (int i = 0; i < perKind; i++) {
                tx.addOutput(each, k.script);
            }
        }
        tx.addOutput(value.subtract(each.multiply(perKind * Kind.values().length)).subtract(Coin.valueOf(100_000)),
                ScriptBuilder.createP2WPKHOutputScript(KeySpendCases.KEY));
        byte[] code = ScriptBuilder.createP2PKHOutputScript(KeySpendCases.KEY).program();
        TransactionSignature sig = new TransactionSignature(KeySpendCases.KEY.sign(
                tx.hashForWitnessSignature(0, code, value, Transaction.SigHash.ALL, false)), Transaction.SigHash.ALL, false);
        tx.replaceInput(0, tx.getInput(0).withWitness(TransactionWitness.redeemP2WPKH(sig, KeySpendCases.KEY)));
        node.rpc("generateblock", MINE_TO, List.of(HexFormat.of().formatHex(tx.serialize())));
        Map<Kind, List<Spendable>> coins = new EnumMap<>(Kind.class);
        int n = 0;
        for (Kind k : Kind.values()) {
            List<Spendable> list = new ArrayList<>();
            for (int i = 0; i < perKind; i++) {
                list.add(new Spendable(new TransactionOutPoint(n++, tx.getTxId()), each));
            }
            coins.put(k, list);
        }
        return coins;
    }
}
