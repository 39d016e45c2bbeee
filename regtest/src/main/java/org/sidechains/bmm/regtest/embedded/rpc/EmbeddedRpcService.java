package org.sidechains.bmm.regtest.embedded.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.ProtocolException;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.sidechains.bmm.bitcoinj.assemble.BlockTemplate;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.sidechains.bmm.bitcoinj.mainchain.TxOutInfo;
import org.sidechains.bmm.regtest.embedded.BlockRecord;
import org.sidechains.bmm.regtest.embedded.ChainSummary;
import org.sidechains.bmm.regtest.embedded.EmbeddedRegtestChain;
import org.sidechains.bmm.regtest.embedded.Pow;
import org.sidechains.bmm.regtest.embedded.TemplateInfo;
import org.sidechains.bmm.regtest.rpcserver.RpcException;
import org.sidechains.bmm.regtest.rpcserver.RpcHandler;
import org.sidechains.bmm.regtest.rpcserver.RpcMethod;
import org.sidechains.bmm.regtest.rpcserver.RpcParam;
import org.sidechains.bmm.regtest.rpcserver.RpcType;

/**
 * bitcoind's JSON-RPC methods over an {@link EmbeddedRegtestChain}, answering in the shapes and
 * with the errors of bitcoind v25 (shared/fixtures/bitcoind-25-regtest): getnetworkinfo,
 * getblockchaininfo, getblockcount, getbestblockhash, getblockhash, getblockheader, getblock
 * (verbosity 0 to 3), getblocktemplate, submitblock, generatetoaddress, sendrawtransaction,
 * gettxout, getrawmempool, invalidateblock, reconsiderblock.
 */
public final class EmbeddedRpcService {
    /** The bitcoind version whose RPC this service speaks (getnetworkinfo's {@code version}). */
    public static final int VERSION = 250000;
    public static final String SUBVERSION = "/Satoshi:25.0.0(bmm-embedded-regtest)/";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final HexFormat HEX = HexFormat.of();

    private final EmbeddedRegtestChain chain;

    public EmbeddedRpcService(EmbeddedRegtestChain chain) {
        this.chain = Objects.requireNonNull(chain, "chain");
    }

    public EmbeddedRegtestChain chain() {
        return chain;
    }

    /** The methods, for {@code RpcServer.builder().methods(...)}. */
    public List<RpcMethod> methods() {
        return all().stream().map(m -> new RpcMethod(m.name(), m.params(), guarded(m.handler()))).toList();
    }

    /** The chain's own errors carry bitcoind's code and message: they are the RPC errors. */
    private static RpcHandler guarded(RpcHandler h) {
        return p -> {
            try {
                return h.handle(p);
            } catch (MainchainException.Rpc e) {
                throw new RpcException(e.code(), e.rpcMessage());
            }
        };
    }

