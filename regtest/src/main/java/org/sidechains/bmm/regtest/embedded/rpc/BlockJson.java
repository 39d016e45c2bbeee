package org.sidechains.bmm.regtest.embedded.rpc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.core.TransactionWitness;
import org.sidechains.bmm.regtest.embedded.BlockRecord;
import org.sidechains.bmm.regtest.embedded.Pow;
import org.sidechains.bmm.regtest.embedded.UnspentOutput;

/**
 * Blocks, headers and transactions in the JSON shapes of bitcoind v25 (blockheaderToJSON,
 * blockToJSON, TxToUniv), keys in bitcoind's order.
 */
final class BlockJson {
    private static final HexFormat HEX = HexFormat.of();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private BlockJson() {
    }

    /** The 80-byte header, hex (getblockheader verbose=false). */
    static String headerHex(Block block) {
        return HEX.formatHex(Arrays.copyOf(block.serialize(), Block.HEADER_SIZE));
    }

    /** getblockheader verbose=true. */
    static ObjectNode header(BlockRecord r) {
        Block b = r.block();
        ObjectNode o = F.objectNode();
        o.put("hash", r.hash().toString());
        o.put("confirmations", r.confirmations());
        o.put("height", r.height());
        o.put("version", (int) b.getVersion());
        o.put("versionHex", String.format("%08x", b.getVersion()));
        o.put("merkleroot", b.getMerkleRoot().toString());
        o.put("time", b.getTimeSeconds());
        o.put("mediantime", r.medianTimePast());
        o.put("nonce", b.getNonce());
        o.put("bits", String.format("%08x", b.getDifficultyTarget()));
        o.put("difficulty", uniValueDouble(Pow.difficulty(b.getDifficultyTarget())));
        o.put("chainwork", Pow.hex256(r.chainWork()));
        o.put("nTx", b.getTransactions().size());
        r.previous().ifPresent(p -> o.put("previousblockhash", p.toString()));
        r.next().ifPresent(n -> o.put("nextblockhash", n.toString()));
        return o;
    }

    /** getblock with verbosity 1 (txids), 2 (transactions, fees) or 3 (and prevouts). */
    static ObjectNode block(BlockRecord r, int verbosity) {
        Block b = r.block();
        ObjectNode o = header(r);
        int size = b.messageSize();
        int stripped = strippedSize(b);
        o.put("strippedsize", stripped);
        o.put("size", size);
        o.put("weight", stripped * 3 + size);
        ArrayNode txs = o.putArray("tx");
        List<Transaction> list = b.getTransactions();
        for (int t = 0; t < list.size(); t++) {
            Transaction tx = list.get(t);
            if (verbosity <= 1) {
                txs.add(tx.getTxId().toString());
            } else {
                int index = t;
                Optional<List<UnspentOutput>> spent = t == 0 ? Optional.empty()
                        : r.undo().map(u -> u.spent().get(index - 1));
                txs.add(tx(tx, spent, verbosity >= 3));
            }
        }
        return o;
    }

    /**
     * TxToUniv: with {@code spent} (undo data) the fee, and with {@code prevouts} each input's
     * spent output ({@code generated}, {@code height}, {@code value}, {@code scriptPubKey}).
     */
    static ObjectNode tx(Transaction tx, Optional<List<UnspentOutput>> spent, boolean prevouts) {
        ObjectNode o = F.objectNode();
        o.put("txid", tx.getTxId().toString());
        o.put("hash", tx.getWTxId().toString());
        o.put("version", (int) tx.getVersion()); // bitcoind v25's CTransaction::nVersion is a signed int32
        int weight = tx.getWeight();
        o.put("size", tx.messageSize());
        o.put("vsize", (weight + 3) / 4);
        o.put("weight", weight);
        o.put("locktime", tx.lockTime().rawValue());
        ArrayNode vin = o.putArray("vin");
        long in = 0;
        List<TransactionInput> inputs = tx.getInputs();
        for (int i = 0; i < inputs.size(); i++) {
            TransactionInput input = inputs.get(i);
            ObjectNode v = F.objectNode();
            if (tx.isCoinBase()) {
                v.put("coinbase", HEX.formatHex(input.getScriptBytes()));
            } else {
                v.put("txid", input.getOutpoint().hash().toString());
                v.put("vout", input.getOutpoint().index());
                ObjectNode sig = v.putObject("scriptSig");
                sig.put("asm", ScriptAsm.of(input.getScriptBytes(), true));
                sig.put("hex", HEX.formatHex(input.getScriptBytes()));
            }
            TransactionWitness w = input.getWitness();
            if (w.getPushCount() > 0) {
                ArrayNode items = v.putArray("txinwitness");
                for (int k = 0; k < w.getPushCount(); k++) {
                    items.add(HEX.formatHex(w.getPush(k)));
                }
            }
            if (spent.isPresent()) {
                UnspentOutput coin = spent.get().get(i);
                in += coin.value().value;
                if (prevouts) {
                    ObjectNode p = v.putObject("prevout");
                    p.put("generated", coin.coinbase());
                    p.put("height", coin.height());
                    p.set("value", Amounts.json(coin.value()));
                    p.set("scriptPubKey", ScriptJson.of(coin.scriptPubKey()));
                }
            }
            v.put("sequence", input.getSequenceNumber());
            vin.add(v);
        }
        ArrayNode vout = o.putArray("vout");
        List<TransactionOutput> outputs = tx.getOutputs();
        for (int n = 0; n < outputs.size(); n++) {
            ObjectNode out = F.objectNode();
            out.set("value", Amounts.json(outputs.get(n).getValue()));
            out.put("n", n);
            out.set("scriptPubKey", ScriptJson.of(outputs.get(n).getScriptBytes()));
            vout.add(out);
        }
        if (spent.isPresent()) {
            o.set("fee", Amounts.json(in - tx.getOutputSum().value));
        }
        o.put("hex", HEX.formatHex(tx.serialize()));
        return o;
    }

    /**
     * A double as a bitcoind client reads it: UniValue prints 16 significant digits, so the number
     * on the wire is the double nearest to that decimal, not always the one computed.
     */
    static double uniValueDouble(double d) {
        return Double.parseDouble(String.format(java.util.Locale.ROOT, "%.15e", d));
    }

    private static int strippedSize(Block b) {
        int size = Block.HEADER_SIZE + org.bitcoinj.base.VarInt.sizeOf(b.getTransactions().size());
        for (Transaction tx : b.getTransactions()) {
            size += tx.hasWitnesses() ? (tx.getWeight() - tx.messageSize()) / 3 : tx.messageSize();
        }
        return size;
    }
}
