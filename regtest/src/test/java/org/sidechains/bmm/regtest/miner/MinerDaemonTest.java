package org.sidechains.bmm.regtest.miner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.internal.ByteUtils;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.crypto.ECKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidechains.bmm.bitcoinj.context.BitcoinjContext;
import org.sidechains.bmm.bitcoinj.m8.BribeBuilder.Bribe;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.sidechains.bmm.bitcoinj.rpc.BitcoindRpc;
import org.sidechains.bmm.bitcoinj.rpc.RpcAuth;
import org.sidechains.bmm.bitcoinj.rpc.RpcConfig;
import org.sidechains.bmm.regtest.demo.BribeSender;
import org.sidechains.bmm.regtest.embedded.EmbeddedRegtestChain;

/** The miner daemon through its JSON-RPC, on the embedded chain, as a sidechain node would use it. */
class MinerDaemonTest {
    static final String USER = "test";
    static final String PASSWORD = "secret-for-tests";

    @TempDir
    Path dir;

    EmbeddedRegtestChain chain;
    MinerDaemon daemon;
    BitcoindRpc rpc;

    void start(Path datadir) throws Exception {
        BitcoinjContext.ensure();
        if (chain == null) {
            chain = EmbeddedRegtestChain.create();
        }
        // the chain outlives a miner restart: the daemon does not close its mainchain
        daemon = MinerDaemon.start(chain, datadir, 0,
                RpcAuth.userPassword(USER, PASSWORD), null);
        rpc = BitcoindRpc.create(RpcConfig.of(daemon.url(), RpcAuth.userPassword(USER, PASSWORD)));
    }

    void stop() {
        rpc.close();
        daemon.close();
    }

    @AfterEach
    void tearDown() {
        if (daemon != null) {
            stop();
        }
        if (chain != null) {
            chain.close();
        }
    }

    ECKey minerKey() {
        return ECKey.fromPublicOnly(ByteUtils.parseHex(rpc.call("getminerinfo").get("payoutPubKey").asText()));
    }

    int nextHeight() {
        return rpc.call("getminerinfo").get("tip").get("height").asInt() + 1;
    }

    static String hex(Transaction tx) {
        return ByteUtils.formatHex(tx.serialize());
    }

    @Test
    void bribesGoThroughThePoolIntoBlocks() throws Exception {
        start(dir);
        BribeSender sender = new BribeSender(chain, List.of(4, 9));
        sender.fund();
        JsonNode info = rpc.call("getminerinfo");
        assertEquals(102, info.get("tip").get("height").asInt());
        assertEquals(103, info.get("nextAnchor").asInt());
        assertEquals(0, info.get("pool").get("size").asInt());
        assertTrue(info.get("mainchainReachable").asBoolean());

        List<Bribe> bribes = sender.bribesFor(nextHeight(), minerKey(), Coin.valueOf(50_000));
        for (Bribe b : bribes) {
            JsonNode acc = rpc.call("submitbribe", hex(b.tx()));
            assertEquals(b.tx().getTxId().toString(), acc.get("txid").asText());
            assertEquals(50_000, acc.get("amount").asLong());
            assertTrue(acc.get("replaced").isNull());
        }
        JsonNode pool = rpc.call("getbribepool");
        assertEquals(2, pool.size());
        assertEquals(4, pool.get(0).get("chain").asInt());
        assertEquals(bribes.get(0).tag().miniHeader().hStar().toDisplayHex(), pool.get(0).get("hStar").asText());
        assertEquals(103, pool.get(0).get("mainAnchor").asInt());

        JsonNode mined = rpc.call("generate", 1).get(0);
        assertTrue(mined.get("accepted").asBoolean(), mined.toString());
        assertEquals(103, mined.get("height").asInt());
        assertEquals(2, mined.get("m7").size());
        assertEquals(2, mined.get("bribes").size());
        assertEquals(chain.bestBlockHash().toString(), mined.get("hash").asText());
        assertEquals(0, rpc.call("getbribepool").size(), "a new tip empties the pool");
        // the embedded chain (BMM-enforcing) holds both entries in its own D3
        assertEquals(1, chain.d3().lookup(4, bribes.get(0).tag().miniHeader().hStar()).size());
        assertEquals(2, daemon.miner().claims().size());
    }

