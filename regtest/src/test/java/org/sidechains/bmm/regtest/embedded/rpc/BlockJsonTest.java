package org.sidechains.bmm.regtest.embedded.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.Block;
import org.junit.jupiter.api.Test;
import org.sidechains.bmm.regtest.embedded.BlockRecord;

/** The fixture's block 103, rendered by this code, equals bitcoind's getblock/getblockheader answers value for value. */
class BlockJsonTest {
    final List<Fixtures.Exchange> ex = Fixtures.exchanges("03-block-queries.json");

    BlockRecord record() {
        String hex = ex.get(2).responseJson().get("result").asText();
        Block b = Block.read(ByteBuffer.wrap(HexFormat.of().parseHex(hex)));
        return new BlockRecord(b.getHash(), 103, b, BigInteger.valueOf(0xd0), 1795218994L, 1,
                Optional.of(Sha256Hash.wrap("76ffad6ccf43f747af34ceb02036529e469f05243a4b661d189a4cbe69fb8d10")),
                Optional.empty(), Optional.empty());
    }

    void assertSame(JsonNode expected, JsonNode actual) {
        assertEquals(Optional.empty(), JsonShapes.valueDifference(expected, actual));
    }

    @Test
    void headerVerboseAndHex() {
        assertSame(ex.get(0).responseJson().get("result"), BlockJson.header(record()));
        assertEquals(ex.get(1).responseJson().get("result").asText(), BlockJson.headerHex(record().block()));
    }

    @Test
    void blockVerbosityOneAndTwo() {
        assertSame(ex.get(3).responseJson().get("result"), BlockJson.block(record(), 1));
        assertSame(ex.get(4).responseJson().get("result"), BlockJson.block(record(), 2));
    }

    @Test
    void transactionVersionIsASignedInt32AsInBitcoindV25() {
        Block b = record().block();
        byte[] bytes = b.getTransactions().get(0).serialize();
        java.util.Arrays.fill(bytes, 0, 4, (byte) 0xff); // nVersion 0xffffffff: -1 to bitcoind v25
        org.bitcoinj.core.Transaction read = org.bitcoinj.core.Transaction.read(ByteBuffer.wrap(bytes));
        assertEquals(0xffffffffL, read.getVersion()); // bitcoinj reads it unsigned
        assertEquals(-1, BlockJson.tx(read, Optional.empty(), false).get("version").asLong());
    }
}
