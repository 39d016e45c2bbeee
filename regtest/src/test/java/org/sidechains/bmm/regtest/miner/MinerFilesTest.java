package org.sidechains.bmm.regtest.miner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.bitcoinj.base.Coin;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.core.TransactionOutPoint;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.script.ScriptBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidechains.bmm.bitcoinj.rpc.RpcAuth;
import org.sidechains.bmm.regtest.embedded.EmbeddedRegtestChain;

/** The miner's files: a torn claim line, the key's permissions, one miner per data directory. */
class MinerFilesTest {
    @TempDir
    Path dir;

    static ClaimStore.Claim claim(int n) {
        return new ClaimStore.Claim(new TransactionOutPoint(n, Sha256Hash.of(new byte[] {(byte) n})),
                Coin.valueOf(1000 + n), ScriptBuilder.createP2PKOutputScript(new ECKey()), n);
    }

    @Test
    void aTornLastLineIsCutOffAndTheNextClaimIsKept() throws Exception {
        ClaimStore s = ClaimStore.open(dir);
        s.addAll(List.of(claim(1)));
        // a crash in the middle of the next append
        Files.writeString(dir.resolve(ClaimStore.FILE), "{\"txid\":\"ab", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        ClaimStore reopened = ClaimStore.open(dir);
        assertEquals(1, reopened.size());
        reopened.addAll(List.of(claim(2)));
        ClaimStore again = ClaimStore.open(dir);
        assertEquals(List.of(claim(1).outpoint(), claim(2).outpoint()),
                again.all().stream().map(ClaimStore.Claim::outpoint).toList());
        assertEquals(claim(2).value(), again.all().get(1).value());
    }

    @Test
    void aBrokenLineInTheMiddleStopsTheMinerWithItsPlace() throws Exception {
        Files.writeString(dir.resolve(ClaimStore.FILE), "not json\n{}\n", StandardCharsets.UTF_8);
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> ClaimStore.open(dir));
        assertTrue(e.getMessage().contains("line 1 is not a claim"), e.getMessage());
    }

    @Test
    void theKeyIsOwnerOnlyAndReadBackUnchanged() throws Exception {
        ECKey k = MinerKey.loadOrCreate(dir);
        Path f = dir.resolve(MinerKey.FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(k.getPrivKey(), MinerKey.loadOrCreate(dir).getPrivKey());
        Files.writeString(f, "garbage");
        assertThrows(java.io.IOException.class, () -> MinerKey.loadOrCreate(dir));
    }

    @Test
    void twoMinersCannotShareADataDirectory() throws Exception {
        try (EmbeddedRegtestChain chain = EmbeddedRegtestChain.create();
             MinerDaemon first = MinerDaemon.start(chain, dir, 0, RpcAuth.userPassword("u", "p"), null)) {
            java.io.IOException e = assertThrows(java.io.IOException.class,
                    () -> MinerDaemon.start(chain, dir, 0, RpcAuth.userPassword("u", "p"), null));
            assertTrue(e.getMessage().contains("in use by another miner"), e.getMessage());
            assertTrue(first.miner().catchUp(), "the first miner is untouched");
        }
    }
}
