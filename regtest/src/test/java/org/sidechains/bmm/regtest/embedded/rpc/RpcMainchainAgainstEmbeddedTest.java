package org.sidechains.bmm.regtest.embedded.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionOutPoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidechains.bmm.bitcoinj.assemble.BlockTemplate;
import org.sidechains.bmm.bitcoinj.mainchain.BlockWithPrevouts;
import org.sidechains.bmm.bitcoinj.mainchain.Mainchain;
import org.sidechains.bmm.bitcoinj.mainchain.MainchainException;
import org.sidechains.bmm.bitcoinj.rpc.RpcAuth;
import org.sidechains.bmm.bitcoinj.rpc.RpcConfig;
import org.sidechains.bmm.bitcoinj.rpc.RpcMainchain;
import org.sidechains.bmm.regtest.embedded.EmbeddedRegtestChain;
import org.sidechains.bmm.regtest.embedded.TestChain;

/**
 * bmm-bitcoinj's JSON-RPC client (RpcMainchain) against the embedded chain's server, compared with
 * the same chain in-process: both implementations of Mainchain answer alike, errors included.
 */
class RpcMainchainAgainstEmbeddedTest {
    static final Coin FIFTY = Coin.FIFTY_COINS;
    static final Coin FEE = Coin.valueOf(10_000);

    @TempDir
    Path dir;
    EmbeddedRegtestNode node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void rpcClientAndInProcessAgree() throws Exception {
        EmbeddedRegtestChain local = EmbeddedRegtestChain.create();
        Path cookie = dir.resolve(".cookie");
        node = EmbeddedRegtestNode.start(local, RpcAuth.cookie(cookie));
        try (Mainchain remote = RpcMainchain.connect(RpcConfig.of(node.url(),
                org.sidechains.bmm.bitcoinj.rpc.RpcAuth.cookie(cookie)))) {
            String address = org.bitcoinj.base.SegwitAddress.fromHash(org.bitcoinj.base.BitcoinNetwork.REGTEST,
                    TestChain.KEY.getPubKeyHash()).toString();
            List<Sha256Hash> mined = remote.generateToAddress(101, address);
            assertEquals(101, mined.size());
            assertEquals(local.bestBlockHash(), remote.bestBlockHash());
            assertEquals(101, remote.blockCount());
            assertEquals(mined.get(4), remote.blockHash(5));
            assertEquals(local.header(mined.get(4)), remote.header(mined.get(4)));
            assertArrayEquals(local.block(mined.get(7)).serialize(), remote.block(mined.get(7)).serialize());
            assertEquals(2, remote.blocks(List.of(mined.get(0), mined.get(1))).size());

            // a payment through the mempool, a template with its fee, a block with its prevouts
            TransactionOutPoint coin = new TransactionOutPoint(0, local.block(mined.get(0)).getTransactions().get(0)
                    .getTxId());
            assertEquals(local.txOut(coin, true), remote.txOut(coin, true));
            Transaction pay = TestChain.pay(coin, FIFTY, Coin.COIN, TestChain.p2wpkh(TestChain.OTHER), FEE);
            assertEquals(pay.getTxId(), remote.sendRawTransaction(pay));
            BlockTemplate tl = local.blockTemplate();
            BlockTemplate tr = remote.blockTemplate();
            assertEquals(tl.prevBlockHash(), tr.prevBlockHash());
            assertEquals(tl.height(), tr.height());
            assertEquals(tl.bits(), tr.bits());
            assertEquals(FEE, tr.transactions().get(0).fee());
            assertEquals(List.of(), tr.transactions().get(0).depends());
            Sha256Hash withPay = remote.generateToAddress(1, address).get(0);
            BlockWithPrevouts viaRpc = remote.blockWithPrevouts(withPay);
            BlockWithPrevouts inProcess = local.blockWithPrevouts(withPay);
            assertEquals(inProcess.prevouts(), viaRpc.prevouts());
            assertEquals(inProcess.height(), viaRpc.height());
            assertEquals(1, viaRpc.prevouts().size());
            assertEquals(FIFTY, viaRpc.prevouts().get(coin).value());

            // submitblock: accepted, refused with bitcoind's reasons
            Block good = new TestChain(local).blockOnTip(FIFTY, List.of());
            Block bad = new TestChain(local).blockOnTip(FIFTY.add(Coin.SATOSHI), List.of());
            assertEquals(Optional.of("bad-cb-amount"), remote.submitBlock(bad));
            assertEquals(Optional.empty(), remote.submitBlock(good));
            assertEquals(Optional.of("duplicate"), remote.submitBlock(good));
            assertEquals(good.getHash(), remote.bestBlockHash());

            remote.invalidateBlock(good.getHash());
            assertEquals(withPay, local.bestBlockHash());
            remote.reconsiderBlock(good.getHash());
            assertEquals(good.getHash(), local.bestBlockHash());

            // errors carry bitcoind's codes either way
            for (Mainchain m : List.of(local, remote)) {
                MainchainException.Rpc e = assertThrows(MainchainException.Rpc.class, () -> m.blockHash(999_999));
                assertEquals(-8, e.code());
                assertEquals("Block height out of range", e.rpcMessage());
                e = assertThrows(MainchainException.Rpc.class, () -> m.header(Sha256Hash.ZERO_HASH));
                assertEquals(-5, e.code());
                e = assertThrows(MainchainException.Rpc.class, () -> m.block(Sha256Hash.ZERO_HASH));
                assertEquals("Block not found", e.rpcMessage());
                e = assertThrows(MainchainException.Rpc.class, () -> m.generateToAddress(1, "nonsense"));
                assertEquals(-5, e.code());
                assertEquals("Error: Invalid address", e.rpcMessage());
            }
            String hex = Files.readString(Fixtures.dir().resolve("07-m8-v3-sendrawtransaction.json"));
            String m8hex = org.sidechains.bmm.regtest.rpcserver.JsonRpcDispatcher.JSON.readTree(hex)
                    .get("exchanges").get(0).get("request").get("params").get(0).asText();
            Transaction m8 = Transaction.read(ByteBuffer.wrap(HexFormat.of().parseHex(m8hex)));
            MainchainException.Rpc e = assertThrows(MainchainException.Rpc.class, () -> remote.sendRawTransaction(m8));
            assertEquals(-26, e.code());
            assertEquals("version", e.rpcMessage());
            assertFalse(remote.txOut(new TransactionOutPoint(0, Sha256Hash.ZERO_HASH), true).isPresent());
            assertTrue(remote.describe().contains(String.valueOf(node.url().getPort())));
        }
        node.close();
        assertFalse(Files.exists(cookie));
        node = null;
    }
}
