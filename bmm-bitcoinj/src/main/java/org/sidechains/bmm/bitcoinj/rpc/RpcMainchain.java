package org.sidechains.bmm.bitcoinj.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.NetworkParameters;
import org.bitcoinj.core.ProtocolException;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.params.RegTestParams;
import org.sidechains.bmm.bitcoinj.assemble.BlockTemplate;
import org.sidechains.bmm.bitcoinj.mainchain.BlockWithPrevouts;
import org.sidechains.bmm.bitcoinj.mainchain.HeaderInfo;
import org.sidechains.bmm.bitcoinj.mainchain.Mainchain;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.sidechains.bmm.bitcoinj.mainchain.TxOutInfo;
import org.sidechains.bmm.bitcoinj.prevout.Prevout;

/**
 * {@link Mainchain} over a real bitcoind's JSON-RPC ({@link BitcoindRpc}). Blocks travel as raw
 * bytes ({@code getblock} verbosity 0) and are parsed by bitcoinj with their witnesses; several
 * blocks, or a block and its prevouts (verbosity 3), travel in one batch.
 *
 * <p>An answer of the wrong shape (not what bitcoind v25 sends) is a
 * {@link MainchainException.Unreachable}: the sealed exception's "not JSON-RPC" case.
 *
 * <p>Funding needs no wallet RPCs: the project mines to its own key's address
 * ({@link #generateToAddress}), finds those coinbases with {@link #txOut} and spends them with
 * {@link #sendRawTransaction}, so bitcoind's wallet can stay disabled.
 */
public final class RpcMainchain implements Mainchain {
    private static final HexFormat HEX = HexFormat.of();

    private final BitcoindRpc rpc;
    private final NetworkParameters params;

    private RpcMainchain(BitcoindRpc rpc, NetworkParameters params) {
        this.rpc = Objects.requireNonNull(rpc, "rpc");
        this.params = Objects.requireNonNull(params, "params");
    }

    /** A regtest node; the client is owned (closed with this). */
    public static RpcMainchain connect(RpcConfig config) {
        return of(BitcoindRpc.create(config), RegTestParams.get());
    }

    /** Over an existing client, which {@link #close} closes. */
    public static RpcMainchain of(BitcoindRpc rpc, NetworkParameters params) {
        return new RpcMainchain(rpc, params);
    }

    /** The low-level client, for calls this class has no method for. */
    public BitcoindRpc rpc() {
        return rpc;
    }

    @Override
    public String describe() {
        return rpc.describe();
    }

    @Override
    public NetworkParameters params() {
        return params;
    }

    /** {@code getnetworkinfo}. */
    public NetworkInfo networkInfo() {
        JsonNode r = object("getnetworkinfo", rpc.call("getnetworkinfo"));
        return new NetworkInfo(intOf("getnetworkinfo", r, "version"), text("getnetworkinfo", r, "subversion"),
                intOf("getnetworkinfo", r, "protocolversion"), intOf("getnetworkinfo", r, "connections"),
                bool("getnetworkinfo", r, "networkactive"), btc("getnetworkinfo", field("getnetworkinfo", r, "relayfee")));
    }

    /** {@code getblockchaininfo}. */
    public BlockchainInfo blockchainInfo() {
        JsonNode r = object("getblockchaininfo", rpc.call("getblockchaininfo"));
        return new BlockchainInfo(text("getblockchaininfo", r, "chain"), intOf("getblockchaininfo", r, "blocks"),
                intOf("getblockchaininfo", r, "headers"), hash("getblockchaininfo", field("getblockchaininfo", r, "bestblockhash")),
                bool("getblockchaininfo", r, "initialblockdownload"), bool("getblockchaininfo", r, "pruned"));
    }

    @Override
    public int blockCount() {
        return asInt("getblockcount", rpc.call("getblockcount"));
    }

    @Override
    public Sha256Hash bestBlockHash() {
        return hash("getbestblockhash", rpc.call("getbestblockhash"));
    }

    @Override
    public Sha256Hash blockHash(int height) {
        return hash("getblockhash", rpc.call("getblockhash", height));
    }

    /** One batch of {@code getblockhash}. */
    @Override
    public List<Sha256Hash> blockHashes(int fromHeight, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        List<RpcCall> calls = new ArrayList<>(count);
        for (int h = fromHeight; h < fromHeight + count; h++) {
            calls.add(RpcCall.of("getblockhash", h));
        }
        return rpc.batchAll(calls).stream().map(r -> hash("getblockhash", r)).toList();
    }

