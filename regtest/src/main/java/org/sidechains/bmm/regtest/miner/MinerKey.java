package org.sidechains.bmm.regtest.miner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.bitcoinj.base.internal.ByteUtils;
import org.bitcoinj.crypto.ECKey;

/**
 * The miner's key, kept in its data directory: losing it would lose every bribe not yet swept, so
 * it is created once, written atomically with owner-only permissions, and only read afterwards.
 */
public final class MinerKey {
    static final String FILE = "miner-key.hex";

    private MinerKey() {
    }

    /** Reads {@code dir/miner-key.hex}, creating a new key there if the file does not exist. */
    public static ECKey loadOrCreate(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (Files.exists(file)) {
            String hex = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (!hex.matches("[0-9a-f]{64}")) {
                throw new IOException(file + " does not hold a private key (64 lower-case hex digits);"
                        + " restore it from a backup or move it away to start with a new key");
            }
            return ECKey.fromPrivate(ByteUtils.parseHex(hex), true);
        }
        Files.createDirectories(dir);
        ECKey key = new ECKey();
        Path tmp = dir.resolve(FILE + ".tmp");
        Files.writeString(tmp, key.getPrivateKeyAsHex() + "\n", StandardCharsets.US_ASCII);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's own protection applies
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        return key;
    }
}
