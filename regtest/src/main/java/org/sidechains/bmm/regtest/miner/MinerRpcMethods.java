package org.sidechains.bmm.regtest.miner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.internal.ByteUtils;
import org.bitcoinj.core.ProtocolException;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.script.Script;
import org.bitcoinj.script.ScriptException;
import org.sidechains.bmm.base.MiniHeader;
import org.sidechains.bmm.bitcoinj.assemble.AssembledBlock;
import org.sidechains.bmm.bitcoinj.context.BitcoinjContext;
import org.sidechains.bmm.bitcoinj.pool.Admission;
import org.sidechains.bmm.bitcoinj.pool.PooledBribe;
import org.sidechains.bmm.bitcoinj.pool.Tip;
import org.sidechains.bmm.regtest.json.D3Json;
import org.sidechains.bmm.regtest.rpcserver.RpcErrorCode;
import org.sidechains.bmm.regtest.rpcserver.RpcException;
import org.sidechains.bmm.regtest.rpcserver.RpcHandler;
import org.sidechains.bmm.regtest.rpcserver.RpcMethod;
import org.sidechains.bmm.regtest.rpcserver.RpcParam;
import org.sidechains.bmm.regtest.rpcserver.RpcType;

/**
 * The miner daemon's JSON-RPC methods: {@code getminerinfo}, {@code submitbribe},
 * {@code getbribepool}, {@code generate}. Amounts are satoshis (integers), hashes the Bitcoin way
 * (byte-reversed hex). A refused bribe is error -26 whose message starts with the pool's reason
 * code ({@code bribe-wrong-anchor: ...}); docs/miner.md has the shapes.
 */
public final class MinerRpcMethods {
    /** bitcoind's RPC_VERIFY_REJECTED: what a refused transaction gets. */
    public static final int BRIBE_REFUSED = -26;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private MinerRpcMethods() {
    }

    public static List<RpcMethod> of(BmmMiner miner) {
        return List.of(
                RpcMethod.of("getminerinfo", withContext(p -> info(miner))),
                RpcMethod.of("submitbribe", withContext(p -> submit(miner, p)),
                        RpcParam.required("hexstring", RpcType.STRING),
                        RpcParam.optional("witnessscript", RpcType.STRING)),
                RpcMethod.of("getbribepool", withContext(p -> pool(miner.pool()))),
                RpcMethod.of("generate", withContext(p -> generate(miner, p)),
                        RpcParam.optional("nblocks", RpcType.NUMBER)));
    }

    /** The server's threads are not bitcoinj's: give each call bitcoinj's context. */
    private static RpcHandler withContext(RpcHandler h) {
        return p -> {
            BitcoinjContext.ensure();
            return h.handle(p);
        };
    }

    static ObjectNode info(BmmMiner miner) {
        boolean reachable = miner.catchUp();
        ObjectNode o = F.objectNode();
        o.put("payoutPubKey", miner.publicKey().getPublicKeyAsHex());
        o.put("payoutAddress", miner.payoutAddress().toString());
        o.put("mainchain", miner.describe());
        o.put("mainchainReachable", reachable);
        Tip tip = miner.tip();
        ObjectNode t = o.putObject("tip");
        t.put("height", tip.height());
        t.put("hash", tip.hash().toString());
        o.put("nextAnchor", tip.nextAnchor());
        List<PooledBribe> bribes = miner.pool();
        ObjectNode p = o.putObject("pool");
        p.put("size", bribes.size());
        p.put("amount", bribes.stream().map(PooledBribe::amount).reduce(Coin.ZERO, Coin::add).value);
        ArrayNode chains = p.putArray("chains");
        bribes.forEach(b -> chains.add(b.chain()));
        o.put("claims", miner.claims().size());
        o.set("refusedBlocks", D3Json.refusals(miner.follower().refusals()));
        return o;
    }