    @Override
    public HeaderInfo header(Sha256Hash hash) {
        JsonNode r = object("getblockheader", rpc.call("getblockheader", hash.toString(), true));
        JsonNode prev = r.get("previousblockhash");
        return new HeaderInfo(hash("getblockheader", field("getblockheader", r, "hash")), intOf("getblockheader", r, "height"),
                prev == null ? Optional.empty() : Optional.of(hash("getblockheader", prev)),
                intOf("getblockheader", r, "confirmations"));
    }

    /** {@code getblockheader hash false}: the 80-byte header as a header-only bitcoinj block. */
    public Block blockHeader(Sha256Hash hash) {
        Block header = parseBlock("getblockheader", rpc.call("getblockheader", hash.toString(), false), hash);
        if (header.getTransactions() != null) {
            throw bad("getblockheader", "more than a header for " + hash, null);
        }
        return header;
    }

    @Override
    public Block block(Sha256Hash hash) {
        return fullBlock(rpc.call("getblock", hash.toString(), 0), hash);
    }

    /** One batch of {@code getblock hash 0}; the first error (in request order) is thrown. */
    @Override
    public List<Block> blocks(List<Sha256Hash> hashes) {
        List<RpcCall> calls = hashes.stream().map(h -> RpcCall.of("getblock", h.toString(), 0)).toList();
        List<JsonNode> results = rpc.batchAll(calls);
        List<Block> out = new ArrayList<>(hashes.size());
        for (int i = 0; i < hashes.size(); i++) {
            out.add(fullBlock(results.get(i), hashes.get(i)));
        }
        return out;
    }

    @Override
    public BlockWithPrevouts blockWithPrevouts(Sha256Hash hash) {
        return blocksWithPrevouts(List.of(hash)).get(0);
    }

    /**
     * One batch of {@code getblock hash 0} and {@code getblock hash 3} per block. bitcoind gives
     * prevouts only where it has undo data (the block is on the active chain and not pruned); an
     * input without one is left out of the map, and a chain that needs it reports it as unknown.
     */
    @Override
    public List<BlockWithPrevouts> blocksWithPrevouts(List<Sha256Hash> hashes) {
        List<RpcCall> calls = new ArrayList<>(hashes.size() * 2);
        for (Sha256Hash h : hashes) {
            calls.add(RpcCall.of("getblock", h.toString(), 0));
            calls.add(RpcCall.of("getblock", h.toString(), 3));
        }
        List<JsonNode> results = rpc.batchAll(calls);
        List<BlockWithPrevouts> out = new ArrayList<>(hashes.size());
        for (int i = 0; i < hashes.size(); i++) {
            Block block = fullBlock(results.get(2 * i), hashes.get(i));
            JsonNode verbose = object("getblock", results.get(2 * i + 1));
            out.add(new BlockWithPrevouts(block, intOf("getblock", verbose, "height"), prevouts(block, verbose)));
        }
        return out;
    }

    /** Pairs the parsed block's inputs with verbosity 3's {@code vin[].prevout}. */
    private Map<TransactionOutPoint, Prevout> prevouts(Block block, JsonNode verbose) {
        JsonNode txs = field("getblock", verbose, "tx");
        List<Transaction> parsed = block.getTransactions();
        if (!txs.isArray() || txs.size() != parsed.size()) {
            throw bad("getblock", "verbosity 3 lists " + txs.size() + " transactions, the block has " + parsed.size(), null);
        }
        Map<TransactionOutPoint, Prevout> out = new HashMap<>();
        for (int t = 0; t < parsed.size(); t++) {
            Transaction tx = parsed.get(t);
            JsonNode vtx = txs.get(t);
            if (!hash("getblock", field("getblock", vtx, "txid")).equals(tx.getTxId())) {
                throw bad("getblock", "verbosity 3 tx " + t + " is " + vtx.get("txid") + ", the block's is " + tx.getTxId(), null);
            }
            if (tx.isCoinBase()) {
                continue;
            }
            JsonNode vin = field("getblock", vtx, "vin");
            if (!vin.isArray() || vin.size() != tx.getInputs().size()) {
                throw bad("getblock", "tx " + tx.getTxId() + ": verbosity 3 vin does not match its inputs", null);
            }
            for (int i = 0; i < vin.size(); i++) {
                JsonNode prevout = vin.get(i).get("prevout");
                if (prevout == null || prevout.isNull()) {
                    continue; // no undo data for this block
                }
                JsonNode script = field("getblock", prevout, "scriptPubKey");
                Coin value = btc("getblock", field("getblock", prevout, "value"));
                byte[] spk = bytes("getblock", field("getblock", script, "hex"));
                // bitcoind gives where the coin was made ("height", "generated"): kept when present
                JsonNode h = prevout.get("height");
                JsonNode generated = prevout.get("generated");
                out.put(tx.getInput(i).getOutpoint(), h != null && h.canConvertToInt() && h.asInt() >= 0
                        ? Prevout.madeAt(value, spk, h.asInt(), generated != null && generated.asBoolean())
                        : new Prevout(value, spk));
            }
        }
        return out;
    }