    private List<RpcMethod> all() {
        return List.of(
                RpcMethod.of("getnetworkinfo", p -> networkInfo()),
                RpcMethod.of("getblockchaininfo", p -> blockchainInfo()),
                RpcMethod.of("getblockcount", p -> F.numberNode(call(chain::blockCount))),
                RpcMethod.of("getbestblockhash", p -> F.textNode(call(chain::bestBlockHash).toString())),
                RpcMethod.of("getblockhash", this::getBlockHash, RpcParam.required("height", RpcType.NUMBER)),
                RpcMethod.of("getblockheader", this::getBlockHeader, RpcParam.required("blockhash", RpcType.STRING),
                        RpcParam.optional("verbose", RpcType.BOOL)),
                RpcMethod.of("getblock", this::getBlock, RpcParam.required("blockhash", RpcType.STRING),
                        RpcParam.optional("verbosity|verbose", RpcType.ANY)),
                RpcMethod.of("getblocktemplate", this::getBlockTemplate,
                        RpcParam.optional("template_request", RpcType.OBJECT)),
                RpcMethod.of("submitblock", this::submitBlock, RpcParam.required("hexdata", RpcType.STRING),
                        RpcParam.optional("dummy", RpcType.ANY)),
                RpcMethod.of("generatetoaddress", this::generateToAddress, RpcParam.required("nblocks", RpcType.NUMBER),
                        RpcParam.required("address", RpcType.STRING), RpcParam.optional("maxtries", RpcType.NUMBER)),
                RpcMethod.of("sendrawtransaction", this::sendRawTransaction,
                        RpcParam.required("hexstring", RpcType.STRING), RpcParam.optional("maxfeerate", RpcType.ANY),
                        RpcParam.optional("maxburnamount", RpcType.ANY)),
                RpcMethod.of("gettxout", this::getTxOut, RpcParam.required("txid", RpcType.STRING),
                        RpcParam.required("n", RpcType.NUMBER), RpcParam.optional("include_mempool", RpcType.BOOL)),
                RpcMethod.of("getrawmempool", this::getRawMempool, RpcParam.optional("verbose", RpcType.BOOL),
                        RpcParam.optional("mempool_sequence", RpcType.BOOL)),
                RpcMethod.of("invalidateblock", p -> {
                    chain.invalidateBlock(Params.hash(p, 0, "blockhash"));
                    return NullNode.getInstance();
                }, RpcParam.required("blockhash", RpcType.STRING)),
                RpcMethod.of("reconsiderblock", p -> {
                    chain.reconsiderBlock(Params.hash(p, 0, "blockhash"));
                    return NullNode.getInstance();
                }, RpcParam.required("blockhash", RpcType.STRING)));
    }

    private JsonNode networkInfo() {
        ObjectNode o = F.objectNode();
        o.put("version", VERSION);
        o.put("subversion", SUBVERSION);
        o.put("protocolversion", 70016);
        o.put("localservices", "0000000000000409");
        o.putArray("localservicesnames").add("NETWORK").add("WITNESS").add("NETWORK_LIMITED");
        o.put("localrelay", true);
        o.put("timeoffset", 0);
        o.put("networkactive", false);
        o.put("connections", 0);
        o.put("connections_in", 0);
        o.put("connections_out", 0);
        ArrayNode networks = o.putArray("networks");
        for (String net : List.of("ipv4", "ipv6", "onion", "i2p", "cjdns")) {
            ObjectNode n = networks.addObject();
            boolean ip = net.startsWith("ipv");
            n.put("name", net);
            n.put("limited", !ip);
            n.put("reachable", ip);
            n.put("proxy", "");
            n.put("proxy_randomize_credentials", false);
        }
        o.set("relayfee", Amounts.json(1_000));
        o.set("incrementalfee", Amounts.json(1_000));
        o.putArray("localaddresses");
        o.put("warnings", "");
        return o;
    }

    private JsonNode blockchainInfo() {
        ChainSummary s = chain.summary();
        ObjectNode o = F.objectNode();
        o.put("chain", "regtest");
        o.put("blocks", s.height());
        o.put("headers", s.headers());
        o.put("bestblockhash", s.tip().toString());
        o.put("difficulty", BlockJson.uniValueDouble(Pow.difficulty(s.bits())));
        o.put("time", s.time());
        o.put("mediantime", s.medianTimePast());
        o.put("verificationprogress", 1);
        o.put("initialblockdownload", s.initialDownload());
        o.put("chainwork", Pow.hex256(s.chainWork()));
        o.put("size_on_disk", s.sizeOnDisk());
        o.put("pruned", false);
        o.put("warnings", "");
        return o;
    }

    private JsonNode getBlockHash(ArrayNode p) {
        int height = Params.integer(p.get(0));
        return F.textNode(call(() -> chain.blockHash(height)).toString());
    }

    private JsonNode getBlockHeader(ArrayNode p) {
        Sha256Hash hash = Params.hash(p, 0, "hash");
        boolean verbose = Params.opt(p, 1).map(JsonNode::asBoolean).orElse(true);
        BlockRecord r = record(hash);
        return verbose ? BlockJson.header(r) : F.textNode(BlockJson.headerHex(r.block()));
    }