    static ObjectNode submit(BmmMiner miner, ArrayNode params) {
        Transaction tx;
        try {
            ByteBuffer buf = ByteBuffer.wrap(hex(params.get(0).asText(), "hexstring"));
            tx = Transaction.read(buf);
            if (buf.hasRemaining()) {
                throw new IllegalArgumentException(buf.remaining() + " bytes after the transaction");
            }
        } catch (ProtocolException | java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new RpcException(RpcErrorCode.DESERIALIZATION_ERROR, "TX decode failed: " + e.getMessage());
        }
        Optional<Script> ws = Optional.empty();
        JsonNode w = params.get(1);
        if (w != null && !w.isNull()) {
            try {
                ws = Optional.of(Script.parse(hex(w.asText(), "witnessscript")));
            } catch (ScriptException e) {
                throw RpcException.invalidParameter("witnessscript is not a script: " + e.getMessage());
            }
        }
        Admission a = miner.submitBribe(tx, ws);
        if (a instanceof Admission.Refused r) {
            throw new RpcException(BRIBE_REFUSED, r.reason().code() + ": " + r.message());
        }
        Admission.Accepted acc = (Admission.Accepted) a;
        ObjectNode o = F.objectNode();
        o.put("txid", acc.txid().toString());
        o.put("chain", acc.chain());
        o.put("amount", acc.amount().value);
        o.put("replaced", acc.replaced().map(Object::toString).orElse(null));
        return o;
    }

    static ArrayNode pool(List<PooledBribe> bribes) {
        ArrayNode out = F.arrayNode();
        for (PooledBribe b : bribes) {
            ObjectNode o = out.addObject();
            o.put("chain", b.chain());
            o.put("txid", b.txid().toString());
            MiniHeader mh = b.tag().miniHeader();
            o.put("hStar", mh.hStar().toDisplayHex());
            o.put("prevBlockRef", mh.prevBlockRef());
            o.put("mainAnchor", b.tag().mainAnchor());
            o.put("amount", b.amount().value);
            o.put("fee", b.fee().value);
        }
        return out;
    }

    static ArrayNode generate(BmmMiner miner, ArrayNode params) {
        JsonNode n = params.get(0);
        int count = n == null || n.isNull() ? 1 : n.asInt();
        if (count < 1 || count > 1000 || (n != null && !n.isNull() && !n.canConvertToExactIntegral())) {
            throw RpcException.invalidParameter("nblocks must be an integer from 1 to 1000");
        }
        ArrayNode out = F.arrayNode();
        for (BmmMiner.Mined m : miner.generate(count)) {
            out.add(mined(m));
        }
        return out;
    }

    static ObjectNode mined(BmmMiner.Mined m) {
        ObjectNode o = F.objectNode();
        o.put("height", m.height());
        o.put("hash", m.hash().toString());
        o.put("accepted", m.accepted());
        o.put("rejected", m.rejected().orElse(null));
        ArrayNode m7 = o.putArray("m7");
        for (MiniHeader e : m.m7()) {
            ObjectNode n = m7.addObject();
            n.put("chain", e.chain());
            n.put("hStar", e.hStar().toDisplayHex());
            n.put("prevBlockRef", e.prevBlockRef());
        }
        ArrayNode bribes = o.putArray("bribes");
        for (PooledBribe b : m.bribes()) {
            ObjectNode n = bribes.addObject();
            n.put("chain", b.chain());
            n.put("txid", b.txid().toString());
            n.put("amount", b.amount().value);
        }
        ArrayNode stripped = o.putArray("stripped");
        for (AssembledBlock.Stripped s : m.stripped()) {
            ObjectNode n = stripped.addObject();
            n.put("txid", s.txid().toString());
            n.put("reason", s.reason().code());
        }
        o.put("swept", m.swept());
        o.put("coinbaseValue", m.coinbaseValue().value);
        return o;
    }

    private static byte[] hex(String s, String what) {
        if (s.length() % 2 != 0 || !s.matches("[0-9a-fA-F]*")) {
            throw new RpcException(RpcErrorCode.DESERIALIZATION_ERROR, what + " must be hex");
        }
        return ByteUtils.parseHex(s.toLowerCase(java.util.Locale.ROOT));
    }
}