    @Override
    public BlockTemplate blockTemplate() {
        String m = "getblocktemplate";
        JsonNode r = object(m, rpc.call(m, Map.of("rules", List.of("segwit"))));
        List<BlockTemplate.TemplateTx> txs = new ArrayList<>();
        for (JsonNode t : field(m, r, "transactions")) {
            Transaction tx = parseTx(m, bytes(m, field(m, t, "data")));
            JsonNode txid = t.get("txid");
            if (txid != null && !hash(m, txid).equals(tx.getTxId())) {
                throw bad(m, "template tx " + txs.size() + ": data hashes to " + tx.getTxId() + ", txid says " + txid, null);
            }
            List<Integer> depends = new ArrayList<>();
            for (JsonNode d : field(m, t, "depends")) {
                depends.add(asInt(m, d) - 1); // bitcoind counts template transactions from 1
            }
            JsonNode fee = field(m, t, "fee");
            if (!fee.isIntegralNumber() || !fee.canConvertToLong()) {
                throw bad(m, "template tx fee is not a satoshi amount: " + fee, null);
            }
            try {
                txs.add(new BlockTemplate.TemplateTx(tx, Coin.valueOf(fee.longValue()), depends));
            } catch (IllegalArgumentException e) {
                throw bad(m, e.getMessage(), e);
            }
        }
        String bits = text(m, r, "bits");
        JsonNode curtime = field(m, r, "curtime");
        if (!curtime.isIntegralNumber()) {
            throw bad(m, "curtime is not a number of seconds: " + curtime, null);
        }
        try {
            return new BlockTemplate(hash(m, field(m, r, "previousblockhash")), intOf(m, r, "height"),
                    Long.parseLong(bits, 16), Instant.ofEpochSecond(curtime.longValue()), txs);
        } catch (IllegalArgumentException e) { // includes NumberFormatException for bits
            throw bad(m, e.getMessage(), e);
        }
    }

    @Override
    public Optional<String> submitBlock(Block block) {
        JsonNode r = rpc.call("submitblock", HEX.formatHex(block.serialize()));
        if (r.isNull()) {
            return Optional.empty();
        }
        if (!r.isTextual()) {
            throw bad("submitblock", "expected null or a reason, got " + r, null);
        }
        return Optional.of(r.asText());
    }

    @Override
    public Sha256Hash sendRawTransaction(Transaction tx) {
        Sha256Hash txid = hash("sendrawtransaction", rpc.call("sendrawtransaction", HEX.formatHex(tx.serialize())));
        if (!txid.equals(tx.getTxId())) {
            throw bad("sendrawtransaction", "sent " + tx.getTxId() + ", bitcoind took " + txid, null);
        }
        return txid;
    }

    @Override
    public List<Sha256Hash> generateToAddress(int blocks, String address) {
        JsonNode r = rpc.call("generatetoaddress", blocks, address);
        if (!r.isArray()) {
            throw bad("generatetoaddress", "expected an array of block hashes, got " + r, null);
        }
        List<Sha256Hash> out = new ArrayList<>(r.size());
        r.forEach(h -> out.add(hash("generatetoaddress", h)));
        return out;
    }

    @Override
    public Optional<TxOutInfo> txOut(TransactionOutPoint outpoint, boolean includeMempool) {
        String m = "gettxout";
        JsonNode r = rpc.call(m, outpoint.hash().toString(), outpoint.index(), includeMempool);
        if (r.isNull()) {
            return Optional.empty();
        }
        object(m, r);
        Prevout output = new Prevout(btc(m, field(m, r, "value")), bytes(m, field(m, field(m, r, "scriptPubKey"), "hex")));
        return Optional.of(new TxOutInfo(hash(m, field(m, r, "bestblock")), intOf(m, r, "confirmations"), output,
                bool(m, r, "coinbase")));
    }

    @Override
    public void invalidateBlock(Sha256Hash hash) {
        rpc.call("invalidateblock", hash.toString());
    }

    @Override
    public void reconsiderBlock(Sha256Hash hash) {
        rpc.call("reconsiderblock", hash.toString());
    }

    @Override
    public void close() {
        rpc.close();
    }