    @Test
    void refusalsAreJsonRpcErrorsNamingTheReason() throws Exception {
        start(dir);
        BribeSender sender = new BribeSender(chain, List.of(1));
        sender.fund();
        MainchainException.Rpc notHex = assertThrows(MainchainException.Rpc.class,
                () -> rpc.call("submitbribe", "zz"));
        assertEquals(-22, notHex.code());
        MainchainException.Rpc junk = assertThrows(MainchainException.Rpc.class,
                () -> rpc.call("submitbribe", "0300000000"));
        assertEquals(-22, junk.code());

        Bribe b = sender.bribesFor(nextHeight(), minerKey(), Coin.valueOf(20_000)).get(0);
        // the right bribe one block too early: its anchor is for the block after next
        Bribe early = sender.bribesFor(nextHeight() + 1, minerKey(), Coin.valueOf(20_000)).get(0);
        MainchainException.Rpc anchor = assertThrows(MainchainException.Rpc.class,
                () -> rpc.call("submitbribe", hex(early.tx())));
        assertEquals(MinerRpcMethods.BRIBE_REFUSED, anchor.code());
        assertTrue(anchor.rpcMessage().startsWith("bribe-wrong-anchor: "), anchor.rpcMessage());

        Transaction plain = new Transaction();
        plain.setVersion(2);
        plain.addInput(b.tx().getInput(0));
        plain.addOutput(b.tx().getOutput(1));
        MainchainException.Rpc notM8 = assertThrows(MainchainException.Rpc.class,
                () -> rpc.call("submitbribe", hex(plain)));
        assertTrue(notM8.rpcMessage().startsWith("bribe-not-m8: "), notM8.rpcMessage());

        Bribe otherMiner = sender.bribesFor(nextHeight(), new ECKey(), Coin.valueOf(20_000)).get(0);
        MainchainException.Rpc notPaying = assertThrows(MainchainException.Rpc.class,
                () -> rpc.call("submitbribe", hex(otherMiner.tx())));
        assertTrue(notPaying.rpcMessage().startsWith("bribe-not-paying-miner: "), notPaying.rpcMessage());

        MainchainException.Rpc badN = assertThrows(MainchainException.Rpc.class, () -> rpc.call("generate", 0));
        assertEquals(-8, badN.code());
        assertEquals(0, rpc.call("getbribepool").size(), "nothing refused got in");

        try (BitcoindRpc wrong = BitcoindRpc.create(RpcConfig.of(daemon.url(), RpcAuth.userPassword(USER, "nope")))) {
            assertThrows(MainchainException.Unauthorized.class, () -> wrong.call("getminerinfo"));
        }
    }

    @Test
    void keyAndClaimsSurviveARestartAndTheMaturedBribeIsSwept() throws Exception {
        start(dir);
        BribeSender sender = new BribeSender(chain, List.of(2));
        sender.fund();
        String pubKey = rpc.call("getminerinfo").get("payoutPubKey").asText();
        Bribe b = sender.bribesFor(nextHeight(), minerKey(), Coin.valueOf(70_000)).get(0);
        rpc.call("submitbribe", hex(b.tx()));
        assertTrue(rpc.call("generate", 1).get(0).get("accepted").asBoolean());
        assertTrue(Files.size(dir.resolve(ClaimStore.FILE)) > 0);

        // a new miner process on the same data directory: same key, same claim
        stop();
        start(dir);
        assertEquals(pubKey, rpc.call("getminerinfo").get("payoutPubKey").asText());
        assertEquals(1, rpc.call("getminerinfo").get("claims").asInt());

        // 99 more BMM blocks building on the side:block: the claim is not yet spendable
        for (int i = 0; i < 99; i++) {
            for (Bribe next : sender.bribesFor(nextHeight(), minerKey(), Coin.valueOf(1_000))) {
                rpc.call("submitbribe", hex(next.tx()));
            }
            JsonNode m = rpc.call("generate", 1).get(0);
            assertEquals(0, m.get("swept").asInt(), "swept too early at " + m.get("height"));
        }
        assertEquals(java.util.OptionalInt.of(99), chain.d3().blocksAtop(2, b.tag().miniHeader().hStar()));
        for (Bribe next : sender.bribesFor(nextHeight(), minerKey(), Coin.valueOf(1_000))) {
            rpc.call("submitbribe", hex(next.tx()));
        }
        JsonNode m = rpc.call("generate", 1).get(0);
        assertEquals(0, m.get("swept").asInt()); // this block makes it 100
        JsonNode sweep = rpc.call("generate", 1).get(0);
        assertTrue(sweep.get("accepted").asBoolean(), sweep.toString());
        assertTrue(sweep.get("swept").asInt() >= 1, sweep.toString());
        assertFalse(chain.txOut(b.payoutOutpoint(), false).isPresent(), "the bribe's M9 output is spent");
    }
}