    private JsonNode getBlock(ArrayNode p) {
        Sha256Hash hash = Params.hash(p, 0, "blockhash");
        int verbosity = Params.opt(p, 1).map(v -> v.isBoolean() ? (v.asBoolean() ? 1 : 0) : Params.integer(v)).orElse(1);
        BlockRecord r = record(hash);
        if (verbosity <= 0) {
            return F.textNode(HEX.formatHex(r.block().serialize()));
        }
        return BlockJson.block(r, Math.min(verbosity, 3));
    }

    private JsonNode getBlockTemplate(ArrayNode p) {
        JsonNode request = Params.opt(p, 0).orElse(F.objectNode());
        JsonNode modeNode = request.path("mode");
        if (!modeNode.isMissingNode() && !modeNode.isNull() && !modeNode.isTextual()) {
            throw RpcException.invalidParameter("Invalid mode");
        }
        String mode = modeNode.isTextual() ? modeNode.asText() : "template";
        if (mode.equals("proposal")) {
            JsonNode data = request.path("data");
            if (!data.isTextual()) {
                throw RpcException.typeError("Missing data String key for proposal");
            }
            Block block = Params.hexBytes(data.asText()).flatMap(EmbeddedRpcService::decodeBlock)
                    .orElseThrow(() -> RpcException.deserialization("Block decode failed"));
            return call(() -> chain.proposeBlock(block)).<JsonNode>map(TextNode::new).orElse(NullNode.getInstance());
        }
        if (!mode.equals("template")) {
            throw RpcException.invalidParameter("Invalid mode");
        }
        boolean segwit = false;
        for (JsonNode rule : request.path("rules")) {
            segwit |= "segwit".equals(rule.asText());
        }
        if (!segwit) {
            throw RpcException.invalidParameter(
                    "getblocktemplate must be called with the segwit rule set (call with {\"rules\": [\"segwit\"]})");
        }
        TemplateInfo info = chain.templateInfo();
        BlockTemplate t = info.template();
        ObjectNode o = F.objectNode();
        o.putArray("capabilities").add("proposal");
        o.put("version", (int) org.sidechains.bmm.regtest.embedded.BlockMaker.VERSION);
        o.putArray("rules").add("csv").add("!segwit").add("taproot");
        o.putObject("vbavailable");
        o.put("vbrequired", 0);
        o.put("previousblockhash", t.prevBlockHash().toString());
        ArrayNode txs = o.putArray("transactions");
        List<BlockTemplate.TemplateTx> list = t.transactions();
        for (int i = 0; i < list.size(); i++) {
            BlockTemplate.TemplateTx tt = list.get(i);
            ObjectNode e = txs.addObject();
            e.put("data", HEX.formatHex(tt.tx().serialize()));
            e.put("txid", tt.tx().getTxId().toString());
            e.put("hash", tt.tx().getWTxId().toString());
            ArrayNode depends = e.putArray("depends");
            tt.depends().forEach(d -> depends.add(d + 1)); // bitcoind's depends are 1-based
            e.put("fee", tt.fee().value);
            e.put("sigops", info.sigOpCosts().get(i));
            e.put("weight", info.weights().get(i));
        }
        o.putObject("coinbaseaux");
        o.put("coinbasevalue", info.coinbaseValue().value);
        o.put("longpollid", info.longPollId());
        o.put("target", Pow.hex256(Pow.target(t.bits()).orElseThrow()));
        o.put("mintime", info.minTime());
        o.putArray("mutable").add("time").add("transactions").add("prevblock");
        o.put("noncerange", "00000000ffffffff");
        o.put("sigoplimit", 80_000);
        o.put("sizelimit", 4_000_000);
        o.put("weightlimit", 4_000_000);
        o.put("curtime", t.time().getEpochSecond());
        o.put("bits", String.format("%08x", t.bits()));
        o.put("height", t.height());
        o.put("default_witness_commitment", HEX.formatHex(info.witnessCommitmentScript()));
        return o;
    }