    @Override
    public String toString() {
        return "RpcMainchain[" + rpc.describe() + "]";
    }

    // --- answer parsing -----------------------------------------------------------------------

    /** A BTC decimal as bitcoind prints it ("50.00000000"), converted exactly; more than 8 decimals is refused. */
    static Coin btcToCoin(BigDecimal btc) {
        return Coin.ofBtc(btc); // throws ArithmeticException below a satoshi or beyond a long
    }

    private Coin btc(String method, JsonNode n) {
        if (!n.isNumber()) {
            throw bad(method, "expected a BTC amount, got " + n, null);
        }
        try {
            return btcToCoin(n.decimalValue());
        } catch (ArithmeticException e) {
            throw bad(method, "not a whole number of satoshis: " + n, e);
        }
    }

    private Block fullBlock(JsonNode hex, Sha256Hash expected) {
        Block b = parseBlock("getblock", hex, expected);
        if (b.getTransactions() == null) {
            throw bad("getblock", "a header without transactions for " + expected, null);
        }
        return b;
    }

    /** Block.read keeps the witnesses; the whole answer must be one block with the hash asked for. */
    private Block parseBlock(String method, JsonNode hex, Sha256Hash expected) {
        ByteBuffer buf = ByteBuffer.wrap(bytes(method, hex));
        Block b;
        try {
            b = Block.read(buf);
        } catch (ProtocolException | BufferUnderflowException | IllegalArgumentException e) {
            throw bad(method, "cannot parse the block: " + e, e);
        }
        if (buf.hasRemaining()) {
            throw bad(method, buf.remaining() + " bytes after the block", null);
        }
        if (!b.getHash().equals(expected)) {
            throw bad(method, "asked for " + expected + ", got a block hashing to " + b.getHash(), null);
        }
        return b;
    }

    private Transaction parseTx(String method, byte[] raw) {
        ByteBuffer buf = ByteBuffer.wrap(raw);
        try {
            Transaction tx = Transaction.read(buf);
            if (buf.hasRemaining()) {
                throw bad(method, buf.remaining() + " bytes after a transaction", null);
            }
            return tx;
        } catch (ProtocolException | BufferUnderflowException | IllegalArgumentException e) {
            throw bad(method, "cannot parse a transaction: " + e, e);
        }
    }

    private JsonNode object(String method, JsonNode n) {
        if (!n.isObject()) {
            throw bad(method, "expected an object, got " + abbreviate(n), null);
        }
        return n;
    }

    private JsonNode field(String method, JsonNode n, String name) {
        JsonNode f = n.get(name);
        if (f == null || f.isNull()) {
            throw bad(method, "no \"" + name + "\" in " + abbreviate(n), null);
        }
        return f;
    }

    private String text(String method, JsonNode n, String name) {
        JsonNode f = field(method, n, name);
        if (!f.isTextual()) {
            throw bad(method, "\"" + name + "\" is not a string: " + f, null);
        }
        return f.asText();
    }

    private boolean bool(String method, JsonNode n, String name) {
        JsonNode f = field(method, n, name);
        if (!f.isBoolean()) {
            throw bad(method, "\"" + name + "\" is not a boolean: " + f, null);
        }
        return f.booleanValue();
    }

    private int intOf(String method, JsonNode n, String name) {
        return asInt(method, field(method, n, name));
    }

    private int asInt(String method, JsonNode n) {
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw bad(method, "expected an integer, got " + abbreviate(n), null);
        }
        return n.intValue();
    }

    private Sha256Hash hash(String method, JsonNode n) {
        String s = n.isTextual() ? n.asText() : "";
        if (s.length() != 64) {
            throw bad(method, "expected a 64-hex-digit hash, got " + abbreviate(n), null);
        }
        try {
            return Sha256Hash.wrap(s);
        } catch (IllegalArgumentException e) {
            throw bad(method, "expected a 64-hex-digit hash, got " + n, e);
        }
    }

    private byte[] bytes(String method, JsonNode n) {
        if (!n.isTextual()) {
            throw bad(method, "expected hex, got " + abbreviate(n), null);
        }
        try {
            return HEX.parseHex(n.asText());
        } catch (IllegalArgumentException e) {
            throw bad(method, "expected hex, got " + abbreviate(n), e);
        }
    }

    private static String abbreviate(JsonNode n) {
        String s = String.valueOf(n);
        return s.length() <= 120 ? s : s.substring(0, 120) + "…";
    }

    private MainchainException.Unreachable bad(String method, String detail, Throwable cause) {
        return new MainchainException.Unreachable(rpc.describe() + ": " + method + ": unexpected answer: " + detail, cause);
    }
}