    private JsonNode submitBlock(ArrayNode p) {
        Block block = Params.hexBytes(p.get(0).asText()).flatMap(EmbeddedRpcService::decodeBlock)
                .orElseThrow(() -> RpcException.deserialization("Block decode failed"));
        if (block.getTransactions().isEmpty() || !block.getTransactions().get(0).isCoinBase()) {
            throw RpcException.deserialization("Block does not start with a coinbase");
        }
        Optional<String> result = call(() -> chain.submitBlock(block));
        return result.<JsonNode>map(TextNode::new).orElse(NullNode.getInstance());
    }

    private JsonNode generateToAddress(ArrayNode p) {
        int n = Params.integer(p.get(0));
        String address = p.get(1).asText();
        Params.opt(p, 2).ifPresent(Params::integer);
        ArrayNode out = F.arrayNode();
        call(() -> chain.generateToAddress(n, address)).forEach(h -> out.add(h.toString()));
        return out;
    }

    private JsonNode sendRawTransaction(ArrayNode p) {
        Transaction tx = Params.hexBytes(p.get(0).asText()).flatMap(EmbeddedRpcService::decodeTx)
                .orElseThrow(() -> RpcException.deserialization("TX decode failed. Make sure the tx has at least one input."));
        Coin maxFeeRate = Params.opt(p, 1).map(Amounts::parse).orElse(EmbeddedRegtestChain.DEFAULT_MAX_FEE_RATE);
        Coin maxBurn = Params.opt(p, 2).map(Amounts::parse).orElse(Coin.ZERO);
        return F.textNode(call(() -> chain.sendRawTransaction(tx, maxFeeRate, maxBurn)).toString());
    }

    private JsonNode getTxOut(ArrayNode p) {
        Sha256Hash txid = Params.hash(p, 0, "txid");
        int n = Params.integer(p.get(1));
        boolean mempool = Params.opt(p, 2).map(JsonNode::asBoolean).orElse(true);
        if (n < 0) {
            return NullNode.getInstance();
        }
        Optional<TxOutInfo> out = call(() -> chain.txOut(new TransactionOutPoint(n, txid), mempool));
        if (out.isEmpty()) {
            return NullNode.getInstance();
        }
        TxOutInfo info = out.get();
        ObjectNode o = F.objectNode();
        o.put("bestblock", info.bestBlock().toString());
        o.put("confirmations", info.confirmations());
        o.set("value", Amounts.json(info.value()));
        o.set("scriptPubKey", ScriptJson.of(info.output().scriptPubKey()));
        o.put("coinbase", info.coinbase());
        return o;
    }

    private JsonNode getRawMempool(ArrayNode p) {
        if (Params.opt(p, 0).map(JsonNode::asBoolean).orElse(false)) {
            throw RpcException.invalidParameter("verbose=true is not supported by the embedded chain");
        }
        ArrayNode out = F.arrayNode();
        chain.mempoolTransactions().forEach(tx -> out.add(tx.getTxId().toString()));
        return out;
    }

    private BlockRecord record(Sha256Hash hash) {
        return chain.blockRecord(hash).orElseThrow(() -> RpcException.invalidAddressOrKey("Block not found"));
    }

    /** Runs a chain call, turning its bitcoind-coded errors into the same RPC errors. */
    private static <T> T call(Supplier<T> body) {
        try {
            return body.get();
        } catch (MainchainException.Rpc e) {
            throw new RpcException(e.code(), e.rpcMessage());
        }
    }

    /**
     * bitcoind's DecodeHexBlk: a block with its transactions from the start of the input; bytes
     * after it are ignored (unlike DecodeHexTx, it does not check that the input is used up).
     */
    static Optional<Block> decodeBlock(byte[] bytes) {
        try {
            Block b = Block.read(ByteBuffer.wrap(bytes));
            return b.getTransactions() != null ? Optional.of(b) : Optional.empty();
        } catch (BufferUnderflowException | ProtocolException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** bitcoind's DecodeHexTx: the whole input must be one transaction. */
    static Optional<Transaction> decodeTx(byte[] bytes) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            Transaction tx = Transaction.read(buf);
            return buf.hasRemaining() || tx.getInputs().isEmpty() ? Optional.empty() : Optional.of(tx);
        } catch (BufferUnderflowException | ProtocolException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
